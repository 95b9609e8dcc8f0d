import { count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { curriculumObjectives, examParts, examTemplates, lessonProgress, lessons, scenarioSteps } from '../../core/db/schema/index.js'
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
