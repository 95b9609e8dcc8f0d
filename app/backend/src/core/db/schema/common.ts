import { customType, pgEnum, timestamp } from 'drizzle-orm/pg-core'

// ---------------------------------------------------------------------------
// Column helpers
// ---------------------------------------------------------------------------

/** `timestamp with time zone`, the only timestamp type used in this schema. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true })

export const createdAt = () => timestamptz('created_at').notNull().defaultNow()

export const updatedAt = () =>
  timestamptz('updated_at')
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date())

/** `created_at` + `updated_at`; spread into a table: `{ ...timestamps() }`. */
export const timestamps = () => ({ createdAt: createdAt(), updatedAt: updatedAt() })

/** Postgres full-text search vector. Read-only from the application's point of view (generated columns). */
export const tsvector = customType<{ data: string; driverData: string }>({
  dataType() {
    return 'tsvector'
  },
})

/**
 * Text search configuration created by the `extensions` migration (a copy of pg_catalog.norwegian).
 * Use it for queries too: `plainto_tsquery('avaaz_nb', $1)`.
 */
export const TEXT_SEARCH_CONFIG = 'avaaz_nb'

// ---------------------------------------------------------------------------
// Enums. Every pgEnum has a matching value array (for zod: `z.enum(cefrLevels)`) and a union type.
// ---------------------------------------------------------------------------

// Levels and skills ----------------------------------------------------------

export const cefrLevelEnum = pgEnum('cefr_level', ['A1', 'A2', 'B1', 'B2'])
export const cefrLevels = cefrLevelEnum.enumValues
export type CefrLevel = (typeof cefrLevels)[number]

export const skillEnum = pgEnum('skill', ['reception', 'production', 'interaction', 'mediation'])
export const skills = skillEnum.enumValues
export type Skill = (typeof skills)[number]

/** The three registered levels of the oral Norskprøven; each test measures a pair of CEFR levels. */
export const examLevelEnum = pgEnum('exam_level', ['A1-A2', 'A2-B1', 'B1-B2'])
export const examLevels = examLevelEnum.enumValues
export type ExamLevel = (typeof examLevels)[number]

/**
 * Result levels an assessment can report: a CEFR level or "below A1" (a candidate can end below the
 * registered pair). Stored as text with a CHECK constraint (exam_attempts.estimated_level, exam_scores.band).
 */
export const estimatedLevels = ['below_A1', 'A1', 'A2', 'B1', 'B2'] as const
export type EstimatedLevel = (typeof estimatedLevels)[number]

// Accounts -------------------------------------------------------------------

export const userRoleEnum = pgEnum('user_role', ['learner', 'instructor', 'admin'])
export const userRoles = userRoleEnum.enumValues
export type UserRole = (typeof userRoles)[number]

/** UI language. */
export const localeEnum = pgEnum('locale', ['en', 'nb'])
export const locales = localeEnum.enumValues
export type Locale = (typeof locales)[number]

// Curriculum -----------------------------------------------------------------

export const lessonTypeEnum = pgEnum('lesson_type', ['lesson', 'scenario', 'exam_part'])
export const lessonTypes = lessonTypeEnum.enumValues
export type LessonType = (typeof lessonTypes)[number]

export const lessonStatusEnum = pgEnum('lesson_status', ['draft', 'published', 'archived'])
export const lessonStatuses = lessonStatusEnum.enumValues
export type LessonStatus = (typeof lessonStatuses)[number]

/** Who made the lesson: the shipped content pack, an instructor, or a learner (ad-hoc lesson from an upload). */
export const lessonSourceEnum = pgEnum('lesson_source', ['pack', 'instructor', 'learner'])
export const lessonSources = lessonSourceEnum.enumValues
export type LessonSource = (typeof lessonSources)[number]

export const taskModeEnum = pgEnum('task_mode', ['individual', 'pair'])
export const taskModes = taskModeEnum.enumValues
export type TaskMode = (typeof taskModes)[number]

export const scenarioKindEnum = pgEnum('scenario_kind', [
  'self_presentation',
  'picture_description',
  'conversation',
  'monologue',
  'opinion_exchange',
  'argue_statement',
  'role_play',
])
export const scenarioKinds = scenarioKindEnum.enumValues
export type ScenarioKind = (typeof scenarioKinds)[number]

export const lessonProgressStatusEnum = pgEnum('lesson_progress_status', ['not_started', 'in_progress', 'completed'])
export const lessonProgressStatuses = lessonProgressStatusEnum.enumValues
export type LessonProgressStatus = (typeof lessonProgressStatuses)[number]

// Tutor sessions -------------------------------------------------------------

export const sessionModeEnum = pgEnum('session_mode', ['free', 'lesson', 'exam'])
export const sessionModes = sessionModeEnum.enumValues
export type SessionMode = (typeof sessionModes)[number]

export const turnRoleEnum = pgEnum('turn_role', ['learner', 'tutor', 'partner', 'examiner'])
export const turnRoles = turnRoleEnum.enumValues
export type TurnRole = (typeof turnRoles)[number]

