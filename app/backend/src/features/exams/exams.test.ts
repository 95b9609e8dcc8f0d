import { randomUUID } from 'node:crypto'
import { MockLanguageModelV3 } from 'ai/test'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { examAttempts, examParts, turns, users, type ExamLevel } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { createTestApp, createTestDatabase, type TestApp } from '../../test/harness.js'
import { examClient } from '../../test/exams.js'
import { parseServerSentEvents } from '../../test/sse.js'
import { INSTRUCTIONS_SECONDS } from './timeline.js'

// Learners sign up through the mail job, which is slow under load.
vi.setConfig({ testTimeout: 90_000 })

let harness: TestApp
/** The exam clock, moved by the tests. */
let clock = new Date('2026-11-24T09:00:00.000Z')
const tick = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000))

beforeAll(async () => {
  harness = await createTestApp()
  harness.app.exams.now = () => clock
})
afterAll(() => harness.close())

const request = (user: TestUser, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  harness.app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) })

async function learner(level: 'A1' | 'A2' | 'B1' | 'B2' = 'A2'): Promise<TestUser> {
  const user = await createVerifiedUser(harness.app, { name: 'Amina Haddad' })
  await harness.app.db.update(users).set({ targetLevel: level }).where(eq(users.id, user.id))
  return user
}

const client = (user: TestUser) => examClient(harness.app, user)
const start = (user: TestUser, level: ExamLevel, extra: object = {}) => client(user).start(level, extra)
const view = (user: TestUser, id: string) => client(user).view(id)
const advance = (user: TestUser, attempt: { id: string; phase: string; part: { position: number } }) => client(user).advance(attempt)
const say = (user: TestUser, text: string, examAttemptId?: string) => client(user).say(text, examAttemptId ? { examAttemptId } : {})

/** Scripted candidate answers, long enough at each level to count as speech. */
const answers: Record<ExamLevel, string[]> = {
  'A1-A2': ['Jeg heter Amina og jeg kommer fra Marokko.', 'Jeg bor i Oslo sammen med mannen min.', 'Jeg liker å lage mat og gå tur.', 'Ja, jeg har to barn.'],
  'A2-B1': [
    'Jeg kom til Norge for tre år siden, og nå jobber jeg i en barnehage.',
    'På bildet ser jeg en familie som spiser middag sammen på kjøkkenet.',
    'Jeg synes det er viktig å snakke norsk hver dag, fordi det hjelper meg på jobben.',
  ],
  'B1-B2': [
    'Jeg mener at mobiltelefoner kan være nyttige, men de tar også mye oppmerksomhet fra det som skjer rundt oss.',
    'På den ene siden er det praktisk, på den andre siden blir mange mennesker mer ensomme, selv om de er på nett hele tiden.',
    'Derfor tror jeg at vi trenger klare regler, særlig for barn og unge.',
  ],
}

describe('mock exams: taking a whole attempt, offline', () => {
  it.each(['A1-A2', 'A2-B1', 'B1-B2'] as const)('runs every part of the %s test in order with the examiner and, in the pair task, the co-candidate', async (level) => {
    const user = await learner()
    const { attempt, visited } = await examClient(harness.app, user).takeWholeExam(level, answers[level])
    const template = attempt.parts as Array<{ slug: string; mode: string }>
    expect(visited.map((part) => part.slug)).toEqual(template.map((part) => part.slug))
    for (const [index, part] of visited.entries()) {
      // The examiner asks in individual tasks; the co-candidate talks in the pair task.
      expect([...part.roles]).toContain(template[index]!.mode === 'pair' ? 'partner' : 'examiner')
    }
    // Scoring runs as a job straight after the last part: it may already be done.
    expect(attempt).toMatchObject({ status: expect.stringMatching(/^(scoring|completed)$/), phase: 'done', part: null })
    expect(['pending', 'ready']).toContain(attempt.result.state)
    expect(attempt.parts.every((part: { state: string }) => part.state === 'done')).toBe(true)

    // Every turn is recorded per part with its role, and the session is back in free conversation.
    const recorded = await harness.app.db.select().from(turns).where(eq(turns.examAttemptId, attempt.id))
    expect(new Set(recorded.map((turn) => turn.role))).toEqual(new Set(['learner', 'examiner', 'partner']))
    expect(recorded.every((turn) => turn.examPartId !== null)).toBe(true)
    expect((await request(user, 'GET', '/api/v1/sessions/default')).json()).toMatchObject({ mode: 'free', exam: null })
    const history = (await request(user, 'GET', '/api/v1/exams/attempts')).json()
    expect(history.items[0]).toMatchObject({ id: attempt.id, level, status: expect.stringMatching(/^(scoring|completed)$/) })
  })
})

