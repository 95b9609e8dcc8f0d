import { createVoicePipeline, type PipelineEvent, type RealtimeModelConfig, type TurnAudioRecorder, type TurnTaking, type VoicePipeline, type VoicePipelineOptions } from '@avaaz/voice'
import type { FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import { z } from 'zod'
import { safeErrorSummary } from '../../core/logger.js'
import { realtimeTutorContext } from '../sessions/exchanges.js'
import { endOpenSitting, ensureOpenSitting, loadLearner, loadSession } from '../sessions/service.js'
import { inProcessBridge } from './bridge.js'
import { connectionRecorder } from './recorder.js'
import { turnTakingFor } from './turn-taking.js'
import type { TicketStore } from './tickets.js'

/** The WebSocket transport of docs/voice-protocol.md. */

export const PROTOCOL_VERSION = 1
const OUTPUT_SAMPLE_RATE = 24_000
/** Audio a client may be ahead of real time before frames are dropped. */
const MAX_AHEAD_SECONDS = 2
/** How long a client may keep sending too fast before it is disconnected. */
const TOO_FAST_CLOSE_SECONDS = 10
/** Longest frame accepted. */
const MAX_FRAME_MS = 200
const HELLO_TIMEOUT_MS = 10_000
/** Close code asking the client to connect again at once (RFC 6455 "service restart"): the session's mode changed under a realtime model. */
const RECONNECT_CLOSE_CODE = 1012

const clientTurnId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/)
const helloSchema = z.object({
  type: z.literal('hello'),
  protocol: z.literal(PROTOCOL_VERSION),
  sampleRate: z.number().int().min(8_000).max(48_000),
  speechToText: z.enum(['server', 'browser']).default('server'),
})
const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('transcript'), clientTurnId, text: z.string().max(20_000), final: z.boolean() }),
  z.object({ type: z.literal('text'), clientTurnId, text: z.string().min(1).max(20_000) }),
  z.object({ type: z.literal('interrupt') }),
  z.object({ type: z.literal('end') }),
])

export type PipelineFactory = (options: VoicePipelineOptions) => Promise<VoicePipeline>

export interface VoiceRuntime {
  tickets: TicketStore
  /** Open voice connections of this process. */
  connections: Set<WebSocket>
  createPipeline: PipelineFactory
}

declare module 'fastify' {
  interface FastifyInstance {
    voice: VoiceRuntime
  }
}

export const defaultPipelineFactory: PipelineFactory = createVoicePipeline

