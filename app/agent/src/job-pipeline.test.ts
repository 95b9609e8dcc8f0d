import { randomUUID } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { BackendClient } from './backend.js'
import { runAgentJob } from './job.js'
import { createPipeline } from './pipeline.js'
import { PushQueue } from './queue.js'
import { startFakeBackend, type FakeBackend } from './test/fake-backend.js'

const secret = 'agent-service-secret-agent-service-secret-42'

let backend: FakeBackend | undefined
afterEach(async () => {
  await backend?.close()
  backend = undefined
})

const until = async (condition: () => boolean, what: string, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('the agent’s job handler with the real voice pipeline (browser recognition, espeak-ng)', () => {
  it('answers a typed turn through the backend with the tutor’s voice, and reports the latency', async () => {
    const userId = `user_${randomUUID().slice(0, 8)}`
    const sessionId = randomUUID()
    backend = await startFakeBackend(secret, {
      userId,
      sessionId,
      room: `avaaz-${sessionId}`,
      level: 'B1',
      mode: 'free',
      turnTaking: { endOfTurnSilenceMs: 800, allowInterruptions: true },
      engines: { speechToText: { kind: 'browser' }, speech: { kind: 'espeak', voice: 'nb' }, tutor: 'offline' },
    keepAudio: false,
    realtime: null,
    })
    const messages = new PushQueue<unknown>()
    const sent: Array<Record<string, unknown>> = []
    const played: Int16Array[] = []
    const left = new AbortController()
    const job = runAgentJob({
      roomName: `avaaz-${sessionId}`,
      identity: userId,
      backend: new BackendClient({ baseUrl: backend.url, serviceSecret: secret }),
      pipelineFactory: createPipeline,
      audioIn: { sampleRate: 16_000, frames: new PushQueue<Int16Array>() },
      audioOut: { sampleRate: 24_000, write: (frame) => void played.push(frame), clear: () => {} },
      client: { messages, send: (message) => void sent.push(message) },
      learnerLeft: left.signal,
    })
    job.catch(() => {})
    await until(() => backend!.calls.some((call) => call.path === 'join'), 'the sitting to open')

    messages.push({ type: 'text', clientTurnId: 'typed-real-0001', text: 'Jeg liker kaffe.' })
    await until(() => sent.some((message) => message.type === 'speech' && message.event === 'end'), 'the spoken reply')

    expect(backend.calls.find((call) => call.path === 'turns')!.body).toEqual({ clientTurnId: 'typed-real-0001', text: 'Jeg liker kaffe.', source: 'typed' })
    expect(sent.filter((message) => message.type === 'delta').map((message) => message.text).join('')).toBe('Hei! Hvor bor du?')
    expect(sent.filter((message) => message.type === 'turn')).toHaveLength(2)
    expect(sent.some((message) => message.type === 'latency' && message.clientTurnId === 'typed-real-0001')).toBe(true)
    // Real speech came out: enough samples for a short sentence, not silence.
    const samples = played.reduce((total, frame) => total + frame.length, 0)
    expect(samples / 24_000).toBeGreaterThan(0.5)
    expect(played.some((frame) => frame.some((sample) => Math.abs(sample) > 1_000))).toBe(true)
    await until(() => backend!.calls.some((call) => call.path === 'latency'), 'the latency report')

    left.abort()
    await expect(job).resolves.toMatchObject({ reason: 'learner_left' })
    expect(backend.calls.at(-1)).toMatchObject({ path: 'leave' })
  })
})