describe('mock exams: starting and the session', () => {
  it('puts the session in exam mode with the examiner opening the first part, and refuses a second attempt while one runs', async () => {
    const user = await learner()
    const attempt = await start(user, 'A1-A2', { coCandidateLevel: 'A2' })
    expect(attempt).toMatchObject({ level: 'A1-A2', delivery: 'text', status: 'in_progress', phase: 'instructions', coCandidateLevel: 'A2' })
    expect(attempt.part).toMatchObject({ position: 0, slug: 'presentere-deg-selv', scored: true, prompt: null })
    expect(attempt.part.turns[0]).toMatchObject({ role: 'examiner', text: expect.stringContaining('velkommen') })
    expect(Date.parse(attempt.phaseEndsAt) - Date.parse(attempt.serverTime)).toBe(INSTRUCTIONS_SECONDS * 1000)
    expect((await request(user, 'GET', '/api/v1/sessions/default')).json()).toMatchObject({
      mode: 'exam',
      exam: { attemptId: attempt.id, level: 'A1-A2', status: 'in_progress', partSlug: 'presentere-deg-selv' },
    })

    const second = await request(user, 'POST', '/api/v1/exams/attempts', { level: 'A2-B1' })
    expect(second.statusCode).toBe(409)
    expect(second.json()).toMatchObject({ attemptId: attempt.id, detail: expect.stringContaining('already running') })
    // Nor can the learner wander off into a lesson mid-exam.
    const lesson = await request(user, 'PATCH', '/api/v1/sessions/default', { mode: 'free' })
    expect(lesson.statusCode).toBe(409)
    expect(lesson.json().attemptId).toBe(attempt.id)
  })

  it('refuses a co-candidate level outside the test and unknown fields', async () => {
    const user = await learner()
    const outside = await request(user, 'POST', '/api/v1/exams/attempts', { level: 'A1-A2', coCandidateLevel: 'B2' })
    expect(outside.statusCode).toBe(400)
    expect(outside.json().errors[0]).toMatchObject({ path: 'body.coCandidateLevel' })
    expect((await request(user, 'POST', '/api/v1/exams/attempts', { level: 'C1-C2' })).statusCode).toBe(400)
    expect((await request(user, 'POST', '/api/v1/exams/attempts', { level: 'A1-A2', minutes: 5 })).statusCode).toBe(400)
  })

  it("keeps each learner's attempts their own: another learner gets 404 for every action", async () => {
    const owner = await learner()
    const other = await learner()
    const attempt = await start(owner, 'A2-B1')
    expect((await request(other, 'GET', `/api/v1/exams/attempts/${attempt.id}`)).statusCode).toBe(404)
    expect((await request(other, 'POST', `/api/v1/exams/attempts/${attempt.id}/advance`, { partPosition: 0, phase: 'instructions' })).statusCode).toBe(404)
    expect((await request(other, 'POST', `/api/v1/exams/attempts/${attempt.id}/abandon`)).statusCode).toBe(404)
    expect((await request(other, 'GET', '/api/v1/exams/attempts')).json().items).toEqual([])
    // The owner's attempt is untouched.
    expect(await view(owner, attempt.id)).toMatchObject({ status: 'in_progress', phase: 'instructions' })
  })

  it('does not draw the prompts of recent attempts again', async () => {
    const user = await learner()
    const drawn: string[] = []
    for (let index = 0; index < 4; index++) {
      const attempt = await start(user, 'A1-A2')
      const [row] = await harness.app.db.select().from(examAttempts).where(eq(examAttempts.id, attempt.id))
      drawn.push(row!.selectedPrompts[0]!.promptIds[0]!)
      expect((await request(user, 'POST', `/api/v1/exams/attempts/${attempt.id}/abandon`)).statusCode).toBe(200)
    }
    expect(new Set(drawn).size).toBe(4)
  })
})

