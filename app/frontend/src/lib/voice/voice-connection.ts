import type { components } from '@/lib/api/schema'
import { Emitter } from './emitter'
import type { connectLiveKit, VoiceLink } from './livekit-link'
import { bytesToPcm16, pcm16ToBytes } from './pcm'
import {
  closeCodes,
  INPUT_SAMPLE_RATE,
  parseServerMessage,
  PROTOCOL_VERSION,
  TOKEN_PATH,
  type AgentState,
  type ClientMessage,
  type ReadyMessage,
  type ServerMessage,
  type SpeechToTextMode,
  type UserState,
  type VoiceTicket,
} from './protocol'

/**
 * The voice connection (docs/voice-protocol.md): a ticket from the token endpoint, the WebSocket with
 * its hello/ready handshake, mic frames out, the server's messages and the tutor's audio in, as typed
 * events. A dropped connection is reopened with a new ticket and backoff, and learner turns whose
 * reply has not arrived are sent again with the same client turn id (the server never stores a turn
 * twice). Framework-free: the talk page and the exam room use it through `VoiceSession`.
 *
 * If the token endpoint answers with LiveKit, the room takes the socket's place (`livekit-link.ts`);
 * everything else here stays the same.
 */

type Turn = components['schemas']['Turn']

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'failed'

/** Why the connection gave up (status `failed`). */
export type ConnectionFailure =
  /** This server has no voice transport (or the learner may not use it). */
  | 'unavailable'
  | 'signed_out'
  /** The plan's voice minutes are used up (402). */
  | 'plan_limit'
  /** The server has voice switched off, or no room for another conversation now (503). */
  | 'busy'
  /** The server could not be reached, or kept dropping the connection. */
  | 'network'
  /** The server refused the handshake (4002): client and server disagree on the protocol. */
  | 'protocol'

/** A learner turn sent over the connection and not answered yet. */
export interface OutstandingTurn {
  clientTurnId: string
  text: string
  /** How it was sent: typed (`text`), browser speech recognition (`transcript`), or heard by the server's speech-to-text. */
  via: 'text' | 'transcript' | 'server'
  /** The stored learner turn's id, once the server has sent it back. */
  turnId: string | null
}

export interface VoiceConnectionEvents {
  status: { status: ConnectionStatus; failure: ConnectionFailure | null; attempt: number }
  ready: ReadyMessage
  state: { agent: AgentState; user: UserState }
  transcript: { text: string; final: boolean }
  turn: Turn
  delta: { text: string }
  correction: components['schemas']['Correction']
  visual: components['schemas']['VisualAid']
  change: components['schemas']['TutorStateChange']
  line: Turn
  speech: { event: 'start' | 'end'; interrupted: boolean }
  latency: { turnId: string; ms: number }
  error: { code: string; message: string; fatal: boolean }
  /** The tutor's speech, PCM16 mono at `ready.outputSampleRate`. */
  audio: Int16Array
  /**
   * Turns that may never get their reply: the connection failed for good, or a turn heard by the
   * server was in flight when the connection dropped (it cannot be sent again from here). The page
   * offers to send them again (same client turn id).
   */
  undelivered: OutstandingTurn[]
}

/** What the connection needs of a WebSocket (the browser's, or a fake one in tests). */
export interface WebSocketLike {
  binaryType: BinaryType
  readonly readyState: number
  readonly bufferedAmount: number
  send(data: string | ArrayBuffer): void
  close(code?: number, reason?: string): void
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
}

const OPEN = 1

