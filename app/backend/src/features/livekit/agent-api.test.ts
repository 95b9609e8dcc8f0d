import { existsSync } from 'node:fs'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { sittings, turns, users } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { examClient } from '../../test/exams.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { parseServerSentEvents } from '../../test/sse.js'
import { audioDir } from '../sessions/retention.js'
import { loadSession } from '../sessions/service.js'
import { decodeOggOpus } from '../voice/ogg-opus-reader.js'
import { closedPort, livekitEnv, serviceToken, type ServiceTokenClaims } from './test-support.js'

// Learners sign up through the mail job; on a busy machine (the wire project) that takes a while.
vi.setConfig({ testTimeout: 60_000 })

let harness: TestApp
beforeAll(async () => {
  harness = await createTestApp({ env: livekitEnv(await closedPort()) })
})
afterAll(() => harness.close())

interface Learner {
  user: TestUser
  sessionId: string
  /** A valid service token for this learner. */
  token(overrides?: Partial<ServiceTokenClaims>): Promise<string>
}

async function learner(level?: 'A1' | 'A2' | 'B1' | 'B2'): Promise<Learner> {
  const user = await createVerifiedUser(harness.app)
  if (level) await harness.app.db.update(users).set({ targetLevel: level }).where(eq(users.id, user.id))
  const sessionId = (await loadSession(harness.app, user.id)).id
  return { user, sessionId, token: (overrides = {}) => serviceToken({ uid: user.id, sid: sessionId, ...overrides }) }
}

const call = (method: 'GET' | 'POST', path: string, headers: Record<string, string>, payload?: object) =>
  harness.app.inject({ method, url: `/api/v1/agent/sessions/${path}`, headers, ...(payload ? { payload } : {}) })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

describe('agent API: the learner’s context', () => {
  it('gives the pipeline the learner’s level, mode, turn-taking and speech engines (no keys)', async () => {
    const a1 = await learner('A1')
    const response = await call('GET', `${a1.user.id}/context`, bearer(await a1.token()))
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      userId: a1.user.id,
      sessionId: a1.sessionId,
      room: `avaaz-${a1.sessionId}`,
      level: 'A1',
      mode: 'free',
      turnTaking: { endOfTurnSilenceMs: 1600, allowInterruptions: true },
      engines: { speechToText: { kind: 'browser' }, speech: { kind: 'espeak', voice: 'nb' }, tutor: 'offline' },
      keepAudio: false,
      realtime: null,
    })
    for (const [level, silence] of [['A2', 1200], ['B1', 800], ['B2', 600]] as const) {
      const other = await learner(level)
      const context = (await call('GET', `${other.user.id}/context`, bearer(await other.token()))).json()
      expect(context.turnTaking, level).toEqual({ endOfTurnSilenceMs: silence, allowInterruptions: true })
    }
  })

  it('turns barge-in off during a mock exam', async () => {
    const candidate = await learner('A2')
    await examClient(harness.app, candidate.user).start('A1-A2')
    const context = (await call('GET', `${candidate.user.id}/context`, bearer(await candidate.token()))).json()
    expect(context.mode).toBe('exam')
    expect(context.turnTaking).toEqual({ endOfTurnSilenceMs: 1200, allowInterruptions: false })
  })
})