/** Serves one voice connection: ticket, hello, then audio and messages both ways until either side ends. */
export function serveVoiceSocket(app: FastifyInstance, socket: WebSocket, ticket: string | undefined): void {
  const send = (message: Record<string, unknown>) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
  }
  const fail = (code: string, message: string, closeCode: number) => {
    send({ type: 'error', code, message, fatal: true })
    socket.close(closeCode, code)
  }

  const principal = app.voice.tickets.redeem(ticket ?? '')
  if (!principal) return fail('bad_ticket', 'This voice ticket is missing, used or expired: ask for a new one.', 4001)
  if (app.voice.connections.size >= app.config.voice.maxSessions) return fail('busy', 'Voice is busy right now; please try again in a minute or type instead.', 1013)
  app.voice.connections.add(socket)
  app.metrics.voiceConnections.inc({ transport: 'websocket' })

  let pipeline: VoicePipeline | null = null
  // The audio of each turn, kept when the learner keeps audio.
  let recorder: TurnAudioRecorder | null = null
  let starting = false
  let closed = false
  const meter = new InputMeter()
  const helloTimer = setTimeout(() => fail('bad_message', 'The connection must begin with hello.', 4002), HELLO_TIMEOUT_MS)

  socket.on('message', (data, isBinary) => {
    if (closed) return
    if (isBinary) {
      if (!pipeline) return send({ type: 'error', code: 'bad_frame', message: 'Send audio after ready.', fatal: false })
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data as ArrayBuffer)])
      const verdict = meter.accept(bytes.length)
      if (verdict === 'bad') return send({ type: 'error', code: 'bad_frame', message: `Audio frames are PCM16 mono, at most ${MAX_FRAME_MS} ms each.`, fatal: false })
      if (verdict === 'drop') return
      if (verdict === 'warn') return send({ type: 'error', code: 'too_fast', message: 'Audio is arriving faster than real time; the excess is dropped.', fatal: false })
      if (verdict === 'close') return fail('too_fast', 'Audio kept arriving faster than real time.', 4008)
      // Copied out: the socket reuses its buffers.
      const samples = new Int16Array(bytes.length / 2)
      for (let index = 0; index < samples.length; index++) samples[index] = bytes.readInt16LE(index * 2)
      pipeline.pushAudio(samples)
      recorder?.onInput(samples)
      return
    }
    let message: unknown
    try {
      message = JSON.parse(data.toString())
    } catch {
      return send({ type: 'error', code: 'bad_message', message: 'Messages are JSON.', fatal: false })
    }
    if (!pipeline) {
      if (starting) return
      const hello = helloSchema.safeParse(message)
      if (!hello.success) {
        const wrongRate = (message as { type?: unknown; sampleRate?: unknown })?.type === 'hello' && hello.error.issues.some((issue) => issue.path[0] === 'sampleRate')
        return wrongRate
          ? fail('wrong_sample_rate', 'The microphone sample rate must be 8000–48000 Hz.', 4002)
          : fail('bad_message', 'The connection must begin with hello (protocol 1).', 4002)
      }
      clearTimeout(helloTimer)
      starting = true
      meter.start(hello.data.sampleRate)
      void start(hello.data)
        .then((started) => {
          if (closed) return void started.close()
          pipeline = started
        })
        .catch((error: unknown) => {
          app.log.error({ error: safeErrorSummary(error), userId: principal.userId }, 'voice pipeline failed to start')
          fail('internal', 'Voice could not start; type instead for now.', 1011)
        })
      return
    }
    const parsed = clientMessageSchema.safeParse(message)
    if (!parsed.success) return send({ type: 'error', code: 'bad_message', message: 'Unknown or malformed message.', fatal: false })
    switch (parsed.data.type) {
      case 'transcript':
        return pipeline.pushTranscript(parsed.data)
      case 'text':
        return pipeline.sendText(parsed.data)
      case 'interrupt':
        return pipeline.interrupt()
      case 'end':
        void endOpenSitting(app, principal)
          .catch((error: unknown) => app.log.warn({ error: safeErrorSummary(error) }, 'could not end the sitting'))
          .finally(() => socket.close(1000, 'end'))
    }
  })

  socket.on('close', () => {
    closed = true
    clearTimeout(helloTimer)
    app.voice.connections.delete(socket)
    recorder?.close()
    void pipeline?.close().catch((error: unknown) => app.log.warn({ error: safeErrorSummary(error) }, 'voice pipeline did not close cleanly'))
  })
  socket.on('error', (error) => app.log.warn({ error: safeErrorSummary(error) }, 'voice socket error'))

  async function start(hello: z.infer<typeof helloSchema>): Promise<VoicePipeline> {
    const { user, profile } = await loadLearner(app, principal!.userId)
    const session = await loadSession(app, user.id)
    const { sitting } = await ensureOpenSitting(app, session, 'websocket', new Date())
    let turnTaking: TurnTaking = turnTakingFor(profile.level, session.mode)
    const configured = app.config.voice.speechToText
    // Without a server engine the browser's recognition sends the text, whatever the client preferred.
    const speechToText = hello.speechToText === 'browser' || configured.kind === 'browser' ? ({ kind: 'browser' } as const) : configured
    // A realtime model holds free conversation (it hears the audio itself, whatever the client's recognition).
    const realtimeModel = app.config.voice.realtime
    const realtime = realtimeModel ? await realtimeTutorContext(app, user.id) : null
    const turnAudio = connectionRecorder(app, principal!.userId, { inputSampleRate: hello.sampleRate, outputSampleRate: OUTPUT_SAMPLE_RATE, realtime: realtime !== null })
    recorder = turnAudio
    const problem = (code: string, message: string) => {
      const reconnect = code === 'mode_changed'
      send({ type: 'error', code, message, fatal: reconnect })
      if (reconnect) socket.close(RECONNECT_CLOSE_CODE, code)
    }
    const started = await app.voice.createPipeline({
      bridge: inProcessBridge(app, principal!, problem),
      ...(realtimeModel && realtime ? { realtime: { model: realtimeModel, ...realtime, language: 'nb' } } : {}),
      speechToText,
      speech: app.config.voice.speech.kind === 'espeak' ? { kind: 'espeak', command: app.config.voice.speech.command, voice: 'nb' } : app.config.voice.speech,
      turnTaking,
      inputSampleRate: hello.sampleRate,
      outputSampleRate: OUTPUT_SAMPLE_RATE,
      onAudio: (frame) => {
        turnAudio.onOutput(frame)
        if (socket.readyState === socket.OPEN) socket.send(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength))
      },
      onEvent: (event) => {
        turnAudio.onEvent(event)
        const message = protocolMessage(event)
        // In a mock exam the examiner and the co-candidate never cut the candidate off.
        const role = event.type === 'meta' && event.payload.type === 'turn' ? (event.payload.turn as { role?: string }).role : undefined
        if (role && role !== 'learner') {
          const allowInterruptions = role === 'tutor'
          if (allowInterruptions !== turnTaking.allowInterruptions) {
            turnTaking = { ...turnTaking, allowInterruptions }
            started.setTurnTaking(turnTaking)
          }
        }
        if (message) send(message)
        // The pipeline cannot go on (a realtime model's connection failed for good): the client connects again.
        if (event.type === 'error' && event.fatal) socket.close(1011, event.code)
      },
    })
    send({
      type: 'ready',
      protocol: PROTOCOL_VERSION,
      sittingId: sitting.id,
      inputSampleRate: hello.sampleRate,
      outputSampleRate: started.outputSampleRate,
      engines: realtimeModel && realtime
        ? { speechToText: realtimeEngine(realtimeModel), tutor: realtimeEngine(realtimeModel), speech: realtimeEngine(realtimeModel) }
        : { speechToText: speechToText.kind, tutor: app.tutor.ai.provider, speech: app.config.voice.speech.kind },
      turnTaking: { endOfTurnSilenceMs: turnTaking.endOfTurnSilenceMs, interruptions: turnTaking.allowInterruptions },
    })
    return started
  }
}

