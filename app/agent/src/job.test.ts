import { randomUUID } from 'node:crypto'
import type { VoicePipelineOptions } from '@avaaz/voice'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendClient, BackendError, type AgentContext } from './backend.js'
import { runAgentJob, type AgentJobOptions, type AgentJobResult } from './job.js'
import { PushQueue } from './queue.js'
import { startFakeBackend, type FakeBackend, type RecordedAudio, type ScriptedReply } from './test/fake-backend.js'
import { FakePipeline } from './test/fake-pipeline.js'

const secret = 'agent-service-secret-agent-service-secret-42'

let backend: FakeBackend | undefined
afterEach(async () => {
  await backend?.close()
  backend = undefined
})

function contextFor(userId: string, sessionId: string, overrides: Partial<AgentContext> = {}): AgentContext {
  return {
    userId,
    sessionId,
    room: `avaaz-${sessionId}`,
    level: 'A1',
    mode: 'free',
    turnTaking: { endOfTurnSilenceMs: 1600, allowInterruptions: true },
    engines: { speechToText: { kind: 'browser' }, speech: { kind: 'espeak', voice: 'nb' }, tutor: 'offline' },
    keepAudio: true,
    realtime: null,
    ...overrides,
  }
}

/** A room with a learner in it, the fake backend behind, and the job running until `leave()`. */
async function room(options: { context?: Partial<AgentContext>; job?: Partial<AgentJobOptions> } = {}) {
  const userId = `user_${randomUUID().slice(0, 8)}`
  const sessionId = randomUUID()
  backend = await startFakeBackend(secret, contextFor(userId, sessionId, options.context))
  const frames = new PushQueue<Int16Array>()
  const messages = new PushQueue<unknown>()
  const sent: Array<Record<string, unknown>> = []
  const played: Int16Array[] = []
  let cleared = 0
  const left = new AbortController()
  const pipelines: FakePipeline[] = []
  const job: Promise<AgentJobResult> = runAgentJob({
    roomName: `avaaz-${sessionId}`,
    identity: userId,
    backend: new BackendClient({ baseUrl: backend.url, serviceSecret: secret }),
    pipelineFactory: (pipelineOptions: VoicePipelineOptions) => {
      const pipeline = new FakePipeline(pipelineOptions)
      pipelines.push(pipeline)
      return pipeline
    },
    audioIn: { sampleRate: 16_000, frames },
    audioOut: { sampleRate: 24_000, write: (frame) => void played.push(frame), clear: () => void (cleared += 1) },
    client: { messages, send: (message) => void sent.push(message) },
    learnerLeft: left.signal,
    ...options.job,
  })
  // Keep an early rejection from being unhandled while the test sets up.
  job.catch(() => {})
  const pipeline = async () => {
    for (let i = 0; i < 200 && pipelines.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    if (!pipelines[0]) throw new Error('the pipeline never started')
    return pipelines[0]
  }
  return { userId, sessionId, backend, frames, messages, sent, played, cleared: () => cleared, left, job, pipeline, pipelines }
}

const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 300; i++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('the agent’s job handler, against a local fake backend', () => {
  it('runs the learner’s room: context, sitting, audio in, turns to the backend, the reply out, and the sitting closed when they leave', async () => {
    const r = await room()
    const pipeline = await r.pipeline()

    // The pipeline is set up from the learner's context.
    expect(pipeline.options.turnTaking).toEqual({ endOfTurnSilenceMs: 1600, allowInterruptions: true })
    expect(pipeline.options.speechToText).toEqual({ kind: 'browser' })
    expect(pipeline.options.speech).toEqual({ kind: 'espeak', voice: 'nb' })
    expect(pipeline.options.inputSampleRate).toBe(16_000)
    expect(pipeline.options.outputSampleRate).toBe(24_000)

    // Microphone audio reaches the pipeline as it comes.
    for (let i = 0; i < 3; i++) r.frames.push(new Int16Array(1_600))
    await until(() => pipeline.audio.length === 3, 'the audio frames')

    // A final transcript from the browser's recognition is the learner's turn; the reply is spoken and shown.
    r.messages.push({ type: 'transcript', clientTurnId: 'browser-turn-01', text: 'Hei, jeg heter Ola.', final: false })
    r.messages.push({ type: 'transcript', clientTurnId: 'browser-turn-01', text: 'Hei, jeg heter Ola.', final: true })
    await until(() => pipeline.replies.length === 1, 'the first reply')
    expect(pipeline.replies[0]!.filter((event) => event.type === 'text').map((event) => (event as { text: string }).text).join('')).toBe('Hei! Hvor bor du?')
    expect(r.played).toHaveLength(2)
    // The browser learns the engines and turn-taking first, then gets the stored turns as they come (the
    // words themselves are the pipeline's `delta` events) and when the tutor speaks.
    expect(r.sent).toEqual([
      {
        type: 'ready',
        protocol: 1,
        sittingId: `sitting-of-${r.sessionId}`,
        inputSampleRate: 16_000,
        outputSampleRate: 24_000,
        engines: { speechToText: 'browser', tutor: 'offline', speech: 'espeak' },
        turnTaking: { endOfTurnSilenceMs: 1600, interruptions: true },
      },
      { type: 'turn', turn: { id: 't-1', role: 'learner', clientTurnId: 'browser-turn-01', text: 'Hei, jeg heter Ola.' } },
      { type: 'speech', event: 'start', interrupted: false },
      { type: 'turn', turn: { id: 't-2', role: 'tutor', text: 'Hei! Hvor bor du?' }, replayed: false },
      { type: 'speech', event: 'end', interrupted: false },
    ])

    // A turn heard by server-side speech-to-text carries its timing.
    const startedAt = new Date('2026-11-24T10:00:00.000Z')
    pipeline.hear({
      clientTurnId: 'speech-turn-0001',
      text: 'Jeg bor i Oslo.',
      source: 'speech_engine',
      startedAt,
      endedAt: new Date(startedAt.getTime() + 1_500),
      words: [{ word: 'Jeg', startMs: 0.4, endMs: 199.6 }],
    })
    await until(() => pipeline.replies.length === 2, 'the second reply')
    await until(() => r.backend.calls.filter((call) => call.path === 'latency').length === 2, 'the latency reports')

    r.left.abort()
    await expect(r.job).resolves.toEqual({ userId: r.userId, sessionId: r.sessionId, reason: 'learner_left' })
    expect(pipeline.closed).toBe(true)

    // A latency report (and a reply's audio) is sent without waiting, so it may cross the next turn: turns in order, each latency for its turn.
    const all = r.backend.calls
    const calls = all.filter((call) => call.path !== 'latency' && call.path !== 'audio')
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual(['GET context', 'POST join', 'POST turns', 'POST turns', 'POST leave'])
    expect(all.filter((call) => call.path === 'latency')).toHaveLength(2)
    expect(all.filter((call) => call.path === 'latency').map((call) => call.body)).toEqual(
      expect.arrayContaining([
        { clientTurnId: 'browser-turn-01', latencyMs: 640 },
        { clientTurnId: 'speech-turn-0001', latencyMs: 640 },
      ]),
    )
    expect(calls.at(-1)!.path).toBe('leave')
    expect(calls[2]!.body).toEqual({ clientTurnId: 'browser-turn-01', text: 'Hei, jeg heter Ola.', source: 'browser_speech' })
    expect(calls[3]!.body).toEqual({
      clientTurnId: 'speech-turn-0001',
      text: 'Jeg bor i Oslo.',
      source: 'speech_engine',
      timing: {
        startedAt: '2026-11-24T10:00:00.000Z',
        endedAt: '2026-11-24T10:00:01.500Z',
        speakingMs: 1_500,
        words: [{ word: 'Jeg', startMs: 0, endMs: 200 }],
      },
    })
    // Every call carried a service token for this learner and session, short-lived.
    for (const { claims } of all) {
      expect(claims).toMatchObject({ iss: 'avaaz-agent', aud: 'avaaz-backend', sub: 'agent', uid: r.userId, sid: r.sessionId })
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(600)
      expect(claims.exp! * 1000).toBeGreaterThan(Date.now())
    }
    expect(r.backend.refusals).toEqual([])
  })

  it('turns barge-in off when the reply moves the learner into an exam (the examiner speaks), and drops queued speech when interrupted', async () => {
    const r = await room({ context: { level: 'A2', turnTaking: { endOfTurnSilenceMs: 1200, allowInterruptions: true } } })
    const pipeline = await r.pipeline()
    expect(pipeline.options.turnTaking).toEqual({ endOfTurnSilenceMs: 1200, allowInterruptions: true })

    r.backend.reply = ({ clientTurnId, text }) => [
      { event: 'turn', data: { turn: { role: 'learner', clientTurnId, text } } },
      { event: 'delta', data: { text: 'Da begynner vi.' } },
      { event: 'state', data: { change: { kind: 'exam', status: 'in_progress' } } },
      { event: 'line', data: { turn: { role: 'examiner', text: 'Del 1. Fortell om deg selv.' } } },
      { event: 'done', data: { turn: { role: 'examiner', text: 'Da begynner vi.' }, replayed: false } },
    ]
    r.backend.context = { ...r.backend.context, mode: 'exam', turnTaking: { endOfTurnSilenceMs: 1200, allowInterruptions: false } }
    r.messages.push({ type: 'text', clientTurnId: 'typed-turn-001', text: 'Jeg er klar.' })
    await until(() => pipeline.turnTakings.length === 1, 'the turn-taking refresh')
    // The refresh comes with the reply's exam change, before the reply has finished streaming.
    await until(() => pipeline.replies.length === 1, 'the reply')
    expect(pipeline.turnTakings).toEqual([{ endOfTurnSilenceMs: 1200, allowInterruptions: false }])
    expect(pipeline.replies[0]).toContainEqual({ type: 'line', text: 'Del 1. Fortell om deg selv.', payload: { type: 'line', turn: { role: 'examiner', text: 'Del 1. Fortell om deg selv.' } } })
    expect(r.sent).toContainEqual({ type: 'change', change: { kind: 'exam', status: 'in_progress' } })
    expect(r.backend.calls[2]!.body).toMatchObject({ source: 'typed' })

    // Back with the tutor (the exam over), the learner may cut in again.
    r.backend.reply = ({ clientTurnId, text }) => [
      { event: 'turn', data: { turn: { role: 'learner', clientTurnId, text } } },
      { event: 'delta', data: { text: 'Bra jobba!' } },
      { event: 'done', data: { turn: { role: 'tutor', text: 'Bra jobba!' }, replayed: false } },
    ]
    r.messages.push({ type: 'text', clientTurnId: 'typed-turn-002', text: 'Ferdig.' })
    await until(() => pipeline.turnTakings.length === 2, 'barge-in back on')
    expect(pipeline.turnTakings[1]).toEqual({ endOfTurnSilenceMs: 1200, allowInterruptions: true })

    r.messages.push({ type: 'interrupt' })
    await until(() => r.cleared() === 1, 'the cleared audio')
    expect(r.sent.at(-1)).toEqual({ type: 'speech', event: 'end', interrupted: true })

    r.left.abort()
    await r.job
  })

  it('tells the learner when the tutor’s reply fails and goes on; answers malformed messages; ends when the learner ends the sitting', async () => {
    const r = await room()
    const pipeline = await r.pipeline()
    r.backend.reply = () => [
      { event: 'turn', data: { turn: { role: 'learner' } } },
      { event: 'error', data: { code: 'tutor_timeout', message: 'The tutor took too long.', retryable: true, turn: null } },
    ]
    r.messages.push({ type: 'text', clientTurnId: 'typed-turn-002', text: 'Hallo?' })
    await until(() => pipeline.replies.length === 1, 'the failed reply')
    expect(r.sent.slice(-2)).toEqual([
      { type: 'turn', turn: { role: 'learner' } },
      { type: 'error', code: 'tutor_unavailable', message: 'The tutor took too long.', fatal: false },
    ])

    // A turn the backend refuses before replying (the mock exam ended meanwhile) is told as such.
    r.backend.refuseTurns = { status: 409, detail: 'That mock exam is no longer running.' }
    r.messages.push({ type: 'text', clientTurnId: 'typed-turn-003', text: 'Og så?' })
    await until(() => pipeline.replies.length === 2, 'the refused turn')
    expect(r.sent.at(-1)).toEqual({ type: 'error', code: 'exam_over', message: 'That mock exam is no longer running.', fatal: false })

    r.messages.push({ type: 'text', clientTurnId: 'short', text: 'id too short' })
    r.messages.push({ type: 'dance' })
    await until(() => r.sent.filter((message) => message.code === 'bad_message').length === 2, 'two bad_message errors')

    r.messages.push({ type: 'end' })
    await expect(r.job).resolves.toMatchObject({ reason: 'ended_by_learner' })
    expect(r.backend.calls.at(-1)).toMatchObject({ method: 'POST', path: 'leave' })
  })
})

describe('the agent’s job handler keeps turn audio', () => {
  /** The backend's reply to a heard turn, its stored turns with these ids (as the backend echoes the turn's timing). */
  const replyWithIds = (learnerTurnId: string, tutorTurnId: string) => (body: Parameters<FakeBackend['reply']>[0]): ScriptedReply => [
    {
      event: 'turn',
      data: {
        turn: { id: learnerTurnId, role: 'learner', clientTurnId: body.clientTurnId, text: body.text, source: body.source, startedAt: body.timing?.startedAt, endedAt: body.timing?.endedAt },
      },
    },
    { event: 'delta', data: { text: 'Så fint! ' } },
    { event: 'delta', data: { text: 'Hva gjør du der?' } },
    { event: 'done', data: { turn: { id: tutorTurnId, role: 'tutor', text: 'Så fint! Hva gjør du der?', replyToTurnId: learnerTurnId }, replayed: false } },
  ]

  /** The learner speaks for a second (ten 100 ms frames, as the room sends them), then speech-to-text hears it. */
  const speak = async (r: Awaited<ReturnType<typeof room>>, pipeline: FakePipeline, clientTurnId: string) => {
    // The recorder keys frames by when they arrive: the turn's times span their arrival.
    const startedAt = new Date()
    const before = pipeline.audio.length
    for (let index = 0; index < 10; index++) r.frames.push(new Int16Array(1_600).fill(1_000 + index))
    await until(() => pipeline.audio.length === before + 10, 'the learner’s audio')
    pipeline.hear({ clientTurnId, text: 'Jeg bor i Bergen.', source: 'speech_engine', startedAt, endedAt: new Date() })
  }

  const uploads = (backend: FakeBackend) => backend.calls.filter((call) => call.path === 'audio').map((call) => call.body as RecordedAudio)

  it('sends the learner’s words and the spoken reply to the backend, each with its turn id and sample rate', async () => {
    const r = await room()
    const pipeline = await r.pipeline()
    const [learnerTurnId, tutorTurnId] = [randomUUID(), randomUUID()]
    r.backend.reply = replyWithIds(learnerTurnId, tutorTurnId)
    await speak(r, pipeline, 'speech-turn-0002')
    await until(() => pipeline.replies.length === 1, 'the reply')
    r.left.abort()
    await r.job

    // The whole second the learner spoke, at the room's 16 kHz, little-endian; the reply as it was
    // played, at 24 kHz: two frames of 20 ms.
    expect(uploads(r.backend)).toEqual([
      { turnId: learnerTurnId, sampleRate: 16_000, bytes: 16_000 * 2, firstSample: 1_000 },
      { turnId: tutorTurnId, sampleRate: 24_000, bytes: 2 * 480 * 2, firstSample: 0 },
    ])
    const calls = r.backend.calls.filter((call) => call.path === 'audio')
    expect(calls.every((call) => call.method === 'PUT' && call.claims.uid === r.userId && call.claims.sid === r.sessionId)).toBe(true)
    expect(r.backend.refusals).toEqual([])
  })

  it('sends nothing for a learner who does not keep audio, and starts once they choose to (read with the context)', async () => {
    const r = await room({ context: { keepAudio: false }, job: { contextRefreshMs: 50 } })
    const pipeline = await r.pipeline()
    r.backend.reply = replyWithIds(randomUUID(), randomUUID())
    await speak(r, pipeline, 'speech-turn-0004')
    await until(() => pipeline.replies.length === 1, 'the reply')
    expect(uploads(r.backend)).toEqual([])

    r.backend.context = { ...r.backend.context, keepAudio: true }
    await until(() => r.backend.calls.filter((call) => call.path === 'context').length >= 3, 'a refreshed context')
    const learnerTurnId = randomUUID()
    r.backend.reply = replyWithIds(learnerTurnId, randomUUID())
    await speak(r, pipeline, 'speech-turn-0005')
    await until(() => pipeline.replies.length === 2, 'the second reply')
    r.left.abort()
    await r.job
    expect(uploads(r.backend).map(({ turnId }) => turnId)[0]).toBe(learnerTurnId)
    expect(uploads(r.backend)).toHaveLength(2)
  })

  it('keeps recording on the pipeline that replaces a failed one', async () => {
    const r = await room()
    const first = await r.pipeline()
    first.failFatally()
    await until(() => r.pipelines.length === 2 && first.closed, 'the restarted pipeline')
    const second = r.pipelines[1]!
    const [learnerTurnId, tutorTurnId] = [randomUUID(), randomUUID()]
    r.backend.reply = replyWithIds(learnerTurnId, tutorTurnId)
    await speak(r, second, 'speech-turn-0003')
    await until(() => second.replies.length === 1, 'the reply')
    r.left.abort()
    await r.job
    expect(uploads(r.backend).map(({ turnId, sampleRate }) => [turnId, sampleRate])).toEqual([
      [learnerTurnId, 16_000],
      [tutorTurnId, 24_000],
    ])
  })

  it('waits for audio still being sent when the learner leaves, but not for ever, and logs no words', async () => {
    const warnings: Array<{ details: object; message: string }> = []
    const r = await room({ job: { turnAudioGraceMs: 300, log: { info: () => {}, warn: (details, message) => void warnings.push({ details, message }) } } })
    const pipeline = await r.pipeline()
    r.backend.stallAudio = true
    r.backend.reply = replyWithIds(randomUUID(), randomUUID())
    await speak(r, pipeline, 'speech-turn-0004')
    await until(() => pipeline.replies.length === 1, 'the reply')
    // The learner's words went (and hang); the reply waits behind them.
    await until(() => uploads(r.backend).length === 1, 'the learner’s words on their way')

    const leaving = Date.now()
    r.left.abort()
    await expect(r.job).resolves.toMatchObject({ reason: 'learner_left' })
    const waited = Date.now() - leaving
    expect(waited).toBeGreaterThanOrEqual(290)
    expect(waited).toBeLessThan(3_000)
    expect(uploads(r.backend)).toHaveLength(1)
    expect(r.backend.calls.at(-1)!.path).toBe('leave')
    expect(warnings).toContainEqual({ details: { unsent: 2 }, message: 'gave up sending turn audio at the end of the job' })
    expect(JSON.stringify(warnings)).not.toMatch(/Bergen|Så fint/)
  })
})

describe('the agent’s job handler with a realtime model', () => {
  const realtime = {
    provider: 'openai' as const,
    model: 'gpt-realtime',
    voice: 'marin',
    instructions: 'You are Avaaz, a warm and patient speaking tutor.',
    history: [{ role: 'tutor' as const, text: 'Hei! Hva heter du?' }],
  }

  it('gives the pipeline the model with the agent’s own key, stores its exchanges, and starts over on the pipeline when an exam begins', async () => {
    const r = await room({ context: { realtime }, job: { engineKeys: { openaiApiKey: 'sk-agent' } } })
    const first = await r.pipeline()
    expect(first.options.realtime).toEqual({
      model: { provider: 'openai', apiKey: 'sk-agent', model: 'gpt-realtime', voice: 'marin' },
      instructions: realtime.instructions,
      history: realtime.history,
      language: 'nb',
    })
    expect(r.sent[0]).toMatchObject({ type: 'ready', engines: { speechToText: 'openai-realtime', tutor: 'openai-realtime', speech: 'openai-realtime' } })

    const startedAt = new Date('2026-11-24T10:00:00.000Z')
    first.exchange({
      learner: { clientTurnId: 'speech-realtime-1', text: 'Jeg heter Ola.', source: 'speech_engine', startedAt, endedAt: new Date(startedAt.getTime() + 1_200) },
      reply: { text: 'Hei, Ola!', interrupted: false, latencyMs: 312.6 },
      model: 'openai:gpt-realtime',
    })
    await until(() => r.sent.filter((message) => message.type === 'turn').length === 2, 'the stored exchange')
    const stored = r.backend.calls.find((call) => call.path === 'exchanges')!
    expect(stored.body).toEqual({
      learner: {
        clientTurnId: 'speech-realtime-1',
        text: 'Jeg heter Ola.',
        source: 'speech_engine',
        timing: { startedAt: startedAt.toISOString(), endedAt: '2026-11-24T10:00:01.200Z', speakingMs: 1_200 },
      },
      reply: { text: 'Hei, Ola!', interrupted: false, latencyMs: 313 },
    })

    // The learner started a mock exam elsewhere: the next exchange says so, and the room runs the exam on the pipeline.
    r.backend.exchangeMode = 'exam'
    r.backend.context = { ...r.backend.context, mode: 'exam', realtime: null, turnTaking: { endOfTurnSilenceMs: 1600, allowInterruptions: false } }
    first.exchange({ learner: null, reply: { text: 'Lykke til!', interrupted: false, latencyMs: null }, model: 'openai:gpt-realtime' })
    await until(() => r.pipelines.length === 2 && first.closed, 'the restarted pipeline')
    const second = r.pipelines[1]!
    expect(second.options.realtime).toBeUndefined()
    // The replaced pipeline's last exchange, stored as it closed, says the same: nothing restarts again.
    first.exchange({ learner: null, reply: { text: 'Ha det!', interrupted: true, latencyMs: null }, model: 'openai:gpt-realtime' })
    await until(() => r.backend.calls.filter((call) => call.path === 'exchanges').length === 3, 'the late exchange')
    await first.settled()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(r.pipelines).toHaveLength(2)
    expect(second.options.turnTaking).toEqual({ endOfTurnSilenceMs: 1600, allowInterruptions: false })
    expect(r.sent.filter((message) => message.type === 'ready').at(-1)).toMatchObject({ engines: { speechToText: 'browser', tutor: 'offline', speech: 'espeak' } })
    // Audio and messages now reach the new pipeline.
    r.frames.push(new Int16Array(1_600))
    await until(() => second.audio.length === 1, 'audio into the new pipeline')
    r.left.abort()
    await r.job
    expect(second.closed).toBe(true)
  })

  it('starts a failed pipeline over a few times, then leaves the room saying so', async () => {
    const r = await room({ context: { realtime }, job: { engineKeys: { openaiApiKey: 'sk-agent' } } })
    await r.pipeline()
    for (let failures = 1; failures <= 5; failures++) {
      const failing = r.pipelines.at(-1)!
      failing.failFatally()
      await until(() => r.pipelines.length === failures + 1 && failing.closed, `restart ${failures}`)
      // The browser hears of each failure, but none is final for it while the room goes on.
      expect(r.sent.filter((message) => message.type === 'error').every((message) => message.fatal === false)).toBe(true)
    }
    r.pipelines.at(-1)!.failFatally()
    await expect(r.job).resolves.toMatchObject({ reason: 'pipeline_failed' })
    expect(r.pipelines).toHaveLength(6)
    expect(r.pipelines.every((pipeline) => pipeline.closed)).toBe(true)
    expect(r.sent.at(-1)).toMatchObject({ type: 'error', code: 'tutor_unavailable', fatal: true })
    expect(r.backend.calls.at(-1)!.path).toBe('leave')
  })

  it('tells the learner when an exchange could not be stored, and goes on', async () => {
    const r = await room({ context: { realtime }, job: { engineKeys: { openaiApiKey: 'sk-agent' } } })
    const pipeline = await r.pipeline()
    r.backend.failExchanges = true
    pipeline.exchange({ learner: null, reply: { text: 'Hei!', interrupted: false, latencyMs: null }, model: 'openai:gpt-realtime' })
    await until(() => r.sent.some((message) => message.type === 'error'), 'the error')
    expect(r.sent.find((message) => message.type === 'error')).toMatchObject({ code: 'internal', fatal: false })
    r.backend.failExchanges = false
    pipeline.exchange({ learner: null, reply: { text: 'Hei igjen!', interrupted: false, latencyMs: null }, model: 'openai:gpt-realtime' })
    await until(() => r.sent.some((message) => message.type === 'turn'), 'the next exchange stored')
    r.left.abort()
    await r.job
  })

  it('refuses to start without the key for the model the backend names, before opening the sitting', async () => {
    const r = await room({ context: { realtime: { ...realtime, provider: 'gemini', model: 'gemini-2.5-flash-native-audio-preview-12-2025', voice: 'Puck' } }, job: { engineKeys: { openaiApiKey: 'sk-agent' } } })
    await expect(r.job).rejects.toThrow(/GOOGLE_GENERATIVE_AI_API_KEY/)
    expect(r.backend.calls.map((call) => call.path)).toEqual(['context'])
  })
})

describe('the agent’s job handler refuses to run', () => {
  it('in a room that is not an Avaaz room, without calling the backend', async () => {
    backend = await startFakeBackend(secret, contextFor('u1', randomUUID()))
    const factory = () => {
      throw new Error('must not start')
    }
    await expect(
      runAgentJob({
        roomName: 'lobby',
        identity: 'u1',
        backend: new BackendClient({ baseUrl: backend.url, serviceSecret: secret }),
        pipelineFactory: factory,
        audioIn: { sampleRate: 16_000, frames: new PushQueue() },
        audioOut: { sampleRate: 24_000, write: () => {}, clear: () => {} },
        learnerLeft: new AbortController().signal,
      }),
    ).rejects.toThrow(/Not an Avaaz room/)
    expect(backend.calls).toEqual([])
    expect(backend.refusals).toEqual([])
  })

  it('when the backend refuses the learner (another learner’s room, or the wrong secret), before any pipeline', async () => {
    const r = await room()
    await r.pipeline()
    r.left.abort()
    await r.job
    const otherSession = randomUUID()
    let started = 0
    const attempt = (identity: string, roomName: string, serviceSecret: string) =>
      runAgentJob({
        roomName,
        identity,
        backend: new BackendClient({ baseUrl: r.backend.url, serviceSecret }),
        pipelineFactory: (options) => {
          started += 1
          return new FakePipeline(options)
        },
        audioIn: { sampleRate: 16_000, frames: new PushQueue() },
        audioOut: { sampleRate: 24_000, write: () => {}, clear: () => {} },
        learnerLeft: new AbortController().signal,
      })
    // The learner in a room of another session: the backend will not answer for it.
    await expect(attempt(r.userId, `avaaz-${otherSession}`, secret)).rejects.toMatchObject({ name: 'BackendError', status: 403 })
    await expect(attempt(r.userId, `avaaz-${r.sessionId}`, 'not-the-shared-secret-not-the-shared-secret')).rejects.toBeInstanceOf(BackendError)
    expect(r.backend.refusals.map((refusal) => refusal.status)).toEqual([403, 401])
    expect(started).toBe(0)
  })

  it('when the backend speaks with OpenAI and the agent has no key for it, before opening the sitting', async () => {
    const r = await room({ context: { engines: { speechToText: { kind: 'openai', model: 'gpt-4o-mini-transcribe', language: 'nb' }, speech: { kind: 'espeak', voice: 'nb' }, tutor: 'offline' } } })
    await expect(r.job).rejects.toThrow(/OPENAI_API_KEY/)
    expect(r.backend.calls.map((call) => call.path)).toEqual(['context'])
  })

  it('passes the agent’s own OpenAI key to the engines the backend names', async () => {
    const r = await room({
      context: {
        engines: {
          speechToText: { kind: 'openai', model: 'gpt-4o-mini-transcribe', language: 'nb' },
          speech: { kind: 'openai', model: 'gpt-4o-mini-tts', voice: 'alloy' },
          tutor: 'openai',
        },
      },
      job: { engineKeys: { openaiApiKey: 'sk-test' } },
    })
    const pipeline = await r.pipeline()
    expect(pipeline.options.speechToText).toEqual({ kind: 'openai', apiKey: 'sk-test', model: 'gpt-4o-mini-transcribe', language: 'nb' })
    expect(pipeline.options.speech).toEqual({ kind: 'openai', apiKey: 'sk-test', model: 'gpt-4o-mini-tts', voice: 'alloy' })
    r.left.abort()
    await r.job
  })
})
