import type { components } from '@/lib/api/schema'
import { BrowserSpeech, browserRecognitionUsable, speechRecognitionConstructor, type SpeechRecognitionConstructor } from './browser-speech'
import { Emitter } from './emitter'
import { MicCapture, MicError, type MicErrorKind } from './mic-capture'
import { PlaybackQueue } from './playback'
import { newClientTurnId, type AgentState, type ReadyMessage, type UserState } from './protocol'
import { VoiceConnection, type ConnectionFailure, type ConnectionStatus, type OutstandingTurn, type VoiceConnectionOptions } from './voice-connection'

/**
 * A voice conversation in the browser: the microphone, the connection, the tutor's voice, barge-in
 * and the browser's speech recognition where it is usable, behind one object with a snapshot for the
 * UI and the server's events for the conversation. Framework-free; `use-voice-session.ts` binds it
 * to React. The talk page uses it in conversation mode, the exam room can use it in exam mode (the
 * examiner and co-candidate are never interrupted).
 */

type Turn = components['schemas']['Turn']

export type VoiceProblem = { kind: 'mic'; reason: MicErrorKind } | { kind: 'connection'; reason: ConnectionFailure }

/** How the learner's speech becomes text in this conversation (null until the server is ready). */
export type SpeechToTextRoute = 'browser' | 'server' | 'none'

export interface VoiceSnapshot {
  /** Voice is on: connecting, connected or reconnecting. */
  active: boolean
  status: ConnectionStatus
  /** Why voice stopped (the page falls back to typing and says what to do). */
  problem: VoiceProblem | null
  agent: AgentState | null
  user: UserState | null
  /** The tutor's voice is playing here (local playback, not the server's idea of it). */
  tutorSpeaking: boolean
  /** What the learner is saying, as recognised so far; cleared once their turn is stored. */
  interim: string
  speechToText: SpeechToTextRoute | null
  muted: boolean
  /** Of the last reply: end of the learner's speech → first tutor audio. For a debug view only. */
  latencyMs: number | null
  engines: ReadyMessage['engines'] | null
  interruptions: boolean
}

/** What changes many times a second: kept apart so only the meter re-renders. */
export interface VoiceMeter {
  level: number
  /** The highest level since voice was turned on. */
  peak: number
  framesSent: number
  framesReceived: number
}

export interface VoiceSessionEvents {
  status: ConnectionStatus
  turn: Turn
  delta: { text: string }
  correction: components['schemas']['Correction']
  visual: components['schemas']['VisualAid']
  change: components['schemas']['TutorStateChange']
  line: Turn
  /** A server error that is not about the connection (`tutor_unavailable`, `exam_over`, …). */
  error: { code: string; message: string; fatal: boolean }
  /** The browser recognised a whole learner turn and it was sent (shown at once, before the server echoes it). */
  said: { clientTurnId: string; text: string }
  /** Turns whose reply will not come over this connection (it failed, or voice was turned off): to be sent again. */
  undelivered: OutstandingTurn[]
  speech: { event: 'start' | 'end'; interrupted: boolean }
}

export interface VoiceSessionOptions {
  /** `exam`: the learner's speech never cuts the examiner or co-candidate off. */
  mode?: 'conversation' | 'exam'
  /** Let the server transcribe even where the browser could (its engine is better, and gives word timings). */
  preferServerSpeechToText?: boolean
  connection?: Partial<Omit<VoiceConnectionOptions, 'speechToText'>>
  mediaDevices?: Pick<MediaDevices, 'getUserMedia'>
  createAudioContext?: () => AudioContext
  workletUrl?: string
  /** The browser's recogniser; null: none. By default the browser's own, where usable. */
  Recognition?: SpeechRecognitionConstructor | null
  /** Local barge-in: a level above `level` (0…1) for `holdMs` while the tutor speaks. */
  bargeIn?: { level?: number; holdMs?: number }
  now?: () => number
}

export const initialSnapshot: VoiceSnapshot = {
  active: false,
  status: 'idle',
  problem: null,
  agent: null,
  user: null,
  tutorSpeaking: false,
  interim: '',
  speechToText: null,
  muted: false,
  latencyMs: null,
  engines: null,
  interruptions: true,
}

export const initialMeter: VoiceMeter = { level: 0, peak: 0, framesSent: 0, framesReceived: 0 }

/**
 * About −27 dBFS on the meter's scale: ordinary speech close to the microphone, above what echo
 * cancellation leaves of the tutor's own voice.
 */
