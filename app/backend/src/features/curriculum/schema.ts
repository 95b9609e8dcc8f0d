import { eq, type SQL } from 'drizzle-orm'
import type { PgColumn } from 'drizzle-orm/pg-core'
import { z } from 'zod'
import { cefrLevels, examLevels, examTaskTypes, lessonTypes, scenarioKinds, scoringCriteria, skills, taskModes } from '../../core/db/schema/index.js'
import { examTags, lessonTopics } from './content-schema.js'

export const idOrSlugSchema = z.string().trim().min(1).max(120).describe('The id (UUID) or the stable slug')

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The condition that finds a row by the `{idOrSlug}` path parameter: a UUID matches the id, anything else the slug. */
export function byIdOrSlug(table: { id: PgColumn; slug: PgColumn }, idOrSlug: string): SQL {
  return UUID.test(idOrSlug) ? eq(table.id, idOrSlug) : eq(table.slug, idOrSlug)
}

export const objectiveSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    level: z.enum(cefrLevels),
    skill: z.enum(skills),
    descriptorEn: z.string(),
    descriptorNb: z.string(),
  })
  .meta({ id: 'Objective' })

export const objectiveQuerySchema = z.object({ level: z.enum(cefrLevels).optional(), skill: z.enum(skills).optional() }).strict()

export const vocabularySchema = z.array(z.object({ term: z.string(), gloss: z.string() }))
export const phrasesSchema = z.array(z.object({ text: z.string(), gloss: z.string() }))

export const lessonSummarySchema = z
  .object({
    id: z.uuid(),
    slug: z.string().nullable(),
    level: z.enum(cefrLevels),
    type: z.enum(lessonTypes),
    title: z.string(),
    description: z.string().nullable(),
    topic: z.string().nullable(),
    estimatedMinutes: z.number().int().nullable(),
    examTags: z.array(z.string()),
    source: z.enum(['pack', 'instructor', 'learner']),
  })
  .meta({ id: 'LessonSummary' })

export const scenarioStepSchema = z
  .object({
    position: z.number().int(),
    tutorPrompt: z.string(),
    expectedLearnerMove: z.string().nullable(),
    hints: z.array(z.string()),
    followUpQuestions: z.array(z.string()),
    preparationSeconds: z.number().int(),
    speakingSeconds: z.number().int().nullable(),
    mode: z.enum(taskModes),
    pictureSlug: z.string().nullable(),
  })
  .meta({ id: 'ScenarioStep' })

export const scenarioSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(scenarioKinds),
    title: z.string(),
    description: z.string().nullable(),
    mode: z.enum(taskModes),
    level: z.enum(cefrLevels),
    steps: z.array(scenarioStepSchema),
  })
  .meta({ id: 'Scenario' })

export const lessonProgressSchema = z
  .object({
    status: z.enum(['not_started', 'in_progress', 'completed']),
    currentStepPosition: z.number().int().nullable(),
    minutesSpent: z.number(),
    completedCount: z.number().int(),
    startedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'LessonProgress' })

export const lessonDetailSchema = lessonSummarySchema
  .extend({
    context: z.string().nullable(),
    goals: z.array(z.string()),
    vocabulary: vocabularySchema,
    phrases: phrasesSchema,
    objectives: z.array(objectiveSchema),
    scenarios: z.array(scenarioSchema),
    progress: lessonProgressSchema.nullable().describe('The signed-in learner’s progress; null when not started or not signed in'),
  })
  .meta({ id: 'LessonDetail' })

export const lessonQuerySchema = z
  .object({
    level: z.enum(cefrLevels).optional(),
    topic: z.enum(lessonTopics).optional(),
    type: z.enum(lessonTypes).optional(),
    tag: z.enum(examTags).optional().describe('An exam tag: a task type or a test level'),
    q: z.string().trim().min(2).max(100).optional().describe('Words in the title or description'),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict()

export const recommendationSchema = z
  .object({ lesson: lessonSummarySchema, reason: z.string().describe('Why this lesson, in plain words') })
  .meta({ id: 'Recommendation' })

export const progressUpdateSchema = z
  .object({
    currentStep: z.number().int().min(0).optional().describe('Position of the step the learner is on (0 is the first)'),
    minutes: z.number().min(0).max(180).optional().describe('Minutes spent since the last update'),
  })
  .strict()
  .refine((body) => body.currentStep !== undefined || body.minutes !== undefined, 'send currentStep and/or minutes')

export const learnerProgressSchema = z
  .object({
    completedLessons: z.record(z.enum(cefrLevels), z.number().int()).describe('Completed lessons per level'),
    lessonsInProgress: z.number().int(),
    minutes: z.number().describe('Minutes of practice in total'),
    streakDays: z.number().int().describe('Consecutive days with practice, up to today (or yesterday)'),
    activeDays: z.number().int(),
    cefrEstimate: z
      .object({ level: z.string().nullable(), source: z.string(), assessedAt: z.iso.datetime().nullable() })
      .describe('From the latest scored mock exam; level null until one exists'),
  })
  .meta({ id: 'LearnerProgress' })

export const examPartViewSchema = z
  .object({
    position: z.number().int(),
    slug: z.string(),
    title: z.string(),
    taskType: z.enum(examTaskTypes),
    mode: z.enum(taskModes),
    scored: z.boolean(),
    preparationSeconds: z.number().int(),
    speakingSeconds: z.number().int(),
    instructionsEn: z.string(),
    instructionsNb: z.string(),
    criteria: z.array(z.enum(scoringCriteria)),
    promptCount: z.number().int().describe('Size of the prompt bank (prompts are drawn per attempt, not listed)'),
  })
  .meta({ id: 'ExamPartView' })

export const examTemplateViewSchema = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    level: z.enum(examLevels),
    title: z.string(),
    description: z.string().nullable(),
    totalMinutes: z.number().int(),
    parts: z.array(examPartViewSchema),
  })
  .meta({ id: 'ExamTemplate' })

export const scenarioTemplateSchema = z
  .object({
    kind: z.enum(['lesson', 'exam']),
    id: z.uuid(),
    slug: z.string().nullable(),
    level: z.string(),
    title: z.string(),
    taskKind: z.string().describe('Scenario kind (lessons) or task type (exam parts)'),
    mode: z.enum(taskModes),
    steps: z.number().int(),
  })
  .meta({ id: 'ScenarioTemplate' })

export const pictureViewSchema = z
  .object({
    slug: z.string(),
    url: z.string(),
    titleNb: z.string(),
    titleEn: z.string(),
    altEn: z.string(),
    altNb: z.string(),
    levels: z.array(z.enum(cefrLevels)),
    vocabulary: vocabularySchema,
  })
  .meta({ id: 'Picture' })
