import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  defaultUserPreferences,
  lessonProgress,
  lessons,
  sittings,
  tutorSessions,
  turns,
  users,
  type CorrectionStyle,
  type UserPreferences,
} from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { parseServerSentEvents } from '../../test/sse.js'
import { applyRetention, audioDir } from './retention.js'
import { closeIdleSittings } from './service.js'

// Each test signs learners up through the mail job; under load (the wire project, a busy CI machine)
// that alone has taken over 15 s.
vi.setConfig({ testTimeout: 60_000 })

let harness: TestApp
beforeAll(async () => {
  harness = await createTestApp()
})
afterAll(() => harness.close())

const get = (url: string, user?: TestUser) => harness.app.inject({ method: 'GET', url, headers: user?.headers ?? {} })
const patch = (user: TestUser, payload: object) => harness.app.inject({ method: 'PATCH', url: '/api/v1/sessions/default', headers: user.headers, payload })

async function say(user: TestUser, text: string, extra: Record<string, unknown> = {}) {
  const response = await harness.app.inject({
    method: 'POST',
    url: '/api/v1/sessions/default/turns',
    headers: user.headers,
    payload: { clientTurnId: randomUUID(), text, ...extra },
  })
  const events = response.statusCode === 200 ? parseServerSentEvents(response.body) : []
  const reply = events.filter((event) => event.event === 'delta').map((event) => event.data.text as string).join('')
  return { response, events, reply, done: events.find((event) => event.event === 'done')?.data }
}

async function learner(level: 'A1' | 'A2' | 'B1' | 'B2' = 'A1', name = 'Amina Haddad'): Promise<TestUser> {
  const user = await createVerifiedUser(harness.app, { name })
  await harness.app.db.update(users).set({ targetLevel: level }).where(eq(users.id, user.id))
  return user
}

describe('sessions: the continuous session', () => {
  it('creates my session on first use with a first-time greeting, my progress and what this deployment can do', async () => {
    const user = await learner('A1')
    const response = await get('/api/v1/sessions/default', user)
    expect(response.statusCode).toBe(200)
    const session = response.json()
    expect(session.mode).toBe('free')
    expect(session.level).toBe('A1')
    expect(session.greeting.kind).toBe('first')
    expect(session.greeting.text).toContain('Amina')
    expect(session.greeting.translation).toContain('Amina')
    expect(session.openSitting).toBeNull()
    expect(session.progress.streakDays).toBe(0)
    expect(session.capabilities).toMatchObject({
      tutor: { engine: 'offline', model: null },
      offline: true,
      // Voice offline: the browser recognises speech, espeak-ng speaks, over the backend's WebSocket.
      transport: 'websocket',
      speechToText: { engine: 'browser' },
      speech: { engine: 'espeak' },
    })
    expect(session.capabilities.limitations.join(' ')).toMatch(/cannot understand/)
    // Fetching again returns the same session.
    expect((await get('/api/v1/sessions/default', user)).json().id).toBe(session.id)
  })

  it('needs a signed-in learner', async () => {
    expect((await get('/api/v1/sessions/default')).statusCode).toBe(401)
    const post = await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/turns', payload: { clientTurnId: randomUUID(), text: 'Hei' } })
    expect(post.statusCode).toBe(401)
  })

  it('starts a lesson at a step: the tutor opens with the step prompt, the word list and (A1) the phrase table', async () => {
    const user = await learner('A1')
    const response = await patch(user, { mode: 'lesson', lesson: 'a1-greetings-and-names', step: 1 })
    expect(response.statusCode).toBe(200)
    const { session, opening } = response.json()
    expect(session.mode).toBe('lesson')
    expect(session.lesson.lesson.slug).toBe('a1-greetings-and-names')
    expect(session.lesson.step).toMatchObject({ position: 1, total: 7 })
    expect(opening.turn.role).toBe('tutor')
    expect(opening.turn.text).toContain('Hvor kommer du fra?')
    expect(opening.events.map((event: { type: string; aid?: { kind: string } }) => event.aid?.kind ?? event.type)).toEqual(['delta', 'word_list', 'table'])
    expect(session.openSitting).not.toBeNull()
    const [progress] = await harness.app.db.select().from(lessonProgress).where(eq(lessonProgress.userId, user.id))
    expect(progress).toMatchObject({ status: 'in_progress', currentStepPosition: 1 })
  })

  it('refuses an unknown lesson (404), a step the lesson does not have (400) and exam mode (400)', async () => {
    const user = await learner()
    expect((await patch(user, { mode: 'lesson', lesson: 'no-such-lesson' })).statusCode).toBe(404)
    const step = await patch(user, { mode: 'lesson', lesson: 'a1-greetings-and-names', step: 99 })
    expect(step.statusCode).toBe(400)
    expect(step.json().detail).toMatch(/7 steps/)
    const exam = await patch(user, { mode: 'exam' })
    expect(exam.statusCode).toBe(400)
    expect(JSON.stringify(exam.json())).toMatch(/mock exams are started from the exams API/)
    expect((await patch(user, { mode: 'free', topic: 'space' })).statusCode).toBe(400)
  })
})