const BARGE_IN_LEVEL = 0.55
const BARGE_IN_HOLD_MS = 150

export class VoiceSession extends Emitter<VoiceSessionEvents> {
  private readonly options: VoiceSessionOptions
  private snapshot = initialSnapshot
  private meter = initialMeter
  private snapshotListeners = new Set<() => void>()
  private meterListeners = new Set<() => void>()
  private context: AudioContext | null = null
  private mic: MicCapture | null = null
  private playback: PlaybackQueue | null = null
  private connection: VoiceConnection | null = null
  private speech: BrowserSpeech | null = null
  private detach: Array<() => void> = []
  /** After a barge-in, the rest of the interrupted reply's audio still in flight is dropped. */
  private discarding = false
  private loudSince: number | null = null
  /** What the hello of the current connection said. */
  private speechToTextMode: 'browser' | 'server' = 'server'
  /** Bumped by start and stop: an older start still awaiting the microphone gives up. */
  private run = 0

  constructor(options: VoiceSessionOptions = {}) {
    super()
    this.options = { ...options }
  }

  // The snapshot stores (for useSyncExternalStore): arrow functions, so they can be passed around.
  subscribe = (listener: () => void) => {
    this.snapshotListeners.add(listener)
    return () => void this.snapshotListeners.delete(listener)
  }
  getSnapshot = () => this.snapshot
  subscribeMeter = (listener: () => void) => {
    this.meterListeners.add(listener)
    return () => void this.meterListeners.delete(listener)
  }
  getMeter = () => this.meter

  private update(patch: Partial<VoiceSnapshot>): void {
    const next = { ...this.snapshot, ...patch }
    if ((Object.keys(patch) as Array<keyof VoiceSnapshot>).every((key) => next[key] === this.snapshot[key])) return
    this.snapshot = next
    for (const listener of [...this.snapshotListeners]) listener()
  }

  private updateMeter(patch: Partial<VoiceMeter>): void {
    this.meter = { ...this.meter, ...patch }
    for (const listener of [...this.meterListeners]) listener()
  }

  get connected(): boolean {
    return this.connection?.connected ?? false
  }

  /** The learner's client turn ids sent over the connection and not answered yet. */
  get pendingTurns(): OutstandingTurn[] {
    return this.connection?.pendingTurns ?? []
  }

  private get interruptionsAllowed(): boolean {
    return this.options.mode !== 'exam' && this.snapshot.interruptions
  }

  /**
   * Turns voice on: the microphone (the permission prompt), then the connection. Call it from the
   * click that asks for voice: browsers only let audio play from a user gesture. Problems end up in
   * the snapshot (`problem`), not as a rejection.
   */
  async start(overrides: Pick<VoiceSessionOptions, 'preferServerSpeechToText'> = {}): Promise<void> {
    if (this.snapshot.active) return
    Object.assign(this.options, overrides)
    const run = ++this.run
    this.discarding = false
    this.loudSince = null
    this.meter = initialMeter
    this.update({ ...initialSnapshot, active: true, status: 'connecting' })
    let context: AudioContext
    try {
      context = this.options.createAudioContext?.() ?? new AudioContext()
    } catch {
      return this.failMic(new MicError('unsupported'))
    }
    this.context = context
    void context.resume?.().catch(() => undefined)
    const playback = new PlaybackQueue(context)
    this.playback = playback
    this.detach.push(
      playback.on('start', () => this.update({ tutorSpeaking: true })),
      playback.on('end', () => this.update({ tutorSpeaking: false })),
    )
    const mic = new MicCapture({
      context,
      ...(this.options.mediaDevices ? { mediaDevices: this.options.mediaDevices } : {}),
      ...(this.options.workletUrl ? { workletUrl: this.options.workletUrl } : {}),
      onFrame: (frame) => {
        // Speech nobody can turn into text is not sent: it could only cut the tutor off (or hold up its
        // turn-taking) without ever becoming a turn. The meter still shows the microphone works.
        if (this.snapshot.speechToText === 'none') return
        if (this.connection?.sendAudio(frame)) this.updateMeter({ framesSent: this.meter.framesSent + 1 })
      },
      onLevel: (level) => this.onLevel(level),
      onError: (error) => this.failMic(error),
    })
    this.mic = mic
    try {
      await mic.start()
    } catch (error) {
      if (run === this.run) this.failMic(error instanceof MicError ? error : new MicError('failed', { cause: error }))
      return
    }
    if (run !== this.run) return
    this.connect(this.chooseSpeechToText())
  }

