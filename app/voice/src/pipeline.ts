import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web'
import { inference, llm, log, stt, type tts, voice } from '@livekit/agents'
import type { AudioFrame } from '@livekit/rtc-node'
import { PushAudioInput } from './audio-input.js'
import { ClientAudioOutput, SpokenTextSink } from './audio-output.js'
import { BridgeLLM } from './engines/bridge-llm.js'
import { BrowserTranscriptSTT } from './engines/browser-stt.js'
import { EspeakTTS } from './engines/espeak-tts.js'
import { OpenAITranscriptionSTT, type SegmentTranscription } from './engines/openai-stt.js'
import { OpenAISpeechTTS } from './engines/openai-tts.js'
import { createRealtimeModel, realtimeModelName } from './engines/realtime.js'
import { applyLiveKitFixes } from './livekit-fixes.js'
import { ensureAgentsLogger } from './logger.js'
import type { LearnerTurn, PipelineEvent, SpokenExchange, TurnTaking, VoicePipeline, VoicePipelineOptions, WordTiming } from './types.js'

/** Silence (ms) after which the VAD calls a stretch of speech ended, at most and at least (see vadSilenceMs). */
const VAD_SILENCE_MS = { max: 550, min: 350 }
/** Time speech-to-text gets between the VAD's end of speech and the end of the turn. */
const TRANSCRIPTION_HEAD_START_MS = 250
/** Speech (ms) the learner must keep up before it cuts the tutor off. */
const BARGE_IN_MIN_SPEECH_MS = 500
/** Where a user message's learner-turn record is named (ChatMessage.extra). */
const TURN_KEY = 'avaazTurn'
/** Bounds on bookkeeping that only a misbehaving session could grow. */
const MAX_TRACKED = 64
/**
 * How long a realtime model's reply waits for the model's transcript of the learner's words before
 * the exchange is stored without them (the transcript usually comes while the reply is spoken).
 */
const REALTIME_TRANSCRIPT_WAIT_MS = 5_000

const MESSAGES = {
  tutor_unavailable: 'The tutor could not reply just now. Please say it again.',
  speech_unavailable: 'Speech is not available right now; the reply is shown as text.',
  speech_to_text_unavailable: 'What you said could not be transcribed. Please say it again.',
  internal: 'Something went wrong in the voice pipeline.',
} as const

/** A learner's turn as the pipeline follows it, from its end to the reply's playout. */
interface TurnRecord {
  key: string
  clientTurnId: string
  source: LearnerTurn['source']
  text: string
  /** ms since the epoch */
  startedAt?: number
  /** End of the learner's speech (voice) or when the turn arrived (typed): latency is measured from here. */
  endedAt?: number
  words?: WordTiming[]
  /** Transcribed speech segments the turn is made of (server speech-to-text). */
  segments?: HeardSegment[]
  /** The tutor gave text for it. */
  replied: boolean
  /** Realtime model: the learner's words are still to come from the model's transcription. */
  transcript?: { settled: Promise<void>; settle(): void }
}

interface HeardSegment {
  text: string
  /** When the VAD put the end of this stretch of speech (ms since the epoch). */
  speechEndTime?: number
  /** When the audio sent for it began (ms since the epoch). */
  audioStartedAt?: number
  detail?: SegmentTranscription
}

interface TrackedSpeech {
  handle: voice.SpeechHandle
  kind: 'reply' | 'line' | 'other'
  turn?: TurnRecord
  latencyMs?: number
}

type SttOutput = stt.SpeechEvent | string

interface PipelineState {
  agent: 'listening' | 'thinking' | 'speaking'
  user: 'listening' | 'speaking'
}

interface AgentHooks {
  holdTranscripts(stream: ReadableStream<SttOutput>): ReadableStream<SttOutput>
  turnCompleted(message: llm.ChatMessage): void
}

export async function createVoicePipeline(options: VoicePipelineOptions): Promise<VoicePipeline> {
  validateOptions(options)
  ensureAgentsLogger()
  applyLiveKitFixes()
  ensureLocalInference()
  const pipeline = new VoicePipelineSession(options)
  try {
    await pipeline.start()
  } catch (error) {
    await pipeline.close().catch(() => undefined)
    throw error
  }
  return pipeline
}

/**
 * One learner's voice conversation on LiveKit Agents' AgentSession, without a room: microphone
 * audio in (PushAudioInput), the tutor's speech out (ClientAudioOutput), Silero VAD for turn-taking
 * and barge-in, and the engines — speech-to-text, the tutor (BridgeLLM), speech — as LiveKit classes.
 */
