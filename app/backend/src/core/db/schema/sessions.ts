import { sql } from 'drizzle-orm'
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'

import {
  type CefrLevel,
  type EstimatedLevel,
  createdAt,
  sessionModeEnum,
  sittingEndReasonEnum,
  sittingTransportEnum,
  summaryStatusEnum,
  timestamps,
  timestamptz,
  turnRoleEnum,
  turnSourceEnum,
  updatedAt,
} from './common.js'
import { lessons } from './curriculum.js'
import { examAttempts, examParts } from './exams.js'
import { users } from './users.js'

// ---------------------------------------------------------------------------
// JSON shapes
// ---------------------------------------------------------------------------

/** Free-form conversation state the tutor keeps between sittings (survives reconnects and restarts). */
export type TutorSessionState = Record<string, unknown>

export interface Correction {
  original: string
  corrected: string
  explanation: string
  /** Who found it: the rule-based checks or the language model. */
  source?: 'rules' | 'llm'
  /** Rule id for rule-based corrections (e.g. 'v2-fronted-adverbial'). */
  rule?: string
  category?: string
}

export interface SittingSummary {
  strengths: string[]
  weaknesses: string[]
  corrections: Correction[]
  nextSteps: string[]
  /** Lessons the tutor recommends next (slugs or ids). */
  recommendedLessons?: string[]
  /** Who wrote it: the language model, or the offline summariser from measured facts. */
  writtenBy?: 'llm' | 'measured'
  minutes?: number
  wordsSpoken?: number
}

export interface SittingMetrics {
  learnerTurns?: number
  tutorTurns?: number
  learnerSpeakingMs?: number
  learnerWords?: number
  /** End of learner speech → first tutor audio. */
  latencyMsP50?: number
  latencyMsP95?: number
  reconnects?: number
  [key: string]: number | undefined
}

/** A non-text event of a tutor reply, as streamed (`{ type: 'visual', aid }`, `{ type: 'state', change }`, …). */
export type StoredTutorEvent = { type: string } & Record<string, unknown>

export interface WordTiming {
  word: string
  startMs: number
  endMs: number
  confidence?: number
}

/** CEFR difficulty metadata of one utterance (measured locally and/or judged by a rater). */
export interface TurnCefrMetadata {
  /** Level the tutor aimed at for tutor turns. */
  targetLevel?: CefrLevel
  /** Estimated level of a learner utterance. */
  estimatedLevel?: EstimatedLevel
  wordCount?: number
  speechRateWpm?: number
  meanPauseMs?: number
  /** Share of words outside the target level's vocabulary band. */
  offBandRatio?: number
  [key: string]: unknown
}

// ---------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------

/**
 * The ONE continuous tutor conversation per learner (unique user_id), created on first use and kept
 * forever. Named tutor_sessions, never "sessions", so it is never confused with better-auth's
 * authentication sessions.
 */
export const tutorSessions = pgTable(
  'tutor_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' })
      .unique('tutor_sessions_user_unique'),
    mode: sessionModeEnum('mode').notNull().default('free'),
    currentLessonId: uuid('current_lesson_id').references(() => lessons.id, { onDelete: 'set null' }),
    currentStepPosition: integer('current_step_position'),
    currentExamAttemptId: uuid('current_exam_attempt_id').references((): AnyPgColumn => examAttempts.id, {
      onDelete: 'set null',
    }),
    state: jsonb('state').$type<TutorSessionState>().notNull().default({}),
    rollingSummary: text('rolling_summary'),
    summaryUpdatedAt: timestamptz('summary_updated_at'),
    lastActivityAt: timestamptz('last_activity_at').notNull().defaultNow(),
    ...timestamps(),
  },
  (t) => [
    index('tutor_sessions_current_lesson_idx').on(t.currentLessonId),
    index('tutor_sessions_current_exam_attempt_idx').on(t.currentExamAttemptId),
  ],
)

/**
 * A span of activity within a tutor session, from connect to disconnect/idle. Sittings get the
 * post-conversation summary and carry the usage that plan limits count.
 */