  private chooseSpeechToText(): 'browser' | 'server' {
    if (this.options.preferServerSpeechToText) return 'server'
    return this.browserRecognitionUsable() ? 'browser' : 'server'
  }

  private browserRecognitionUsable(): boolean {
    return this.options.Recognition === undefined ? browserRecognitionUsable() : this.options.Recognition !== null
  }

  private connect(speechToText: 'browser' | 'server'): void {
    this.speechToTextMode = speechToText
    const connection = new VoiceConnection({ ...this.options.connection, speechToText })
    this.connection = connection
    connection.setMicrophone(this.mic?.track ?? null)
    const forward = <K extends 'turn' | 'delta' | 'correction' | 'visual' | 'change' | 'line' | 'undelivered'>(type: K) =>
      connection.on(type, (payload) => this.emit(type, payload as unknown as VoiceSessionEvents[K]))
    this.detach.push(
      connection.on('status', ({ status, failure }) => this.onStatus(connection, status, failure)),
      connection.on('ready', (ready) => this.onReady(connection, ready)),
      connection.on('audio', (frame) => this.onAudio(frame)),
      connection.on('state', ({ agent, user }) => {
        this.update({ agent, user })
        if (user === 'speaking') this.bargeIn()
      }),
      connection.on('transcript', ({ text }) => this.update({ interim: text })),
      connection.on('turn', (turn) => {
        if (turn.role === 'learner') this.update({ interim: '' })
      }),
      connection.on('speech', (speech) => {
        if (speech.event === 'start') this.discarding = false
        this.emit('speech', speech)
      }),
      connection.on('latency', ({ ms }) => this.update({ latencyMs: ms })),
      connection.on('error', (error) => this.emit('error', error)),
      forward('turn'),
      forward('delta'),
      forward('correction'),
      forward('visual'),
      forward('change'),
      forward('line'),
      forward('undelivered'),
    )
    void connection.connect()
  }

  private onStatus(connection: VoiceConnection, status: ConnectionStatus, failure: ConnectionFailure | null): void {
    if (connection !== this.connection) return
    if (status === 'reconnecting') {
      // Whatever was playing belongs to a reply that will be sent again from its start.
      this.playback?.stop()
      this.update({ interim: '', agent: null, user: null })
    }
    this.update({ status })
    this.emit('status', status)
    if (status === 'failed') {
      this.teardown()
      this.update({ ...initialSnapshot, status: 'failed', problem: { kind: 'connection', reason: failure ?? 'network' } })
    }
  }

  private onReady(connection: VoiceConnection, ready: ReadyMessage): void {
    if (connection !== this.connection) return
    this.playback?.setSampleRate(ready.outputSampleRate)
    // A realtime model hears the audio itself (free conversation): the browser's recognition would only
    // make turns of its own beside the model's. On a later connection (a lesson began) it may be used again.
    const realtime = isRealtimeEngine(ready.engines?.speechToText)
    if (realtime) {
      this.speech?.stop()
      this.speech = null
    }
    // The server may have no recognition of its own for this connection (a lesson or exam where only a
    // realtime model hears): then the browser's, where it has one, even if the client asked for the server's.
    const browser = !realtime && (this.speechToTextMode === 'browser' || (ready.engines?.speechToText === 'browser' && this.browserRecognitionUsable()))
    this.update({
      engines: ready.engines,
      interruptions: ready.turnTaking?.interruptions !== false,
      speechToText: browser ? 'browser' : ready.engines?.speechToText === 'browser' ? 'none' : 'server',
    })
    if (this.speech) this.speech.setEndOfTurnSilence(ready.turnTaking?.endOfTurnSilenceMs ?? 0)
    else if (browser && !this.snapshot.muted) this.startBrowserSpeech(ready.turnTaking?.endOfTurnSilenceMs)
  }

  private startBrowserSpeech(endOfTurnSilenceMs: number | undefined): void {
    const Recognition = this.options.Recognition ?? speechRecognitionConstructor()
    if (!Recognition) return
    const speech = new BrowserSpeech({
      Recognition,
      newClientTurnId,
      ...(endOfTurnSilenceMs ? { endOfTurnSilenceMs } : {}),
      onInterim: (clientTurnId, text) => {
        this.update({ interim: text })
        this.connection?.sendTranscript(clientTurnId, text, false)
      },
      onFinal: (clientTurnId, text) => {
        this.update({ interim: '' })
        this.connection?.sendTranscript(clientTurnId, text, true)
        this.emit('said', { clientTurnId, text })
      },
      onProblem: () => this.browserSpeechFailed(),
    })
    this.speech = speech
    speech.start()
  }

