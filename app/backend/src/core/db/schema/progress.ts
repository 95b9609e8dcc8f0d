import { date, index, integer, jsonb, numeric, pgTable, text, unique, uuid } from 'drizzle-orm/pg-core'

import {
  type EstimatedLevel,
  type ScoringCriterion,
  type Skill,
  lessonProgressStatusEnum,
  progressPeriodEnum,
  timestamps,
  timestamptz,
} from './common.js'
import { lessons } from './curriculum.js'
import { users } from './users.js'

export interface SkillTrendPoint {
  /** Normalised 0–1 estimate for the period. */
  score: number | null
  /** Change against the previous period of the same kind. */
  delta: number | null
}
export type SkillTrend = Partial<Record<Skill, SkillTrendPoint>>

export interface CefrEstimate {
  band: EstimatedLevel | null
  assessable: boolean
  /** Exam attempt or sitting the estimate comes from. */
  source?: { kind: 'exam_attempt' | 'sitting'; id: string }
  at: string
}
/** Latest CEFR estimate per scoring component. */
export type CefrEstimates = Partial<Record<ScoringCriterion, CefrEstimate>>

/**
 * Aggregates per learner and period, recomputed idempotently by the aggregation job (upsert on the
 * unique key). `period_start` is the first local day of the period in the learner's time zone.
 */
export const progressSnapshots = pgTable(
  'progress_snapshots',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    period: progressPeriodEnum('period').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    minutesSpoken: numeric('minutes_spoken', { precision: 10, scale: 2, mode: 'number' }).notNull().default(0),
    sittings: integer('sittings').notNull().default(0),
    turns: integer('turns').notNull().default(0),
    words: integer('words').notNull().default(0),
    streakDays: integer('streak_days').notNull().default(0),
    skillTrend: jsonb('skill_trend').$type<SkillTrend>().notNull().default({}),
    cefrEstimates: jsonb('cefr_estimates').$type<CefrEstimates>().notNull().default({}),
    ...timestamps(),
  },
  (t) => [unique('progress_snapshots_user_period_start_unique').on(t.userId, t.period, t.periodStart)],
)

/** A learner's progress through one lesson. */
export const lessonProgress = pgTable(
  'lesson_progress',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    status: lessonProgressStatusEnum('status').notNull().default('not_started'),
    currentStepPosition: integer('current_step_position'),
    startedAt: timestamptz('started_at'),
    completedAt: timestamptz('completed_at'),
    lastActivityAt: timestamptz('last_activity_at'),
    /** Times the lesson was completed (lessons can be repeated). */
    completedCount: integer('completed_count').notNull().default(0),
    /** Minutes spent in the lesson, as reported by the client with each progress update. */
    minutesSpent: numeric('minutes_spent', { precision: 8, scale: 2, mode: 'number' }).notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    unique('lesson_progress_user_lesson_unique').on(t.userId, t.lessonId),
    index('lesson_progress_user_status_idx').on(t.userId, t.status),
    index('lesson_progress_lesson_idx').on(t.lessonId),
  ],
)

export type ProgressSnapshot = typeof progressSnapshots.$inferSelect
export type NewProgressSnapshot = typeof progressSnapshots.$inferInsert
export type LessonProgress = typeof lessonProgress.$inferSelect
export type NewLessonProgress = typeof lessonProgress.$inferInsert