describe('sessions: the offline tutor walks a whole lesson', () => {
  it('takes a scripted learner from the first step to lesson complete, with hints, follow-ups, praise and corrections', async () => {
    const user = await learner('A1', 'Amina Haddad')
    await harness.app.db.update(users).set({ preferences: preferences('end_of_turn') }).where(eq(users.id, user.id))
    const opening = (await patch(user, { mode: 'lesson', lesson: 'a1-greetings-and-names' })).json().opening
    expect(opening.turn.text).toBe('Hei! Jeg heter Kari. Hva heter du?')

    // Step 1: a one-word answer gets an invitation to say more, not the next step.
    const short = await say(user, 'Amina')
    expect(short.events.map((event) => event.event)).toEqual(['turn', 'delta', 'done'])
    expect(short.reply).not.toContain('Hvordan staver du det?')
    // A full answer using a lesson phrase is praised, then the step's follow-up question comes.
    const full = await say(user, 'Hei! Jeg heter Amina. Hyggelig å hilse på deg!')
    expect(full.reply).toMatch(/Hyggelig å hilse på deg|Jeg heter/)
    expect(full.reply).toContain('Hvordan staver du det?')
    const learnerTurn = full.events.find((event) => event.event === 'turn')!.data.turn
    expect(learnerTurn.cefr.usedPhrases).toEqual(expect.arrayContaining(['Hyggelig å hilse på deg!']))
    // Answering the follow-up moves to step 2.
    const spelled = await say(user, 'A, M, I, N, A. Det er lett.')
    expect(spelled.events.find((event) => event.event === 'state')?.data.change).toMatchObject({ kind: 'step', position: 1, total: 7 })
    expect(spelled.reply).toContain('Hvor kommer du fra?')

    // Step 2: asking for help gets a model answer from the step's hints.
    const help = await say(user, 'Jeg vet ikke')
    expect(help.reply).toContain('Jeg kommer fra')
    // A V2 error is corrected (end of turn) and stored on the learner's turn.
    const wrong = await say(user, 'I dag jeg kommer fra Syria, men jeg bor i Bergen nå.')
    const correction = wrong.events.find((event) => event.event === 'correction')?.data.correction
    expect(correction).toMatchObject({ corrected: expect.stringContaining('I dag kommer jeg'), source: 'rules', rule: 'v2-fronted-adverbial' })
    expect(wrong.reply).toContain('I dag kommer jeg')
    // A question from the learner is answered honestly: the offline tutor cannot answer it.
    const question = await say(user, 'Hvor kommer du fra, Kari?')
    expect(harness.app.tutor.bank.levels.A1.cannotAnswer.some((line) => question.reply.includes(line))).toBe(true)

    // Answer everything that follows until the lesson completes.
    const answers = [
      'Jeg snakker arabisk, engelsk og litt norsk.',
      'Ja, jeg snakker engelsk også.',
      'Jeg bor på Lade i Trondheim.',
      'Ja, jeg liker å bo der.',
      'Unnskyld, kan du si det en gang til?',
      'Jeg kan si: Kan du snakke litt saktere?',
      'Hva heter du? Hvor kommer du fra? Hvilke språk snakker du?',
      'Nei, jeg har ikke flere spørsmål.',
      'Takk for i dag, ha det!',
      'Ha det bra!',
    ]
    let completed = false
    for (const answer of answers) {
      const turn = await say(user, answer)
      expect(turn.done, `reply to «${answer}»`).toBeDefined()
      if (turn.events.some((event) => event.event === 'state' && event.data.change.kind === 'lesson_complete')) {
        completed = true
        expect(turn.reply).toContain('Hei! Hva heter du?')
        break
      }
    }
    expect(completed).toBe(true)

    const session = (await get('/api/v1/sessions/default', user)).json()
    expect(session.mode).toBe('free')
    expect(session.lesson).toBeNull()
    const [lesson] = await harness.app.db.select().from(lessons).where(eq(lessons.slug, 'a1-greetings-and-names'))
    const [progress] = await harness.app.db.select().from(lessonProgress).where(and(eq(lessonProgress.userId, user.id), eq(lessonProgress.lessonId, lesson!.id)))
    expect(progress).toMatchObject({ status: 'completed', completedCount: 1 })
  })
})