  /** The browser's recogniser does not work here after all: the server transcribes, if it can. */
  private browserSpeechFailed(): void {
    this.speech = null
    const serverCan = this.snapshot.engines ? this.snapshot.engines.speechToText !== 'browser' : false
    if (!serverCan || !this.connection) {
      this.update({ speechToText: 'none', interim: '' })
      return
    }
    // The hello said "browser": a new connection says "server" (the sitting goes on).
    this.detachConnection()
    this.update({ interim: '', speechToText: null })
    this.connect('server')
  }

  private onAudio(frame: Int16Array): void {
    this.updateMeter({ framesReceived: this.meter.framesReceived + 1 })
    if (this.discarding) return
    this.playback?.enqueue(frame)
  }

  private onLevel(level: number): void {
    this.updateMeter({ level, peak: Math.max(this.meter.peak, level) })
    const threshold = this.options.bargeIn?.level ?? BARGE_IN_LEVEL
    if (level < threshold) {
      this.loudSince = null
      return
    }
    const now = this.options.now?.() ?? performance.now()
    if (this.loudSince === null) this.loudSince = now
    else if (now - this.loudSince >= (this.options.bargeIn?.holdMs ?? BARGE_IN_HOLD_MS)) this.bargeIn()
  }

  /** The learner started speaking over the tutor: silence it here at once and tell the server. */
  private bargeIn(): void {
    if (!this.snapshot.tutorSpeaking || !this.interruptionsAllowed) return
    this.stopTutor()
  }

  /** Stops the tutor's voice (the learner pressed stop, or started speaking over it). */
  stopTutor(): void {
    if (this.options.mode === 'exam') return
    this.playback?.stop()
    this.discarding = true
    this.loudSince = null
    this.connection?.interrupt()
  }

  /** A typed turn over the connection; false when not connected (send it another way). */
  sendText(clientTurnId: string, text: string): boolean {
    if (!this.connection?.connected) return false
    this.connection.sendText(clientTurnId, text)
    return true
  }

  mute(): void {
    this.mic?.mute()
    this.speech?.stop()
    this.update({ muted: true, interim: '' })
    this.updateMeter({ level: 0 })
  }

  unmute(): void {
    this.mic?.unmute()
    if (this.snapshot.speechToText === 'browser') {
      this.speech = null
      this.startBrowserSpeech(this.connection?.ready?.turnTaking?.endOfTurnSilenceMs)
    }
    this.update({ muted: false })
  }

  private failMic(error: MicError): void {
    this.teardown()
    this.update({ ...initialSnapshot, status: 'idle', problem: { kind: 'mic', reason: error.kind } })
  }

  /** Turns voice off without ending the sitting (typing goes on over the page's own path). */
  stop(): void {
    this.run++
    this.teardown()
    this.update({ ...initialSnapshot })
    this.updateMeter({ level: 0 })
  }

  /** Ends the sitting over the connection (its summary is written), then turns voice off. */
  async end(): Promise<void> {
    const connection = this.connection
    this.speech?.stop()
    this.speech = null
    if (connection) await connection.end()
    this.stop()
  }

  private detachConnection(): void {
    const connection = this.connection
    this.connection = null
    // Turns still waiting for their reply will not get it over this connection: the page offers to send them again.
    const waiting = connection?.pendingTurns ?? []
    if (waiting.length > 0) this.emit('undelivered', waiting)
    // Listeners of the connection go with it; the rest (playback) stay.
    connection?.clear()
    connection?.close()
  }

  private teardown(): void {
    this.speech?.stop()
    this.speech = null
    for (const off of this.detach) off()
    this.detach = []
    this.detachConnection()
    this.mic?.stop()
    this.mic = null
    this.playback?.stop()
    this.playback = null
    void this.context?.close?.().catch(() => undefined)
    this.context = null
    this.discarding = false
    this.loudSince = null
  }
}

/** Engines that hear, think and speak in one model (the server's ready message names them). */
function isRealtimeEngine(engine: string | undefined): boolean {
  return engine === 'openai-realtime' || engine === 'gemini-live'
}
