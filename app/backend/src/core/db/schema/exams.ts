import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

import {
  type CefrLevel,
  type EstimatedLevel,
  type ScoreRater,
  type ScoringCriterion,
  cefrLevelEnum,
  estimatedLevels,
  examAttemptStatusEnum,
  examDeliveryEnum,
  examPhaseEnum,
  examLevelEnum,
  examTaskTypeEnum,
  scoreRaterEnum,
  scoringCriterionEnum,
  taskModeEnum,
  timestamps,
  timestamptz,
} from './common.js'
import { sittings, tutorSessions } from './sessions.js'
import { users } from './users.js'

const estimatedLevelList = sql.raw(estimatedLevels.map((level) => `'${level}'`).join(', '))

// ---------------------------------------------------------------------------
// JSON shapes
// ---------------------------------------------------------------------------

/** One entry of a part's prompt bank; attempts draw from it so two attempts rarely repeat. */
export interface ExamPrompt {
  /** Stable within the part; recorded in exam_attempts.selected_prompts. */
  id: string
  /** What the examiner says / shows (Norwegian). */
  text: string
  /** English gloss for learners who chose English explanations (never shown during the exam). */
  textEn?: string
  topic?: string
  /** Picture-description tasks: pack asset slug. */
  pictureSlug?: string
  /** Prompt-specific follow-ups; the part's general follow_up_questions apply too. */
  followUps?: string[]
}

/** Question(s) from the level above that the examiner may add when the candidate does well. */
export interface ExamExtraQuestion {
  level: CefrLevel
  questions: string[]
}

/** Where the examiner and the co-candidate are in the current part; reset when a part begins. */
export interface ExamConductorState {
  partPosition?: number
  /** Examiner questions asked in this part (indexes into the part's question queue). */
  asked?: number
  /** The last thing the examiner or the partner asked, repeated when the candidate asks for it. */
  lastQuestion?: { role: 'examiner' | 'partner'; text: string }
  /** Co-candidate lines used, by kind. */
  partner?: { statements: number; questions: number; reactions: number; helpRequests: number; turns: number }
  /** The examiner asked the candidate to say more once. */
  nudged?: boolean
}

/** What was drawn for one part of an attempt. */
export interface SelectedPartPrompts {
  partPosition: number
  partId: string
  promptIds: string[]
  followUpQuestions?: string[]
  /** The extra question asked (if any), verbatim. */
  extraQuestion?: string | null
}

export interface ExamResult {
  /** null when too little was assessable for an overall level (the feedback says why). */
  estimatedLevel: EstimatedLevel | null
  /** Where the result falls relative to the registered pair (e.g. A2-B1: below A2, A2, or B1). */
  outcome: 'below' | 'lower' | 'upper' | null
  feedback?: string
  strengths?: string[]
  weaknesses?: string[]
  recommendedLessonSlugs?: string[]
  /** Why each recommended lesson: the weak criterion it trains. */
  recommendedFor?: Record<string, ScoringCriterion>
  /** Raters that contributed (e.g. ['measured'] offline). */
  raters?: ScoreRater[]
}

export interface ScoreEvidence {
  kind: 'quote' | 'measure'
  turnId?: string
  /** Quote from the transcript. */
  text?: string
  /** Measured feature, e.g. 'speech_rate_wpm', 'mean_pause_ms', 'mattr', 'subordination_ratio'. */
  metric?: string
  value?: number
  unit?: string
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/**
 * Mock-exam templates (A1–A2, A2–B1, B1–B2), shipped with the content pack and updated in place by the
 * seeder (bumping `version`). Attempts reference them with RESTRICT, so a template with history cannot
 * be deleted — unpublish it instead.
 */
export const examTemplates = pgTable(
  'exam_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull().unique('exam_templates_slug_unique'),
    level: examLevelEnum('level').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    totalMinutes: integer('total_minutes').notNull(),
    version: integer('version').notNull().default(1),
    published: boolean('published').notNull().default(true),
    ...timestamps(),
  },
  (t) => [index('exam_templates_level_idx').on(t.level)],
)

/**
 * Parts of a template. The content loader upserts them by (template_id, slug) and never recreates
 * them: exam_scores cascade from parts. A part removed from the pack that scores or turns refer to is
 * retired with a negative position; readers show only positions >= 0.
 */
export const examParts = pgTable(
  'exam_parts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    templateId: uuid('template_id')
      .notNull()
      .references(() => examTemplates.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    taskType: examTaskTypeEnum('task_type').notNull(),
    mode: taskModeEnum('mode').notNull().default('individual'),
    /** The warm-up is not scored. */
    scored: boolean('scored').notNull().default(true),
    preparationSeconds: integer('preparation_seconds').notNull().default(0),
    speakingSeconds: integer('speaking_seconds').notNull(),
    instructionsEn: text('instructions_en').notNull(),
    instructionsNb: text('instructions_nb').notNull(),
    /** Examiner lines in order (intro, task hand-over, closing); also drives the offline scripted examiner. */
    examinerScript: jsonb('examiner_script').$type<string[]>().notNull().default([]),
    promptBank: jsonb('prompt_bank').$type<ExamPrompt[]>().notNull().default([]),
    followUpQuestions: jsonb('follow_up_questions').$type<string[]>().notNull().default([]),
    extraQuestion: jsonb('extra_question').$type<ExamExtraQuestion>(),
    criteria: scoringCriterionEnum('criteria').array().notNull().default(sql`'{}'::scoring_criterion[]`),
    ...timestamps(),
  },
  (t) => [
    unique('exam_parts_template_position_unique').on(t.templateId, t.position),
    unique('exam_parts_template_slug_unique').on(t.templateId, t.slug),
  ],
)

