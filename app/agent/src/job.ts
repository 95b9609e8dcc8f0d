import { TurnAudioRecorder, type PipelineEvent, type RealtimeTutor, type SpeechConfig, type SpeechToTextConfig, type TurnRecording, type TurnTaking, type VoicePipeline } from '@avaaz/voice'
import type { AgentContext, BackendClient } from './backend.js'
import { backendBridge } from './bridge.js'
import type { PipelineFactory } from './pipeline.js'
import type { ServiceTokenFor } from './service-token.js'

/**
 * One dispatch: the agent in one learner's room. Everything LiveKit-specific (the room, its tracks and
 * data channel) stays outside, behind the adapters below, so the job runs — and is tested — without a
 * LiveKit server.
 */

/** The learner's microphone: PCM16 mono frames at `sampleRate`, in real time; ends when the track does. */
export interface AudioIn {
  sampleRate: number
  frames: AsyncIterable<Int16Array>
}

/** The tutor's voice into the room: PCM16 mono at `sampleRate`. */
export interface AudioOut {
  sampleRate: number
  write(frame: Int16Array): void
  /** Drops what is queued but not yet played (barge-in). */
  clear(): void
}

/**
 * Data messages with the learner's browser: the JSON messages of the WebSocket protocol
 * (docs/voice-protocol.md §4 in, §5 out), without the binary audio, which travels as tracks.
 */
export interface ClientChannel {
  messages: AsyncIterable<unknown>
  send(message: Record<string, unknown>): void
}

export interface JobLog {
  info(details: object, message: string): void
  warn(details: object, message: string): void
}

export interface AgentJobOptions {
  roomName: string
  /** The learner's LiveKit identity: their user id (the backend's token says so). */
  identity: string
  backend: BackendClient
  pipelineFactory: PipelineFactory
  audioIn: AudioIn
  audioOut: AudioOut
  client?: ClientChannel
  /** Aborted when the learner leaves the room (or the room goes away). */
  learnerLeft: AbortSignal
  /** The backend names the engines; their keys are the agent's own. */
  engineKeys?: { openaiApiKey?: string; googleApiKey?: string; espeakCommand?: string }
  /** How often turn-taking is re-read from the backend (the learner may start an exam meanwhile). */
  contextRefreshMs?: number
  /** How long the end of the job waits for turn audio still being sent to the backend (5 s by default). */
  turnAudioGraceMs?: number
  log?: JobLog
}

export interface AgentJobResult {
  userId: string
  sessionId: string
  /** `pipeline_failed`: the voice pipeline kept failing and was restarted as often as a room allows. */
  reason: 'learner_left' | 'ended_by_learner' | 'pipeline_failed'
}

const ROOM_PREFIX = 'avaaz-'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The tutor session a room belongs to (rooms are `avaaz-<tutor session id>`); null for others. */
export function sessionIdOfRoom(room: string): string | null {
  const id = room.startsWith(ROOM_PREFIX) ? room.slice(ROOM_PREFIX.length) : ''
  return UUID.test(id) ? id.toLowerCase() : null
}

const silentLog: JobLog = { info: () => {}, warn: () => {} }

/**
 * Runs the tutor for the learner in the room until they leave: reads their context from the backend,
 * opens their sitting, runs the voice pipeline on the room's audio with the backend as the tutor, and
 * closes the sitting at the end (LiveKit's webhook does too; both are safe to repeat). Rejects before
 * the pipeline starts when the room is not the learner's or the backend refuses.
 */