/** How a learner turn's text was produced: typed, the browser's speech recognition, or our speech-to-text engine. */
export const turnSourceEnum = pgEnum('turn_source', ['typed', 'browser_speech', 'speech_engine'])
export const turnSources = turnSourceEnum.enumValues
export type TurnSource = (typeof turnSources)[number]

export const sittingEndReasonEnum = pgEnum('sitting_end_reason', ['disconnect', 'idle', 'user', 'exam_finished', 'error'])
export const sittingEndReasons = sittingEndReasonEnum.enumValues
export type SittingEndReason = (typeof sittingEndReasons)[number]

export const sittingTransportEnum = pgEnum('sitting_transport', ['websocket', 'livekit', 'text'])
export const sittingTransports = sittingTransportEnum.enumValues
export type SittingTransport = (typeof sittingTransports)[number]

export const summaryStatusEnum = pgEnum('summary_status', ['pending', 'ready', 'failed', 'unavailable'])
export const summaryStatuses = summaryStatusEnum.enumValues
export type SummaryStatus = (typeof summaryStatuses)[number]

// Exams ----------------------------------------------------------------------

export const examTaskTypeEnum = pgEnum('exam_task_type', [
  'warm_up',
  'self_presentation',
  'picture_description',
  'conversation',
  'monologue',
  'opinion',
  'exchange_views',
  'argue_statement',
  'role_play',
])
export const examTaskTypes = examTaskTypeEnum.enumValues
export type ExamTaskType = (typeof examTaskTypes)[number]

export const examAttemptStatusEnum = pgEnum('exam_attempt_status', ['in_progress', 'scoring', 'completed', 'abandoned'])
export const examAttemptStatuses = examAttemptStatusEnum.enumValues
export type ExamAttemptStatus = (typeof examAttemptStatuses)[number]
/** Where an attempt is within its current part: the examiner explains, the candidate prepares, speaks; `done` after the last part. */
export const examPhaseEnum = pgEnum('exam_phase', ['instructions', 'preparation', 'speaking', 'done'])
export const examPhases = examPhaseEnum.enumValues
export type ExamPhase = (typeof examPhases)[number]
/** How the candidate takes a mock exam: speaking (voice transports) or typing. */
export const examDeliveryEnum = pgEnum('exam_delivery', ['voice', 'text'])
export const examDeliveries = examDeliveryEnum.enumValues
export type ExamDelivery = (typeof examDeliveries)[number]

export const scoringCriterionEnum = pgEnum('scoring_criterion', [
  'task_completion',
  'fluency',
  'pronunciation',
  'vocabulary',
  'grammar',
  'coherence',
  'interaction',
  'overall',
])
export const scoringCriteria = scoringCriterionEnum.enumValues
export type ScoringCriterion = (typeof scoringCriteria)[number]

/** Where a score came from: locally measured speech features, an LLM rubric rater, or an audio-capable assessor. */
export const scoreRaterEnum = pgEnum('score_rater', ['measured', 'llm', 'audio'])
export const scoreRaters = scoreRaterEnum.enumValues
export type ScoreRater = (typeof scoreRaters)[number]

// Documents ------------------------------------------------------------------

export const documentKindEnum = pgEnum('document_kind', ['document', 'image'])
export const documentKinds = documentKindEnum.enumValues
export type DocumentKind = (typeof documentKinds)[number]

export const documentScopeEnum = pgEnum('document_scope', ['instructor', 'learner'])
export const documentScopes = documentScopeEnum.enumValues
export type DocumentScope = (typeof documentScopes)[number]

export const documentStatusEnum = pgEnum('document_status', ['uploaded', 'processing', 'ready', 'failed'])
export const documentStatuses = documentStatusEnum.enumValues
export type DocumentStatus = (typeof documentStatuses)[number]

// Progress and programs ------------------------------------------------------

export const progressPeriodEnum = pgEnum('progress_period', ['day', 'week', 'month'])
export const progressPeriods = progressPeriodEnum.enumValues
export type ProgressPeriod = (typeof progressPeriods)[number]

export const programRoleEnum = pgEnum('program_role', ['instructor', 'learner'])
export const programRoles = programRoleEnum.enumValues
export type ProgramRole = (typeof programRoles)[number]

// Billing --------------------------------------------------------------------

export const subscriptionPlanEnum = pgEnum('subscription_plan', ['free', 'pro', 'institution'])
export const subscriptionPlans = subscriptionPlanEnum.enumValues
export type SubscriptionPlan = (typeof subscriptionPlans)[number]

export const subscriptionStatusEnum = pgEnum('subscription_status', [
  'active',
  'trialing',
  'past_due',
  'canceled',
  'incomplete',
])
export const subscriptionStatuses = subscriptionStatusEnum.enumValues
export type SubscriptionStatus = (typeof subscriptionStatuses)[number]

export const paymentProviderEnum = pgEnum('payment_provider', ['stripe', 'none'])
export const paymentProviders = paymentProviderEnum.enumValues
export type PaymentProvider = (typeof paymentProviders)[number]

export const paymentEventStatusEnum = pgEnum('payment_event_status', ['received', 'processed', 'failed', 'ignored'])
export const paymentEventStatuses = paymentEventStatusEnum.enumValues
export type PaymentEventStatus = (typeof paymentEventStatuses)[number]