/** One mock exam by one learner. Timers are server-authoritative: the deadlines are the truth. */
export const examAttempts = pgTable(
  'exam_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    templateId: uuid('template_id')
      .notNull()
      .references(() => examTemplates.id, { onDelete: 'restrict' }),
    level: examLevelEnum('level').notNull(),
    status: examAttemptStatusEnum('status').notNull().default('in_progress'),
    delivery: examDeliveryEnum('delivery').notNull().default('text'),
    phase: examPhaseEnum('phase').notNull().default('instructions'),
    currentPartPosition: integer('current_part_position'),
    partStartedAt: timestamptz('part_started_at'),
    partDeadlineAt: timestamptz('part_deadline_at'),
    preparationDeadlineAt: timestamptz('preparation_deadline_at'),
    /** Level the AI co-candidate plays in pair tasks. */
    coCandidateLevel: cefrLevelEnum('co_candidate_level'),
    selectedPrompts: jsonb('selected_prompts').$type<SelectedPartPrompts[]>().notNull().default([]),
    extraQuestionAsked: boolean('extra_question_asked').notNull().default(false),
    /** The scripted examiner's and co-candidate's place in the current part (questions asked, lines said). */
    conductor: jsonb('conductor').$type<ExamConductorState>().notNull().default({}),
    tutorSessionId: uuid('tutor_session_id').references((): AnyPgColumn => tutorSessions.id, {
      onDelete: 'set null',
    }),
    sittingId: uuid('sitting_id').references((): AnyPgColumn => sittings.id, { onDelete: 'set null' }),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    finishedAt: timestamptz('finished_at'),
    /** One of `estimatedLevels` ('below_A1', 'A1' … 'B2'). */
    estimatedLevel: text('estimated_level').$type<EstimatedLevel>(),
    result: jsonb('result').$type<ExamResult>(),
    ...timestamps(),
  },
  (t) => [
    index('exam_attempts_user_started_idx').on(t.userId, t.startedAt),
    // One mock exam at a time per learner: a second start is refused, even from two tabs at once.
    uniqueIndex('exam_attempts_one_in_progress_unique').on(t.userId).where(sql`${t.status} = 'in_progress'`),
    index('exam_attempts_template_idx').on(t.templateId),
    index('exam_attempts_tutor_session_idx').on(t.tutorSessionId),
    index('exam_attempts_sitting_idx').on(t.sittingId),
    check('exam_attempts_estimated_level_check', sql`${t.estimatedLevel} in (${estimatedLevelList})`),
  ],
)

/**
 * Scores per part and criterion; `exam_part_id` null = the overall score for the attempt. The unique key
 * treats NULLs as equal (NULLS NOT DISTINCT, PostgreSQL 15+) so there is exactly one overall row per
 * criterion. `assessable = false` records "not assessable" (not enough evidence) instead of a guess.
 */
export const examScores = pgTable(
  'exam_scores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => examAttempts.id, { onDelete: 'cascade' }),
    examPartId: uuid('exam_part_id').references(() => examParts.id, { onDelete: 'cascade' }),
    criterion: scoringCriterionEnum('criterion').notNull(),
    assessable: boolean('assessable').notNull().default(true),
    /** One of `estimatedLevels`; null when not assessable. */
    band: text('band').$type<EstimatedLevel>(),
    score: numeric('score', { precision: 4, scale: 2, mode: 'number' }),
    evidence: jsonb('evidence').$type<ScoreEvidence[]>().notNull().default([]),
    rater: scoreRaterEnum('rater').notNull(),
    feedback: text('feedback'),
    ...timestamps(),
  },
  (t) => [
    unique('exam_scores_attempt_part_criterion_unique').on(t.attemptId, t.examPartId, t.criterion).nullsNotDistinct(),
    index('exam_scores_exam_part_idx').on(t.examPartId),
    check('exam_scores_band_check', sql`${t.band} in (${estimatedLevelList})`),
  ],
)

export type ExamTemplate = typeof examTemplates.$inferSelect
export type NewExamTemplate = typeof examTemplates.$inferInsert
export type ExamPart = typeof examParts.$inferSelect
export type NewExamPart = typeof examParts.$inferInsert
export type ExamAttempt = typeof examAttempts.$inferSelect
export type NewExamAttempt = typeof examAttempts.$inferInsert
export type ExamScore = typeof examScores.$inferSelect
export type NewExamScore = typeof examScores.$inferInsert
