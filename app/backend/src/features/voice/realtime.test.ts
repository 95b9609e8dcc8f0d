import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { norwegianSpeech, rms } from '@avaaz/voice/testing/audio'
import { FakeOpenAIRealtime } from '@avaaz/voice/testing/fake-openai-realtime'
import { asc, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Principal } from '../../core/auth/access.js'
import { turns, users } from '../../core/db/schema/index.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { examClient } from '../../test/exams.js'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { connectVoice, streamSpeech, type VoiceClient } from '../../test/voice-client.js'
import { agentContext } from '../livekit/service.js'
import { recordSpokenExchange } from '../sessions/exchanges.js'
import { loadSession } from '../sessions/service.js'

vi.setConfig({ testTimeout: 90_000 })

let harness: TestApp
let base: string
let realtime: FakeOpenAIRealtime

beforeAll(async () => {
  realtime = await FakeOpenAIRealtime.start({ apiKey: 'sk-test' })
  // OpenAI Realtime holds free conversation (a local server speaking its protocol); lessons and exams
  // run on the pipeline with the browser's recognition and espeak-ng.
  harness = await createTestApp({
    env: { OPENAI_API_KEY: 'sk-test', AI_PROVIDER: 'offline', VOICE_TUTOR: 'openai-realtime', VOICE_REALTIME_BASE_URL: realtime.baseURL, VOICE_STT: 'browser', VOICE_TTS: 'espeak' },
  })
  await harness.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(harness.app.server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await harness.close()
  await realtime.close()
})

async function learner(name = 'Amina Haddad'): Promise<TestUser> {
  const user = await createVerifiedUser(harness.app, { name })
  await harness.app.db.update(users).set({ targetLevel: 'A2' }).where(eq(users.id, user.id))
  return user
}

const connect = (user: TestUser, hello: Record<string, unknown> = {}) => connectVoice(harness.app, base, user, hello)

/** Speech as a microphone streams it, in real time, until the reply has been spoken. */
const speak = (client: VoiceClient, text: string) => streamSpeech(client, norwegianSpeech(text))

const principalOf = (user: TestUser): Principal => ({ userId: user.id, email: user.email, role: 'learner', emailVerified: true, via: 'session' })

const storedTurns = (user: TestUser) => harness.app.db.select().from(turns).where(eq(turns.userId, user.id)).orderBy(asc(turns.createdAt), asc(turns.sequence))

describe('voice with a realtime model (OpenAI Realtime)', () => {
  it('reports the realtime model beside the pipeline engines', async () => {
    const user = await learner()
    const session = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: user.headers })).json()
    expect(session.capabilities.realtime).toMatchObject({ engine: 'openai-realtime', model: 'gpt-realtime' })
    expect(session.capabilities.speechToText.engine).toBe('browser')
    expect(session.capabilities.speech.engine).toBe('espeak')
  })

  it('holds free conversation: the model hears the speech, answers aloud, and both turns are stored once', async () => {
    const user = await learner('Kari Nordmann')
    realtime.transcribe = () => 'Jeg bor i Tromsø.'
    realtime.reply = () => 'Tromsø er fint! Liker du snø?'
    const keep = await harness.app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: user.headers, payload: { preferences: { keepAudio: true } } })
    expect(keep.statusCode, keep.body).toBe(200)
    // The client prefers the browser's recognition; the model hears the audio all the same.
    const client = await connect(user, { speechToText: 'browser' })
    expect(client.of('ready')[0]).toMatchObject({ engines: { speechToText: 'openai-realtime', tutor: 'openai-realtime', speech: 'openai-realtime' } })
    await speak(client, 'Jeg bor i Tromsø.')
    await client.until((c) => c.of('turn').length >= 2)
    expect(client.of('turn').map((message) => (message.turn as { role: string; text: string }).text)).toEqual(['Jeg bor i Tromsø.', 'Tromsø er fint! Liker du snø?'])
    expect(rms(Int16Array.from(client.audio.flatMap((frame) => Array.from(frame))))).toBeGreaterThan(500)

    // The model was given the tutor's instructions for this learner.
    const instructions = realtime.sessionUpdates.map((update) => (update as { instructions?: string }).instructions).filter(Boolean)
    expect(instructions.at(-1)).toMatch(/Name: Kari\b/)
    expect(instructions.at(-1)).toContain('A2')

    const rows = await storedTurns(user)
    expect(rows.map((row) => [row.role, row.text, row.source])).toEqual([
      ['learner', 'Jeg bor i Tromsø.', 'speech_engine'],
      ['tutor', 'Tromsø er fint! Liker du snø?', null],
    ])
    const [learnerTurn, reply] = rows
    expect(reply!.replyToTurnId).toBe(learnerTurn!.id)
    expect(reply!.latencyMs).toBeGreaterThanOrEqual(0)
    expect(learnerTurn!.speakingMs).toBeGreaterThan(500)
    expect(learnerTurn!.sittingId).toBe(client.of('ready')[0]!.sittingId)
    // Both sides' audio is kept (stored in the background), each with its own turn.
    await expect.poll(async () => (await storedTurns(user)).map((row) => row.audioRef), { timeout: 10_000 }).toEqual([
      `${user.id}/${learnerTurn!.id}.ogg`,
      `${user.id}/${reply!.id}.ogg`,
    ])

    // A typed turn in the same conversation.
    realtime.reply = () => 'Ja, det gjør jeg også.'
    client.send({ type: 'text', clientTurnId: 'typed-realtime-1', text: 'Jeg liker vinter.' })
    await client.until((c) => c.of('turn').length >= 4)
    expect((await storedTurns(user)).slice(2).map((row) => [row.role, row.text, row.clientTurnId])).toEqual([
      ['learner', 'Jeg liker vinter.', 'typed-realtime-1'],
      ['tutor', 'Ja, det gjør jeg også.', null],
    ])
    client.close()
  })

  it('runs a mock exam on the pipeline (the examiner is scripted), and reconnects a realtime conversation when an exam begins', async () => {
    const user = await learner()
    const conversation = await connect(user)
    expect(conversation.of('ready')[0]).toMatchObject({ engines: { tutor: 'openai-realtime' } })

    const exams = examClient(harness.app, user)
    await exams.advance(await exams.start('A1-A2', { delivery: 'voice' }))
    // The next exchange is kept, and the connection is asked to start over.
    realtime.reply = () => 'Lykke til!'
    conversation.send({ type: 'text', clientTurnId: randomUUID(), text: 'Nå begynner prøven.' })
    await conversation.until((c) => c.closed !== null)
    expect(conversation.closed!.code).toBe(1012)
    expect(conversation.of('error').map((message) => message.code)).toContain('mode_changed')
    expect((await storedTurns(user)).map((row) => row.text)).toContain('Nå begynner prøven.')

    const exam = await connect(user)
    expect(exam.of('ready')[0]).toMatchObject({ engines: { speechToText: 'browser', tutor: 'offline', speech: 'espeak' }, turnTaking: { interruptions: false } })
    exam.close()
  })
})