export async function runAgentJob(options: AgentJobOptions): Promise<AgentJobResult> {
  const { backend, audioIn, audioOut, client, learnerLeft } = options
  const log = options.log ?? silentLog
  const sessionId = sessionIdOfRoom(options.roomName)
  if (!sessionId) throw new Error(`Not an Avaaz room (rooms are avaaz-<tutor session id>): ${options.roomName}`)
  const who: ServiceTokenFor = { userId: options.identity, sessionId }

  const context = await backend.context(who)
  if (context.sessionId !== sessionId || context.userId !== options.identity) throw new Error('The backend answered for another learner or session.')
  // Checked before joining: a missing engine key is a deployment mistake, not something to retry.
  enginesOf(context, options.engineKeys)
  const { sittingId } = await backend.join(who)

  const ended = new AbortController()
  const done = AbortSignal.any([learnerLeft, ended.signal])
  let turnTaking = turnTakingOf(context)
  // Read again with the context: turn audio travels only for learners who keep it.
  let keepAudio = context.keepAudio
  let pipeline: VoicePipeline | undefined
  // Each pipeline's turn audio (kept by the backend if the learner keeps audio), all sent one at a time.
  const recorders = new WeakMap<VoicePipeline, TurnAudioRecorder>()
  const uploads = turnAudioUploads(backend, who, log)
  const closeRecorderOf = (closed: VoicePipeline | undefined) => {
    if (closed) recorders.get(closed)?.close()
  }
  const refresh = async () => {
    if (done.aborted) return
    try {
      const fresh = await backend.context(who)
      keepAudio = fresh.keepAudio
      const next = turnTakingOf(fresh)
      if (next.endOfTurnSilenceMs === turnTaking.endOfTurnSilenceMs && next.allowInterruptions === turnTaking.allowInterruptions) return
      turnTaking = next
      pipeline?.setTurnTaking(next)
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'could not refresh the learner context')
    }
  }

  /** Builds the pipeline the context asks for and tells the browser (`ready`, as the WebSocket transport sends after `hello`). */
  const start = async (context: AgentContext): Promise<VoicePipeline> => {
    const engines = enginesOf(context, options.engineKeys)
    turnTaking = turnTakingOf(context)
    keepAudio = context.keepAudio
    // Events may come while the factory is still starting the pipeline (before it is assigned).
    const self: { pipeline?: VoicePipeline } = {}
    const recorder = new TurnAudioRecorder({
      inputSampleRate: audioIn.sampleRate,
      outputSampleRate: audioOut.sampleRate,
      realtime: engines.realtime !== undefined,
      save: (recording) => {
        if (keepAudio) uploads.save(recording)
      },
    })
    const started = await options.pipelineFactory({
      bridge: backendBridge({
        backend,
        who,
        onStateChange: () => void refresh(),
        onProblem: (code, message) => client?.send({ type: 'error', code, message, fatal: false }),
        // A lesson or mock exam began under a realtime model: they run on the pipeline.
        onModeChanged: () => void restart('the session left free conversation', self),
      }),
      ...(engines.realtime ? { realtime: engines.realtime } : {}),
      speechToText: engines.speechToText,
      speech: engines.speech,
      turnTaking,
      inputSampleRate: audioIn.sampleRate,
      outputSampleRate: audioOut.sampleRate,
      onAudio: (frame) => {
        audioOut.write(frame)
        recorder.onOutput(frame)
      },
      onEvent: (event) => {
        recorder.onEvent(event)
        if (event.type === 'speech' && event.interrupted) audioOut.clear()
        // As over the WebSocket: the examiner and the co-candidate are never cut off, the tutor may be.
        const role = event.type === 'meta' && event.payload.type === 'turn' ? (event.payload.turn as { role?: unknown } | undefined)?.role : undefined
        if (typeof role === 'string' && role !== 'learner' && (role === 'tutor') !== turnTaking.allowInterruptions) {
          turnTaking = { ...turnTaking, allowInterruptions: role === 'tutor' }
          self.pipeline?.setTurnTaking(turnTaking)
        }
        client?.send(clientMessage(event))
        if (event.type === 'error' && event.fatal) void restart(`the pipeline failed (${event.code})`, self)
      },
    })
    client?.send({
      type: 'ready',
      protocol: 1,
      sittingId,
      inputSampleRate: audioIn.sampleRate,
      outputSampleRate: started.outputSampleRate,
      engines: engines.names,
      turnTaking: { endOfTurnSilenceMs: turnTaking.endOfTurnSilenceMs, interruptions: turnTaking.allowInterruptions },
    })
    self.pipeline = started
    recorders.set(started, recorder)
    log.info({ level: context.level, mode: context.mode, realtime: engines.realtime !== undefined }, 'tutor joined the learner')
    return started
  }

  // A restart replaces the pipeline with the one the current context asks for, one at a time and only
  // a few times per room: a model that keeps failing is not retried for ever.
  // Only the pipeline running now may ask: a replaced one still stores its last exchanges as it
  // closes, and their "not free conversation any more" must not replace its successor.
  let restarts = 0
  let failed = false
  let restarting: Promise<void> = Promise.resolve()
  const restart = (why: string, requestedBy: { pipeline?: VoicePipeline }): Promise<void> =>
    (restarting = restarting.then(async () => {
      if (done.aborted || !requestedBy.pipeline || requestedBy.pipeline !== pipeline) return
      if (restarts >= MAX_PIPELINE_RESTARTS) {
        log.warn({ why, restarts }, 'the voice pipeline keeps failing: the tutor leaves the room')
        client?.send({ type: 'error', code: 'tutor_unavailable', message: 'Voice cannot go on right now. Please try again in a few minutes, or type.', fatal: true })
        failed = true
        ended.abort()
        return
      }
      restarts += 1
      log.info({ why, restarts }, 'restarting the voice pipeline')
      try {
        const next = await start(await backend.context(who))
        const previous = pipeline
        pipeline = next
        if (done.aborted) await next.close()
        await previous?.close().catch((error: unknown) => log.warn({ error: (error as Error).message }, 'the old pipeline did not close cleanly'))
        // What the old pipeline had spoken of a reply is kept as far as it went.
        closeRecorderOf(previous)
      } catch (error) {
        log.warn({ error: (error as Error).message }, 'could not restart the voice pipeline')
      }
    }))

  try {
    pipeline = await start(context)
  } catch (error) {
    await backend.leave(who).catch(() => {})
    throw error
  }

  const timer = setInterval(() => void refresh(), options.contextRefreshMs ?? 30_000)
  timer.unref()
  void (async () => {
    for await (const frame of audioIn.frames) {
      if (done.aborted) break
      if (!pipeline) continue
      pipeline.pushAudio(frame)
      // Copied: the recorder keeps recent frames, and the room's buffers are not ours to keep.
      recorders.get(pipeline)?.onInput(frame.slice())
    }
  })().catch((error: unknown) => log.warn({ error: (error as Error).message }, 'learner audio stopped'))
  if (client) {
    void (async () => {
      for await (const message of client.messages) {
        if (done.aborted) break
        if (pipeline && handleClientMessage(pipeline, message, client) === 'end') ended.abort()
      }
    })().catch((error: unknown) => log.warn({ error: (error as Error).message }, 'learner messages stopped'))
  }

  try {
    await new Promise<void>((resolve) => {
      if (done.aborted) resolve()
      else done.addEventListener('abort', () => resolve(), { once: true })
    })
  } finally {
    clearInterval(timer)
    await restarting
    await pipeline?.close().catch((error: unknown) => log.warn({ error: (error as Error).message }, 'the pipeline did not close cleanly'))
    closeRecorderOf(pipeline)
    // The sitting closes now; turn audio still on its way is waited for, but not for ever.
    await Promise.all([
      backend.leave(who).catch((error: unknown) => log.warn({ error: (error as Error).message }, 'could not close the sitting (the webhook will)')),
      uploads.settle(options.turnAudioGraceMs ?? TURN_AUDIO_GRACE_MS),
    ])
  }
  return { userId: options.identity, sessionId, reason: failed ? 'pipeline_failed' : ended.signal.aborted ? 'ended_by_learner' : 'learner_left' }
}