function preferences(correctionStyle: CorrectionStyle): UserPreferences {
  return { ...defaultUserPreferences, correctionStyle }
}

describe('sessions: free conversation offline', () => {
  it('asks level-appropriate questions on my topic, follows a topic I bring up, and never repeats a question', async () => {
    const user = await learner('A2')
    const opening = (await patch(user, { mode: 'free', topic: 'food' })).json()
    expect(opening.session.topic).toBe('food')
    const asked = [opening.opening.turn.text as string]
    for (let i = 0; i < 4; i += 1) {
      const turn = await say(user, 'Jeg spiser ofte brød med ost til frokost, og jeg drikker kaffe.')
      asked.push(turn.reply)
    }
    const questions = asked.map((text) => text.split(/(?<=[.!])\s+/).at(-1))
    expect(new Set(questions).size).toBe(questions.length)
    const switched = await say(user, 'Jeg jobber som sykepleier på sykehuset, og jobben er travel.')
    expect(switched.events.find((event) => event.event === 'state')?.data.change).toEqual({ kind: 'topic', topic: 'work' })
    expect((await get('/api/v1/sessions/default', user)).json().topic).toBe('work')
  })
})

describe('sessions: turns are safe to retry and ordered', () => {
  it('replays the stored reply for a retried turn and never stores the turn twice; other text under the same id is 409', async () => {
    const user = await learner('B1')
    const clientTurnId = randomUUID()
    const first = await say(user, 'Jeg liker å gå tur i skogen i helgene.', { clientTurnId })
    const again = await say(user, 'Jeg liker å gå tur i skogen i helgene.', { clientTurnId })
    expect(again.done).toMatchObject({ replayed: true, turn: { id: first.done.turn.id } })
    expect(again.reply).toBe(first.reply)
    const stored = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))
    expect(stored.filter((turn) => turn.role === 'learner')).toHaveLength(1)
    const conflict = await say(user, 'Noe helt annet.', { clientTurnId })
    expect(conflict.response.statusCode).toBe(409)
  })

  it('handles two tabs sending at once one after the other, without interleaving', async () => {
    const user = await learner('A2')
    const [a, b] = await Promise.all([say(user, 'Jeg bor i en leilighet i sentrum.'), say(user, 'Jeg har to barn og en hund.')])
    expect(a.done && b.done).toBeTruthy()
    const rows = (await get('/api/v1/sessions/default/turns?limit=10', user)).json().items as Array<{ role: string; replyToTurnId: string | null; id: string }>
    expect(rows.map((turn) => turn.role)).toEqual(['learner', 'tutor', 'learner', 'tutor'])
    expect(rows[1]!.replyToTurnId).toBe(rows[0]!.id)
    expect(rows[3]!.replyToTurnId).toBe(rows[2]!.id)
  })

  it('rejects empty, oversized and malformed turns with clear errors', async () => {
    const user = await learner()
    const empty = await say(user, '   ')
    expect(empty.response.statusCode).toBe(400)
    expect(empty.response.json().errors[0]).toMatchObject({ path: 'body.text', message: expect.stringMatching(/empty/) })
    const long = await say(user, 'ord '.repeat(700))
    expect(long.response.statusCode).toBe(400)
    expect(long.response.json().errors[0].message).toMatch(/at most 2000 characters/)
    const badId = await say(user, 'Hei', { clientTurnId: 'x' })
    expect(badId.response.statusCode).toBe(400)
    const badTiming = await say(user, 'Hei', { timing: { startedAt: '2026-01-01T10:00:05Z', endedAt: '2026-01-01T10:00:00Z' } })
    expect(badTiming.response.statusCode).toBe(400)
    expect(await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))).toHaveLength(0)
  })

  it('keeps timing and word timings, and measures speech rate', async () => {
    const user = await learner('A2')
    const { events } = await say(user, 'Jeg heter Ola og bor i Oslo', {
      source: 'browser_speech',
      timing: { startedAt: '2026-11-23T10:00:00.000Z', endedAt: '2026-11-23T10:00:03.000Z', words: [{ word: 'Jeg', startMs: 0, endMs: 300 }] },
    })
    const turn = events[0]!.data.turn
    expect(turn).toMatchObject({ source: 'browser_speech', speakingMs: 3000, wordTimings: [{ word: 'Jeg', startMs: 0, endMs: 300 }] })
    expect(turn.cefr).toMatchObject({ wordCount: 7, speechRateWpm: 140 })
  })
})