describe('mock exams: the server owns the time', () => {
  it('begins, closes and moves on from parts on time, and finishes the exam at its last deadline', async () => {
    const user = await learner()
    const attempt = await start(user, 'A1-A2')
    tick(INSTRUCTIONS_SECONDS)
    const speaking = await view(user, attempt.id)
    expect(speaking).toMatchObject({ phase: 'speaking', part: { position: 0 } })
    expect(speaking.part.prompt.text).toBeTruthy()
    expect(speaking.part.turns.at(-1)).toMatchObject({ role: 'examiner', text: speaking.part.prompt.text })

    tick(speaking.part.speakingSeconds)
    const next = await view(user, attempt.id)
    expect(next).toMatchObject({ phase: 'instructions', part: { position: 1, slug: 'beskrive-et-bilde' } })
    const closed = await harness.app.db
      .select()
      .from(turns)
      .where(and(eq(turns.examAttemptId, attempt.id), eq(turns.role, 'examiner')))
    expect(closed.map((turn) => turn.text)).toContain('Takk skal du ha. Nå går vi videre til oppgave to.')

    // Away for an hour: every remaining part ran out in turn; the exam ended when the last one did.
    const lastDeadline = next.parts.slice(1).reduce((sum: number, part: { speakingSeconds: number; preparationSeconds: number }) => sum + INSTRUCTIONS_SECONDS + part.preparationSeconds + part.speakingSeconds, 0)
    const nextStarted = clock.getTime()
    tick(3600)
    // The history shows it finished by the clock, without opening it first.
    const listed = (await client(user).request('GET', '/api/v1/exams/attempts')).json()
    expect(listed.items.find((item: { id: string }) => item.id === attempt.id).status).toMatch(/^(scoring|completed)$/)
    const over = await view(user, attempt.id)
    expect(over).toMatchObject({ status: expect.stringMatching(/^(scoring|completed)$/), phase: 'done', part: null })
    expect(Date.parse(over.finishedAt)).toBe(nextStarted + lastDeadline * 1000)
    // An answer the exam screen sends now is refused: the exam is over, and nothing is stored for it.
    const late = await say(user, 'Hallo?', attempt.id)
    expect(late.response.statusCode).toBe(409)
    expect(late.response.json().detail).toMatch(/no longer running/)
    expect(await harness.app.db.select().from(turns).where(and(eq(turns.userId, user.id), eq(turns.text, 'Hallo?')))).toEqual([])
  })

  it('refuses to move on from a phase the attempt has already left, and acting on a finished attempt', async () => {
    const user = await learner()
    const attempt = await start(user, 'A2-B1')
    const moved = await advance(user, attempt)
    expect(moved.json()).toMatchObject({ phase: 'speaking', part: { position: 0, scored: false } })
    // The same click again (stale phase) does not skip the warm-up's speaking time.
    const again = await advance(user, attempt)
    expect(again.statusCode).toBe(409)
    expect(again.json().detail).toMatch(/already moved on/)

    const abandoned = await request(user, 'POST', `/api/v1/exams/attempts/${attempt.id}/abandon`)
    expect(abandoned.json()).toMatchObject({ status: 'abandoned', result: { state: 'none' } })
    expect((await request(user, 'POST', `/api/v1/exams/attempts/${attempt.id}/abandon`)).statusCode).toBe(409)
    expect((await advance(user, moved.json())).statusCode).toBe(409)
    expect((await request(user, 'GET', '/api/v1/sessions/default')).json().mode).toBe('free')
  })

  it('gives the task during preparation and says when speaking begins', async () => {
    const user = await learner()
    let attempt = await start(user, 'B1-B2')
    // Warm-up, then the opinion task and the pair task, to the argue task with its preparation.
    while (attempt.part.taskType !== 'argue_statement') {
      if (attempt.phase === 'speaking') {
        tick(attempt.part.speakingSeconds)
        attempt = await view(user, attempt.id)
      } else attempt = (await advance(user, attempt)).json()
    }
    attempt = (await advance(user, attempt)).json()
    expect(attempt).toMatchObject({ phase: 'preparation', part: { taskType: 'argue_statement' } })
    expect(attempt.part.prompt.text).toBeTruthy()
    const waiting = await say(user, 'Hmm, la meg tenke litt.')
    expect(waiting.reply).toMatch(/forberede deg/)
    tick(attempt.part.preparationSeconds)
    attempt = await view(user, attempt.id)
    expect(attempt.phase).toBe('speaking')
    expect(attempt.part.turns.at(-1).text).toBe('Forberedelsestiden er over. Nå kan du begynne.')
  })

  it('resumes an attempt after a restart exactly where the clock says', async () => {
    const testDatabase = await createTestDatabase()
    const first = await createTestApp({ testDatabase })
    first.app.exams.now = () => clock
    const user = await createVerifiedUser(first.app)
    const started = await first.app.inject({ method: 'POST', url: '/api/v1/exams/attempts', headers: user.headers, payload: { level: 'A1-A2' } })
    const attempt = (
      await first.app.inject({ method: 'POST', url: `/api/v1/exams/attempts/${started.json().id}/advance`, headers: user.headers, payload: { partPosition: 0, phase: 'instructions' } })
    ).json()
    expect(attempt.phase).toBe('speaking')
    await first.close()

    const second = await createTestApp({ testDatabase })
    try {
      second.app.exams.now = () => clock
      tick(30)
      const resumed = (await second.app.inject({ method: 'GET', url: `/api/v1/exams/attempts/${attempt.id}`, headers: user.headers })).json()
      expect(resumed).toMatchObject({ phase: 'speaking', part: { position: 0 }, partEndsAt: attempt.partEndsAt })
      const turn = await second.app.inject({
        method: 'POST',
        url: '/api/v1/sessions/default/turns',
        headers: user.headers,
        payload: { clientTurnId: randomUUID(), text: 'Jeg heter Ola og jeg bor i Tromsø.' },
      })
      const done = parseServerSentEvents(turn.body).find((event) => event.event === 'done')
      expect(done?.data.turn.role).toBe('examiner')
    } finally {
      await second.close()
      await testDatabase.close()
    }
  })
})