describe('the LiveKit agent’s context with a realtime model', () => {
  it('carries the model (not its key), the tutor’s instructions and the conversation, in free conversation only', async () => {
    const user = await learner('Sara Berg')
    await recordSpokenExchange(
      harness.app,
      principalOf(user),
      { learner: { clientTurnId: 'context-history-1', text: 'Jeg heter Sara.', source: 'typed' }, reply: { text: 'Hei, Sara!', interrupted: false, latencyMs: null } },
      'livekit',
    )
    const context = await agentContext(harness.app, await loadSession(harness.app, user.id))
    expect(context.realtime).toMatchObject({
      provider: 'openai',
      model: 'gpt-realtime',
      baseURL: realtime.baseURL,
      history: [
        { role: 'learner', text: 'Jeg heter Sara.' },
        { role: 'tutor', text: 'Hei, Sara!' },
      ],
    })
    expect(context.realtime!.instructions).toMatch(/Name: Sara\b/)
    expect(JSON.stringify(context)).not.toContain('sk-test')

    await examClient(harness.app, user).start('A1-A2')
    expect((await agentContext(harness.app, await loadSession(harness.app, user.id))).realtime).toBeNull()
  })
})

describe('storing a realtime exchange', () => {
  it('stores a client turn once, refuses its id for other words, and keeps every learner to their own session', async () => {
    const owner = await learner()
    const other = await learner('Ola Hansen')
    const principal = principalOf(owner)
    const exchange = {
      learner: { clientTurnId: 'exchange-once-1', text: 'Jeg heter Amina.', source: 'speech_engine' as const },
      reply: { text: 'Hei, Amina!', interrupted: false, latencyMs: 240 },
    }
    const first = await recordSpokenExchange(harness.app, principal, exchange, 'websocket')
    const again = await recordSpokenExchange(harness.app, principal, exchange, 'websocket')
    expect(again.learner!.id).toBe(first.learner!.id)
    expect(again.tutor!.id).toBe(first.tutor!.id)
    expect((await storedTurns(owner)).map((row) => row.text)).toEqual(['Jeg heter Amina.', 'Hei, Amina!'])
    await expect(
      recordSpokenExchange(harness.app, principal, { ...exchange, learner: { ...exchange.learner, text: 'Noe annet.' } }, 'websocket'),
    ).rejects.toMatchObject({ status: 409 })
    await expect(
      recordSpokenExchange(harness.app, principal, { learner: null, reply: { text: 'x'.repeat(5_000), interrupted: false, latencyMs: null } }, 'websocket'),
    ).rejects.toMatchObject({ status: 400 })

    // The same client turn id from another learner is their own turn, in their own session.
    await recordSpokenExchange(harness.app, principalOf(other), exchange, 'websocket')
    expect((await storedTurns(other)).map((row) => row.userId)).toEqual([other.id, other.id])
    const page = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default/turns', headers: other.headers })).json()
    expect(page.items.map((turn: { id: string }) => turn.id)).not.toContain(first.learner!.id)
    // A reply the model was cut off before saying anything stores the learner's words alone.
    const cut = await recordSpokenExchange(
      harness.app,
      principal,
      { learner: { clientTurnId: 'exchange-cut-1', text: 'Vent litt.', source: 'speech_engine' }, reply: { text: '', interrupted: true, latencyMs: null } },
      'websocket',
    )
    expect(cut.tutor).toBeNull()
    expect(cut.learner!.text).toBe('Vent litt.')
  })
})
