import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { examAttempts, examScores, examTemplates, lessons, progressSnapshots } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { localDay, streakFrom } from './service.js'

let harness: TestApp
beforeAll(async () => {
  harness = await createTestApp()
})
afterAll(() => harness.close())

const get = (url: string, user?: TestUser) => harness.app.inject({ method: 'GET', url, headers: user?.headers ?? {} })
const send = (method: 'POST' | 'PATCH', url: string, user: TestUser | undefined, payload?: object) =>
  harness.app.inject({ method, url, headers: user?.headers ?? {}, ...(payload ? { payload } : {}) })

async function firstLesson(level: string) {
  const list = (await get(`/api/v1/lessons?level=${level}&pageSize=1`)).json()
  return list.items[0] as { id: string; slug: string; level: string }
}

describe('lessons: browsing', () => {
  it('lists published lessons by level, paged, in the pack’s order', async () => {
    const page1 = (await get('/api/v1/lessons?level=A2&pageSize=5')).json()
    expect(page1.total).toBeGreaterThanOrEqual(12)
    expect(page1.items).toHaveLength(5)
    expect(page1.items.every((lesson: { level: string }) => lesson.level === 'A2')).toBe(true)
    const page2 = (await get('/api/v1/lessons?level=A2&pageSize=5&page=2')).json()
    expect(page2.items[0].id).not.toBe(page1.items[0].id)
  })

  it('filters by topic, type, exam tag and text', async () => {
    const byTopic = (await get('/api/v1/lessons?topic=health')).json()
    expect(byTopic.total).toBeGreaterThan(0)
    expect(byTopic.items.every((lesson: { topic: string }) => lesson.topic === 'health')).toBe(true)
    const exams = (await get('/api/v1/lessons?type=exam_part&tag=A2-B1')).json()
    expect(exams.items.every((lesson: { type: string; examTags: string[] }) => lesson.type === 'exam_part' && lesson.examTags.includes('A2-B1'))).toBe(true)
    const word = (exams.items[0]?.title as string | undefined)?.split(/\s+/).find((part) => part.length > 4) ?? 'legen'
    const search = (await get(`/api/v1/lessons?q=${encodeURIComponent(word)}`)).json()
    expect(search.total).toBeGreaterThan(0)
  })

  it('answers invalid filters with 400 and the fields', async () => {
    const response = await get('/api/v1/lessons?level=C1&topic=space&type=quiz&tag=nope&page=0')
    expect(response.statusCode).toBe(400)
    expect(response.json().errors.map((error: { path: string }) => error.path).sort()).toEqual(
      ['querystring.level', 'querystring.page', 'querystring.tag', 'querystring.topic', 'querystring.type'].sort(),
    )
  })

  it('shows a lesson by slug or id with its objectives and ordered scenario steps', async () => {
    const { id, slug } = await firstLesson('B1')
    const bySlug = (await get(`/api/v1/lessons/${slug}`)).json()
    const byId = (await get(`/api/v1/lessons/${id}`)).json()
    expect(byId).toEqual(bySlug)
    expect(bySlug.objectives.length).toBeGreaterThan(0)
    expect(bySlug.objectives.every((objective: { level: string }) => objective.level === 'B1')).toBe(true)
    const steps = bySlug.scenarios[0].steps as Array<{ position: number; tutorPrompt: string }>
    expect(steps.length).toBeGreaterThanOrEqual(3)
    expect(steps.map((step) => step.position)).toEqual(steps.map((_, index) => index))
    expect(bySlug.vocabulary.length).toBeGreaterThan(5)
    expect(bySlug.progress).toBeNull()
  })

  it('answers 404 for unknown ids and slugs', async () => {
    expect((await get('/api/v1/lessons/no-such-lesson')).statusCode).toBe(404)
    expect((await get('/api/v1/lessons/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
  })

  it('hides drafts, archived lessons and other learners’ ad-hoc lessons', async () => {
    const owner = await createVerifiedUser(harness.app)
    const other = await createVerifiedUser(harness.app)
    const [draft] = await harness.app.db
      .insert(lessons)
      .values({ level: 'A2', source: 'instructor', status: 'draft', title: 'Utkast', ownerId: owner.id, slug: `draft-${owner.id.toLowerCase()}` })
      .returning()
    const [adHoc] = await harness.app.db
      .insert(lessons)
      .values({ level: 'A2', source: 'learner', status: 'published', title: 'Mitt eget brev fra NAV', ownerId: owner.id })
      .returning()
    for (const user of [undefined, other, owner]) {
      expect((await get(`/api/v1/lessons/${draft!.id}`, user)).statusCode).toBe(404)
    }
    expect((await get(`/api/v1/lessons/${adHoc!.id}`, other)).statusCode).toBe(404)
    expect((await get(`/api/v1/lessons/${adHoc!.id}`)).statusCode).toBe(404)
    expect((await get(`/api/v1/lessons/${adHoc!.id}`, owner)).statusCode).toBe(200)
    const othersSearch = (await get('/api/v1/lessons?q=brev fra NAV', other)).json()
    expect(othersSearch.items.map((lesson: { id: string }) => lesson.id)).not.toContain(adHoc!.id)
    expect((await send('POST', `/api/v1/lessons/${adHoc!.id}/start`, other)).statusCode).toBe(404)
  })
})

describe('lessons: progress', () => {
  it('starts, records steps and minutes, completes, and updates my progress and today’s snapshot', async () => {
    const user = await createVerifiedUser(harness.app)
    const { slug } = await firstLesson('A1')
    const started = await send('POST', `/api/v1/lessons/${slug}/start`, user)
    expect(started.json()).toMatchObject({ status: 'in_progress', currentStepPosition: 0, completedCount: 0 })
    const stepped = await send('PATCH', `/api/v1/lessons/${slug}/progress`, user, { currentStep: 2, minutes: 4.5 })
    expect(stepped.json()).toMatchObject({ currentStepPosition: 2, minutesSpent: 4.5 })
    const completed = await send('POST', `/api/v1/lessons/${slug}/complete`, user, { minutes: 3 })
    expect(completed.json()).toMatchObject({ status: 'completed', completedCount: 1, minutesSpent: 7.5 })
    expect((await get(`/api/v1/lessons/${slug}`, user)).json().progress.status).toBe('completed')

    const progress = (await get('/api/v1/progress', user)).json()
    expect(progress).toMatchObject({
      completedLessons: { A1: 1, A2: 0, B1: 0, B2: 0 },
      lessonsInProgress: 0,
      minutes: 7.5,
      streakDays: 1,
      activeDays: 1,
      cefrEstimate: { level: null },
    })
    const [snapshot] = await harness.app.db.select().from(progressSnapshots).where(eq(progressSnapshots.userId, user.id))
    expect(snapshot).toMatchObject({ period: 'day', periodStart: localDay(new Date(), 'Europe/Oslo'), minutesSpoken: 7.5, streakDays: 1 })

    // A second completion without starting again (a double-click) is refused and counts nothing.
    expect((await send('POST', `/api/v1/lessons/${slug}/complete`, user)).statusCode).toBe(409)
    const [both] = await Promise.all([send('POST', `/api/v1/lessons/${slug}/start`, user)])
    expect(both.statusCode).toBe(200)
    const racing = await Promise.all([send('POST', `/api/v1/lessons/${slug}/complete`, user), send('POST', `/api/v1/lessons/${slug}/complete`, user)])
    expect(racing.map((response) => response.statusCode).sort()).toEqual([200, 409])
    expect((await get(`/api/v1/lessons/${slug}`, user)).json().progress.completedCount).toBe(2)

    // Repeating a completed lesson starts it over and counts another completion.
    await send('POST', `/api/v1/lessons/${slug}/start`, user)
    expect((await send('POST', `/api/v1/lessons/${slug}/complete`, user)).json().completedCount).toBe(3)
  })

  it('refuses to complete or record progress in a lesson never started (409)', async () => {
    const user = await createVerifiedUser(harness.app)
    const { slug } = await firstLesson('A2')
    expect((await send('POST', `/api/v1/lessons/${slug}/complete`, user)).statusCode).toBe(409)
    expect((await send('PATCH', `/api/v1/lessons/${slug}/progress`, user, { currentStep: 1 })).statusCode).toBe(409)
  })

  it('refuses progress on a step that does not exist, and bad minutes', async () => {
    const user = await createVerifiedUser(harness.app)
    const { slug } = await firstLesson('B2')
    await send('POST', `/api/v1/lessons/${slug}/start`, user)
    const beyond = await send('PATCH', `/api/v1/lessons/${slug}/progress`, user, { currentStep: 99 })
    expect(beyond.statusCode).toBe(400)
    expect(beyond.json().detail).toMatch(/there is no step 99/)
    expect((await send('PATCH', `/api/v1/lessons/${slug}/progress`, user, { minutes: -5 })).statusCode).toBe(400)
    expect((await send('PATCH', `/api/v1/lessons/${slug}/progress`, user, {})).statusCode).toBe(400)
  })

  it('needs a signed-in learner, and keeps each learner’s progress their own', async () => {
    const { slug } = await firstLesson('A1')
    expect((await send('POST', `/api/v1/lessons/${slug}/start`, undefined)).statusCode).toBe(401)
    expect((await get('/api/v1/progress')).statusCode).toBe(401)
    expect((await get('/api/v1/lessons/recommended')).statusCode).toBe(401)
    const alice = await createVerifiedUser(harness.app)
    const bob = await createVerifiedUser(harness.app)
    await send('POST', `/api/v1/lessons/${slug}/start`, alice)
    await send('POST', `/api/v1/lessons/${slug}/complete`, alice)
    expect((await get('/api/v1/progress', bob)).json().completedLessons.A1).toBe(0)
    expect((await get(`/api/v1/lessons/${slug}`, bob)).json().progress).toBeNull()
  })
})

describe('lessons: recommendations', () => {
  it('recommends lessons at the target level with a reason, first the one in progress, never completed ones', async () => {
    const user = await createVerifiedUser(harness.app)
    await send('PATCH', '/api/v1/users/me', user, { targetLevel: 'B1' })
    const first = (await get('/api/v1/lessons/recommended', user)).json().items as Array<{ lesson: { slug: string; level: string }; reason: string }>
    expect(first.length).toBe(5)
    expect(first[0]!.lesson.level).toBe('B1')
    expect(first[0]!.reason).toMatch(/B1/)
    await send('POST', `/api/v1/lessons/${first[0]!.lesson.slug}/start`, user)
    await send('POST', `/api/v1/lessons/${first[0]!.lesson.slug}/complete`, user)
    const { slug: inProgress } = await firstLesson('A2')
    await send('POST', `/api/v1/lessons/${inProgress}/start`, user)
    const next = (await get('/api/v1/lessons/recommended', user)).json().items as typeof first
    expect(next[0]).toMatchObject({ lesson: { slug: inProgress }, reason: expect.stringMatching(/pick up where you left off/) })
    expect(next.map((item) => item.lesson.slug)).not.toContain(first[0]!.lesson.slug)
  })

  it('prefers tasks of the exam goal and, once scores exist, what trains the weakest criterion', async () => {
    const user = await createVerifiedUser(harness.app)
    await send('PATCH', '/api/v1/users/me', user, { examGoal: 'A2-B1' })
    const byGoal = (await get('/api/v1/lessons/recommended', user)).json().items as Array<{ lesson: { examTags: string[] }; reason: string }>
    expect(byGoal[0]!.reason).toMatch(/A2-B1/)

    const [template] = await harness.app.db.select().from(examTemplates).where(eq(examTemplates.level, 'A2-B1'))
    const [attempt] = await harness.app.db
      .insert(examAttempts)
      .values({ userId: user.id, templateId: template!.id, level: 'A2-B1', status: 'completed', finishedAt: new Date(), estimatedLevel: 'A2' })
      .returning()
    await harness.app.db.insert(examScores).values([
      { attemptId: attempt!.id, criterion: 'interaction', rater: 'measured', band: 'A1', assessable: true },
      { attemptId: attempt!.id, criterion: 'fluency', rater: 'measured', band: 'A2', assessable: true },
    ])
    const byWeakness = (await get('/api/v1/lessons/recommended', user)).json().items as typeof byGoal
    expect(byWeakness[0]!.reason).toMatch(/interaction/)
    expect(byWeakness[0]!.lesson.examTags.some((tag) => tag === 'conversation' || tag === 'exchange_views')).toBe(true)
    expect((await get('/api/v1/progress', user)).json().cefrEstimate).toMatchObject({ level: 'A2', source: 'latest mock exam' })
  })
})

describe('curriculum', () => {
  it('lists objectives by level and skill, and shows the lessons that teach one', async () => {
    const list = (await get('/api/v1/curriculum/objectives?level=A2&skill=interaction')).json().items
    expect(list.length).toBeGreaterThanOrEqual(4)
    expect(list.every((o: { level: string; skill: string }) => o.level === 'A2' && o.skill === 'interaction')).toBe(true)
    const detail = (await get(`/api/v1/curriculum/objectives/${list[0].slug}`)).json()
    expect(detail.descriptorNb.length).toBeGreaterThan(10)
    expect(Array.isArray(detail.lessons)).toBe(true)
    expect((await get('/api/v1/curriculum/objectives/no-such-objective')).statusCode).toBe(404)
    expect((await get('/api/v1/curriculum/objectives?skill=cooking')).statusCode).toBe(400)
  })

  it('serves the pictures with alt text, as inert SVG', async () => {
    const pictures = (await get('/api/v1/curriculum/pictures')).json().items
    expect(pictures.length).toBeGreaterThanOrEqual(12)
    const svg = await get(pictures[0].url)
    expect(svg.statusCode).toBe(200)
    expect(svg.headers['content-type']).toContain('image/svg+xml')
    expect(svg.headers['content-security-policy']).toContain("default-src 'none'")
    expect(svg.body).toContain('<svg')
    expect((await get('/api/v1/curriculum/pictures/nope.svg')).statusCode).toBe(404)
    expect((await get('/api/v1/curriculum/pictures/..%2Fsecrets.json')).statusCode).toBe(400)
  })

  it('lists scenario templates for lessons and exams, and the three exam templates', async () => {
    const lessonsOnly = (await get('/api/v1/scenarios/templates?kind=lesson')).json().items
    expect(lessonsOnly.length).toBeGreaterThanOrEqual(48)
    expect(lessonsOnly.every((t: { kind: string }) => t.kind === 'lesson')).toBe(true)
    const examsOnly = (await get('/api/v1/scenarios/templates?kind=exam')).json().items
    expect(examsOnly.every((t: { kind: string }) => t.kind === 'exam')).toBe(true)
    expect((await get('/api/v1/scenarios/templates?kind=quiz')).statusCode).toBe(400)
    const templates = (await get('/api/v1/exams/templates')).json().items
    expect(templates.map((t: { level: string }) => t.level)).toEqual(['A1-A2', 'A2-B1', 'B1-B2'])
    for (const template of templates) {
      expect(template.parts.some((part: { mode: string }) => part.mode === 'pair')).toBe(true)
      expect(template.parts.every((part: { promptCount: number }) => part.promptCount >= 0)).toBe(true)
    }
  })
})

describe('streaks', () => {
  it('counts consecutive local days up to today, or up to yesterday while today is still open', () => {
    const days = new Set(['2026-11-20', '2026-11-21', '2026-11-22'])
    expect(streakFrom(days, '2026-11-22')).toBe(3)
    expect(streakFrom(days, '2026-11-23')).toBe(3)
    expect(streakFrom(days, '2026-11-24')).toBe(0)
    expect(streakFrom(new Set(['2026-02-28', '2026-03-01']), '2026-03-01')).toBe(2)
    expect(localDay(new Date('2026-11-23T23:30:00Z'), 'Europe/Oslo')).toBe('2026-11-24')
  })
})
