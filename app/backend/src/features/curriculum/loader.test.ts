import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { curriculumObjectives, examAttempts, examParts, examScores, examTemplates, lessonProgress, lessons, scenarioSteps } from '../../core/db/schema/index.js'
import { createVerifiedUser } from '../../test/accounts.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { readContentPack, type ContentPack } from './content-pack.js'
import { loadContentPack } from './loader.js'

let harness: TestApp
beforeAll(async () => {
  harness = await createTestApp()
})
afterAll(() => harness.close())

async function snapshot() {
  const { db } = harness.app
  const lessonRows = await db.select({ id: lessons.id, slug: lessons.slug, status: lessons.status }).from(lessons).orderBy(lessons.slug)
  const [objectiveCount] = await db.select({ n: count() }).from(curriculumObjectives)
  const [stepCount] = await db.select({ n: count() }).from(scenarioSteps)
  const partRows = await db.select({ id: examParts.id }).from(examParts).orderBy(examParts.id)
  return { lessonRows, objectives: objectiveCount!.n, steps: stepCount!.n, parts: partRows }
}

const packCopy = (): ContentPack => structuredClone(readContentPack())

describe('loading the content pack', () => {
  it('is loaded at start: every pack lesson, objective and exam template is in the database', async () => {
    const pack = readContentPack()
    const expectedLessons = pack.lessons.reduce((sum, file) => sum + file.lessons.length, 0)
    const published = await harness.app.db.select({ n: count() }).from(lessons).where(eq(lessons.status, 'published'))
    expect(published[0]!.n).toBe(expectedLessons)
    const templates = await harness.app.db.select({ slug: examTemplates.slug }).from(examTemplates)
    expect(templates.map((t) => t.slug).sort()).toEqual(pack.exams.map((e) => e.slug).sort())
  })

  it('is idempotent and keeps learner progress when reloaded', async () => {
    const user = await createVerifiedUser(harness.app)
    const before = await snapshot()
    const lesson = before.lessonRows[0]!
    expect((await harness.app.inject({ method: 'POST', url: `/api/v1/lessons/${lesson.slug}/start`, headers: user.headers })).statusCode).toBe(200)

    const result = await loadContentPack(harness.app.db, readContentPack(), { force: true })
    expect(result.loaded).toBe(true)
    expect(await snapshot()).toEqual(before)
    const [progress] = await harness.app.db.select().from(lessonProgress).where(eq(lessonProgress.userId, user.id))
    expect(progress).toMatchObject({ lessonId: lesson.id, status: 'in_progress' })

    // Unchanged files are not loaded again at all.
    expect((await loadContentPack(harness.app.db, readContentPack())).loaded).toBe(false)
  })

  it('unpublishes a lesson removed from the pack and keeps its learners’ history', async () => {
    const user = await createVerifiedUser(harness.app)
    const pack = packCopy()
    const removed = pack.lessons[0]!.lessons.shift()!
    const [row] = await harness.app.db.select().from(lessons).where(eq(lessons.slug, removed.slug))
    await harness.app.inject({ method: 'POST', url: `/api/v1/lessons/${removed.slug}/start`, headers: user.headers })

    await loadContentPack(harness.app.db, pack, { force: true })
    const [after] = await harness.app.db.select().from(lessons).where(eq(lessons.slug, removed.slug))
    expect(after).toMatchObject({ id: row!.id, status: 'archived' })
    expect((await harness.app.inject({ method: 'GET', url: `/api/v1/lessons/${removed.slug}` })).statusCode).toBe(404)
    const [progress] = await harness.app.db.select().from(lessonProgress).where(eq(lessonProgress.userId, user.id))
    expect(progress?.lessonId).toBe(row!.id)

    // Putting it back publishes the same row again.
    await loadContentPack(harness.app.db, readContentPack(), { force: true })
    const [restored] = await harness.app.db.select().from(lessons).where(eq(lessons.slug, removed.slug))
    expect(restored).toMatchObject({ id: row!.id, status: 'published' })
  })

  it('matches exam parts by slug: reordering keeps each part’s id, and a removed part with scores is retired', async () => {
    const pack = packCopy()
    const exam = pack.exams[0]!
    const partIds = async () =>
      new Map(
        (await harness.app.db.select().from(examParts).innerJoin(examTemplates, eq(examTemplates.id, examParts.templateId)).where(eq(examTemplates.slug, exam.slug))).map(
          (row) => [row.exam_parts.slug, { id: row.exam_parts.id, position: row.exam_parts.position }],
        ),
      )
    const before = await partIds()
    const [first, second] = [exam.parts[1]!, exam.parts[2]!]
    exam.parts[1] = second
    exam.parts[2] = first
    await loadContentPack(harness.app.db, pack, { force: true })
    const swapped = await partIds()
    expect(swapped.get(first.slug)).toEqual({ id: before.get(first.slug)!.id, position: 2 })
    expect(swapped.get(second.slug)).toEqual({ id: before.get(second.slug)!.id, position: 1 })

    // A part with history that leaves the pack is retired, not deleted, and no longer listed.
    const removed = exam.parts.pop()!
    const user = await createVerifiedUser(harness.app)
    const [template] = await harness.app.db.select().from(examTemplates).where(eq(examTemplates.slug, exam.slug))
    const [attempt] = await harness.app.db.insert(examAttempts).values({ userId: user.id, templateId: template!.id, level: exam.level }).returning()
    await harness.app.db.insert(examScores).values({ attemptId: attempt!.id, examPartId: before.get(removed.slug)!.id, criterion: 'fluency', rater: 'measured', band: 'A2' })
    await loadContentPack(harness.app.db, pack, { force: true })
    expect((await partIds()).get(removed.slug)!.position).toBeLessThan(0)
    const listed = (await harness.app.inject({ method: 'GET', url: '/api/v1/exams/templates' })).json().items.find((t: { slug: string }) => t.slug === exam.slug)
    expect(listed.parts.map((part: { slug: string }) => part.slug)).not.toContain(removed.slug)

    await loadContentPack(harness.app.db, readContentPack(), { force: true })
    expect((await partIds()).get(removed.slug)).toEqual(before.get(removed.slug))
  })

  it('loads all or nothing: a failure half-way leaves the database as it was', async () => {
    const before = await snapshot()
    const [firstObjective] = await harness.app.db.select().from(curriculumObjectives).orderBy(curriculumObjectives.slug).limit(1)
    const pack = packCopy()
    for (const file of pack.objectives) for (const objective of file.objectives) objective.descriptorEn = 'CHANGED'
    // An objective link the validator would have caught: the insert fails inside the transaction.
    pack.lessons.at(-1)!.lessons.at(-1)!.objectives.push('no-such-objective')
    await expect(loadContentPack(harness.app.db, pack, { force: true })).rejects.toThrow()
    const [objective] = await harness.app.db.select().from(curriculumObjectives).where(eq(curriculumObjectives.id, firstObjective!.id))
    expect(objective!.descriptorEn).toBe(firstObjective!.descriptorEn)
    expect(await snapshot()).toEqual(before)
  })
})
