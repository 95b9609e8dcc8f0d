import { and, asc, count, desc, eq, ilike, inArray, isNotNull, or, sql, type SQL } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Principal } from '../../core/auth/access.js'
import {
  cefrLevels,
  curriculumObjectives,
  examAttempts,
  examScores,
  lessonObjectives,
  lessonProgress,
  lessons,
  progressSnapshots,
  scenarioSteps,
  scenarios,
  users,
  type CefrLevel,
  type Lesson,
  type LessonProgress,
  type ScoringCriterion,
} from '../../core/db/schema/index.js'
import { BadRequest, Conflict, NotFound } from '../../core/errors.js'
import type {
  learnerProgressSchema,
  lessonDetailSchema,
  lessonQuerySchema,
  lessonSummarySchema,
  recommendationSchema,
} from '../curriculum/schema.js'
import { byIdOrSlug } from '../curriculum/schema.js'

type LessonSummary = z.infer<typeof lessonSummarySchema>
type LessonDetail = z.infer<typeof lessonDetailSchema>

/**
 * What a viewer may see: published pack and instructor lessons, and their own published ad-hoc
 * lessons. Drafts and archived lessons are invisible here (instructors manage theirs elsewhere).
 */
export function visibleLessons(principal: Principal | null): SQL {
  const shared = inArray(lessons.source, ['pack', 'instructor'])
  const own = principal ? and(eq(lessons.source, 'learner'), eq(lessons.ownerId, principal.userId)) : undefined
  return and(eq(lessons.status, 'published'), own ? or(shared, own) : shared)!
}

export function toLessonSummary(lesson: Lesson): LessonSummary {
  return {
    id: lesson.id,
    slug: lesson.slug,
    level: lesson.level,
    type: lesson.type,
    title: lesson.title,
    description: lesson.description,
    topic: lesson.topic,
    estimatedMinutes: lesson.estimatedMinutes,
    examTags: lesson.examTags,
    source: lesson.source,
  }
}

function toProgressView(progress: LessonProgress | undefined) {
  if (!progress) return null
  return {
    status: progress.status,
    currentStepPosition: progress.currentStepPosition,
    minutesSpent: progress.minutesSpent,
    completedCount: progress.completedCount,
    startedAt: progress.startedAt?.toISOString() ?? null,
    completedAt: progress.completedAt?.toISOString() ?? null,
  }
}