describe('agent API: only the agent, only for its learner', () => {
  it('refuses a learner’s own credentials: cookie, session token and better-auth JWT', async () => {
    const { user } = await learner()
    const jwt = (await harness.app.inject({ method: 'GET', url: '/api/auth/token', headers: user.headers })).json().token as string
    expect(jwt).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    for (const [what, headers] of [
      ['nothing', {}],
      ['cookie', { cookie: user.cookie }],
      ['session token', user.headers],
      ['better-auth JWT', bearer(jwt)],
    ] as const) {
      for (const [method, path] of [['GET', 'context'], ['POST', 'join'], ['POST', 'leave'], ['POST', 'turns'], ['POST', 'latency']] as const) {
        const payload = path === 'turns' ? { clientTurnId: 'learner-forged-1', text: 'Hei' } : path === 'latency' ? { clientTurnId: 'learner-forged-1', latencyMs: 1 } : undefined
        const response = await call(method, `${user.id}/${path}`, headers, payload)
        expect(response.statusCode, `${what} → ${method} ${path}`).toBe(401)
        expect(response.headers['content-type']).toContain('application/problem+json')
      }
    }
  })

  it('refuses tokens that are forged, expired, too long-lived, or not the agent’s', async () => {
    const { user, token } = await learner()
    const cases: Array<[string, Partial<ServiceTokenClaims>]> = [
      ['another secret', { secret: 'not-the-agent-secret-not-the-agent-secret-0' }],
      ['expired', { issuedAt: -400, expiresIn: -60 }],
      ['lives longer than 10 minutes', { expiresIn: 3_600 }],
      ['issued too long ago', { issuedAt: -900, expiresIn: 60 }],
      ['another subject', { sub: 'learner' }],
      ['another issuer', { iss: 'someone' }],
      ['another audience', { aud: 'livekit' }],
    ]
    for (const [what, overrides] of cases) {
      const response = await call('GET', `${user.id}/context`, bearer(await token(overrides)))
      expect(response.statusCode, what).toBe(401)
    }
  })

  it('refuses a token for learner A on learner B (403), and stores nothing for B', async () => {
    const alice = await learner()
    const bob = await learner()
    const aliceToken = bearer(await alice.token())
    expect((await call('GET', `${bob.user.id}/context`, aliceToken)).statusCode).toBe(403)
    expect((await call('POST', `${bob.user.id}/join`, aliceToken)).statusCode).toBe(403)
    const turn = await call('POST', `${bob.user.id}/turns`, aliceToken, { clientTurnId: 'cross-learner-1', text: 'Hei, jeg er Bob.' })
    expect(turn.statusCode).toBe(403)
    const exchange = await call('POST', `${bob.user.id}/exchanges`, aliceToken, {
      learner: { clientTurnId: 'cross-learner-2', text: 'Hei, jeg er Bob.' },
      reply: { text: 'Hei, Bob!', interrupted: false, latencyMs: 300 },
    })
    expect(exchange.statusCode).toBe(403)
    // A token naming Bob but Alice's session is no better.
    expect((await call('GET', `${bob.user.id}/context`, bearer(await bob.token({ sid: alice.sessionId })))).statusCode).toBe(403)
    expect(await harness.app.db.select().from(turns).where(eq(turns.userId, bob.user.id))).toEqual([])
    expect(await harness.app.db.select().from(sittings).where(eq(sittings.userId, bob.user.id))).toEqual([])
  })
})

