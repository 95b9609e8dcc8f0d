import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { and, eq, gt, gte, isNotNull, lt, notInArray, sql } from 'drizzle-orm'
import type { Db } from '../../core/db/client.js'
import {
  contentPackState,
  curriculumObjectives,
  examParts,
  examScores,
  examTemplates,
  lessonObjectives,
  lessons,
  scenarioSteps,
  scenarios,
  turns,
} from '../../core/db/schema/index.js'
import { defaultContentDir, readContentPack, type ContentPack } from './content-pack.js'

export const PACK_NAME = 'nb'
/** Bumped when the loader itself changes, so an unchanged pack is still reloaded by the new code. */
const LOADER_VERSION = '2'

/** A fingerprint of every file in the pack: loading is skipped when it matches the database. */
export function contentPackHash(dir: string): string {
  const hash = createHash('sha256').update(`loader:${LOADER_VERSION}\0`)
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(current, entry.name)
      if (entry.isDirectory()) walk(full)
      else hash.update(path.relative(dir, full)).update('\0').update(readFileSync(full)).update('\0')
    }
  }
  walk(dir)
  return hash.digest('hex')
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

export interface LoadResult {
  loaded: boolean
  hash: string
  objectives: number
  lessons: number
  examTemplates: number
}

/**
 * Brings the database up to date with the pack on disk, as at every start. When the files are exactly
 * those loaded last time (same hash), nothing is read or validated again; otherwise the whole pack is
 * validated (a broken pack throws a ContentPackError naming file, path and problem) and loaded.
 */
export async function syncContentPack(db: Db, dir: string = defaultContentDir): Promise<LoadResult | { loaded: false; hash: string }> {
  const hash = contentPackHash(dir)
  const [state] = await db.select().from(contentPackState).where(eq(contentPackState.pack, PACK_NAME))
  if (state?.hash === hash) return { loaded: false, hash }
  return loadContentPack(db, readContentPack(dir), { force: true })
}

/**
 * Loads the pack into the database in one transaction (all or nothing), upserting by stable slug.
 * Something removed from the pack is unpublished, never deleted: learners' progress, attempts and
 * scores that refer to it stay intact.
 */
export async function loadContentPack(db: Db, pack: ContentPack, options: { force?: boolean } = {}): Promise<LoadResult> {
  const hash = contentPackHash(pack.dir)
  const counts = {
    objectives: pack.objectives.reduce((sum, file) => sum + file.objectives.length, 0),
    lessons: pack.lessons.reduce((sum, file) => sum + file.lessons.length, 0),
    examTemplates: pack.exams.length,
  }
  const [state] = await db.select().from(contentPackState).where(eq(contentPackState.pack, PACK_NAME))
  if (!options.force && state?.hash === hash) return { loaded: false, hash, ...counts }

  await db.transaction(async (tx) => {
    // Several backends starting at once against one server load one at a time.
    await tx.execute(sql`select pg_advisory_xact_lock(7361402119)`)
    const objectiveIds = await upsertObjectives(tx, pack)
    await upsertLessons(tx, pack, objectiveIds)
    await upsertExamTemplates(tx, pack)
    await tx
      .insert(contentPackState)
      .values({ pack: PACK_NAME, hash })
      .onConflictDoUpdate({ target: contentPackState.pack, set: { hash, loadedAt: new Date() } })
  })
  return { loaded: true, hash, ...counts }
}

async function upsertObjectives(tx: Tx, pack: ContentPack): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const file of pack.objectives) {
    for (const [position, objective] of file.objectives.entries()) {
      const values = { level: file.level, skill: objective.skill, descriptorEn: objective.descriptorEn, descriptorNb: objective.descriptorNb, position, published: true }
      const [row] = await tx
        .insert(curriculumObjectives)
        .values({ slug: objective.slug, ...values })
        .onConflictDoUpdate({ target: curriculumObjectives.slug, set: values })
        .returning({ id: curriculumObjectives.id })
      ids.set(objective.slug, row!.id)
    }
  }
  await tx
    .update(curriculumObjectives)
    .set({ published: false })
    .where(notInArray(curriculumObjectives.slug, [...ids.keys()]))
  return ids
}