export const sittings = pgTable(
  'sittings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tutorSessionId: uuid('tutor_session_id')
      .notNull()
      .references((): AnyPgColumn => tutorSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    startedAt: timestamptz('started_at').notNull().defaultNow(),
    endedAt: timestamptz('ended_at'),
    endReason: sittingEndReasonEnum('end_reason'),
    transport: sittingTransportEnum('transport').notNull(),
    mode: sessionModeEnum('mode').notNull().default('free'),
    lessonId: uuid('lesson_id').references(() => lessons.id, { onDelete: 'set null' }),
    examAttemptId: uuid('exam_attempt_id').references((): AnyPgColumn => examAttempts.id, { onDelete: 'set null' }),
    summary: jsonb('summary').$type<SittingSummary>(),
    summaryStatus: summaryStatusEnum('summary_status').notNull().default('pending'),
    metrics: jsonb('metrics').$type<SittingMetrics>().notNull().default({}),
    ...timestamps(),
  },
  (t) => [
    index('sittings_tutor_session_started_idx').on(t.tutorSessionId, t.startedAt),
    index('sittings_user_started_idx').on(t.userId, t.startedAt),
    index('sittings_lesson_idx').on(t.lessonId),
    index('sittings_exam_attempt_idx').on(t.examAttemptId),
    // At most one open sitting per session, whatever races between a turn and the idle sweep.
    uniqueIndex('sittings_one_open_per_session').on(t.tutorSessionId).where(sql`${t.endedAt} is null`),
  ],
)

/** One utterance. Final transcripts are inserted as they happen, never batched at the end of a sitting. */
export const turns = pgTable(
  'turns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tutorSessionId: uuid('tutor_session_id')
      .notNull()
      .references((): AnyPgColumn => tutorSessions.id, { onDelete: 'cascade' }),
    sittingId: uuid('sitting_id')
      .notNull()
      .references((): AnyPgColumn => sittings.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    examAttemptId: uuid('exam_attempt_id').references((): AnyPgColumn => examAttempts.id, { onDelete: 'set null' }),
    examPartId: uuid('exam_part_id').references((): AnyPgColumn => examParts.id, { onDelete: 'set null' }),
    /** Order within the sitting. */
    sequence: integer('sequence').notNull(),
    role: turnRoleEnum('role').notNull(),
    text: text('text').notNull(),
    /** Learner turns: how the text was produced. */
    source: turnSourceEnum('source'),
    /**
     * Learner turns: the id the client gave the turn, so a retried request never stores it twice.
     * Unique per tutor session.
     */
    clientTurnId: text('client_turn_id'),
    /** Tutor turns: the learner turn this one answers. */
    replyToTurnId: uuid('reply_to_turn_id').references((): AnyPgColumn => turns.id, { onDelete: 'set null' }),
    /** A reply cut off by a provider error or timeout: the text is what had arrived. */
    incomplete: boolean('incomplete').notNull().default(false),
    /** Tutor turns: what the reply showed beside its words (corrections, visual aids, state changes), replayed on a retry. */
    events: jsonb('events').$type<StoredTutorEvent[]>(),
    isFinal: boolean('is_final').notNull().default(true),
    startedAt: timestamptz('started_at'),
    endedAt: timestamptz('ended_at'),
    speakingMs: integer('speaking_ms'),
    wordTimings: jsonb('word_timings').$type<WordTiming[]>(),
    /** Storage key of the kept audio; null when audio is not kept. */
    audioRef: text('audio_ref'),
    cefrMetadata: jsonb('cefr_metadata').$type<TurnCefrMetadata>(),
    corrections: jsonb('corrections').$type<Correction[]>().notNull().default([]),
    /** Tutor turns: end of learner speech → first tutor audio. */
    latencyMs: integer('latency_ms'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique('turns_sitting_sequence_unique').on(t.sittingId, t.sequence),
    unique('turns_tutor_session_client_turn_unique').on(t.tutorSessionId, t.clientTurnId),
    index('turns_reply_to_idx').on(t.replyToTurnId),
    // the transcript in order (pages and the tutor's recent context): sequence breaks created_at ties
    index('turns_tutor_session_created_idx').on(t.tutorSessionId, t.createdAt, t.sequence),
    // retention job and data export
    index('turns_user_created_idx').on(t.userId, t.createdAt),
    index('turns_exam_attempt_idx').on(t.examAttemptId),
    index('turns_exam_part_idx').on(t.examPartId),
  ],
)

export type TutorSession = typeof tutorSessions.$inferSelect
export type NewTutorSession = typeof tutorSessions.$inferInsert
export type Sitting = typeof sittings.$inferSelect
export type NewSitting = typeof sittings.$inferInsert
export type Turn = typeof turns.$inferSelect
export type NewTurn = typeof turns.$inferInsert