export class VoicePipelineSession implements VoicePipeline {
  readonly outputSampleRate: number
  /** The underlying session (exposed for tests and diagnostics; drive the pipeline through its methods). */
  readonly session: voice.AgentSession
  readonly input: PushAudioInput
  readonly output: ClientAudioOutput
  readonly #options: VoicePipelineOptions
  /** None with the browser's recognition: see the constructor. */
  readonly #vad: inference.VAD | null
  /** None with a realtime model, which hears and speaks itself. */
  readonly #stt: OpenAITranscriptionSTT | BrowserTranscriptSTT | null
  readonly #tts: tts.TTS | null
  readonly #realtime: llm.RealtimeModel | null
  readonly #text: SpokenTextSink
  readonly #agent: TutorAgent
  #turnTaking: TurnTaking
  /** Learner turns whose reply has not yet asked for them, by key. */
  readonly #turns = new Map<string, TurnRecord>()
  readonly #turnOf = new WeakMap<LearnerTurn, TurnRecord>()
  /** Speeches not yet done, in the order they were created — which is the order they play in. */
  readonly #speeches = new Map<string, TrackedSpeech>()
  /** The owner of the speech about to be created by the pipeline itself (set around the call). */
  #nextSpeech: Pick<TrackedSpeech, 'kind' | 'turn'> | null = null
  /** A turn the session committed from speech, waiting for its reply's speech to be created. */
  #voiceTurn: TurnRecord | null = null
  /** Final transcripts handed to the session and not yet part of a committed turn. */
  #heard: HeardSegment[] = []
  /** Transcript events held back while the tutor may not be interrupted (see #holdTranscripts). */
  #held: SttOutput[] = []
  #heldDetail = new WeakMap<object, HeardSegment>()
  #sttOut: ReadableStreamDefaultController<SttOutput> | null = null
  /** When a browser turn's first interim result came. */
  readonly #browserStarts = new Map<string, number>()
  #state: PipelineState = { agent: 'listening', user: 'listening' }
  /** speech_unavailable is said once per learner turn, not once per sentence. */
  #speechErrorTurn: string | null = null
  /** Realtime model: voice turns waiting for the model's transcript of them, oldest first. */
  readonly #untranscribed: TurnRecord[] = []
  /** Realtime model: exchanges are stored one after another, in the order they took place. */
  #exchanges: Promise<void> = Promise.resolve()
  /** When the learner began speaking in the turn under way, and last stopped, by the VAD (ms since the epoch). */
  #userSpeech: { startedAt?: number; endedAt?: number } = {}
  /** The speech whose audio is being handed out (its `speech` events name it). */
  #segmentSpeech: string | null = null
  #closing = false