/** Fatal pipeline failures (and mode changes) a room restarts its pipeline for, at most. */
const MAX_PIPELINE_RESTARTS = 5

/** How long a finished job waits for turn audio still being sent, by default. */
const TURN_AUDIO_GRACE_MS = 5_000
/** Recordings waiting to be sent, at most (each up to a few megabytes): beyond, the oldest is dropped. */
const MAX_WAITING_TURN_AUDIO = 8

/**
 * Sends turn recordings to the backend one at a time, in the background: the audio path never waits
 * for it. Failures are logged without the audio or any words of it. `settle` waits for what is queued,
 * at most `ms`; after that the rest is given up.
 */
function turnAudioUploads(backend: BackendClient, who: ServiceTokenFor, log: JobLog) {
  const waiting: TurnRecording[] = []
  let sending: Promise<void> | undefined
  let givenUp = false
  const send = async () => {
    for (let recording = waiting.shift(); recording && !givenUp; recording = waiting.shift()) {
      try {
        await backend.turnAudio(who, recording)
      } catch (error) {
        log.warn({ error: (error as Error).message }, 'could not send a turn’s audio')
      }
    }
    sending = undefined
  }
  return {
    save(recording: TurnRecording): void {
      if (givenUp) return
      if (waiting.length >= MAX_WAITING_TURN_AUDIO) {
        waiting.shift()
        log.warn({ waiting: waiting.length }, 'dropped a turn’s audio: the backend is not keeping up')
      }
      waiting.push(recording)
      sending ??= send()
    },
    async settle(ms: number): Promise<void> {
      if (!sending) return
      let timer: ReturnType<typeof setTimeout> | undefined
      const late = await Promise.race([
        sending.then(() => false),
        new Promise<true>((resolve) => {
          timer = setTimeout(() => resolve(true), ms)
        }),
      ])
      clearTimeout(timer)
      if (!late) return
      givenUp = true
      log.warn({ unsent: waiting.length + 1 }, 'gave up sending turn audio at the end of the job')
      waiting.length = 0
    },
  }
}

interface Engines {
  realtime?: RealtimeTutor
  speechToText: SpeechToTextConfig
  speech: SpeechConfig
  /** As the browser is told in `ready`. */
  names: { speechToText: string; tutor: string; speech: string }
}

