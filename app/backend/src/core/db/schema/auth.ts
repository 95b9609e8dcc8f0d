import { index, pgTable, text } from 'drizzle-orm/pg-core'
import { timestamps, timestamptz } from './common.js'
import { users } from './users.js'

/**
 * better-auth's tables (sessions, credential accounts, verification tokens, JWT signing keys), named
 * `auth_*` so an authentication session is never confused with a tutor session. Field names follow
 * better-auth's model (the drizzle adapter maps them); `users` is in users.ts.
 */

export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: text('token').notNull().unique('auth_sessions_token_unique'),
    expiresAt: timestamptz('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    /** Set by better-auth's admin plugin when an admin acts as this user. */
    impersonatedBy: text('impersonated_by'),
    ...timestamps(),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
)

export const authAccounts = pgTable(
  'auth_accounts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** For email + password: the user id; for OAuth providers: the provider's account id. */
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    /** Password hash (scrypt) for the `credential` provider. */
    password: text('password'),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamptz('access_token_expires_at'),
    refreshTokenExpiresAt: timestamptz('refresh_token_expires_at'),
    scope: text('scope'),
    ...timestamps(),
  },
  (t) => [index('auth_accounts_user_idx').on(t.userId)],
)

export const authVerifications = pgTable(
  'auth_verifications',
  {
    id: text('id').primaryKey(),
    /** What is being verified (e.g. `reset-password:<token>`); values are single-use. */
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: timestamptz('expires_at').notNull(),
    ...timestamps(),
  },
  (t) => [index('auth_verifications_identifier_idx').on(t.identifier)],
)

/** Signing keys of the JWTs the voice agent uses to call the backend (published at /api/auth/jwks). */
export const authJwks = pgTable('auth_jwks', {
  id: text('id').primaryKey(),
  publicKey: text('public_key').notNull(),
  privateKey: text('private_key').notNull(),
  alg: text('alg'),
  crv: text('crv'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  expiresAt: timestamptz('expires_at'),
})

export type AuthSession = typeof authSessions.$inferSelect