  constructor(options: VoicePipelineOptions) {
    this.#options = options
    this.#turnTaking = { ...options.turnTaking }
    this.outputSampleRate = options.outputSampleRate ?? 24_000

    const realtime = options.realtime
    const speechToText = options.speechToText
    // With the browser's recognition the browser alone judges speech: its interim results cut the
    // tutor off and its final results end turns. A VAD would only add a way for audio the browser
    // could not transcribe (noise, a cough, music) to hold every reply back as "the learner speaks".
    const browserHears = !realtime && speechToText.kind === 'browser'
    this.#vad = browserHears ? null : new inference.VAD({ model: 'silero', minSilenceDuration: vadSilenceMs(this.#turnTaking.endOfTurnSilenceMs) })
    this.#realtime = realtime ? createRealtimeModel(realtime.model, realtime.language ?? 'nb') : null
    this.#text = new SpokenTextSink(realtime ? (text) => this.#emit({ type: 'delta', text }) : undefined)
    this.#stt = realtime
      ? null
      : speechToText.kind === 'browser'
        ? new BrowserTranscriptSTT({ onFinal: (transcript) => this.#browserFinal(transcript) })
        : new OpenAITranscriptionSTT({
            apiKey: speechToText.apiKey,
            model: speechToText.model,
            ...(speechToText.baseURL ? { baseURL: speechToText.baseURL } : {}),
            ...(speechToText.language ? { language: speechToText.language } : {}),
            onError: (error) => this.#fail('speech_to_text_unavailable', error),
          })
    const speech = options.speech
    this.#tts = realtime
      ? null
      : speech.kind === 'espeak'
        ? new EspeakTTS({ ...(speech.voice ? { voice: speech.voice } : {}), ...(speech.command ? { command: speech.command } : {}), onError: (error) => this.#speechFailed(error) })
        : new OpenAISpeechTTS({
            apiKey: speech.apiKey,
            model: speech.model,
            voice: speech.voice,
            ...(speech.baseURL ? { baseURL: speech.baseURL } : {}),
            onError: (error) => this.#speechFailed(error),
          })
    const tutor = new BridgeLLM({
      bridge: options.bridge,
      turnFor: (message) => this.#learnerTurn(message),
      onText: (turn, text) => {
        const record = this.#turnOf.get(turn)
        if (record) record.replied = true
        this.#emit({ type: 'delta', text })
      },
      onMeta: (_turn, payload) => this.#emit({ type: 'meta', payload }),
      onLine: (turn, text, payload) => {
        this.#emit({ type: 'meta', payload })
        this.#say(text, this.#turnOf.get(turn))
      },
      onFailure: (_turn, error) => this.#fail('tutor_unavailable', error),
    })

    this.session = new voice.AgentSession({
      // null, not left out: LiveKit would load its own default VAD otherwise.
      vad: this.#vad,
      ...(this.#stt ? { stt: this.#stt } : {}),
      llm: this.#realtime ?? tutor,
      ...(this.#tts ? { tts: this.#tts } : {}),
      turnHandling: {
        // The pipeline commits the browser's turns itself (see #browserFinal).
        turnDetection: this.#vad ? 'vad' : 'manual',
        endpointing: endpointing(this.#turnTaking.endOfTurnSilenceMs),
        interruption: {
          enabled: this.#turnTaking.allowInterruptions,
          mode: 'vad',
          // Speech over an uninterruptible tutor is kept (a mock exam keeps the candidate's words).
          discardAudioIfUninterruptible: false,
          minDuration: BARGE_IN_MIN_SPEECH_MS,
          // The output cannot pause, so an interruption is never taken back.
          resumeFalseInterruption: false,
        },
        // A preemptive reply would hand the bridge a turn before it is final (and store it twice).
        preemptiveGeneration: { enabled: false },
      },
      userAwayTimeout: null,
      aecWarmupDuration: null,
      // The tutor may think for a while before its first words; LiveKit's default would give up after 10 s.
      ttsReadIdleTimeout: 30_000,
      forwardAudioIdleTimeout: 30_000,
    })
    this.input = new PushAudioInput(options.inputSampleRate)
    this.output = new ClientAudioOutput({
      sampleRate: this.outputSampleRate,
      onAudio: (frame) => this.#options.onAudio(frame),
      onSegmentStart: (at) => this.#segmentStarted(at),
      onSegmentEnd: (interrupted) => this.#emit({ type: 'speech', event: 'end', interrupted, ...(this.#segmentSpeech ? { speechId: this.#segmentSpeech } : {}) }),
      spokenText: () => this.#text.text,
    })
    this.#agent = new TutorAgent(
      {
        holdTranscripts: (stream) => this.#holdTranscripts(stream),
        turnCompleted: (message) => this.#voiceTurnCompleted(message),
      },
      realtime,
    )
    this.session.input.audio = this.input
    this.session.output.audio = this.output
    this.session.output.transcription = this.#text as unknown as NonNullable<typeof this.session.output.transcription>
    this.#listen()
  }

  async start(): Promise<void> {
    await this.session.start({ agent: this.#agent, record: false })
  }

  pushAudio(frame: Int16Array): boolean {
    if (this.#closing) return false
    return this.input.push(frame)
  }

  pushTranscript(transcript: { clientTurnId: string; text: string; final: boolean }): void {
    if (this.#closing) return
    if (!(this.#stt instanceof BrowserTranscriptSTT)) return
    if (!transcript.final && transcript.text.trim() && !this.#browserStarts.has(transcript.clientTurnId)) {
      this.#browserStarts.set(transcript.clientTurnId, Date.now())
      trim(this.#browserStarts)
      // The learner talks over the tutor: the browser heard it even if no audio is streamed.
      if (this.#turnTaking.allowInterruptions) this.#interruptSpeech(false)
    }
    this.#stt.push(transcript)
  }

  sendText(turn: { clientTurnId: string; text: string }): void {
    const text = turn.text.trim()
    if (this.#closing || !text) return
    this.#commitTurn({ key: randomUUID(), clientTurnId: turn.clientTurnId, source: 'typed', text, endedAt: Date.now(), replied: false }, 'text')
  }

  interrupt(options?: { force?: boolean }): void {
    if (this.#closing) return
    this.#interruptSpeech(options?.force ?? false)
  }

  setTurnTaking(turnTaking: TurnTaking): void {
    validateTurnTaking(turnTaking)
    if (this.#closing) return
    this.#turnTaking = { ...turnTaking }
    this.session.updateOptions({ turnHandling: { endpointing: endpointing(turnTaking.endOfTurnSilenceMs) } })
    this.#vad?.updateOptions({ minSilenceDuration: vadSilenceMs(turnTaking.endOfTurnSilenceMs) })
    // LiveKit reads this flag whenever it makes a speech or a barge-in decision; updateOptions has no
    // key for it. Speeches already made keep their own flag, so they follow too (a reply whose
    // speaker turned out to be the examiner becomes uninterruptible while it is spoken).
    this.session.sessionOptions.turnHandling.interruption.enabled = turnTaking.allowInterruptions
    for (const speech of this.#speeches.values()) {
      if (!speech.handle.done() && !speech.handle.interrupted) speech.handle.allowInterruptions = turnTaking.allowInterruptions
    }
    this.#releaseTranscripts()
  }

  async close(): Promise<void> {
    if (this.#closing) return
    this.#closing = true
    this.#held = []
    try {
      await this.session.close()
    } finally {
      this.output.close()
      await this.input.close().catch(() => undefined)
      await this.#tts?.close().catch(() => undefined)
      await this.#stt?.close().catch(() => undefined)
      await this.#realtime?.close().catch(() => undefined)
      for (const record of this.#untranscribed.splice(0)) record.transcript?.settle()
      this.session.removeAllListeners()
      this.#speeches.clear()
      this.#turns.clear()
    }
  }

  // ── session events ──────────────────────────────────────────────────────────────────────────

  #listen(): void {
    const events = voice.AgentSessionEventTypes
    this.session.on(events.AgentStateChanged, (event) => {
      const agent = event.newState === 'thinking' || event.newState === 'speaking' ? event.newState : 'listening'
      this.#setState({ ...this.#state, agent })
    })
    this.session.on(events.UserStateChanged, (event) => {
      const speaking = event.newState === 'speaking'
      // The VAD reports a stretch of speech once it is sure of it, and its end after the silence. A
      // turn may be several stretches (a learner's pauses): it starts with the first.
      if (speaking) {
        this.#userSpeech.startedAt ??= event.createdAt
        this.#realtimeActivityStarted()
      }
      else if (event.oldState === 'speaking') this.#userSpeech.endedAt = event.createdAt - vadSilenceMs(this.#turnTaking.endOfTurnSilenceMs)
      this.#setState({ ...this.#state, user: speaking ? 'speaking' : 'listening' })
    })
    if (this.#realtime) this.session.on(events.UserInputTranscribed, (event) => this.#realtimeTranscript(event.transcript, event.isFinal))
    this.session.on(events.SpeechCreated, (event) => this.#track(event.speechHandle))
    this.session.on(events.Error, (event) => {
      // Our engines report their own failures and do not throw; anything else is LiveKit's.
      const type = (event.error as { type?: string } | undefined)?.type
      const code =
        type === 'stt_error'
          ? 'speech_to_text_unavailable'
          : type === 'tts_error'
            ? 'speech_unavailable'
            : type === 'llm_error' || type === 'realtime_model_error'
              ? 'tutor_unavailable'
              : 'internal'
      // A realtime model whose connection is gone for good (the plugin gave up retrying) ends the pipeline.
      const fatal = type === 'realtime_model_error' && (event.error as { recoverable?: boolean }).recoverable === false
      this.#fail(code, (event.error as { error?: unknown } | undefined)?.error ?? event.error, fatal)
    })
    this.session.on(events.Close, (event) => {
      if (!this.#closing) this.#fail('internal', event.error ?? new Error(`the voice session closed (${event.reason})`))
    })
  }

  #setState(next: PipelineState): void {
    if (next.agent === this.#state.agent && next.user === this.#state.user) return
    this.#state = next
    this.#emit({ type: 'state', ...next })
  }

  #emit(event: PipelineEvent): void {
    if (this.#closing && event.type !== 'speech') return
    try {
      this.#options.onEvent(event)
    } catch (error) {
      log().warn({ error: errorMessage(error) }, 'voice pipeline: the host failed to take an event')
    }
  }

  #fail(code: Extract<PipelineEvent, { type: 'error' }>['code'], error: unknown, fatal = false): void {
    if (this.#closing) return
    log().warn({ code, fatal, error: errorMessage(error) }, 'voice pipeline error')
    this.#emit({ type: 'error', code, message: MESSAGES[code], ...(fatal ? { fatal: true as const } : {}) })
  }

  #speechFailed(error: Error): void {
    // Once per learner turn (a reply is spoken sentence by sentence, and every sentence would fail).
    const turn = this.#playingSpeech()?.turn?.key ?? this.#newestTurnKey() ?? 'none'
    if (this.#speechErrorTurn === turn) return
    this.#speechErrorTurn = turn
    this.#fail('speech_unavailable', error)
  }

  // ── speeches ────────────────────────────────────────────────────────────────────────────────

  #track(handle: voice.SpeechHandle): void {
    let owner = this.#nextSpeech
    if (owner) this.#nextSpeech = null
    else if (this.#voiceTurn) {
      owner = { kind: 'reply', turn: this.#voiceTurn }
      this.#voiceTurn = null
    }
    const speech: TrackedSpeech = { handle, kind: owner?.kind ?? 'other', ...(owner?.turn ? { turn: owner.turn } : {}) }
    this.#speeches.set(handle.id, speech)
    handle.addDoneCallback(() => this.#speechDone(speech))
  }

  #speechDone(speech: TrackedSpeech): void {
    this.#speeches.delete(speech.handle.id)
    const turn = speech.turn
    if (speech.kind === 'reply' && turn && this.#realtime) {
      this.#realtimeReplyDone(turn, speech)
    } else if (speech.kind === 'reply' && turn) {
      if (turn.replied && !this.#closing) {
        try {
          this.#options.bridge.replySpoken?.({ clientTurnId: turn.clientTurnId, latencyMs: speech.latencyMs ?? null, interrupted: speech.handle.interrupted })
        } catch (error) {
          log().warn({ error: errorMessage(error) }, 'voice pipeline: replySpoken failed')
        }
      }
    }
    this.#releaseTranscripts()
  }

  /** The speech being played: the oldest one not yet done (speeches play one at a time, in order). */
  #playingSpeech(): TrackedSpeech | undefined {
    for (const speech of this.#speeches.values()) {
      if (!speech.handle.done() && !speech.handle.interrupted) return speech
    }
    return undefined
  }

  #segmentStarted(at: number): void {
    const speech = this.#playingSpeech()
    this.#segmentSpeech = speech?.handle.id ?? null
    this.#emit({ type: 'speech', event: 'start', interrupted: false, ...(this.#segmentSpeech ? { speechId: this.#segmentSpeech } : {}) })
    const turn = speech?.turn
    if (!speech || speech.kind !== 'reply' || !turn || speech.latencyMs !== undefined || turn.endedAt === undefined) return
    speech.latencyMs = Math.max(0, at - turn.endedAt)
    this.#emit({ type: 'latency', clientTurnId: turn.clientTurnId, ms: speech.latencyMs })
  }

  #interruptSpeech(force: boolean): void {
    const speech = this.#playingSpeech()
    if (!speech) return
    if (!force && !speech.handle.allowInterruptions) return
    if (force) {
      // LiveKit's own force also cancels every speech task (it is meant for shutdown); letting the
      // speeches be interrupted and interrupting them normally stops the audio just the same.
      for (const { handle } of this.#speeches.values()) if (!handle.done() && !handle.interrupted) handle.allowInterruptions = true
    }
    try {
      void this.session.interrupt()
    } catch (error) {
      log().debug({ error: errorMessage(error) }, 'voice pipeline: nothing to interrupt')
    }
  }

  #say(text: string, turn: TurnRecord | undefined): void {
    if (this.#closing || !text.trim()) return
    this.#nextSpeech = { kind: 'line', ...(turn ? { turn } : {}) }
    try {
      this.session.say(text, { addToChatCtx: true })
    } catch (error) {
      this.#fail('internal', error)
    } finally {
      this.#nextSpeech = null
    }
  }

  // ── learner turns ───────────────────────────────────────────────────────────────────────────

  /** A typed turn or a browser's final transcript: answered as a turn of its own, at once. */
  #commitTurn(record: TurnRecord, modality: 'text' | 'audio'): void {
    // Kept for the bridge to look up when it is asked for the reply; a realtime model asks nobody (its
    // reply's speech carries the record).
    if (!this.#realtime) this.#remember(record)
    const message = new llm.ChatMessage({ role: 'user', content: record.text, extra: { [TURN_KEY]: record.key } })
    // A new turn supersedes what the tutor is saying — unless the tutor may not be interrupted, and
    // then the reply waits its turn (LiveKit queues it after the current speech).
    if (this.#turnTaking.allowInterruptions) this.#interruptSpeech(false)
    this.#nextSpeech = { kind: 'reply', turn: record }
    try {
      this.session.generateReply({ userInput: message, inputModality: modality })
    } catch (error) {
      this.#turns.delete(record.key)
      this.#fail('internal', error)
    } finally {
      this.#nextSpeech = null
    }
  }

  #browserFinal(transcript: { clientTurnId: string; text: string }): void {
    if (this.#closing) return
    const endedAt = Date.now()
    const startedAt = this.#browserStarts.get(transcript.clientTurnId)
    this.#browserStarts.delete(transcript.clientTurnId)
    this.#commitTurn(
      { key: randomUUID(), clientTurnId: transcript.clientTurnId, source: 'browser_speech', text: transcript.text, endedAt, ...(startedAt !== undefined ? { startedAt } : {}), replied: false },
      'audio',
    )
  }

  /**
   * The session ended a learner's turn from speech. With server speech-to-text its text is known;
   * with a realtime model it is not yet (the model transcribes the audio the session now commits).
   */
  #voiceTurnCompleted(message: llm.ChatMessage): void {
    const { startedAt, endedAt } = this.#userSpeech
    this.#userSpeech = {}
    if (this.#realtime) {
      const record: TurnRecord = {
        key: randomUUID(),
        clientTurnId: `speech-${randomUUID()}`,
        source: 'speech_engine',
        text: '',
        replied: false,
        transcript: settleable(),
        ...(startedAt !== undefined ? { startedAt } : {}),
        endedAt: endedAt ?? Date.now(),
      }
      this.#untranscribed.push(record)
      if (this.#untranscribed.length > MAX_TRACKED) this.#untranscribed.shift()?.transcript?.settle()
      this.#voiceTurn = record
      return
    }
    const text = message.textContent ?? ''
    const record: TurnRecord = { key: randomUUID(), clientTurnId: `speech-${randomUUID()}`, source: 'speech_engine', text, segments: this.#takeHeard(text), replied: false }
    this.#remember(record)
    message.extra[TURN_KEY] = record.key
    this.#voiceTurn = record
  }

  #remember(record: TurnRecord): void {
    this.#turns.set(record.key, record)
    trim(this.#turns)
  }

  #newestTurnKey(): string | undefined {
    let key: string | undefined
    for (const record of this.#turns.values()) key = record.key
    return key
  }

  /** The learner turn a user message stands for, as the bridge gets it. */
  #learnerTurn(message: llm.ChatMessage): LearnerTurn {
    const key = message.extra[TURN_KEY]
    let record = typeof key === 'string' ? this.#turns.get(key) : undefined
    // Looked up once: the reply's speech holds the record from here on. (A reply interrupted before
    // it began still gets here — LiveKit starts the reply at once — so the turn is still stored.)
    if (record) this.#turns.delete(record.key)
    else {
      // Not a turn the pipeline saw committed (should not happen): still a turn, with an id of its own.
      record = { key: randomUUID(), clientTurnId: `speech-${randomUUID()}`, source: 'speech_engine', text: message.textContent ?? '', replied: false }
    }
    if (record.source === 'speech_engine') timeSpeechTurn(record, message)
    this.#speechErrorTurn = null
    const turn: LearnerTurn = {
      clientTurnId: record.clientTurnId,
      text: message.textContent ?? record.text,
      source: record.source,
      ...(record.source !== 'typed' && record.startedAt !== undefined && record.endedAt !== undefined
        ? { startedAt: new Date(record.startedAt), endedAt: new Date(record.endedAt) }
        : {}),
      ...(record.words?.length ? { words: record.words } : {}),
    }
    this.#turnOf.set(turn, record)
    return turn
  }

  // ── realtime model ──────────────────────────────────────────────────────────────────────────

  /**
   * The learner began to speak. Gemini Live, with its own activity detection off, hears a turn from
   * `activityStart` on; LiveKit sends that only once the speech could interrupt (half a second in),
   * so without this the start of every utterance would be outside the turn.
   */
  #realtimeActivityStarted(): void {
    // While the model speaks, activityStart would cut it off at once: that is barge-in's to decide.
    if (this.#options.realtime?.model.provider !== 'gemini' || this.#state.agent === 'speaking') return
    try {
      this.#agent.getActivityOrThrow().realtimeLLMSession?.startUserActivity()
    } catch (error) {
      log().debug({ error: errorMessage(error) }, 'voice pipeline: no realtime session to tell of speech')
    }
  }

  /** The model's transcript of the learner: shown as it comes; a final one completes the oldest voice turn waiting for it. */
  #realtimeTranscript(transcript: string, final: boolean): void {
    const text = transcript.trim()
    if (text) this.#emit({ type: 'transcript', text, final })
    if (!final) return
    const record = this.#untranscribed.shift()
    if (!record) return
    record.text = text
    record.transcript?.settle()
  }

  /**
   * A realtime reply has been spoken (or cut off): the exchange is stored once the learner's words are
   * known, after every exchange before it, and the stored turns are shown.
   */
  #realtimeReplyDone(turn: TurnRecord, speech: TrackedSpeech): void {
    const reply = { text: replyText(speech.handle), interrupted: speech.handle.interrupted }
    const latencyMs = speech.latencyMs ?? null
    const previous = this.#exchanges
    const waitForWords = turn.transcript
      ? Promise.race([turn.transcript.settled, new Promise<void>((resolve) => setTimeout(resolve, REALTIME_TRANSCRIPT_WAIT_MS).unref())])
      : Promise.resolve()
    this.#exchanges = Promise.all([previous, waitForWords]).then(async () => {
      if (turn.transcript) {
        // Waited long enough: later transcripts belong to later turns.
        const index = this.#untranscribed.indexOf(turn)
        if (index >= 0) this.#untranscribed.splice(index, 1)
      }
      if (this.#closing && !turn.text && !reply.text) return
      const exchange: SpokenExchange = {
        learner: turn.text ? this.#exchangeTurn(turn) : null,
        reply: { ...reply, latencyMs },
        model: realtimeModelName(this.#options.realtime!.model),
      }
      try {
        const shown = (await this.#options.bridge.exchange!(exchange)) ?? []
        // The stored reply names its speech, so its audio is paired with it whatever came between.
        for (const payload of shown) this.#emit({ type: 'meta', payload, ...(isReplyTurn(payload) ? { speechId: speech.handle.id } : {}) })
      } catch (error) {
        // The bridge tells the learner what they must know (it knows why); here it is only logged.
        log().warn({ error: errorMessage(error) }, 'voice pipeline: a realtime exchange was not stored')
      }
    })
  }

  #exchangeTurn(record: TurnRecord): LearnerTurn {
    return {
      clientTurnId: record.clientTurnId,
      text: record.text,
      source: record.source,
      ...(record.source !== 'typed' && record.startedAt !== undefined && record.endedAt !== undefined
        ? { startedAt: new Date(record.startedAt), endedAt: new Date(record.endedAt) }
        : {}),
    }
  }

  // ── transcripts (server speech-to-text) ─────────────────────────────────────────────────────

  /**
   * Wraps the session's speech-to-text output. Every final transcript is shown at once; it reaches
   * the session — which ends turns from it — only while the tutor may be interrupted. LiveKit drops
   * a turn that ends while an uninterruptible speech plays ("skipping user input"), so what the
   * learner says over a mock exam's examiner waits here until the examiner (and any lines queued
   * after) has finished, and then becomes the learner's turn as usual.
   */
  #holdTranscripts(source: ReadableStream<SttOutput>): ReadableStream<SttOutput> {
    const reader = source.getReader()
    return new ReadableStream<SttOutput>({
      start: (controller) => {
        this.#sttOut = controller
        void (async () => {
          try {
            for (;;) {
              const { done, value } = await reader.read()
              if (done) break
              this.#transcriptArrived(value)
            }
            controller.close()
          } catch {
            // the session cancelled the stream
          } finally {
            if (this.#sttOut === controller) this.#sttOut = null
          }
        })()
      },
      cancel: (reason) => reader.cancel(reason),
    })
  }

  #transcriptArrived(event: SttOutput): void {
    if (typeof event !== 'string' && event.type === stt.SpeechEventType.FINAL_TRANSCRIPT) {
      const text = event.alternatives?.[0]?.text.trim() ?? ''
      if (text && this.#stt instanceof OpenAITranscriptionSTT) {
        const detail = this.#stt.takeSegment(event.requestId)
        // The segment's audio ends where the VAD noticed the silence: the end of speech plus that
        // silence. On the VAD's clock, as the turn's start and end are (the request may have been
        // made late on a busy event loop).
        const audioStartedAt =
          detail && event.speechEndTime !== undefined ? event.speechEndTime + vadSilenceMs(this.#turnTaking.endOfTurnSilenceMs) - detail.audioMs : detail?.audioStartedAt
        this.#heldDetail.set(event, {
          text,
          ...(event.speechEndTime !== undefined ? { speechEndTime: event.speechEndTime } : {}),
          ...(audioStartedAt !== undefined ? { audioStartedAt } : {}),
          ...(detail ? { detail } : {}),
        })
        this.#emit({ type: 'transcript', text, final: true })
      }
    }
    if (this.#held.length > 0 || this.#mustHoldTranscripts()) {
      this.#held.push(event)
      return
    }
    this.#passTranscript(event)
  }

  #passTranscript(event: SttOutput): void {
    const controller = this.#sttOut
    if (!controller) return
    if (typeof event !== 'string') {
      const segment = this.#heldDetail.get(event)
      if (segment) {
        this.#heard.push(segment)
        if (this.#heard.length > MAX_TRACKED) this.#heard.shift()
      }
    }
    try {
      controller.enqueue(event)
    } catch {
      // stream already closed
    }
  }

  #mustHoldTranscripts(): boolean {
    for (const { handle } of this.#speeches.values()) {
      if (!handle.done() && !handle.interrupted && !handle.allowInterruptions) return true
    }
    return false
  }

  #releaseTranscripts(): void {
    while (this.#held.length > 0 && !this.#mustHoldTranscripts() && !this.#closing) this.#passTranscript(this.#held.shift()!)
  }

  /** The transcribed segments a committed turn's text is made of (LiveKit joins them with spaces). */
  #takeHeard(text: string): HeardSegment[] {
    const target = squash(text)
    for (let start = 0; start < this.#heard.length; start++) {
      let joined = ''
      for (let end = start; end < this.#heard.length; end++) {
        joined = squash(`${joined} ${this.#heard[end]!.text}`)
        if (joined === target) return this.#heard.splice(0, end + 1).slice(start)
        if (joined.length > target.length) break
      }
    }
    return []
  }
}

/**
 * The session's agent, with two hooks. Behind the bridge the tutor needs no instructions here; a
 * realtime model gets the tutor's instructions and the conversation so far as its context.
 */
class TutorAgent extends voice.Agent {
  readonly #hooks: AgentHooks

  constructor(hooks: AgentHooks, realtime: VoicePipelineOptions['realtime']) {
    const chatCtx = llm.ChatContext.empty()
    for (const turn of realtime?.history ?? []) chatCtx.addMessage({ role: turn.role === 'learner' ? 'user' : 'assistant', content: turn.text })
    super({ instructions: realtime?.instructions ?? 'The replies come from the Avaaz tutor through its bridge.', chatCtx })
    this.#hooks = hooks
  }

  override async sttNode(audio: ReadableStream<AudioFrame> | AsyncIterable<AudioFrame>, modelSettings: voice.ModelSettings): Promise<ReadableStream<SttOutput> | null> {
    const stream = await super.sttNode(audio, modelSettings)
    return stream ? this.#hooks.holdTranscripts(stream) : null
  }

  override async onUserTurnCompleted(_chatCtx: llm.ChatContext, message: llm.ChatMessage): Promise<void> {
    this.#hooks.turnCompleted(message)
  }
}

/** What a realtime reply said: the text of the assistant messages its speech added. */
function replyText(handle: voice.SpeechHandle): string {
  return handle.chatItems
    .filter((item): item is llm.ChatMessage => item instanceof llm.ChatMessage && item.role === 'assistant')
    .map((message) => message.textContent ?? '')
    .join(' ')
    .trim()
}

function isReplyTurn(payload: Record<string, unknown>): boolean {
  const role = (payload.turn as { role?: unknown } | undefined)?.role
  return payload.type === 'turn' && typeof role === 'string' && role !== 'learner'
}

function settleable(): { settled: Promise<void>; settle(): void } {
  let settle!: () => void
  const settled = new Promise<void>((resolve) => (settle = resolve))
  return { settled, settle }
}

/** Times and words of a turn from speech: from the session's VAD, else from its segments. */
function timeSpeechTurn(record: TurnRecord, message: llm.ChatMessage): void {
  const { startedSpeakingAt, stoppedSpeakingAt } = message.metrics
  const segments = record.segments ?? []
  const first = segments[0]
  const last = segments.at(-1)
  record.startedAt = startedSpeakingAt !== undefined ? startedSpeakingAt * 1000 : first?.audioStartedAt
  record.endedAt = stoppedSpeakingAt !== undefined ? stoppedSpeakingAt * 1000 : (last?.speechEndTime ?? record.endedAt)
  const startedAt = record.startedAt
  if (startedAt === undefined) return
  const words: WordTiming[] = []
  for (const segment of segments) {
    if (segment.audioStartedAt === undefined) continue
    const offset = segment.audioStartedAt - startedAt
    for (const word of segment.detail?.words ?? []) {
      words.push({ word: word.word, startMs: Math.max(0, offset + word.startMs), endMs: Math.max(0, offset + word.endMs) })
    }
  }
  if (words.length) record.words = words
}

function endpointing(endOfTurnSilenceMs: number): { minDelay: number; maxDelay: number } {
  // maxDelay only matters with a turn-detector model; it must not be below minDelay.
  return { minDelay: endOfTurnSilenceMs, maxDelay: Math.max(endOfTurnSilenceMs, 3_000) }
}

/**
 * The VAD's silence: a stretch of speech is sent to speech-to-text when it ends, and the turn can only
 * end once its text is back. So the VAD calls the end a little before the turn's silence is up (a
 * head start for the request), but not so early that every short pause splits a sentence in two.
 */
function vadSilenceMs(endOfTurnSilenceMs: number): number {
  const silence = Math.min(VAD_SILENCE_MS.max, Math.max(VAD_SILENCE_MS.min, endOfTurnSilenceMs - TRANSCRIPTION_HEAD_START_MS))
  return Math.max(100, Math.min(endOfTurnSilenceMs, silence))
}

function validateOptions(options: VoicePipelineOptions): void {
  const { inputSampleRate, outputSampleRate } = options
  if (!Number.isInteger(inputSampleRate) || inputSampleRate < 8_000 || inputSampleRate > 48_000) {
    throw new RangeError(`inputSampleRate must be an integer from 8000 to 48000 (got ${inputSampleRate})`)
  }
  if (outputSampleRate !== undefined && (!Number.isInteger(outputSampleRate) || outputSampleRate < 8_000 || outputSampleRate > 48_000)) {
    throw new RangeError(`outputSampleRate must be an integer from 8000 to 48000 (got ${outputSampleRate})`)
  }
  if (!options.bridge || typeof options.bridge.learnerTurn !== 'function') throw new TypeError('bridge.learnerTurn is required')
  if (typeof options.onAudio !== 'function' || typeof options.onEvent !== 'function') throw new TypeError('onAudio and onEvent are required')
  if (options.realtime) {
    validateRealtime(options)
    validateTurnTaking(options.turnTaking)
    return
  }
  const speechToText = options.speechToText as { kind?: unknown; model?: unknown }
  if (speechToText?.kind === 'openai') {
    if (typeof speechToText.model !== 'string' || !speechToText.model) throw new TypeError('speechToText.model is required for openai')
  } else if (speechToText?.kind !== 'browser') {
    throw new TypeError(`speechToText.kind must be 'browser' or 'openai' (got ${String(speechToText?.kind)})`)
  }
  const speech = options.speech as { kind?: unknown; model?: unknown; voice?: unknown }
  if (speech?.kind === 'openai') {
    if (typeof speech.model !== 'string' || !speech.model || typeof speech.voice !== 'string' || !speech.voice) throw new TypeError('speech.model and speech.voice are required for openai')
  } else if (speech?.kind !== 'espeak') {
    throw new TypeError(`speech.kind must be 'espeak' or 'openai' (got ${String(speech?.kind)})`)
  }
  validateTurnTaking(options.turnTaking)
}

function validateRealtime(options: VoicePipelineOptions): void {
  const realtime = options.realtime!
  const model = realtime.model as { provider?: unknown; apiKey?: unknown; model?: unknown; voice?: unknown }
  if (model?.provider !== 'openai' && model?.provider !== 'gemini') throw new TypeError(`realtime.model.provider must be 'openai' or 'gemini' (got ${String(model?.provider)})`)
  for (const key of ['apiKey', 'model', 'voice'] as const) {
    if (typeof model[key] !== 'string' || !model[key]) throw new TypeError(`realtime.model.${key} is required`)
  }
  if (typeof realtime.instructions !== 'string' || !realtime.instructions.trim()) throw new TypeError('realtime.instructions are required')
  if (typeof options.bridge.exchange !== 'function') throw new TypeError('bridge.exchange is required with a realtime model')
}

function validateTurnTaking(turnTaking: TurnTaking): void {
  if (!turnTaking || !Number.isFinite(turnTaking.endOfTurnSilenceMs) || turnTaking.endOfTurnSilenceMs < 0 || turnTaking.endOfTurnSilenceMs > 10_000) {
    throw new RangeError('turnTaking.endOfTurnSilenceMs must be from 0 to 10000')
  }
  if (typeof turnTaking.allowInterruptions !== 'boolean') throw new TypeError('turnTaking.allowInterruptions must be a boolean')
}

let localInferenceChecked = false

/**
 * LiveKit's VAD runs Silero in @livekit/local-inference's native addon; without it the VAD is
 * silently a no-op (a warning in the log) and no turn would ever end. Fail at creation instead.
 */
function ensureLocalInference(): void {
  if (localInferenceChecked) return
  const require = createRequire(import.meta.url)
  try {
    createRequire(require.resolve('@livekit/agents'))('@livekit/local-inference')
  } catch (error) {
    throw new Error(`The voice activity detector cannot load (@livekit/local-inference, needed by @livekit/agents): ${errorMessage(error)}`)
  }
  localInferenceChecked = true
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function trim(map: Map<string, unknown>): void {
  while (map.size > MAX_TRACKED) map.delete(map.keys().next().value!)
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
