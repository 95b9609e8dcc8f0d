import { randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { norwegianSpeech, rms } from '@avaaz/voice/testing/audio'
import { FakeOpenAI } from '@avaaz/voice/testing/fake-openai'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { turns, users } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { examClient } from '../../test/exams.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { connectVoice, streamSpeech, VoiceClient, voiceTicket } from '../../test/voice-client.js'
import { applyRetention, audioDir } from '../sessions/retention.js'
import { decodeOggOpus } from './ogg-opus-reader.js'

vi.setConfig({ testTimeout: 90_000 })

let harness: TestApp
let base: string
let openai: FakeOpenAI
const metricsToken = 'scraper-token-0123456789'

beforeAll(async () => {
  openai = new FakeOpenAI()
  const url = await openai.listen()
  // The server transcribes (OpenAI's protocol, a local fake); espeak-ng speaks.
  harness = await createTestApp({ env: { OPENAI_API_KEY: 'sk-test', AI_PROVIDER: 'offline', VOICE_STT: 'openai', VOICE_STT_BASE_URL: url, VOICE_TTS: 'espeak', METRICS_TOKEN: metricsToken } })
  await harness.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await harness.close()
  await openai.close()
})

async function learner(level = 'A2'): Promise<TestUser> {
  const user = await createVerifiedUser(harness.app, { name: 'Amina Haddad' })
  await harness.app.db.update(users).set({ targetLevel: level as 'A2' }).where(eq(users.id, user.id))
  return user
}

const ticket = (user: TestUser) => voiceTicket(harness.app, user)
const connect = (user: TestUser, hello: Record<string, unknown> = {}) => connectVoice(harness.app, base, user, hello)

/** Norwegian speech as a microphone sends it, transcribed by the fake as `text`; resolves with its length in seconds once the reply was spoken. */
async function speak(client: VoiceClient, text: string): Promise<number> {
  openai.transcribe = () => ({ text })
  const speech = norwegianSpeech(text)
  await streamSpeech(client, speech, (c) => c.of('turn').length >= 2)
  return speech.length / 16_000
}

async function keepAudio(user: TestUser, keep: boolean) {
  const response = await harness.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: user.headers, payload: { preferences: { keepAudio: keep } } })
  expect(response.statusCode, response.body).toBe(200)
}

