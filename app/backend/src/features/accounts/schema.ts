import { z } from 'zod'
import { cefrLevels, correctionStyles, examLevels, greetingVerbosities, locales, userRoles } from '../../core/db/schema/index.js'

const languageTag = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language code such as "en", "ar" or "uk"')
  .describe('ISO 639 language code (BCP 47 tag)')

const timeZone = z
  .string()
  .max(64)
  .refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value })
      return true
    } catch {
      return false
    }
  }, 'must be an IANA time zone such as "Europe/Oslo"')

export const preferencesSchema = z
  .object({
    greetingVerbosity: z.enum(greetingVerbosities).describe('How much the tutor says when a sitting starts'),
    correctionStyle: z.enum(correctionStyles).describe('When the tutor corrects mistakes'),
    explanationLanguage: languageTag.describe('Language the tutor switches to for explanations'),
    tutorVoice: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a voice name (letters, digits, "_", "-", ".")')
      .nullable()
      .describe('Voice of the tutor; null for the default'),
    transcriptRetentionDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .nullable()
      .describe('Days transcripts (and audio) are kept; null keeps them until deleted'),
    keepAudio: z.boolean().describe('Whether recordings of the learner are stored at all'),
  })
  .meta({ id: 'Preferences' })

export const profileSchema = z
  .object({
    id: z.string(),
    email: z.email(),
    emailVerified: z.boolean(),
    name: z.string().describe('Display name'),
    role: z.enum(userRoles),
    locale: z.enum(locales).describe('Language of the interface'),
    nativeLanguage: z.string().nullable(),
    targetLevel: z.enum(cefrLevels).nullable(),
    examGoal: z.enum(examLevels).nullable(),
    examDate: z.iso.date().nullable(),
    timeZone: z.string(),
    preferences: preferencesSchema,
    onboardedAt: z.iso.datetime().nullable().describe('When the learner finished onboarding; null until then'),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Profile' })
export type Profile = z.infer<typeof profileSchema>

export const profileUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    locale: z.enum(locales).optional(),
    nativeLanguage: languageTag.nullable().optional(),
    targetLevel: z.enum(cefrLevels).nullable().optional(),
    examGoal: z.enum(examLevels).nullable().optional(),
    examDate: z.iso.date().nullable().optional(),
    timeZone: timeZone.optional(),
    preferences: preferencesSchema.partial().strict().optional(),
    onboarded: z
      .literal(true)
      .optional()
      .describe('Marks onboarding as finished (the first time only; onboarding cannot be undone)'),
  })
  // Unknown fields (role, email, emailVerified, …) are refused, not ignored: changing them is not a profile edit.
  .strict()
  .refine((update) => Object.keys(update).length > 0, 'send at least one field to change')
  .meta({ id: 'ProfileUpdate' })
export type ProfileUpdate = z.infer<typeof profileUpdateSchema>

export const deleteAccountSchema = z
  .object({ password: z.string().min(1).max(256).describe('The current password, to confirm') })
  .strict()
  .meta({ id: 'DeleteAccount' })

const rows = z.array(z.record(z.string(), z.unknown()))
export const exportSchema = z
  .object({
    exportedAt: z.iso.datetime(),
    profile: profileSchema,
    authSessions: rows.describe('Sign-in sessions (no tokens)'),
    tutorSession: z.record(z.string(), z.unknown()).nullable(),
    sittings: rows,
    turns: rows,
    examAttempts: rows,
    examScores: rows,
    documents: rows.describe('Uploaded documents (metadata; the files themselves are not included)'),
    lessons: rows.describe('Lessons this user owns (ad-hoc or authored)'),
    lessonProgress: rows,
    progressSnapshots: rows,
    programs: rows.describe('Programs this user runs'),
    programMemberships: rows,
    subscriptions: rows,
  })
  .meta({ id: 'AccountExport' })