export async function listLessons(app: FastifyInstance, principal: Principal | null, query: z.infer<typeof lessonQuerySchema>) {
  const filters: SQL[] = [visibleLessons(principal)]
  if (query.level) filters.push(eq(lessons.level, query.level))
  if (query.topic) filters.push(eq(lessons.topic, query.topic))
  if (query.type) filters.push(eq(lessons.type, query.type))
  if (query.tag) filters.push(sql`${lessons.examTags} @> array[${query.tag}]::text[]`)
  if (query.q) {
    const pattern = `%${query.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
    filters.push(or(ilike(lessons.title, pattern), ilike(lessons.description, pattern))!)
  }
  const where = and(...filters)
  const [{ total } = { total: 0 }] = await app.db.select({ total: count() }).from(lessons).where(where)
  const rows = await app.db
    .select()
    .from(lessons)
    .where(where)
    .orderBy(sql`array_position(array['A1','A2','B1','B2']::cefr_level[], ${lessons.level})`, asc(lessons.position), asc(lessons.title))
    .limit(query.pageSize)
    .offset((query.page - 1) * query.pageSize)
  return { items: rows.map(toLessonSummary), total, page: query.page, pageSize: query.pageSize }
}

/** A visible lesson by id or slug; 404 otherwise (including someone else's ad-hoc lesson). */
export async function findVisibleLesson(app: FastifyInstance, principal: Principal | null, idOrSlug: string): Promise<Lesson> {
  const [lesson] = await app.db.select().from(lessons).where(and(byIdOrSlug(lessons, idOrSlug), visibleLessons(principal))).limit(1)
  if (!lesson) throw new NotFound(`No lesson ${idOrSlug}.`)
  return lesson
}

export async function getLessonDetail(app: FastifyInstance, principal: Principal | null, idOrSlug: string): Promise<LessonDetail> {
  const lesson = await findVisibleLesson(app, principal, idOrSlug)
  const objectives = await app.db
    .select({
      id: curriculumObjectives.id,
      slug: curriculumObjectives.slug,
      level: curriculumObjectives.level,
      skill: curriculumObjectives.skill,
      descriptorEn: curriculumObjectives.descriptorEn,
      descriptorNb: curriculumObjectives.descriptorNb,
    })
    .from(lessonObjectives)
    .innerJoin(curriculumObjectives, eq(curriculumObjectives.id, lessonObjectives.objectiveId))
    .where(eq(lessonObjectives.lessonId, lesson.id))
    .orderBy(asc(curriculumObjectives.skill), asc(curriculumObjectives.position))
  const scenarioRows = await app.db.select().from(scenarios).where(eq(scenarios.lessonId, lesson.id)).orderBy(asc(scenarios.position))
  const steps = scenarioRows.length
    ? await app.db
        .select()
        .from(scenarioSteps)
        .where(inArray(scenarioSteps.scenarioId, scenarioRows.map((row) => row.id)))
        .orderBy(asc(scenarioSteps.position))
    : []
  const [progress] = principal
    ? await app.db.select().from(lessonProgress).where(and(eq(lessonProgress.userId, principal.userId), eq(lessonProgress.lessonId, lesson.id)))
    : []
  return {
    ...toLessonSummary(lesson),
    context: lesson.context,
    goals: lesson.goals,
    vocabulary: lesson.vocabulary,
    phrases: lesson.phrases,
    objectives: objectives.map((objective) => objective),
    scenarios: scenarioRows.map((scenario) => ({
      id: scenario.id,
      kind: scenario.kind,
      title: scenario.title,
      description: scenario.description,
      mode: scenario.mode,
      level: scenario.level,
      steps: steps
        .filter((step) => step.scenarioId === scenario.id)
        .map((step) => ({
          position: step.position,
          tutorPrompt: step.tutorPrompt,
          expectedLearnerMove: step.expectedLearnerMove,
          hints: step.hints,
          followUpQuestions: step.followUpQuestions,
          preparationSeconds: step.preparationSeconds,
          speakingSeconds: step.speakingSeconds,
          mode: step.mode,
          pictureSlug: step.pictureSlug,
        })),
    })),
    progress: toProgressView(progress),
  }
}

// --- progress ------------------------------------------------------------------------------------

/** The calendar day (YYYY-MM-DD) of `at` in the learner's time zone: streaks count local days. */
export function localDay(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

function previousDay(day: string): string {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() - 1)
  return date.toISOString().slice(0, 10)
}

/** Consecutive active days ending today, or yesterday (a streak is alive until a whole day is missed). */
export function streakFrom(activeDays: Set<string>, today: string): number {
  let day = activeDays.has(today) ? today : previousDay(today)
  let streak = 0
  while (activeDays.has(day)) {
    streak += 1
    day = previousDay(day)
  }
  return streak
}

async function learnerTimeZone(app: FastifyInstance, userId: string): Promise<string> {
  const [user] = await app.db.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, userId))
  return user?.timeZone ?? 'Europe/Oslo'
}

/** Upper bound of minutes kept per lesson and per day: a looping or replaying client cannot overflow them. */
export const MAX_LESSON_MINUTES = 10_000
const MAX_DAY_MINUTES = 24 * 60

/** Records practice in today's progress snapshot (day period) and refreshes its streak. */
export async function recordActivity(app: FastifyInstance, userId: string, minutes: number): Promise<void> {
  const today = localDay(new Date(), await learnerTimeZone(app, userId))
  await app.db
    .insert(progressSnapshots)
    .values({ userId, period: 'day', periodStart: today, minutesSpoken: Math.min(minutes, MAX_DAY_MINUTES) })
    .onConflictDoUpdate({
      target: [progressSnapshots.userId, progressSnapshots.period, progressSnapshots.periodStart],
      set: { minutesSpoken: sql`least(${progressSnapshots.minutesSpoken} + ${minutes}, ${MAX_DAY_MINUTES})` },
    })
  const days = await app.db
    .select({ day: progressSnapshots.periodStart })
    .from(progressSnapshots)
    .where(and(eq(progressSnapshots.userId, userId), eq(progressSnapshots.period, 'day')))
  const streak = streakFrom(new Set(days.map((row) => row.day)), today)
  await app.db
    .update(progressSnapshots)
    .set({ streakDays: streak })
    .where(and(eq(progressSnapshots.userId, userId), eq(progressSnapshots.period, 'day'), eq(progressSnapshots.periodStart, today)))
}

async function stepCount(app: FastifyInstance, lessonId: string): Promise<number> {
  const [row] = await app.db
    .select({ steps: count() })
    .from(scenarioSteps)
    .innerJoin(scenarios, eq(scenarios.id, scenarioSteps.scenarioId))
    .where(eq(scenarios.lessonId, lessonId))
  return row?.steps ?? 0
}

export async function startLesson(app: FastifyInstance, principal: Principal, idOrSlug: string) {
  const lesson = await findVisibleLesson(app, principal, idOrSlug)
  const now = new Date()
  const [progress] = await app.db
    .insert(lessonProgress)
    .values({ userId: principal.userId, lessonId: lesson.id, status: 'in_progress', currentStepPosition: 0, startedAt: now, lastActivityAt: now })
    .onConflictDoUpdate({
      target: [lessonProgress.userId, lessonProgress.lessonId],
      // Starting again after completing keeps the completion count; an unfinished lesson resumes where it was.
      set: {
        status: 'in_progress',
        currentStepPosition: sql`case when ${lessonProgress.status} = 'completed' then 0 else coalesce(${lessonProgress.currentStepPosition}, 0) end`,
        startedAt: sql`case when ${lessonProgress.status} = 'completed' then ${now} else coalesce(${lessonProgress.startedAt}, ${now}) end`,
        lastActivityAt: now,
      },
    })
    .returning()
  await recordActivity(app, principal.userId, 0)
  return toProgressView(progress)!
}

async function progressOf(app: FastifyInstance, principal: Principal, lessonId: string): Promise<LessonProgress | undefined> {
  const [progress] = await app.db
    .select()
    .from(lessonProgress)
    .where(and(eq(lessonProgress.userId, principal.userId), eq(lessonProgress.lessonId, lessonId)))
  return progress
}

export async function updateLessonProgress(app: FastifyInstance, principal: Principal, idOrSlug: string, update: { currentStep?: number; minutes?: number }) {
  const lesson = await findVisibleLesson(app, principal, idOrSlug)
  const progress = await progressOf(app, principal, lesson.id)
  if (progress?.status !== 'in_progress') throw new Conflict('Start the lesson before recording progress in it.')
  if (update.currentStep !== undefined) {
    const steps = await stepCount(app, lesson.id)
    if (update.currentStep >= steps) {
      throw new BadRequest(`This lesson has ${steps} steps (0 to ${steps - 1}); there is no step ${update.currentStep}.`)
    }
  }
  const minutes = update.minutes ?? 0
  const [updated] = await app.db
    .update(lessonProgress)
    .set({
      ...(update.currentStep !== undefined ? { currentStepPosition: update.currentStep } : {}),
      minutesSpent: sql`least(${lessonProgress.minutesSpent} + ${minutes}, ${MAX_LESSON_MINUTES})`,
      lastActivityAt: new Date(),
    })
    .where(and(eq(lessonProgress.id, progress.id), eq(lessonProgress.status, 'in_progress')))
    .returning()
  if (!updated) throw new Conflict('The lesson was completed meanwhile; start it again to record progress.')
  await recordActivity(app, principal.userId, minutes)
  return toProgressView(updated)!
}

export async function completeLesson(app: FastifyInstance, principal: Principal, idOrSlug: string, minutes = 0) {
  const lesson = await findVisibleLesson(app, principal, idOrSlug)
  const progress = await progressOf(app, principal, lesson.id)
  if (progress?.status !== 'in_progress') throw new Conflict('This lesson has not been started, so it cannot be completed.')
  const now = new Date()
  const [updated] = await app.db
    .update(lessonProgress)
    .set({
      status: 'completed',
      completedAt: now,
      lastActivityAt: now,
      completedCount: sql`${lessonProgress.completedCount} + 1`,
      minutesSpent: sql`least(${lessonProgress.minutesSpent} + ${minutes}, ${MAX_LESSON_MINUTES})`,
    })
    // The status condition makes a double-click (two concurrent completions) count once.
    .where(and(eq(lessonProgress.id, progress.id), eq(lessonProgress.status, 'in_progress')))
    .returning()
  if (!updated) throw new Conflict('This lesson has already been completed.')
  await recordActivity(app, principal.userId, minutes)
  return toProgressView(updated)!
}

export async function learnerProgress(app: FastifyInstance, principal: Principal): Promise<z.infer<typeof learnerProgressSchema>> {
  const completed = await app.db
    .select({ level: lessons.level, n: count() })
    .from(lessonProgress)
    .innerJoin(lessons, eq(lessons.id, lessonProgress.lessonId))
    .where(and(eq(lessonProgress.userId, principal.userId), isNotNull(lessonProgress.completedAt)))
    .groupBy(lessons.level)
  const [inProgress] = await app.db
    .select({ n: count() })
    .from(lessonProgress)
    .where(and(eq(lessonProgress.userId, principal.userId), eq(lessonProgress.status, 'in_progress')))
  const days = await app.db
    .select({ day: progressSnapshots.periodStart, minutes: progressSnapshots.minutesSpoken })
    .from(progressSnapshots)
    .where(and(eq(progressSnapshots.userId, principal.userId), eq(progressSnapshots.period, 'day')))
  const [latest] = await app.db
    .select({ level: examAttempts.estimatedLevel, at: examAttempts.finishedAt })
    .from(examAttempts)
    .where(and(eq(examAttempts.userId, principal.userId), eq(examAttempts.status, 'completed'), isNotNull(examAttempts.estimatedLevel)))
    .orderBy(desc(examAttempts.finishedAt))
    .limit(1)
  const today = localDay(new Date(), await learnerTimeZone(app, principal.userId))
  return {
    completedLessons: Object.fromEntries(cefrLevels.map((level) => [level, completed.find((row) => row.level === level)?.n ?? 0])) as Record<CefrLevel, number>,
    lessonsInProgress: inProgress?.n ?? 0,
    minutes: Math.round(days.reduce((sum, row) => sum + row.minutes, 0) * 100) / 100,
    streakDays: streakFrom(new Set(days.map((row) => row.day)), today),
    activeDays: days.length,
    cefrEstimate: latest
      ? { level: latest.level, source: 'latest mock exam', assessedAt: latest.at?.toISOString() ?? null }
      : { level: null, source: 'not assessed yet: take a mock exam for an estimate', assessedAt: null },
  }
}

// --- recommendations -----------------------------------------------------------------------------

/** Exam tasks that train each criterion best, for learners whose scores show it as weakest. */
const tagsForCriterion: Partial<Record<ScoringCriterion, string[]>> = {
  interaction: ['conversation', 'exchange_views'],
  fluency: ['monologue', 'self_presentation'],
  coherence: ['argue_statement', 'opinion', 'monologue'],
  vocabulary: ['picture_description'],
  task_completion: ['opinion', 'argue_statement'],
}
const bandRank: Record<string, number> = { below_A1: 0, A1: 1, A2: 2, B1: 3, B2: 4 }

export async function recommendLessons(app: FastifyInstance, principal: Principal, limit = 5): Promise<Array<z.infer<typeof recommendationSchema>>> {
  const [user] = await app.db.select().from(users).where(eq(users.id, principal.userId))
  if (!user) throw new NotFound('This account no longer exists.')
  const examLower = user.examGoal ? (user.examGoal.split('-')[0] as CefrLevel) : undefined
  const targetLevel: CefrLevel = user.targetLevel ?? examLower ?? 'A1'
  const progress = await app.db.select().from(lessonProgress).where(eq(lessonProgress.userId, principal.userId))
  const byLesson = new Map(progress.map((row) => [row.lessonId, row]))

  // Weakest assessable criterion of the latest scored attempt, if there is one.
  const [attempt] = await app.db
    .select({ id: examAttempts.id })
    .from(examAttempts)
    .where(and(eq(examAttempts.userId, principal.userId), eq(examAttempts.status, 'completed')))
    .orderBy(desc(examAttempts.finishedAt))
    .limit(1)
  const scores = attempt ? await app.db.select().from(examScores).where(and(eq(examScores.attemptId, attempt.id), eq(examScores.assessable, true))) : []
  const weakest = scores
    .filter((score) => score.band && score.criterion !== 'overall' && tagsForCriterion[score.criterion])
    .sort((a, b) => bandRank[a.band!]! - bandRank[b.band!]!)[0]

  const candidates = (await app.db.select().from(lessons).where(visibleLessons(principal)).orderBy(asc(lessons.position))).filter(
    (lesson) => byLesson.get(lesson.id)?.status !== 'completed',
  )
  const levelIndex = (level: CefrLevel) => cefrLevels.indexOf(level)
  const scored = candidates.map((lesson) => {
    const started = byLesson.get(lesson.id)?.status === 'in_progress'
    const distance = levelIndex(lesson.level) - levelIndex(targetLevel)
    const examMatch = user.examGoal ? lesson.examTags.includes(user.examGoal) : false
    const weakMatch = weakest ? (tagsForCriterion[weakest.criterion] ?? []).some((tag) => lesson.examTags.includes(tag)) : false
    let score = started ? 1000 : 0
    score += distance === 0 ? 100 : distance === -1 ? 40 : distance === 1 ? 20 : -100
    if (examMatch) score += 30
    if (weakMatch && distance >= -1 && distance <= 0) score += 50
    score -= lesson.position / 100
    let reason: string
    if (started) reason = 'You started this lesson; pick up where you left off.'
    else if (weakMatch && weakest) reason = `Your latest mock exam shows ${weakest.criterion.replace('_', ' ')} as your weakest area (${weakest.band}); this lesson trains it.`
    else if (examMatch && user.examGoal) reason = `Prepares a task of the ${user.examGoal} oral test, your exam goal.`
    else if (distance === 0) reason = `Next ${targetLevel} lesson you have not completed (your target level).`
    else if (distance < 0) reason = `Revises ${lesson.level} before your target level ${targetLevel}.`
    else reason = `A step above your target level ${targetLevel}.`
    return { lesson, score, reason }
  })
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ lesson, reason }) => ({ lesson: toLessonSummary(lesson), reason }))
}