describe('agent API: turns and presence', () => {
  it('stores a turn heard by the agent as the learner’s and streams the tutor’s reply', async () => {
    const { user, token } = await learner('A1')
    const headers = bearer(await token())
    const joined = await call('POST', `${user.id}/join`, headers)
    expect(joined.statusCode).toBe(200)
    expect(joined.json()).toMatchObject({ changed: true, sitting: { transport: 'livekit', endedAt: null } })

    const startedAt = new Date(Date.now() - 2_500).toISOString()
    const endedAt = new Date(Date.now() - 500).toISOString()
    const response = await call('POST', `${user.id}/turns`, headers, {
      clientTurnId: 'agent-turn-0001',
      text: 'Hei! Jeg heter Ola og jeg bor i Oslo.',
      timing: { startedAt, endedAt, words: [{ word: 'Hei', startMs: 0, endMs: 300 }] },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/event-stream')
    const events = parseServerSentEvents(response.body)
    expect(events[0]).toMatchObject({ event: 'turn', data: { turn: { role: 'learner', source: 'speech_engine', clientTurnId: 'agent-turn-0001' } } })
    expect(events.filter((event) => event.event === 'delta').length).toBeGreaterThan(0)
    const done = events.at(-1)!
    expect(done).toMatchObject({ event: 'done', data: { replayed: false, turn: { role: 'tutor' } } })
    expect(done.data.turn.sittingId).toBe(joined.json().sitting.id)

    // The learner sees it in their transcript.
    const transcript = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default/turns', headers: user.headers })).json()
    expect(transcript.items.map((turn: { role: string; source: string | null }) => [turn.role, turn.source])).toEqual([
      ['learner', 'speech_engine'],
      ['tutor', null],
    ])

    // The agent reports when the reply was heard: stored on the reply, once.
    const latency = (ms: number) => call('POST', `${user.id}/latency`, headers, { clientTurnId: 'agent-turn-0001', latencyMs: ms })
    expect((await latency(640)).json()).toEqual({ recorded: true })
    expect((await latency(900)).json()).toEqual({ recorded: false })
    const [, reply] = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default/turns', headers: user.headers })).json().items
    expect(reply.latencyMs).toBe(640)

    // The agent retrying the same turn gets the stored reply, and nothing is stored twice.
    const retry = parseServerSentEvents((await call('POST', `${user.id}/turns`, headers, { clientTurnId: 'agent-turn-0001', text: 'Hei! Jeg heter Ola og jeg bor i Oslo.' })).body)
    expect(retry.at(-1)).toMatchObject({ event: 'done', data: { replayed: true } })
    expect(await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))).toHaveLength(2)

    const left = await call('POST', `${user.id}/leave`, headers)
    expect(left.json()).toMatchObject({ changed: true, sitting: { endReason: 'disconnect' } })
    expect((await call('POST', `${user.id}/leave`, headers)).json()).toEqual({ changed: false, reason: 'no open sitting', sitting: null })
  })

  it('refuses an empty turn before streaming anything', async () => {
    const { user, token } = await learner()
    const response = await call('POST', `${user.id}/turns`, bearer(await token()), { clientTurnId: 'agent-empty-01', text: '   ' })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toContain('application/problem+json')
  })
})

describe('agent API: a realtime model’s exchanges', () => {
  it('stores the exchange once as the learner’s turn and its reply, and says the session’s mode', async () => {
    const { user, token } = await learner('B1')
    const headers = bearer(await token())
    await call('POST', `${user.id}/join`, headers)
    const body = {
      learner: { clientTurnId: 'agent-exchange-01', text: 'Jeg har jobbet som sykepleier i fem år.' },
      reply: { text: 'Det er lenge! Hva liker du best med jobben?', interrupted: false, latencyMs: 410 },
    }
    const first = await call('POST', `${user.id}/exchanges`, headers, body)
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toMatchObject({
      learner: { role: 'learner', source: 'speech_engine', clientTurnId: 'agent-exchange-01' },
      tutor: { role: 'tutor', text: 'Det er lenge! Hva liker du best med jobben?', latencyMs: 410 },
      mode: 'free',
    })
    const again = await call('POST', `${user.id}/exchanges`, headers, body)
    expect(again.json().tutor.id).toBe(first.json().tutor.id)
    const rows = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))
    expect(rows).toHaveLength(2)
    expect(new Set(rows.map((row) => row.sittingId)).size).toBe(1)

    // Malformed: an unknown field, a negative latency.
    for (const bad of [{ ...body, extra: 1 }, { ...body, reply: { ...body.reply, latencyMs: -1 } }]) {
      expect((await call('POST', `${user.id}/exchanges`, headers, bad)).statusCode).toBe(400)
    }
    // A mock exam began: the agent learns it must start its pipeline over.
    const exams = examClient(harness.app, user)
    await exams.start('B1-B2')
    const during = await call('POST', `${user.id}/exchanges`, headers, { learner: null, reply: { text: 'Lykke til.', interrupted: false, latencyMs: null } })
    expect(during.json()).toMatchObject({ learner: null, tutor: { text: 'Lykke til.' }, mode: 'exam' })
  })
})

