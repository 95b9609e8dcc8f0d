import { MockLanguageModelV3 } from 'ai/test'
import { eq } from 'drizzle-orm'
import type { FastifyBaseLogger } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { AiModels } from '../../core/ai/provider.js'
import { examAttempts, examScores, users } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { examClient } from '../../test/exams.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { scoreAttempt } from './exam-scoring.js'

vi.setConfig({ testTimeout: 120_000 })

const silentLog = { warn: () => {}, info: () => {}, error: () => {}, debug: () => {} } as unknown as FastifyBaseLogger

async function learner(harness: TestApp, explanationLanguage = 'en'): Promise<TestUser> {
  const user = await createVerifiedUser(harness.app, { name: 'Amina Haddad' })
  await harness.app.db.update(users).set({ targetLevel: 'A2', preferences: { ...(await preferences(harness, user.id)), explanationLanguage } }).where(eq(users.id, user.id))
  return user
}
async function preferences(harness: TestApp, id: string) {
  const [row] = await harness.app.db.select({ preferences: users.preferences }).from(users).where(eq(users.id, id))
  return row!.preferences
}

/** A2-ish answers, spoken: each with the times a browser's speech recognition would send. */
const answers = [
  'Jeg heter Amina og jeg kommer fra Marokko, men nå bor jeg i Drammen sammen med mannen min og to barn.',
  'Om morgenen går jeg på norskkurs, og etterpå henter jeg barna i barnehagen fordi mannen min jobber lenge.',
  'Jeg liker å lage mat, særlig couscous, og i helgene går vi ofte tur i skogen når det er fint vær.',
  'Før jobbet jeg som sykepleier i Casablanca, så jeg håper at jeg kan jobbe på et sykehus i Norge også.',
]
function spoken(): () => { startedAt: string; endedAt: string } {
  let at = Date.parse('2026-11-24T10:00:00.000Z')
  return () => {
    const startedAt = new Date(at).toISOString()
    at += 9_000 // about 20 words in 9 s: some 130 words a minute
    const endedAt = new Date(at).toISOString()
    at += 4_000
    return { startedAt, endedAt }
  }
}

describe('exam scoring, offline (measured)', () => {
  let harness: TestApp
  beforeAll(async () => {
    harness = await createTestApp()
  })
  afterAll(() => harness.close())

  it('scores every criterion of every scored part with evidence, and reports the level as the test does', async () => {
    const user = await learner(harness)
    const exams = examClient(harness.app, user)
    const { attempt } = await exams.takeWholeExam('A1-A2', answers, { timed: spoken() })
    const result = await exams.waitForResult(attempt.id)
    expect(result).toMatchObject({ state: 'ready', level: 'A1-A2', raters: ['measured'], sittingId: expect.any(String) })
    expect(['A1', 'A2', 'below_A1']).toContain(result.estimatedLevel)
    expect(result.feedback).toMatch(/the A1–A2 test/)
    expect(result.feedback).toMatch(/cannot judge your pronunciation/)

    // Per part: the template's criteria; pronunciation honestly not assessable (no audio assessor).
    expect(result.parts).toHaveLength(4)
    for (const part of result.parts) {
      expect(part.criteria.length).toBeGreaterThan(0)
      const pronunciation = part.criteria.find((criterion: { criterion: string }) => criterion.criterion === 'pronunciation')
      expect(pronunciation).toMatchObject({ assessable: false, band: null, score: null })
      expect(pronunciation.justification).toBeTruthy()
      expect(part.transcript.some((turn: { role: string }) => turn.role === 'learner')).toBe(true)
    }
    const fluency = result.overall.find((criterion: { criterion: string }) => criterion.criterion === 'fluency')
    expect(fluency).toMatchObject({ assessable: true, rater: 'measured' })
    const partFluency = result.parts[0].criteria.find((criterion: { criterion: string }) => criterion.criterion === 'fluency')
    // Evidence: the candidate's words (linked to their turn) and the measured figures.
    expect(partFluency.evidence.some((item: { kind: string; turnId?: string }) => item.kind === 'quote' && item.turnId)).toBe(true)
    expect(partFluency.evidence.some((item: { kind: string; metric?: string }) => item.kind === 'measure' && item.metric === 'speech_rate_wpm')).toBe(true)
    const interaction = result.parts.find((part: { mode: string }) => part.mode === 'pair').criteria.find((criterion: { criterion: string }) => criterion.criterion === 'interaction')
    expect(interaction).toBeDefined()
    // Follow-up lessons for the weakest criteria, each saying which.
    expect(result.recommendedLessons.length).toBeGreaterThan(0)
    for (const lesson of result.recommendedLessons) expect(lesson).toMatchObject({ slug: expect.any(String), criterion: expect.any(String) })

    // Stored once per part and criterion plus the overall rows; the history shows the level.
    const rows = await harness.app.db.select().from(examScores).where(eq(examScores.attemptId, attempt.id))
    expect(rows.find((row) => row.criterion === 'overall' && row.examPartId === null)?.band ?? null).toBe(result.estimatedLevel)
    const history = (await exams.request('GET', '/api/v1/exams/attempts')).json()
    expect(history.items[0]).toMatchObject({ id: attempt.id, status: 'completed', result: { state: 'ready', estimatedLevel: result.estimatedLevel } })
  })

  it('reports "not assessable" instead of a level when nothing was said, in Norwegian for a learner who reads it', async () => {
    const user = await learner(harness, 'nb')
    const exams = examClient(harness.app, user)
    const started = await exams.start('A1-A2')
    const clock = harness.app.exams.now
    harness.app.exams.now = () => new Date(Date.now() + 3 * 3600_000)
    try {
      expect((await exams.view(started.id)).status).toBe('scoring')
    } finally {
      harness.app.exams.now = clock
    }
    const result = await exams.waitForResult(started.id)
    expect(result).toMatchObject({ state: 'ready', estimatedLevel: null, outcome: null })
    expect(result.feedback).toMatch(/^Du sa for lite til at vi kunne anslå et nivå\. /)
    // All of it Norwegian: not the estimator's English reason.
    expect(result.feedback).not.toMatch(/\b(?:Only|criteria|assessable)\b/)
    for (const criterion of result.overall) expect(criterion).toMatchObject({ assessable: false, band: null, score: null })
  })

  it("another learner cannot read the result", async () => {
    const owner = await learner(harness)
    const other = await learner(harness)
    const started = await examClient(harness.app, owner).start('A2-B1')
    expect((await examClient(harness.app, other).request('GET', `/api/v1/exams/attempts/${started.id}/result`)).statusCode).toBe(404)
  })
})