/** The engines the context names, with the agent's own keys; throws when a key is missing. */
function enginesOf(context: AgentContext, keys: AgentJobOptions['engineKeys']): Engines {
  if (context.realtime) {
    const { provider, model, voice, baseURL, transcriptionModel, instructions, history } = context.realtime
    const apiKey = provider === 'openai' ? keys?.openaiApiKey : keys?.googleApiKey
    if (!apiKey) throw new Error(`The backend holds conversation with ${provider === 'openai' ? 'OpenAI Realtime' : 'Gemini Live'}, but the agent has no ${provider === 'openai' ? 'OPENAI_API_KEY' : 'GOOGLE_GENERATIVE_AI_API_KEY'}.`)
    const name = provider === 'openai' ? 'openai-realtime' : 'gemini-live'
    return {
      realtime: {
        model:
          provider === 'openai'
            ? { provider, apiKey, model, voice, ...(baseURL ? { baseURL } : {}), ...(transcriptionModel ? { transcriptionModel } : {}) }
            : { provider, apiKey, model, voice, ...(baseURL ? { baseURL } : {}) },
        instructions,
        history,
        language: 'nb',
      },
      // Unused beside a realtime model (it hears and speaks itself).
      speechToText: { kind: 'browser' },
      speech: { kind: 'espeak', voice: 'nb', ...(keys?.espeakCommand ? { command: keys.espeakCommand } : {}) },
      names: { speechToText: name, tutor: name, speech: name },
    }
  }
  const speechToText = speechToTextConfig(context.engines.speechToText, keys)
  const speech = speechConfig(context.engines.speech, keys)
  return { speechToText, speech, names: { speechToText: speechToText.kind, tutor: context.engines.tutor, speech: speech.kind } }
}

function turnTakingOf(context: AgentContext): TurnTaking {
  return { endOfTurnSilenceMs: context.turnTaking.endOfTurnSilenceMs, allowInterruptions: context.turnTaking.allowInterruptions }
}

function speechToTextConfig(engine: AgentContext['engines']['speechToText'], keys: AgentJobOptions['engineKeys']): SpeechToTextConfig {
  if (engine.kind === 'browser') return { kind: 'browser' }
  if (!keys?.openaiApiKey) throw new Error('The backend transcribes speech with OpenAI, but the agent has no OPENAI_API_KEY.')
  return { kind: 'openai', apiKey: keys.openaiApiKey, model: engine.model, language: engine.language, ...(engine.baseURL ? { baseURL: engine.baseURL } : {}) }
}

function speechConfig(engine: AgentContext['engines']['speech'], keys: AgentJobOptions['engineKeys']): SpeechConfig {
  if (engine.kind === 'espeak') return { kind: 'espeak', voice: engine.voice, ...(keys?.espeakCommand ? { command: keys.espeakCommand } : {}) }
  if (!keys?.openaiApiKey) throw new Error('The backend speaks with OpenAI’s voices, but the agent has no OPENAI_API_KEY.')
  return { kind: 'openai', apiKey: keys.openaiApiKey, model: engine.model, voice: engine.voice, ...(engine.baseURL ? { baseURL: engine.baseURL } : {}) }
}

/** A pipeline event as the browser gets it: the protocol's server message (meta events are already one). */
function clientMessage(event: PipelineEvent): Record<string, unknown> {
  if (event.type === 'meta') return event.payload
  // The agent starts a failed pipeline over itself: for the browser no error is fatal here.
  if (event.type === 'error') return { ...event, fatal: false }
  // The pipeline's speech id pairs audio with turns here; it means nothing to the browser.
  if (event.type === 'speech') return { type: 'speech', event: event.event, interrupted: event.interrupted }
  return { ...event }
}

const CLIENT_TURN_ID = /^[A-Za-z0-9_-]{8,64}$/

/** The browser's messages (protocol §4): recognised speech, typed turns, barge-in, the end of the sitting. */
function handleClientMessage(pipeline: VoicePipeline, message: unknown, client: ClientChannel): 'end' | void {
  const m = (message ?? {}) as Record<string, unknown>
  const validTurn = typeof m.clientTurnId === 'string' && CLIENT_TURN_ID.test(m.clientTurnId) && typeof m.text === 'string'
  switch (m.type) {
    case 'transcript':
      if (validTurn && typeof m.final === 'boolean') return pipeline.pushTranscript({ clientTurnId: m.clientTurnId as string, text: m.text as string, final: m.final })
      break
    case 'text':
      if (validTurn) return pipeline.sendText({ clientTurnId: m.clientTurnId as string, text: m.text as string })
      break
    case 'interrupt':
      return pipeline.interrupt()
    case 'end':
      return 'end'
  }
  client.send({ type: 'error', code: 'bad_message', message: 'Unknown or malformed message.', fatal: false })
}
