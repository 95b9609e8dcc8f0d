import { betterAuth } from 'better-auth'
import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { APIError, createAuthMiddleware } from 'better-auth/api'
import { admin, bearer, jwt } from 'better-auth/plugins'
import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { Db } from '../db/client.js'
import { authAccounts, authJwks, authSessions, authVerifications, users } from '../db/schema/index.js'
import { resetPasswordMail, verifyEmailMail, mailLocale } from '../../features/accounts/mail-templates.js'
import type { MailMessage } from '../mail/mailer.js'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem } from './password-policy.js'

/** The header the Fastify glue sets to the client IP it resolved (honouring TRUST_PROXY only). */
export const CLIENT_IP_HEADER = 'x-avaaz-client-ip'

export const AUTH_BASE_PATH = '/api/auth'

export interface AuthDependencies {
  config: Config
  db: Db
  log: FastifyBaseLogger
  /** Queues a message for sending (by a retrying job); must not throw when the mail server is down. */
  sendMail(message: MailMessage): Promise<void>
}

const passwordPaths = new Map<string, string>([
  ['/sign-up/email', 'password'],
  ['/reset-password', 'newPassword'],
  ['/change-password', 'newPassword'],
])

export function createAuth({ config, db, log, sendMail }: AuthDependencies) {
  return betterAuth({
    appName: 'Avaaz',
    baseURL: config.publicUrl,
    basePath: AUTH_BASE_PATH,
    secret: config.authSecret,
    trustedOrigins: [...new Set([config.publicUrl, ...config.corsOrigins])],
    telemetry: { enabled: false },
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { users, auth_sessions: authSessions, auth_accounts: authAccounts, auth_verifications: authVerifications, auth_jwks: authJwks },
    }),
    user: {
      modelName: 'users',
      additionalFields: {
        locale: { type: 'string', required: false, defaultValue: 'en', input: true },
      },
    },
    session: {
      modelName: 'auth_sessions',
      expiresIn: 60 * 60 * 24 * 30,
      updateAge: 60 * 60 * 24,
    },
    account: { modelName: 'auth_accounts' },
    verification: { modelName: 'auth_verifications' },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      resetPasswordTokenExpiresIn: 60 * 60,
      revokeSessionsOnPasswordReset: true,
      sendResetPassword: async ({ user, url }) => {
        await sendMail(resetPasswordMail({ to: user.email, name: user.name, url, locale: mailLocale((user as { locale?: unknown }).locale) }))
      },
    },
    emailVerification: {
      sendOnSignUp: true,
      // Signing in unverified re-sends the link, so a lost first mail is not a dead end.
      sendOnSignIn: true,
      autoSignInAfterVerification: false,
      expiresIn: 60 * 60 * 24,
      sendVerificationEmail: async ({ user, url }) => {
        await sendMail(verifyEmailMail({ to: user.email, name: user.name, url: verificationLanding(url, user.email), locale: mailLocale((user as { locale?: unknown }).locale) }))
      },
    },
    // Our Fastify rate limiter does this, keyed by the client IP it resolved behind trusted proxies.
    rateLimit: { enabled: false },
    advanced: {
      cookiePrefix: 'avaaz',
      useSecureCookies: config.isProduction,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure: config.isProduction },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    logger: {
      level: 'warn',
      log: (level, message) => {
        const method = level === 'error' ? 'error' : level === 'warn' ? 'warn' : 'debug'
        log[method](message)
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        const field = passwordPaths.get(ctx.path)
        const body = (ctx.body ?? {}) as Record<string, unknown>
        if (field && typeof body[field] === 'string') {
          const problem = passwordProblem(body[field] as string)
          if (problem) throw new APIError('BAD_REQUEST', { message: problem, code: 'PASSWORD_NOT_ACCEPTABLE' })
        }
        // Profile fields better-auth accepts itself get the same rules as PATCH /api/v1/users/me.
        if (ctx.path === '/sign-up/email' || ctx.path === '/update-user') {
          if (body.locale !== undefined && body.locale !== 'en' && body.locale !== 'nb') {
            throw new APIError('BAD_REQUEST', { message: 'locale must be "en" or "nb".', code: 'INVALID_LOCALE' })
          }
          if (body.name !== undefined && (typeof body.name !== 'string' || body.name.trim().length < 1 || body.name.trim().length > 80)) {
            throw new APIError('BAD_REQUEST', { message: 'name must be 1 to 80 characters.', code: 'INVALID_NAME' })
          }
        }
        if (ctx.path === '/change-password') {
          // Changing the password always signs out every other session (ASVS V7.4.3).
          return { context: { ...ctx, body: { ...body, revokeOtherSessions: true } } }
        }
        return undefined
      }),
    },
    plugins: [
      admin({ defaultRole: 'learner', adminRoles: ['admin'] }),
      bearer(),
      jwt({
        jwt: { issuer: config.publicUrl, audience: config.publicUrl, expirationTime: '15m' },
        schema: { jwks: { modelName: 'auth_jwks' } },
      }),
    ],
  })
}

export type Auth = ReturnType<typeof createAuth>

/**
 * A verification link better-auth made without a landing page (the one it mails on a refused sign-in
 * has callbackURL "/") lands on the web app's verify-email page instead, which says the address is
 * confirmed — or that the link expired — rather than dropping the learner on the landing page.
 */
export function verificationLanding(link: string, email: string): string {
  const url = new URL(link)
  const callback = url.searchParams.get('callbackURL')
  if (callback === null || callback === '' || callback === '/') {
    url.searchParams.set('callbackURL', `/verify-email?confirmed=1&email=${encodeURIComponent(email)}`)
  }
  return url.toString()
}