export interface VoiceConnectionOptions {
  speechToText: SpeechToTextMode
  /** Of the microphone audio sent (16 kHz by default). */
  sampleRate?: number
  /** What to ask the token endpoint for: the WebSocket always (default), or whatever it offers (LiveKit when configured). */
  transport?: 'websocket' | 'auto'
  fetch?: typeof fetch
  createWebSocket?: (url: string) => WebSocketLike
  /** Joins a LiveKit room (loaded on demand, so livekit-client stays out of the page until needed). */
  connectLiveKit?: typeof connectLiveKit
  /** The page's address, to resolve the socket's URL against. */
  baseUrl?: string
  /** Attempts in a row before giving up after a drop (default 6). */
  maxAttempts?: number
  /** Attempts before giving up when the first connection cannot be made (default 3): then typing is the way. */
  maxInitialAttempts?: number
  /** Wait before attempt n (n ≥ 1) after a drop; default 0.5 s doubling to 8 s, with jitter. */
  backoffMs?: (attempt: number) => number
  /** How long the server may take to answer `hello` (default 10 s). */
  readyTimeoutMs?: number
  /** When frames back up in the socket beyond this, new ones are dropped: live audio late is worse than lost. */
  maxBufferedBytes?: number
}

const defaultBackoff = (attempt: number) => Math.min(8_000, 500 * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4)

class TicketError extends Error {
  constructor(
    readonly failure: ConnectionFailure | null,
    message: string,
  ) {
    super(message)
    this.name = 'TicketError'
  }
}

export class VoiceConnection extends Emitter<VoiceConnectionEvents> {
  private readonly options: VoiceConnectionOptions
  private _status: ConnectionStatus = 'idle'
  private _failure: ConnectionFailure | null = null
  private _ready: ReadyMessage | null = null
  private socket: WebSocketLike | null = null
  private link: VoiceLink | null = null
  private microphone: MediaStreamTrack | null = null
  private attempt = 0
  private everConnected = false
  private closedByUs = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private readyTimer: ReturnType<typeof setTimeout> | null = null
  private outstanding = new Map<string, OutstandingTurn>()
  private firstReady: { resolve(ready: ReadyMessage | null): void; reject(error: Error): void } | null = null
  /** Bumped by every attempt and by close(): work that belongs to an older attempt stops. */
  private generation = 0
  private _framesSent = 0
  private _framesReceived = 0

  constructor(options: VoiceConnectionOptions) {
    super()
    if (options?.speechToText !== 'server' && options?.speechToText !== 'browser') {
      throw new Error("VoiceConnection: options.speechToText must be 'server' or 'browser'")
    }
    this.options = options
  }

  get status(): ConnectionStatus {
    return this._status
  }
  get failure(): ConnectionFailure | null {
    return this._failure
  }
  get ready(): ReadyMessage | null {
    return this._ready
  }
  get connected(): boolean {
    return this._status === 'connected'
  }
  get transport(): 'websocket' | 'livekit' | null {
    return this.link ? 'livekit' : this.socket ? 'websocket' : null
  }
  get framesSent(): number {
    return this._framesSent
  }
  get framesReceived(): number {
    return this._framesReceived
  }
  /** Learner turns sent (or heard) whose reply has not come yet, oldest first. */
  get pendingTurns(): OutstandingTurn[] {
    return [...this.outstanding.values()]
  }

  /**
   * Connects. Resolves with `ready` once the first connection is up (null over LiveKit, which has no
   * handshake), or rejects when it fails for good (the `status` event says why, too). Reconnecting
   * after a drop happens on its own.
   */
  connect(): Promise<ReadyMessage | null> {
    if (this._status !== 'idle' && this._status !== 'disconnected' && this._status !== 'failed') {
      return Promise.reject(new Error(`VoiceConnection: already ${this._status}`))
    }
    this.closedByUs = false
    this.everConnected = false
    this.attempt = 0
    this._failure = null
    const first = new Promise<ReadyMessage | null>((resolve, reject) => (this.firstReady = { resolve, reject }))
    // Nobody has to wait for it: the status events say the same.
    first.catch(() => undefined)
    void this.open()
    return first
  }

  /** The microphone for LiveKit to publish (the WebSocket gets frames through `sendAudio`). */
  setMicrophone(track: MediaStreamTrack | null): void {
    this.microphone = track
    this.link?.setMicrophone(track)
  }

  private setStatus(status: ConnectionStatus, failure: ConnectionFailure | null = null): void {
    this._status = status
    this._failure = failure
    this.emit('status', { status, failure, attempt: this.attempt })
  }