function realtimeEngine(model: RealtimeModelConfig): 'openai-realtime' | 'gemini-live' {
  return model.provider === 'openai' ? 'openai-realtime' : 'gemini-live'
}

/** A pipeline event as the protocol's message. */
function protocolMessage(event: PipelineEvent): Record<string, unknown> | null {
  switch (event.type) {
    case 'meta':
      return event.payload
    case 'error':
      return { type: 'error', code: event.code, message: event.message, fatal: event.fatal === true }
    case 'latency':
      return { type: 'latency', clientTurnId: event.clientTurnId, ms: Math.round(event.ms) }
    case 'speech':
      // Without the pipeline's speech id: it pairs audio with turns here, and means nothing to a client.
      return { type: 'speech', event: event.event, interrupted: event.interrupted }
    default:
      return event
  }
}

/**
 * Keeps a client to real time: it may be up to two seconds ahead (network bursts); beyond that frames
 * are dropped, and a client that stays too fast for ten seconds is disconnected. Nothing is buffered
 * here, so memory does not grow with what a client sends.
 */
export class InputMeter {
  private bytesPerSecond = 32_000
  private startedAt = 0
  private received = 0
  private tooFastSince: number | null = null
  private warned = false

  constructor(private readonly now: () => number = () => performance.now()) {}

  start(sampleRate: number): void {
    this.bytesPerSecond = sampleRate * 2
    this.startedAt = this.now()
  }

  accept(bytes: number): 'ok' | 'bad' | 'drop' | 'warn' | 'close' {
    if (bytes === 0 || bytes % 2 !== 0 || bytes > (this.bytesPerSecond * MAX_FRAME_MS) / 1000) return 'bad'
    const now = this.now()
    const allowed = ((now - this.startedAt) / 1000 + MAX_AHEAD_SECONDS) * this.bytesPerSecond
    if (this.received + bytes <= allowed) {
      this.received += bytes
      // Back within budget by a clear second: the client is keeping to real time again.
      if (this.received <= allowed - this.bytesPerSecond) this.tooFastSince = null
      return 'ok'
    }
    this.tooFastSince ??= now
    if (now - this.tooFastSince >= TOO_FAST_CLOSE_SECONDS * 1000) return 'close'
    if (!this.warned) {
      this.warned = true
      return 'warn'
    }
    return 'drop'
  }
}
