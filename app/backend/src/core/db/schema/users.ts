import { boolean, date, jsonb, pgTable, text } from 'drizzle-orm/pg-core'

import { cefrLevelEnum, examLevelEnum, localeEnum, timestamps, timestamptz, userRoleEnum } from './common.js'

export const greetingVerbosities = ['brief', 'normal', 'detailed'] as const
export type GreetingVerbosity = (typeof greetingVerbosities)[number]

export const correctionStyles = ['immediate', 'end_of_turn', 'end_of_session'] as const
export type CorrectionStyle = (typeof correctionStyles)[number]

export interface UserPreferences {
  greetingVerbosity: GreetingVerbosity
  correctionStyle: CorrectionStyle
  /** Language the tutor switches to for explanations (ISO 639-1, e.g. 'en', 'ar', 'uk'). */
  explanationLanguage: string
  /** Provider voice name; null = the configured default voice. */
  tutorVoice: string | null
  /** Days transcripts (and audio) are kept; null = forever. Enforced by the retention job. */
  transcriptRetentionDays: number | null
  /** Whether learner audio is stored at all. */
  keepAudio: boolean
}

export const defaultUserPreferences: UserPreferences = {
  greetingVerbosity: 'normal',
  correctionStyle: 'end_of_turn',
  explanationLanguage: 'en',
  tutorVoice: null,
  transcriptRetentionDays: null,
  keepAudio: false,
}

/**
 * Field names (id, name, email, emailVerified, image, createdAt, updatedAt, role, banned, banReason,
 * banExpires) follow better-auth's core user model and its admin plugin, so the drizzle adapter can use
 * this table directly. `id` is text because better-auth generates string ids.
 */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique('users_email_unique'),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  // better-auth admin plugin
  role: userRoleEnum('role').notNull().default('learner'),
  banned: boolean('banned').default(false),
  banReason: text('ban_reason'),
  banExpires: timestamptz('ban_expires'),
  // profile
  locale: localeEnum('locale').notNull().default('en'),
  nativeLanguage: text('native_language'),
  /** IANA time zone; streaks and daily progress snapshots are counted in the learner's local days. */
  timeZone: text('time_zone').notNull().default('Europe/Oslo'),
  targetLevel: cefrLevelEnum('target_level'),
  examGoal: examLevelEnum('exam_goal'),
  examDate: date('exam_date', { mode: 'string' }),
  onboardedAt: timestamptz('onboarded_at'),
  preferences: jsonb('preferences').$type<UserPreferences>().notNull().default(defaultUserPreferences),
  ...timestamps(),
})

export type User = typeof users.$inferSelect
export type NewUser = typeof users.$inferInsert