/** The learner's turns once every expected one has its audio stored (stored in the background). */
async function turnsWithAudio(user: TestUser, expected: number) {
  const deadline = Date.now() + 10_000
  for (;;) {
    const rows = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))
    if (rows.filter((row) => row.audioRef).length >= expected || Date.now() > deadline) return rows
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('voice over the WebSocket transport', () => {
  it('needs a fresh ticket: none, a made-up one or a used one is refused with 4001', async () => {
    const user = await learner()
    const used = await ticket(user)
    const first = await VoiceClient.open(base, used)
    first.close()
    for (const bad of ['', 'vt_made-up', used]) {
      const client = await VoiceClient.open(base, bad)
      await client.until((c) => c.closed !== null)
      expect(client.closed!.code).toBe(4001)
      expect(client.of('error')[0]).toMatchObject({ code: 'bad_ticket', fatal: true })
    }
    expect((await harness.app.inject({ method: 'POST', url: '/api/v1/sessions/default/token', payload: {} })).statusCode).toBe(401)
  })

  it('refuses a wrong sample rate and anything but hello first', async () => {
    const user = await learner()
    const wrongRate = await connect(user, { sampleRate: 96_000 })
    await wrongRate.until((c) => c.closed !== null)
    expect(wrongRate.closed!.code).toBe(4002)
    expect(wrongRate.of('error')[0]).toMatchObject({ code: 'wrong_sample_rate' })
    const noHello = await VoiceClient.open(base, await ticket(user))
    noHello.send({ type: 'text', clientTurnId: randomUUID(), text: 'Hei' })
    await noHello.until((c) => c.closed !== null)
    expect(noHello.closed!.code).toBe(4002)
  })

  it("speaks the tutor's reply to a typed turn as audio, shows its turns, and stores them once even when re-sent", async () => {
    const user = await learner()
    const client = await connect(user)
    expect(client.of('ready')[0]).toMatchObject({ protocol: 1, outputSampleRate: 24_000, engines: { speechToText: 'openai', tutor: 'offline', speech: 'espeak' }, turnTaking: { endOfTurnSilenceMs: 1_200, interruptions: true } })
    const clientTurnId = randomUUID()
    client.send({ type: 'text', clientTurnId, text: 'Hei! Jeg heter Amina og jeg kommer fra Marokko.' })
    await client.until((c) => c.of('speech').some((message) => message.event === 'end'))
    const stored = client.of('turn').map((message) => message.turn as { role: string; text: string })
    expect(stored.map((turn) => turn.role)).toEqual(['learner', 'tutor'])
    expect(client.of('delta').map((message) => message.text).join('')).toBe(stored[1]!.text)
    const samples = client.audio.reduce((sum, frame) => sum + frame.length, 0)
    expect(samples).toBeGreaterThan(24_000 * 0.5)
    expect(rms(Int16Array.from(client.audio.flatMap((frame) => Array.from(frame))))).toBeGreaterThan(300)

    // Re-sent after a reconnect: the stored reply is not stored (or spoken) again.
    client.close()
    const again = await connect(user)
    again.send({ type: 'text', clientTurnId, text: 'Hei! Jeg heter Amina og jeg kommer fra Marokko.' })
    await again.until((c) => c.of('turn').length >= 2)
    const rows = await harness.app.db.select().from(turns).where(and(eq(turns.userId, user.id), eq(turns.clientTurnId, clientTurnId)))
    expect(rows).toHaveLength(1)
    again.close()
  })

  it('hears Norwegian speech: voice activity ends the turn, the server transcribes it, the reply comes back as audio and both turns are stored', async () => {
    const user = await learner('B1')
    const before = openai.transcriptions.length
    const client = await connect(user)
    await speak(client, 'Jeg bor i Oslo og jobber på et sykehus.')
    expect(openai.transcriptions.length).toBeGreaterThan(before)
    const sent = openai.transcriptions.at(-1)!
    expect(sent).toMatchObject({ model: 'gpt-4o-mini-transcribe', language: 'nb', authorization: 'Bearer sk-test' })
    expect(sent.durationMs).toBeGreaterThan(1_000)
    const stored = client.of('turn').map((message) => message.turn as { role: string; text: string; source: string | null })
    expect(stored[0]).toMatchObject({ role: 'learner', text: 'Jeg bor i Oslo og jobber på et sykehus.', source: 'speech_engine' })
    expect(stored[1]!.role).toBe('tutor')
    expect(client.audio.length).toBeGreaterThan(0)
    expect(client.of('latency')[0]).toMatchObject({ ms: expect.any(Number) })
    const rows = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))
    expect(rows.find((row) => row.role === 'learner')).toMatchObject({ source: 'speech_engine', startedAt: expect.any(Date), endedAt: expect.any(Date) })
    // End of the learner's speech → first audio out, stored on the reply.
    const deadline = Date.now() + 5_000
    let reply = rows.find((row) => row.role === 'tutor')
    while (reply?.latencyMs == null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      ;[reply] = await harness.app.db.select().from(turns).where(and(eq(turns.userId, user.id), eq(turns.role, 'tutor')))
    }
    expect(reply?.latencyMs).toBeGreaterThan(0)
    // And as a metric for the operator's scraper (a token is needed).
    expect((await harness.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401)
    const metrics = await harness.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toMatch(/avaaz_voice_reply_latency_seconds_count\{transport="websocket"\} [1-9]/)
    client.close()
  })

  it("keeps the learner's words and the spoken reply as Ogg Opus for a learner who keeps audio, served only to them", async () => {
    const user = await learner('B1')
    await keepAudio(user, true)
    const client = await connect(user)
    const spokenSeconds = await speak(client, 'Jeg bor i Oslo og jobber på et sykehus.')
    const rows = await turnsWithAudio(user, 2)
    const learnerTurn = rows.find((row) => row.role === 'learner')!
    const reply = rows.find((row) => row.role === 'tutor')!
    expect(learnerTurn.audioRef).toBe(`${user.id}/${learnerTurn.id}.ogg`)
    expect(reply.audioRef).toBe(`${user.id}/${reply.id}.ogg`)
    const root = audioDir(harness.app.config.dataDir)
    expect(statSync(path.join(root, user.id)).mode & 0o777).toBe(0o700)
    for (const row of [learnerTurn, reply]) expect(statSync(path.join(root, row.audioRef!)).mode & 0o777).toBe(0o600)

    // The learner's words: the VAD's span with 300 ms either side, so about as long as what was said.
    const learnerAudio = decodeOggOpus(readFileSync(path.join(root, learnerTurn.audioRef!)))
    expect(learnerAudio.inputSampleRate).toBe(16_000)
    const learnerSeconds = learnerAudio.pcm.length / 48_000
    expect(learnerSeconds).toBeGreaterThan(spokenSeconds * 0.8)
    expect(learnerSeconds).toBeLessThan(spokenSeconds + 2)
    expect(rms(learnerAudio.pcm)).toBeGreaterThan(300)
    // The reply: exactly the audio the client received for it.
    const replyAudio = decodeOggOpus(readFileSync(path.join(root, reply.audioRef!)))
    expect(replyAudio.inputSampleRate).toBe(24_000)
    const receivedSeconds = client.audio.reduce((sum, frame) => sum + frame.length, 0) / 24_000
    expect(replyAudio.pcm.length / 48_000).toBeCloseTo(receivedSeconds, 1)
    expect(rms(replyAudio.pcm)).toBeGreaterThan(300)
    const fileSize = statSync(path.join(root, reply.audioRef!)).size
    // ~24 kbps Opus: a few kilobytes a second, against 48 kB a second as PCM16.
    expect(fileSize / receivedSeconds).toBeLessThan(6_000)

    // Linked from the transcript and served to its owner, as it was stored.
    const page = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default/turns', headers: user.headers })).json()
    const views = page.items as Array<{ id: string; audioUrl: string | null }>
    expect(views.find((view) => view.id === reply.id)!.audioUrl).toBe(`/api/v1/sessions/default/turns/${reply.id}/audio`)
    const served = await harness.app.inject({ method: 'GET', url: `/api/v1/sessions/default/turns/${reply.id}/audio`, headers: user.headers })
    expect(served.statusCode).toBe(200)
    expect(served.headers['content-type']).toBe('audio/ogg; codecs=opus')
    expect(served.headers['cache-control']).toBe('private, max-age=3600')
    expect(served.rawPayload.equals(readFileSync(path.join(root, reply.audioRef!)))).toBe(true)
    const head = await harness.app.inject({ method: 'HEAD', url: `/api/v1/sessions/default/turns/${learnerTurn.id}/audio`, headers: user.headers })
    expect(head.statusCode).toBe(200)
    expect(head.headers['content-type']).toBe('audio/ogg; codecs=opus')
    expect(head.body).toBe('')
    // Nobody else's: another learner, no one signed in, a turn without audio.
    const other = await learner()
    expect((await harness.app.inject({ method: 'GET', url: `/api/v1/sessions/default/turns/${reply.id}/audio`, headers: other.headers })).statusCode).toBe(404)
    expect((await harness.app.inject({ method: 'GET', url: `/api/v1/sessions/default/turns/${reply.id}/audio` })).statusCode).toBe(401)
    expect((await harness.app.inject({ method: 'GET', url: `/api/v1/sessions/default/turns/${randomUUID()}/audio`, headers: user.headers })).statusCode).toBe(404)
    client.close()

    // Choosing not to keep audio any more: retention deletes what was kept.
    await keepAudio(user, false)
    await applyRetention(harness.app)
    expect(existsSync(path.join(root, learnerTurn.audioRef!))).toBe(false)
    expect(existsSync(path.join(root, reply.audioRef!))).toBe(false)
    const after = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))
    expect(after.every((row) => row.audioRef === null)).toBe(true)
  })

  it('keeps no audio of a learner who does not keep audio', async () => {
    const user = await learner('B1')
    const client = await connect(user)
    await speak(client, 'Jeg liker å gå på tur i skogen.')
    // Long enough for a recording to have been stored if one were.
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const rows = await harness.app.db.select().from(turns).where(eq(turns.userId, user.id))
    expect(rows.map((row) => row.role)).toEqual(expect.arrayContaining(['learner', 'tutor']))
    expect(rows.every((row) => row.audioRef === null)).toBe(true)
    expect(existsSync(path.join(audioDir(harness.app.config.dataDir), user.id))).toBe(false)
    client.close()
  })

  it("deletes the learner's kept audio with the account", async () => {
    const user = await learner()
    await keepAudio(user, true)
    const client = await connect(user)
    client.send({ type: 'text', clientTurnId: randomUUID(), text: 'Hei! Jeg heter Amina.' })
    await client.until((c) => c.of('speech').some((message) => message.event === 'end'))
    const rows = await turnsWithAudio(user, 1)
    // A typed turn has no learner audio; the spoken reply has.
    expect(rows.filter((row) => row.audioRef).map((row) => row.role)).toEqual(['tutor'])
    const directory = path.join(audioDir(harness.app.config.dataDir), user.id)
    expect(readdirSync(directory)).toHaveLength(1)
    client.close()
    const deleted = await harness.app.inject({ method: 'DELETE', url: '/api/v1/users/me', headers: user.headers, payload: { password: user.password } })
    expect(deleted.statusCode, deleted.body).toBeLessThan(300)
    expect(existsSync(directory)).toBe(false)
  })

  it('lets the examiner answer a spoken mock exam, who never gives way to barge-in', async () => {
    const user = await learner()
    const exams = examClient(harness.app, user)
    const attempt = (await exams.advance(await exams.start('A1-A2', { delivery: 'voice' }))).json()
    expect(attempt.phase).toBe('speaking')
    const client = await connect(user)
    expect(client.of('ready')[0]).toMatchObject({ turnTaking: { interruptions: false } })
    client.send({ type: 'text', clientTurnId: randomUUID(), text: 'Jeg heter Amina og jeg bor i Drammen.' })
    await client.until((c) => c.of('speech').some((message) => message.event === 'end'))
    expect(client.of('turn').map((message) => (message.turn as { role: string }).role)).toEqual(['learner', 'examiner'])
    expect(client.audio.length).toBeGreaterThan(0)
    expect(client.of('correction')).toEqual([])
    const [stored] = await harness.app.db.select().from(turns).where(and(eq(turns.userId, user.id), eq(turns.role, 'learner')))
    expect(stored!.examAttemptId).toBe(attempt.id)
    client.close()
  })

  it('drops audio sent faster than real time and says so, without growing', async () => {
    const user = await learner()
    const client = await connect(user)
    const frame = Buffer.alloc(3_200) // 100 ms
    for (let index = 0; index < 60; index++) client.socket.send(frame) // 6 s at once
    await client.until((c) => c.of('error').some((message) => message.code === 'too_fast'))
    expect(client.closed).toBeNull()
    client.send({ type: 'end' })
    await client.until((c) => c.closed !== null)
    expect(client.closed!.code).toBe(1000)
  })

  it('refuses malformed messages and frames without dropping the connection', async () => {
    const user = await learner()
    const client = await connect(user)
    client.socket.send('not json')
    client.send({ type: 'dance' })
    client.socket.send(Buffer.alloc(3))
    await client.until((c) => c.of('error').length >= 3)
    expect(client.of('error').map((message) => message.code)).toEqual(['bad_message', 'bad_message', 'bad_frame'])
    expect(client.closed).toBeNull()
    client.close()
  })
})