describe('sessions: transcript and sittings', () => {
  it('pages the transcript backwards and keeps it mine: another learner’s turn id is 404', async () => {
    const user = await learner('A2')
    for (let i = 0; i < 3; i += 1) await say(user, `Jeg liker å lese bøker, nummer ${i}.`)
    const page1 = (await get('/api/v1/sessions/default/turns?limit=4', user)).json()
    expect(page1.items).toHaveLength(4)
    expect(page1.nextBefore).toBe(page1.items[0].id)
    const page2 = (await get(`/api/v1/sessions/default/turns?limit=4&before=${page1.nextBefore}`, user)).json()
    expect(page2.items).toHaveLength(2)
    expect(page2.nextBefore).toBeNull()
    expect(page2.items[0].text).toContain('nummer 0')

    const other = await learner()
    expect((await get(`/api/v1/sessions/default/turns?before=${page1.nextBefore}`, other)).statusCode).toBe(404)
    expect((await get('/api/v1/sessions/default/turns', other)).json().items).toHaveLength(0)
  })

  it('ends a sitting on request, writes its measured summary through the job queue and updates the rolling summary', async () => {
    const user = await learner('A1')
    await patch(user, { mode: 'lesson', lesson: 'a1-greetings-and-names' })
    await say(user, 'Hei! Jeg heter Amina.')
    await say(user, 'I dag jeg snakker norsk.')
    const ended = await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/end', headers: user.headers })
    expect(ended.json()).toMatchObject({ ended: true, sitting: { endReason: 'user', summaryStatus: 'pending' } })
    const sittingId = ended.json().sitting.id as string
    // Ending again is harmless.
    expect((await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/end', headers: user.headers })).json().ended).toBe(false)

    const sitting = await waitFor(async () => {
      const view = (await get(`/api/v1/sessions/default/sittings/${sittingId}`, user)).json()
      return view.summaryStatus === 'ready' ? view : null
    })
    expect(sitting.summary.writtenBy).toBe('measured')
    expect(sitting.summary.corrections[0]).toMatchObject({ corrected: expect.stringContaining('I dag snakker jeg') })
    expect(sitting.summary.weaknesses.join(' ')).toMatch(/\(1 time\)/)
    expect(sitting.summary.nextSteps[0]).toMatch(/Continue «Hei! Hva heter du\?»/)
    expect(sitting.metrics).toMatchObject({ learnerTurns: 2, learnerWords: 9 })

    const session = (await get('/api/v1/sessions/default', user)).json()
    expect(session.rollingSummary).toMatch(/lesson «Hei! Hva heter du\?»/)
    expect(session.lastSitting.id).toBe(sittingId)
    expect(session.greeting.kind).toBe('resume_lesson')

    const list = (await get('/api/v1/sessions/default/sittings', user)).json()
    expect(list.items.map((item: { id: string }) => item.id)).toContain(sittingId)
    const other = await learner()
    expect((await get(`/api/v1/sessions/default/sittings/${sittingId}`, other)).statusCode).toBe(404)
  })

  it('closes a sitting after the idle time (the sweep, or the next activity), ending at the last activity', async () => {
    const user = await learner('A2')
    await say(user, 'Jeg liker å lage mat med familien min.')
    const [session] = await harness.app.db.select().from(tutorSessions).where(eq(tutorSessions.userId, user.id))
    const lastActivity = new Date(Date.now() - 60 * 60_000)
    await harness.app.db.update(tutorSessions).set({ lastActivityAt: lastActivity }).where(eq(tutorSessions.id, session!.id))
    await harness.app.db.update(sittings).set({ startedAt: new Date(lastActivity.getTime() - 5 * 60_000) }).where(eq(sittings.tutorSessionId, session!.id))
    expect((await get('/api/v1/sessions/default', user)).json().openSitting).toBeNull()
    expect(await closeIdleSittings(harness.app)).toBeGreaterThanOrEqual(1)
    const [closed] = await harness.app.db.select().from(sittings).where(eq(sittings.tutorSessionId, session!.id))
    expect(closed).toMatchObject({ endReason: 'idle', endedAt: lastActivity })
    // Activity afterwards opens a new sitting.
    await say(user, 'Jeg spiser middag klokka fem.')
    const all = await harness.app.db.select().from(sittings).where(eq(sittings.tutorSessionId, session!.id))
    expect(all).toHaveLength(2)
  })
})

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('sessions: retention', () => {
  it('deletes transcripts older than each learner’s setting, scrubs quotes from old summaries, keeps aggregates, and drops audio that should not be kept', async () => {
    const keeper = await learner('A2')
    const limited = await learner('A2')
    await harness.app.db
      .update(users)
      .set({ preferences: { ...preferences('end_of_turn'), transcriptRetentionDays: 30 } })
      .where(eq(users.id, limited.id))
    for (const user of [keeper, limited]) {
      await say(user, 'I dag jeg spiser fisk til middag.')
      await say(user, 'Jeg liker å gå tur med hunden min.')
    }
    const old = new Date(Date.now() - 40 * 86_400_000)
    for (const user of [keeper, limited]) {
      const [first] = await harness.app.db.select().from(turns).where(and(eq(turns.userId, user.id), eq(turns.sequence, 1)))
      await harness.app.db.update(turns).set({ createdAt: old }).where(and(eq(turns.userId, user.id), eq(turns.sittingId, first!.sittingId), eq(turns.sequence, 1)))
      await harness.app.db
        .update(sittings)
        .set({
          endedAt: old,
          endReason: 'idle',
          summaryStatus: 'ready',
          summary: { strengths: [], weaknesses: [], nextSteps: [], corrections: [{ original: 'I dag jeg spiser fisk', corrected: 'I dag spiser jeg fisk', explanation: 'V2' }] },
          metrics: { learnerTurns: 2, learnerWords: 13 },
        })
        .where(eq(sittings.userId, user.id))
    }
    // Audio kept by mistake for a learner who does not keep audio.
    const audioRef = `${limited.id}/turn.webm`
    mkdirSync(path.join(audioDir(harness.app.config.dataDir), limited.id), { recursive: true })
    writeFileSync(path.join(audioDir(harness.app.config.dataDir), audioRef), 'audio')
    await harness.app.db.update(turns).set({ audioRef }).where(and(eq(turns.userId, limited.id), eq(turns.sequence, 3)))
    // A learner who keeps audio keeps it.
    await harness.app.db.update(users).set({ preferences: { ...preferences('end_of_turn'), keepAudio: true } }).where(eq(users.id, keeper.id))
    await harness.app.db.update(turns).set({ audioRef: `${keeper.id}/turn.webm` }).where(and(eq(turns.userId, keeper.id), eq(turns.sequence, 3)))

    const result = await applyRetention(harness.app)
    expect(result.turnsDeleted).toBeGreaterThanOrEqual(1)
    expect(result.audioDeleted).toBeGreaterThanOrEqual(1)

    const limitedTurns = await harness.app.db.select().from(turns).where(eq(turns.userId, limited.id))
    expect(limitedTurns.map((turn) => turn.sequence).sort()).toEqual([2, 3, 4])
    expect(limitedTurns.every((turn) => turn.audioRef === null)).toBe(true)
    expect(existsSync(path.join(audioDir(harness.app.config.dataDir), audioRef))).toBe(false)
    const [limitedSitting] = await harness.app.db.select().from(sittings).where(eq(sittings.userId, limited.id))
    expect(limitedSitting!.summary!.corrections).toEqual([])
    expect(limitedSitting!.metrics).toEqual({ learnerTurns: 2, learnerWords: 13 })

    const keeperTurns = await harness.app.db.select().from(turns).where(eq(turns.userId, keeper.id))
    expect(keeperTurns).toHaveLength(4)
    expect(keeperTurns.find((turn) => turn.sequence === 3)!.audioRef).toBe(`${keeper.id}/turn.webm`)
    const [keeperSitting] = await harness.app.db.select().from(sittings).where(eq(sittings.userId, keeper.id))
    expect(keeperSitting!.summary!.corrections).toHaveLength(1)
  })
})

describe('sessions: the greeting', () => {
  it('is brief, normal or detailed as the learner chose, and welcomes back after a break', async () => {
    const user = await learner('A1')
    await patch(user, { mode: 'lesson', lesson: 'a1-greetings-and-names' })
    await say(user, 'Hei! Jeg heter Amina.')
    await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/end', headers: user.headers })
    const setVerbosity = (greetingVerbosity: 'brief' | 'normal' | 'detailed') =>
      harness.app.db.update(users).set({ preferences: { ...preferences('end_of_turn'), greetingVerbosity } }).where(eq(users.id, user.id))

    await setVerbosity('brief')
    const brief = (await get('/api/v1/sessions/default', user)).json().greeting
    expect(brief).toMatchObject({ kind: 'returning', recap: null })
    await setVerbosity('normal')
    const normal = (await get('/api/v1/sessions/default', user)).json().greeting
    expect(normal.kind).toBe('resume_lesson')
    expect(normal.text).toContain('Hei! Hva heter du?')
    expect(normal.text.length).toBeGreaterThan(brief.text.length)
    await setVerbosity('detailed')
    const detailed = await waitFor(async () => {
      const greeting = (await get('/api/v1/sessions/default', user)).json().greeting
      return greeting.recap?.includes('Next:') ? greeting : null
    })
    expect(detailed.recap).toMatch(/^Last time \(\d{4}-\d{2}-\d{2}.*lesson «Hei! Hva heter du\?»/)

    await harness.app.db.update(tutorSessions).set({ lastActivityAt: new Date(Date.now() - 10 * 86_400_000) }).where(eq(tutorSessions.userId, user.id))
    await patch(user, { mode: 'free' })
    await harness.app.db.update(tutorSessions).set({ lastActivityAt: new Date(Date.now() - 10 * 86_400_000) }).where(eq(tutorSessions.userId, user.id))
    expect((await get('/api/v1/sessions/default', user)).json().greeting.kind).toBe('after_break')
  })
})

describe('sessions: offline tutor edge cases', () => {
  it('treats the learner’s questions as the answer when the step’s task is to ask, and ends the last step without a "let’s go on"', async () => {
    const user = await learner('A1')
    // The last step of the first A1 lesson: "Nå er det din tur. Spør meg om navn, land og språk."
    const opening = (await patch(user, { mode: 'lesson', lesson: 'a1-greetings-and-names', step: 5 })).json().opening
    expect(opening.turn.text).toContain('Spør meg')
    const asked = await say(user, 'Hva heter du? Hvor kommer du fra?')
    const bank = harness.app.tutor.bank.levels.A1
    expect(bank.cannotAnswer.some((line) => asked.reply.includes(line))).toBe(false)
    let last = asked
    for (let i = 0; i < 3 && !last.events.some((event) => event.event === 'state' && event.data.change.kind === 'lesson_complete'); i += 1) {
      last = await say(user, 'Hvilke språk snakker du? Bor du i Bergen?')
    }
    expect(last.events.some((event) => event.event === 'state' && event.data.change.kind === 'lesson_complete')).toBe(true)
    expect(bank.transitions.some((line) => last.reply.includes(line))).toBe(false)
  })

  it('keeps transcript pages exact when turns are microseconds apart', async () => {
    const user = await learner('A2')
    await say(user, 'Jeg liker å lese.')
    const [session] = await harness.app.db.select().from(tutorSessions).where(eq(tutorSessions.userId, user.id))
    const [sitting] = await harness.app.db.select().from(sittings).where(eq(sittings.tutorSessionId, session!.id))
    await harness.app.database.executeSql(
      `insert into turns (tutor_session_id, sitting_id, user_id, sequence, role, text, created_at) values
         ($1, $2, $3, 100, 'learner', 'first', '2030-01-01 10:00:00.123100+00'),
         ($1, $2, $3, 101, 'tutor', 'second', '2030-01-01 10:00:00.123400+00')`,
      [session!.id, sitting!.id, user.id],
    )
    const newest = (await get('/api/v1/sessions/default/turns?limit=1', user)).json()
    expect(newest.items[0].text).toBe('second')
    const older = (await get(`/api/v1/sessions/default/turns?limit=1&before=${newest.nextBefore}`, user)).json()
    expect(older.items[0].text).toBe('first')
  })
})