describe('mock exams: answers at the edges of time', () => {
  it('counts an answer sent as the speaking time ran out for its own part, without starting the next one', async () => {
    const user = await learner()
    const attempt = (await advance(user, await start(user, 'A1-A2'))).json()
    tick(attempt.part.speakingSeconds + 2)
    const late = await say(user, 'Og jeg liker å gå tur i skogen.', attempt.id)
    expect(late.response.statusCode).toBe(200)
    expect(late.done.turn.role).toBe('examiner')
    expect(late.change).toMatchObject({ kind: 'exam', partPosition: 1, phase: 'instructions' })
    const [stored] = await harness.app.db.select().from(turns).where(and(eq(turns.examAttemptId, attempt.id), eq(turns.text, 'Og jeg liker å gå tur i skogen.')))
    const [first] = await harness.app.db.select({ id: examParts.id }).from(examParts).where(eq(examParts.slug, 'presentere-deg-selv'))
    expect(stored!.examPartId).toBe(first!.id)
    // The next part was not started by it: its instructions run on.
    expect(await view(user, attempt.id)).toMatchObject({ phase: 'instructions', part: { position: 1 } })
  })

  it('replays an answered turn that is sent again after the exam moved on, and refuses one that was never answered there', async () => {
    const user = await learner()
    const attempt = (await advance(user, await start(user, 'A1-A2'))).json()
    const clientTurnId = randomUUID()
    const send = () => client(user).request('POST', '/api/v1/sessions/default/turns', { clientTurnId, text: 'Jeg heter Ola.', examAttemptId: attempt.id })
    const first = parseServerSentEvents((await send()).body).find((event) => event.event === 'done')!.data
    tick(attempt.part.speakingSeconds + 120)
    const again = await send()
    expect(again.statusCode).toBe(200)
    const replayed = parseServerSentEvents(again.body).find((event) => event.event === 'done')!.data
    expect(replayed).toMatchObject({ replayed: true, turn: { id: first.turn.id } })
  })

  it('begins a part only when the candidate says they are ready, and ends preparation early the same way', async () => {
    const user = await learner()
    let attempt = await start(user, 'B1-B2')
    const wait = await say(user, 'Nei, vent litt.', attempt.id)
    expect(wait.reply).toBe('Si fra når du er klar, så begynner vi.')
    expect((await view(user, attempt.id)).phase).toBe('instructions')
    const ready = await say(user, 'Ja, jeg er klar.', attempt.id)
    expect(ready.reply).toBe('Da begynner vi.')
    expect(ready.change).toMatchObject({ kind: 'exam', phase: 'speaking', partPosition: 0 })
    // On to the argue task, which has preparation time.
    attempt = await view(user, attempt.id)
    while (attempt.part.taskType !== 'argue_statement') attempt = (await advance(user, attempt)).json()
    attempt = (await advance(user, attempt)).json()
    expect(attempt.phase).toBe('preparation')
    const done = await say(user, 'Jeg er ferdig.', attempt.id)
    expect(done.reply).toBe('Da kan du begynne.')
    expect(await view(user, attempt.id)).toMatchObject({ phase: 'speaking', part: { taskType: 'argue_statement' } })
  })
})