describe('agent API: a turn’s audio', () => {
  /** Seconds of a 220 Hz tone as PCM16 little-endian, the body the agent sends. */
  const tone = (seconds: number, rate: number) => {
    const body = Buffer.alloc(Math.round(seconds * rate) * 2)
    for (let index = 0; index < body.length / 2; index++) body.writeInt16LE(Math.round(8_000 * Math.sin((2 * Math.PI * 220 * index) / rate)), index * 2)
    return body
  }
  const putAudio = (userId: string, turnId: string, headers: Record<string, string>, body: Buffer, contentType = 'audio/L16; rate=16000') =>
    harness.app.inject({ method: 'PUT', url: `/api/v1/agent/sessions/${userId}/turns/${turnId}/audio`, headers: { ...headers, 'content-type': contentType }, payload: body })
  const keepAudio = async (user: TestUser, keep: boolean) => {
    const response = await harness.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: user.headers, payload: { preferences: { keepAudio: keep } } })
    expect(response.statusCode, response.body).toBe(200)
  }
  /** A spoken exchange through the agent: the learner's turn id and the reply's. */
  const exchange = async (who: Learner, clientTurnId: string) => {
    const response = await call('POST', `${who.user.id}/turns`, bearer(await who.token()), { clientTurnId, text: 'Hei! Jeg bor i Bergen.' })
    const events = parseServerSentEvents(response.body)
    return { learner: events[0]!.data.turn.id as string, tutor: events.at(-1)!.data.turn.id as string }
  }
  const audioOf = (user: TestUser, turnId: string) =>
    harness.app.inject({ method: 'GET', url: `/api/v1/sessions/default/turns/${turnId}/audio`, headers: user.headers })

  it('keeps the learner’s words and the spoken reply as Ogg Opus for a learner who keeps audio, once per turn', async () => {
    const who = await learner()
    await keepAudio(who.user, true)
    const turnIds = await exchange(who, 'agent-audio-0001')
    const headers = bearer(await who.token())
    const learnerAudio = await putAudio(who.user.id, turnIds.learner, headers, tone(1.5, 16_000))
    expect(learnerAudio.statusCode, learnerAudio.body).toBe(200)
    expect(learnerAudio.json()).toEqual({ stored: true })
    // The media type is case-insensitive, and `channels=1` may be said.
    const replyAudio = await putAudio(who.user.id, turnIds.tutor, headers, tone(2, 24_000), 'audio/l16;rate=24000; channels=1')
    expect(replyAudio.json()).toEqual({ stored: true })
    // A turn keeps the audio it has.
    expect((await putAudio(who.user.id, turnIds.learner, headers, tone(0.5, 16_000))).json()).toEqual({ stored: false })

    for (const [turnId, rate, seconds] of [[turnIds.learner, 16_000, 1.5], [turnIds.tutor, 24_000, 2]] as const) {
      const served = await audioOf(who.user, turnId)
      expect(served.statusCode).toBe(200)
      expect(served.headers['content-type']).toBe('audio/ogg; codecs=opus')
      const decoded = decodeOggOpus(served.rawPayload)
      expect(decoded.inputSampleRate).toBe(rate)
      expect(decoded.pcm.length / 48_000).toBeCloseTo(seconds, 1)
    }
    const rows = await harness.app.db.select().from(turns).where(eq(turns.userId, who.user.id))
    expect(rows.map((row) => row.audioRef).sort()).toEqual([`${who.user.id}/${turnIds.learner}.ogg`, `${who.user.id}/${turnIds.tutor}.ogg`].sort())
  })

  it('keeps nothing of a learner who does not keep audio (up to the longest recording accepted)', async () => {
    const who = await learner()
    const turnIds = await exchange(who, 'agent-audio-0002')
    const headers = bearer(await who.token())
    expect((await putAudio(who.user.id, turnIds.learner, headers, tone(1, 16_000))).json()).toEqual({ stored: false })
    // 120 seconds at 48 kHz is the most a turn's audio may be.
    const longest = await putAudio(who.user.id, turnIds.tutor, headers, Buffer.alloc(120 * 48_000 * 2), 'audio/L16; rate=48000')
    expect(longest.statusCode, longest.body).toBe(200)
    expect(longest.json()).toEqual({ stored: false })
    expect((await audioOf(who.user, turnIds.learner)).statusCode).toBe(404)
    expect(existsSync(path.join(audioDir(harness.app.config.dataDir), who.user.id))).toBe(false)
  })

  it('is the agent’s for its own learner only, and never links another learner’s turn', async () => {
    const alice = await learner()
    const bob = await learner()
    await keepAudio(alice.user, true)
    await keepAudio(bob.user, true)
    const bobsTurns = await exchange(bob, 'agent-audio-0003')

    // Alice's service token on Bob: refused, as are Bob's own credentials.
    const forbidden = await putAudio(bob.user.id, bobsTurns.learner, bearer(await alice.token()), tone(1, 16_000))
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.headers['content-type']).toContain('application/problem+json')
    expect((await putAudio(bob.user.id, bobsTurns.learner, bob.user.headers, tone(1, 16_000))).statusCode).toBe(401)
    // Bob's turn id under Alice, with Alice's token: not hers, so not stored, and nothing left on disk.
    const crossed = await putAudio(alice.user.id, bobsTurns.learner, bearer(await alice.token()), tone(1, 16_000))
    expect(crossed.json()).toEqual({ stored: false })
    const root = audioDir(harness.app.config.dataDir)
    expect(existsSync(path.join(root, alice.user.id))).toBe(false)
    expect(existsSync(path.join(root, bob.user.id))).toBe(false)
    const bobsRows = await harness.app.db.select().from(turns).where(eq(turns.userId, bob.user.id))
    expect(bobsRows.every((row) => row.audioRef === null)).toBe(true)
    expect((await audioOf(bob.user, bobsTurns.learner)).statusCode).toBe(404)
  })

  it('refuses another content type (415), a turn id that is not one (400), an odd or empty body (400), and too long a recording (413)', async () => {
    const who = await learner()
    await keepAudio(who.user, true)
    const turnIds = await exchange(who, 'agent-audio-0004')
    const headers = bearer(await who.token())
    const expectProblem = (response: Awaited<ReturnType<typeof putAudio>>, status: number, what: string) => {
      expect(response.statusCode, `${what}: ${response.body}`).toBe(status)
      expect(response.headers['content-type'], what).toContain('application/problem+json')
    }
    for (const contentType of [
      'application/json',
      'application/octet-stream',
      'audio/wav',
      'audio/L16',
      'audio/L16; rate=7999',
      'audio/L16; rate=48001',
      'audio/L16; rate=sixteen',
      'audio/L16; rate=16000; channels=2',
      'audio/L16; rate=16000; rate=24000',
      'audio/L16; rate=16000; endian=big',
      'audio/L24; rate=16000',
    ]) {
      expectProblem(await putAudio(who.user.id, turnIds.learner, headers, tone(0.5, 16_000), contentType), 415, contentType)
    }
    expectProblem(
      await harness.app.inject({ method: 'PUT', url: `/api/v1/agent/sessions/${who.user.id}/turns/${turnIds.learner}/audio`, headers: { ...headers, 'content-type': 'application/json' }, payload: { pcm: [1, 2] } }),
      415,
      'JSON',
    )
    expectProblem(await putAudio(who.user.id, 'not-a-turn-id', headers, tone(0.5, 16_000)), 400, 'turn id')
    expectProblem(await putAudio(who.user.id, turnIds.learner, headers, Buffer.alloc(3_201)), 400, 'odd length')
    expectProblem(await putAudio(who.user.id, turnIds.learner, headers, Buffer.alloc(0)), 400, 'empty')
    // Longer than 120 seconds at its rate, or than 120 seconds at 48 kHz at all.
    expectProblem(await putAudio(who.user.id, turnIds.learner, headers, Buffer.alloc((120 * 8_000 + 1) * 2), 'audio/L16; rate=8000'), 413, '120 s + 1 sample at 8 kHz')
    expectProblem(await putAudio(who.user.id, turnIds.learner, headers, Buffer.alloc((120 * 48_000 + 1) * 2), 'audio/L16; rate=48000'), 413, '120 s + 1 sample at 48 kHz')
    expect((await harness.app.db.select().from(turns).where(eq(turns.userId, who.user.id))).every((row) => row.audioRef === null)).toBe(true)
  })
})