  private async open(): Promise<void> {
    const generation = ++this.generation
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting')
    let ticket: VoiceTicket
    try {
      ticket = await this.fetchTicket()
    } catch (error) {
      if (generation !== this.generation) return
      if (error instanceof TicketError && error.failure) return this.fail(error.failure)
      return this.retry()
    }
    if (generation !== this.generation) return
    if (ticket.transport === 'livekit') return this.openLiveKit(ticket, generation)
    this.openSocket(ticket, generation)
  }

  private async fetchTicket(): Promise<VoiceTicket> {
    const fetcher = this.options.fetch ?? globalThis.fetch
    const response = await fetcher(TOKEN_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(this.options.transport === 'auto' ? {} : { transport: 'websocket' }),
    })
    if (!response.ok) {
      // 503 (voice off, or busy) ends a first attempt (typing is the way now); during a reconnect it is waited out.
      const failure: ConnectionFailure | null =
        response.status === 401
          ? 'signed_out'
          : response.status === 402
            ? 'plan_limit'
            : [403, 404, 405, 501].includes(response.status)
              ? 'unavailable'
              : response.status === 503 && !this.everConnected
                ? 'busy'
                : null
      throw new TicketError(failure, `The token endpoint answered ${response.status}`)
    }
    const ticket = (await response.json()) as VoiceTicket
    if (ticket?.transport === 'websocket' && typeof ticket.ticket === 'string' && typeof ticket.url === 'string') return ticket
    if (ticket?.transport === 'livekit' && typeof ticket.token === 'string' && typeof ticket.url === 'string') return ticket
    // A 200 without a usable ticket: this server's voice is something this client does not know.
    throw new TicketError('unavailable', 'The token endpoint sent no usable ticket')
  }

  private socketUrl(ticket: Extract<VoiceTicket, { transport: 'websocket' }>): string {
    const base = this.options.baseUrl ?? (typeof location !== 'undefined' ? location.href : 'http://localhost/')
    const url = new URL(ticket.url, base)
    if (url.protocol === 'http:') url.protocol = 'ws:'
    else if (url.protocol === 'https:') url.protocol = 'wss:'
    url.searchParams.set('ticket', ticket.ticket)
    return url.toString()
  }

  private openSocket(ticket: Extract<VoiceTicket, { transport: 'websocket' }>, generation: number): void {
    const create = this.options.createWebSocket ?? ((url: string) => new WebSocket(url) as WebSocketLike)
    let socket: WebSocketLike
    try {
      socket = create(this.socketUrl(ticket))
    } catch {
      return this.retry()
    }
    this.socket = socket
    socket.binaryType = 'arraybuffer'
    socket.onopen = () => {
      if (generation !== this.generation) return
      this.sendJson({ type: 'hello', protocol: PROTOCOL_VERSION, sampleRate: this.options.sampleRate ?? INPUT_SAMPLE_RATE, speechToText: this.options.speechToText })
    }
    socket.onmessage = (event) => {
      if (generation !== this.generation) return
      if (typeof event.data === 'string') {
        const message = parseServerMessage(event.data)
        if (message) this.receive(message)
      } else if (event.data instanceof ArrayBuffer) {
        this.receiveAudio(bytesToPcm16(event.data))
      }
    }
    // A failed socket is followed by its close event, which decides what to do.
    socket.onerror = () => undefined
    socket.onclose = (event) => {
      if (generation !== this.generation) return
      this.socket = null
      this.clearReadyTimer()
      this.dropped(event.code)
    }
    this.readyTimer = setTimeout(() => {
      if (generation !== this.generation) return
      // No answer to hello: give this socket up and try a new one.
      this.detachSocket(1000)
      this.retry()
    }, this.options.readyTimeoutMs ?? 10_000)
  }

  private async openLiveKit(ticket: Extract<VoiceTicket, { transport: 'livekit' }>, generation: number): Promise<void> {
    try {
      const connect = this.options.connectLiveKit ?? (await import('./livekit-link')).connectLiveKit
      const link = await connect(ticket, {
        onMessage: (message) => generation === this.generation && this.receive(message),
        onStatus: (status) => {
          if (generation !== this.generation) return
          if (status === 'reconnecting') this.setStatus('reconnecting')
          else if (status === 'connected') this.setStatus('connected')
          else {
            this.link = null
            this.dropped(1006)
          }
        },
      })
      if (generation !== this.generation) return link.close()
      this.link = link
      link.setMicrophone(this.microphone)
      this.connected_(null)
    } catch {
      if (generation !== this.generation) return
      this.retry()
    }
  }

  private dropped(code: number): void {
    if (this.closedByUs) return this.setStatus('disconnected')
    // The server refused the handshake: trying again would be refused again.
    if (code === closeCodes.protocolError) return this.fail('protocol')
    // No room on the server for another conversation (1013, "try again later"): a first attempt gives up, a reconnect waits.
    if (code === closeCodes.tryAgainLater && !this.everConnected) return this.fail('busy')
    // A ticket is single-use and short-lived: a refused one is replaced at once, without waiting.
    this.retry(code === closeCodes.badTicket ? 0 : undefined)
  }

  private retry(delayMs?: number): void {
    this.attempt += 1
    const limit = this.everConnected ? (this.options.maxAttempts ?? 6) : (this.options.maxInitialAttempts ?? 3)
    if (this.attempt >= limit) return this.fail('network')
    this.setStatus(this.everConnected ? 'reconnecting' : 'connecting')
    const wait = delayMs ?? (this.options.backoffMs ?? defaultBackoff)(this.attempt)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.open()
    }, wait)
  }

  private fail(failure: ConnectionFailure): void {
    this.generation++
    this.clearTimers()
    this.detachSocket(1000)
    this.link?.close()
    this.link = null
    // Before the status: a listener of `failed` may tear everything down, this listener with it.
    const undelivered = this.pendingTurns
    this.outstanding.clear()
    if (undelivered.length > 0) this.emit('undelivered', undelivered)
    this.setStatus('failed', failure)
    this.firstReady?.reject(new Error(`The voice connection failed: ${failure}`))
    this.firstReady = null
  }

  private connected_(ready: ReadyMessage | null): void {
    this.clearReadyTimer()
    this.attempt = 0
    this.everConnected = true
    this._ready = ready ?? this._ready
    this.setStatus('connected')
    if (ready) this.emit('ready', ready)
    this.firstReady?.resolve(ready)
    this.firstReady = null
    this.resend()
  }

  /** After a reconnect: the turns whose reply never came go again, with their ids. */
  private resend(): void {
    const lost: OutstandingTurn[] = []
    for (const turn of this.outstanding.values()) {
      if (turn.via === 'text') this.sendJson({ type: 'text', clientTurnId: turn.clientTurnId, text: turn.text })
      else if (turn.via === 'transcript') this.sendJson({ type: 'transcript', clientTurnId: turn.clientTurnId, text: turn.text, final: true })
      else lost.push(turn)
    }
    for (const turn of lost) this.outstanding.delete(turn.clientTurnId)
    if (lost.length > 0) this.emit('undelivered', lost)
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case 'ready':
        return this.connected_(message)
      case 'turn':
        this.track(message.turn)
        return this.emit('turn', message.turn)
      case 'line':
        return this.emit('line', message.turn)
      case 'state':
        return this.emit('state', { agent: message.agent, user: message.user })
      case 'transcript':
        return this.emit('transcript', { text: message.text, final: message.final === true })
      case 'delta':
        return this.emit('delta', { text: message.text })
      case 'correction':
        return this.emit('correction', message.correction)
      case 'visual':
        return this.emit('visual', message.aid)
      case 'change':
        return this.emit('change', message.change)
      case 'speech':
        return this.emit('speech', { event: message.event, interrupted: message.interrupted === true })
      case 'latency':
        return this.emit('latency', { turnId: message.turnId, ms: message.ms })
      case 'error':
        if (message.code === 'tutor_unavailable') this.settleOldest(true)
        else if (message.code === 'exam_over') this.settleOldest(false)
        return this.emit('error', { code: message.code, message: message.message, fatal: message.fatal === true })
    }
  }

  /** A learner turn acknowledges what was sent; a reply settles the turn it answers. */
  private track(turn: Turn): void {
    if (turn.role === 'learner') {
      const id = turn.clientTurnId
      if (!id) return
      const known = this.outstanding.get(id)
      if (known) known.turnId = turn.id
      else this.outstanding.set(id, { clientTurnId: id, text: turn.text, via: 'server', turnId: turn.id })
      return
    }
    const answered = [...this.outstanding.values()].find((entry) => entry.turnId !== null && entry.turnId === turn.replyToTurnId)
    if (answered) this.outstanding.delete(answered.clientTurnId)
    else if (!turn.replyToTurnId) this.settleOldest(true)
  }

  private settleOldest(acknowledgedOnly: boolean): void {
    const oldest = [...this.outstanding.values()].find((entry) => !acknowledgedOnly || entry.turnId !== null)
    if (oldest) this.outstanding.delete(oldest.clientTurnId)
  }

  private receiveAudio(frame: Int16Array): void {
    this._framesReceived++
    this.emit('audio', frame)
  }

  private sendJson(message: ClientMessage): boolean {
    if (this.link) {
      this.link.sendJson(message)
      return true
    }
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return false
    socket.send(JSON.stringify(message))
    return true
  }

  /** A microphone frame (PCM16 at the hello's rate). Dropped unless connected: old audio is no use later. */
  sendAudio(frame: Int16Array): boolean {
    if (this._status !== 'connected') return false
    if (this.link) return false
    const socket = this.socket
    if (!socket || socket.readyState !== OPEN) return false
    if (socket.bufferedAmount > (this.options.maxBufferedBytes ?? 16_000)) return false
    socket.send(pcm16ToBytes(frame))
    this._framesSent++
    return true
  }

  /** A typed turn. Kept until its reply arrives, and sent again after a reconnect. */
  sendText(clientTurnId: string, text: string): void {
    this.outstanding.set(clientTurnId, { clientTurnId, text, via: 'text', turnId: this.outstanding.get(clientTurnId)?.turnId ?? null })
    if (this._status === 'connected') this.sendJson({ type: 'text', clientTurnId, text })
  }

  /** Browser speech recognition: interim text is sent only while connected; a final one is kept like a typed turn. */
  sendTranscript(clientTurnId: string, text: string, final: boolean): void {
    if (final) this.outstanding.set(clientTurnId, { clientTurnId, text, via: 'transcript', turnId: this.outstanding.get(clientTurnId)?.turnId ?? null })
    if (this._status === 'connected') this.sendJson({ type: 'transcript', clientTurnId, text, final })
  }

  /** Barge-in: the tutor stops speaking. */
  interrupt(): void {
    if (this._status === 'connected') this.sendJson({ type: 'interrupt' })
  }

  /** Ends the sitting (its summary is written) and closes. */
  async end(): Promise<void> {
    const socket = this.socket
    if (this._status === 'connected' && this.sendJson({ type: 'end' }) && socket) {
      this.closedByUs = true
      // The server closes after ending the sitting; if it does not, we do.
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, 2_000)
        const previous = socket.onclose
        socket.onclose = (event) => {
          clearTimeout(timeout)
          previous?.(event)
          resolve()
        }
      })
    }
    this.close()
  }

  /** Closes without ending the sitting (the server keeps it open for its idle time). */
  close(): void {
    this.closedByUs = true
    this.generation++
    this.clearTimers()
    this.detachSocket(closeCodes.normal)
    this.link?.close()
    this.link = null
    this.outstanding.clear()
    this.firstReady?.resolve(null)
    this.firstReady = null
    if (this._status !== 'idle' && this._status !== 'disconnected') this.setStatus('disconnected')
  }

  private detachSocket(code: number): void {
    const socket = this.socket
    if (!socket) return
    this.socket = null
    socket.onopen = null
    socket.onmessage = null
    socket.onclose = null
    socket.onerror = null
    try {
      socket.close(code)
    } catch {
      // Closing a socket that never opened may throw in some browsers.
    }
  }

  private clearReadyTimer(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer)
    this.readyTimer = null
  }

  private clearTimers(): void {
    this.clearReadyTimer()
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