async function upsertLessons(tx: Tx, pack: ContentPack, objectiveIds: Map<string, string>): Promise<void> {
  const slugs: string[] = []
  for (const file of pack.lessons) {
    for (const [position, lesson] of file.lessons.entries()) {
      slugs.push(lesson.slug)
      const values = {
        level: file.level,
        type: lesson.type,
        status: 'published' as const,
        source: 'pack' as const,
        title: lesson.title,
        description: lesson.description,
        topic: lesson.topic,
        context: lesson.context,
        estimatedMinutes: lesson.estimatedMinutes,
        examTags: lesson.examTags,
        goals: lesson.goals,
        vocabulary: lesson.vocabulary,
        phrases: lesson.phrases,
        position,
        ownerId: null,
      }
      const [row] = await tx
        .insert(lessons)
        .values({ slug: lesson.slug, publishedAt: new Date(), ...values })
        .onConflictDoUpdate({ target: lessons.slug, set: { ...values, publishedAt: sql`coalesce(${lessons.publishedAt}, now())` } })
        .returning({ id: lessons.id })
      const lessonId = row!.id

      // Links carry no learner history: replace them wholesale.
      await tx.delete(lessonObjectives).where(eq(lessonObjectives.lessonId, lessonId))
      await tx.insert(lessonObjectives).values(lesson.objectives.map((slug) => ({ lessonId, objectiveId: objectiveIds.get(slug)! })))

      const scenario = lesson.scenario
      const scenarioValues = { kind: scenario.kind, title: scenario.title, description: scenario.description, mode: scenario.mode, level: file.level, position: 0 }
      const [scenarioRow] = await tx
        .insert(scenarios)
        .values({ lessonId, slug: lesson.slug, ...scenarioValues })
        .onConflictDoUpdate({ target: [scenarios.lessonId, scenarios.slug], set: scenarioValues })
        .returning({ id: scenarios.id })
      const scenarioId = scenarioRow!.id
      await tx.delete(scenarios).where(and(eq(scenarios.lessonId, lessonId), sql`${scenarios.slug} is distinct from ${lesson.slug}`))
      for (const [stepPosition, step] of scenario.steps.entries()) {
        const stepValues = {
          tutorPrompt: step.tutorPrompt,
          expectedLearnerMove: step.expectedLearnerMove,
          hints: step.hints,
          followUpQuestions: step.followUpQuestions,
          preparationSeconds: step.preparationSeconds,
          speakingSeconds: step.speakingSeconds,
          mode: step.mode,
          pictureSlug: step.picture ?? null,
        }
        await tx
          .insert(scenarioSteps)
          .values({ scenarioId, position: stepPosition, ...stepValues })
          .onConflictDoUpdate({ target: [scenarioSteps.scenarioId, scenarioSteps.position], set: stepValues })
      }
      await tx.delete(scenarioSteps).where(and(eq(scenarioSteps.scenarioId, scenarioId), gt(scenarioSteps.position, scenario.steps.length - 1)))
    }
  }
  // Pack lessons no longer in the pack are archived (invisible), never deleted.
  await tx
    .update(lessons)
    .set({ status: 'archived' })
    .where(and(eq(lessons.source, 'pack'), isNotNull(lessons.slug), notInArray(lessons.slug, slugs)))
}

async function upsertExamTemplates(tx: Tx, pack: ContentPack): Promise<void> {
  const slugs: string[] = []
  for (const exam of pack.exams) {
    slugs.push(exam.slug)
    const values = { level: exam.level, title: exam.title, description: exam.description, totalMinutes: exam.totalMinutes, published: true }
    const [row] = await tx
      .insert(examTemplates)
      .values({ slug: exam.slug, ...values })
      .onConflictDoUpdate({ target: examTemplates.slug, set: values })
      .returning({ id: examTemplates.id })
    const templateId = row!.id
    // Parts are matched by slug, never recreated (scores and turns refer to them). Positions are first
    // moved out of the way so parts can be reordered without breaking the unique (template, position).
    await tx
      .update(examParts)
      .set({ position: sql`-1 - ${examParts.position}` })
      .where(and(eq(examParts.templateId, templateId), gte(examParts.position, 0)))
    for (const [position, part] of exam.parts.entries()) {
      const partValues = {
        position,
        title: part.title,
        taskType: part.taskType,
        mode: part.mode,
        scored: part.scored,
        preparationSeconds: part.preparationSeconds,
        speakingSeconds: part.speakingSeconds,
        instructionsEn: part.instructionsEn,
        instructionsNb: part.instructionsNb,
        examinerScript: part.examinerScript,
        promptBank: part.promptBank.map(({ picture, ...prompt }) => ({ ...prompt, ...(picture ? { pictureSlug: picture } : {}) })),
        followUpQuestions: part.followUpQuestions,
        extraQuestion: part.extraQuestion ?? null,
        criteria: part.criteria,
      }
      await tx
        .insert(examParts)
        .values({ templateId, slug: part.slug, ...partValues })
        .onConflictDoUpdate({ target: [examParts.templateId, examParts.slug], set: partValues })
    }
    // Parts no longer in the pack keep a negative position: retired, invisible to readers, history intact.
    // Only those nothing refers to are deleted.
    const retired = await tx
      .select({ id: examParts.id })
      .from(examParts)
      .where(and(eq(examParts.templateId, templateId), lt(examParts.position, 0)))
    for (const { id } of retired) {
      const [scored] = await tx.select({ id: examScores.id }).from(examScores).where(eq(examScores.examPartId, id)).limit(1)
      const [spoken] = await tx.select({ id: turns.id }).from(turns).where(eq(turns.examPartId, id)).limit(1)
      if (!scored && !spoken) await tx.delete(examParts).where(eq(examParts.id, id))
    }
  }
  await tx.update(examTemplates).set({ published: false }).where(notInArray(examTemplates.slug, slugs))
}
