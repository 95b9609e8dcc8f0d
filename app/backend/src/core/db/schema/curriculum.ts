import { sql } from 'drizzle-orm'
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uuid,
} from 'drizzle-orm/pg-core'

import {
  cefrLevelEnum,
  createdAt,
  lessonSourceEnum,
  lessonStatusEnum,
  lessonTypeEnum,
  scenarioKindEnum,
  skillEnum,
  taskModeEnum,
  timestamps,
  timestamptz,
} from './common.js'
import { uploadDocuments } from './documents.js'
import { users } from './users.js'

export interface VocabularyItem {
  term: string
  gloss: string
}

export interface PhraseItem {
  text: string
  gloss: string
}

/** CEFR can-do descriptors per level and skill (shipped with the content pack). */
export const curriculumObjectives = pgTable(
  'curriculum_objectives',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull().unique('curriculum_objectives_slug_unique'),
    level: cefrLevelEnum('level').notNull(),
    skill: skillEnum('skill').notNull(),
    descriptorEn: text('descriptor_en').notNull(),
    descriptorNb: text('descriptor_nb').notNull(),
    position: integer('position').notNull().default(0),
    published: boolean('published').notNull().default(true),
    ...timestamps(),
  },
  (t) => [index('curriculum_objectives_level_skill_position_idx').on(t.level, t.skill, t.position)],
)

/**
 * Pack lessons have a slug and no owner and survive every account deletion. Instructor lessons and
 * learners' ad-hoc lessons (from their own uploads) are owned and cascade with the owner.
 */
export const lessons = pgTable(
  'lessons',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stable key for pack content (upserted by the seeder); null for learner ad-hoc lessons. */
    slug: text('slug').unique('lessons_slug_unique'),
    level: cefrLevelEnum('level').notNull(),
    type: lessonTypeEnum('type').notNull().default('lesson'),
    status: lessonStatusEnum('status').notNull().default('draft'),
    source: lessonSourceEnum('source').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    topic: text('topic'),
    context: text('context'),
    estimatedMinutes: integer('estimated_minutes'),
    examTags: text('exam_tags').array().notNull().default(sql`'{}'::text[]`),
    goals: jsonb('goals').$type<string[]>().notNull().default([]),
    vocabulary: jsonb('vocabulary').$type<VocabularyItem[]>().notNull().default([]),
    phrases: jsonb('phrases').$type<PhraseItem[]>().notNull().default([]),
    /** Order within a level for the pack's recommended path. */
    position: integer('position').notNull().default(0),
    ownerId: text('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    publishedAt: timestamptz('published_at'),
    ...timestamps(),
  },
  (t) => [
    index('lessons_level_status_position_idx').on(t.level, t.status, t.position),
    index('lessons_topic_idx').on(t.topic),
    index('lessons_exam_tags_gin_idx').using('gin', t.examTags),
    index('lessons_owner_created_idx').on(t.ownerId, t.createdAt),
  ],
)

export const lessonObjectives = pgTable(
  'lesson_objectives',
  {
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    objectiveId: uuid('objective_id')
      .notNull()
      .references(() => curriculumObjectives.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'lesson_objectives_pk', columns: [t.lessonId, t.objectiveId] }),
    index('lesson_objectives_objective_idx').on(t.objectiveId),
  ],
)

/** Documents and images an instructor's (or learner's ad-hoc) lesson is built from. */
export const lessonDocuments = pgTable(
  'lesson_documents',
  {
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    documentId: uuid('document_id')
      .notNull()
      .references(() => uploadDocuments.id, { onDelete: 'cascade' }),
    /** How the lesson uses it, e.g. 'source', 'picture', 'handout'. */
    purpose: text('purpose').notNull().default('source'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'lesson_documents_pk', columns: [t.lessonId, t.documentId] }),
    index('lesson_documents_document_idx').on(t.documentId),
  ],
)

/** A structured oral task inside a lesson (self-presentation, picture description, role-play, ...). */
export const scenarios = pgTable(
  'scenarios',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    lessonId: uuid('lesson_id')
      .notNull()
      .references(() => lessons.id, { onDelete: 'cascade' }),
    slug: text('slug'),
    position: integer('position').notNull().default(0),
    kind: scenarioKindEnum('kind').notNull(),
    title: text('title').notNull(),
    description: text('description'),
    mode: taskModeEnum('mode').notNull().default('individual'),
    level: cefrLevelEnum('level').notNull(),
    ...timestamps(),
  },
  (t) => [
    unique('scenarios_lesson_slug_unique').on(t.lessonId, t.slug),
    index('scenarios_lesson_position_idx').on(t.lessonId, t.position),
    index('scenarios_kind_level_idx').on(t.kind, t.level),
  ],
)

export const scenarioSteps = pgTable(
  'scenario_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scenarioId: uuid('scenario_id')
      .notNull()
      .references(() => scenarios.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    tutorPrompt: text('tutor_prompt').notNull(),
    expectedLearnerMove: text('expected_learner_move'),
    hints: jsonb('hints').$type<string[]>().notNull().default([]),
    followUpQuestions: jsonb('follow_up_questions').$type<string[]>().notNull().default([]),
    preparationSeconds: integer('preparation_seconds').notNull().default(0),
    /** Suggested speaking time; null = untimed. */
    speakingSeconds: integer('speaking_seconds'),
    mode: taskModeEnum('mode').notNull().default('individual'),
    /** Picture shown for picture-description steps (pack asset slug). */
    pictureSlug: text('picture_slug'),
    ...timestamps(),
  },
  (t) => [unique('scenario_steps_scenario_position_unique').on(t.scenarioId, t.position)],
)

export type CurriculumObjective = typeof curriculumObjectives.$inferSelect
export type NewCurriculumObjective = typeof curriculumObjectives.$inferInsert
export type Lesson = typeof lessons.$inferSelect
export type NewLesson = typeof lessons.$inferInsert
export type LessonObjective = typeof lessonObjectives.$inferSelect
export type LessonDocument = typeof lessonDocuments.$inferSelect
export type Scenario = typeof scenarios.$inferSelect
export type NewScenario = typeof scenarios.$inferInsert
export type ScenarioStep = typeof scenarioSteps.$inferSelect
export type NewScenarioStep = typeof scenarioSteps.$inferInsert

/**
 * What content pack is in the database: the hash of the files last loaded. Start-up compares it with
 * the pack on disk and loads only when they differ.
 */
export const contentPackState = pgTable('content_pack_state', {
  /** The pack's language code, e.g. 'nb'. */
  pack: text('pack').primaryKey(),
  hash: text('hash').notNull(),
  loadedAt: timestamptz('loaded_at').notNull().defaultNow(),
})