function models(summary: MockLanguageModelV3): AiModels {
  return {
    provider: 'openai',
    modelName: 'mock-model',
    tutor: summary,
    summary,
    timeoutMs: 5_000,
    healthCheck: { name: 'ai', required: false, check: async () => ({ provider: 'openai', model: 'mock-model' }) },
  }
}

const usage = { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } }

describe('exam scoring with the rubric rater (AI SDK mock model)', () => {
  let harness: TestApp
  let failing = true
  const rater = new MockLanguageModelV3({
    doGenerate: async (options) => {
      const prompt = JSON.stringify(options.prompt)
      if (failing || !prompt.includes('sensor')) throw new Error('provider unavailable')
      // Quote the candidate truly in the first part; invent a quote for vocabulary, which must be refused.
      const first = /\[([0-9a-f-]{36})\] CANDIDATE: ([^\\]+)/.exec(prompt)!
      return {
        content: [
          {
            type: 'text',
            text: JSON.stringify({
              parts: [
                {
                  position: 0,
                  criteria: [
                    { criterion: 'task_completion', band: 'A2', justification: 'Tells about family, home and work in connected sentences.', quotes: [{ turnId: first[1], text: first[2]!.split(' ').slice(0, 5).join(' ') }] },
                    { criterion: 'vocabulary', band: 'B2', justification: 'Rich vocabulary.', quotes: [{ turnId: first[1], text: 'et ord hun aldri sa' }] },
                    // Too little to be evidence: one word of the turn.
                    { criterion: 'coherence', band: 'B2', justification: 'Links ideas well.', quotes: [{ turnId: first[1], text: 'og' }] },
                  ],
                },
              ],
              feedback: 'Du forteller godt om deg selv.',
              strengths: ['Forteller sammenhengende'],
              weaknesses: ['Ordforråd om jobb'],
            }),
          },
        ],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage,
        warnings: [],
      }
    },
  })
  beforeAll(async () => {
    harness = await createTestApp({ aiModels: models(rater) })
  })
  afterAll(() => harness.close())

  it('keeps the result pending while the provider fails (the job retries), and scores measured on the last try', async () => {
    const user = await learner(harness)
    const exams = examClient(harness.app, user)
    const { attempt } = await exams.takeWholeExam('A1-A2', answers, { timed: spoken() })
    await expect(scoreAttempt(harness.app, attempt.id, { useLanguageModel: true, log: silentLog })).rejects.toThrow(/provider unavailable/)
    const pending = await exams.result(attempt.id)
    expect(pending).toMatchObject({ state: 'pending', estimatedLevel: null, overall: [], parts: [] })
    expect(await harness.app.db.select().from(examScores).where(eq(examScores.attemptId, attempt.id))).toEqual([])

    await scoreAttempt(harness.app, attempt.id, { useLanguageModel: false, log: silentLog })
    expect(await exams.result(attempt.id)).toMatchObject({ state: 'ready', raters: ['measured'] })
  })

  it("uses the rater's band only where it quotes the candidate's own words", async () => {
    const user = await learner(harness)
    const exams = examClient(harness.app, user)
    const { attempt } = await exams.takeWholeExam('A1-A2', answers, { timed: spoken() })
    failing = false
    try {
      await scoreAttempt(harness.app, attempt.id, { useLanguageModel: true, log: silentLog })
    } finally {
      failing = true
    }
    const result = await exams.result(attempt.id)
    expect(result.raters).toEqual(expect.arrayContaining(['llm', 'measured']))
    const first = result.parts[0].criteria
    expect(first.find((criterion: { criterion: string }) => criterion.criterion === 'task_completion')).toMatchObject({
      rater: 'llm',
      band: 'A2',
      justification: 'Tells about family, home and work in connected sentences.',
    })
    // The invented quote is refused: vocabulary keeps its measured band.
    expect(first.find((criterion: { criterion: string }) => criterion.criterion === 'vocabulary').rater).toBe('measured')
    expect(first.find((criterion: { criterion: string }) => criterion.criterion === 'coherence')?.rater ?? 'measured').toBe('measured')
    // The quote kept is the candidate's own turn, not the model's copy of it.
    const quote = first.find((criterion: { criterion: string }) => criterion.criterion === 'task_completion').evidence[0]
    expect(answers).toContain(quote.text)
    expect(result.feedback).toMatch(/Du forteller godt om deg selv/)
    const [row] = await harness.app.db.select().from(examAttempts).where(eq(examAttempts.id, attempt.id))
    expect(row!.status).toBe('completed')
  })
})