describe('mock exams: the examiner', () => {
  it('never shows corrections during the exam but keeps the findings on the turn', async () => {
    const user = await learner()
    const attempt = await start(user, 'A1-A2')
    await advance(user, attempt)
    const { events, done } = await say(user, 'I Norge jeg bor i to år.')
    expect(events.some((event) => event.event === 'correction')).toBe(false)
    expect(done.turn.role).toBe('examiner')
    const [learnerTurn] = await harness.app.db.select().from(turns).where(and(eq(turns.examAttemptId, attempt.id), eq(turns.role, 'learner')))
    expect(learnerTurn!.corrections.length).toBeGreaterThan(0)
  })

  it('adds the question from the level above for a candidate doing well, and records it', async () => {
    const user = await learner()
    const attempt = await start(user, 'A1-A2')
    await advance(user, attempt)
    const long = 'Jeg heter Amina, jeg kommer fra Marokko og jeg har bodd i Norge i fire år sammen med familien min.'
    const replies: string[] = []
    for (let turn = 0; turn < 12; turn++) {
      const { reply, change } = await say(user, long)
      replies.push(reply)
      if (change) break
    }
    const [row] = await harness.app.db.select().from(examAttempts).where(eq(examAttempts.id, attempt.id))
    expect(row!.extraQuestionAsked).toBe(true)
    expect(replies).toContain(row!.selectedPrompts[0]!.extraQuestion)
  })
})

describe('mock exams: the co-candidate on a language model (AI SDK mock model)', () => {
  let modelHarness: TestApp
  let failing = false
  const partner = new MockLanguageModelV3({
    doGenerate: async () => {
      if (failing) throw new Error('provider unavailable')
      return {
        content: [{ type: 'text', text: 'Jeg spiser mye fisk, men barna mine liker ikke fisk. Hva spiser du til middag?' }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 5, text: 5, reasoning: 0 } },
        warnings: [],
      }
    },
  })
  beforeAll(async () => {
    modelHarness = await createTestApp({
      aiModels: {
        provider: 'openai',
        modelName: 'mock-model',
        tutor: partner,
        summary: partner,
        timeoutMs: 5_000,
        healthCheck: { name: 'ai', required: false, check: async () => ({ provider: 'openai', model: 'mock-model' }) },
      },
    })
  })
  afterAll(() => modelHarness.close())

  /** An A1–A2 attempt brought to the speaking time of the pair task. */
  async function atPairTask() {
    const user = await createVerifiedUser(modelHarness.app)
    const exams = examClient(modelHarness.app, user)
    let attempt = await exams.start('A1-A2', { coCandidateLevel: 'A1' })
    while (!(attempt.part.mode === 'pair' && attempt.phase === 'speaking')) {
      attempt = (await exams.advance(attempt)).json()
    }
    return { exams, attempt }
  }

  it('lets the model word the partner turn at the chosen level, on the topic, without teaching', async () => {
    const { exams, attempt } = await atPairTask()
    const { done, reply } = await exams.say('Jeg liker ris og kylling. Og du?')
    expect(done.turn.role).toBe('partner')
    expect(reply).toBe('Jeg spiser mye fisk, men barna mine liker ikke fisk. Hva spiser du til middag?')
    const call = partner.doGenerateCalls.at(-1)!
    const system = JSON.stringify(call.prompt.find((message) => message.role === 'system'))
    expect(system).toContain('CEFR A1')
    expect(system).toContain(attempt.part.prompt.text)
    expect(system).toContain('Never correct or teach')
    expect(JSON.stringify(call.prompt.at(-1))).toContain('Jeg liker ris og kylling')
  })

  it('says the scripted line when the model fails, so the exam goes on', async () => {
    const { exams } = await atPairTask()
    failing = true
    try {
      const { done, response } = await exams.say('Jeg liker ris og kylling.')
      expect(response.statusCode).toBe(200)
      expect(done.turn).toMatchObject({ role: 'partner', incomplete: false })
      expect(done.turn.text).not.toContain('fisk, men barna')
    } finally {
      failing = false
    }
  })
})