describe('voice access with LiveKit configured', () => {
  let livekit: TestApp
  beforeAll(async () => {
    const secret = 'livekit-secret-livekit-secret-0123456789'
    livekit = await createTestApp({
      env: { LIVEKIT_URL: 'wss://rtc.example.org', LIVEKIT_API_KEY: 'APIkey', LIVEKIT_API_SECRET: secret, AGENT_SERVICE_SECRET: secret },
    })
  })
  afterAll(() => livekit.close())

  it('gives a LiveKit token for the learner\'s own room, or a WebSocket ticket when asked for one', async () => {
    const user = await createVerifiedUser(livekit.app)
    const token = await livekit.app.inject({ method: 'POST', url: '/api/v1/sessions/default/token', headers: user.headers })
    expect(token.statusCode, token.body).toBe(200)
    expect(token.json()).toMatchObject({ transport: 'livekit', url: 'wss://rtc.example.org', room: expect.stringMatching(/^avaaz-/), token: expect.any(String) })
    const ticket = await livekit.app.inject({ method: 'POST', url: '/api/v1/sessions/default/token', headers: user.headers, payload: { transport: 'websocket' } })
    expect(ticket.json()).toMatchObject({ transport: 'websocket', ticket: expect.stringMatching(/^vt_/) })
    const session = (await livekit.app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: user.headers })).json()
    expect(session.capabilities.transport).toBe('livekit')
    // No scraper token configured here: there is no metrics endpoint at all.
    expect((await livekit.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404)
  })
})
