/**
 * Test doubles for the voice client (tests only): a fake voice server that speaks the protocol of
 * docs/voice-protocol.md — tickets from the token endpoint (single-use), the hello/ready handshake,
 * PCM16 frames both ways, stored turns that are never stored twice for one client turn id, close
 * codes — behind a fake WebSocket; and fake audio: an AudioContext with a clock the test moves, the
 * worklet node the test feeds with chunks, and a microphone that can be granted, refused or unplugged.
 */
import type { components } from '@/lib/api/schema'
import { bytesToPcm16, pcm16ToBytes } from './pcm'
import type { ClientMessage, ReadyMessage } from './protocol'
import type { WebSocketLike } from './voice-connection'

type Turn = components['schemas']['Turn']

/** Lets queued microtasks (socket deliveries, awaited fetches) run, also under fake timers. */
export async function flush(rounds = 50): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
}

let sequence = 0
export function storedTurn(overrides: Partial<Turn> = {}): Turn {
  sequence += 1
  return {
    id: `00000000-0000-4000-9000-${String(sequence).padStart(12, '0')}`,
    sittingId: '11111111-1111-4111-8111-111111111111',
    sequence,
    role: 'tutor',
    text: 'Hei!',
    source: null,
    clientTurnId: null,
    replyToTurnId: null,
    incomplete: false,
    startedAt: null,
    endedAt: null,
    speakingMs: null,
    wordTimings: null,
    corrections: [],
    visualAids: [],
    cefr: null,
    latencyMs: null,
    audioUrl: null,
    createdAt: '2026-03-02T10:00:00.000Z',
    ...overrides,
  }
}

export class FakeSocket implements WebSocketLike {
  binaryType: BinaryType = 'blob'
  readyState = 0
  bufferedAmount = 0
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  /** What the client sent: JSON messages parsed, audio frames as samples. */
  readonly received: Array<ClientMessage | Int16Array> = []
  closedByClient: number | null = null

  constructor(
    readonly url: string,
    private readonly server: FakeVoiceServer,
  ) {}

  get ticket(): string | null {
    return new URL(this.url).searchParams.get('ticket')
  }

  get messages(): ClientMessage[] {
    return this.received.filter((item): item is ClientMessage => !(item instanceof Int16Array))
  }

  get frames(): Int16Array[] {
    return this.received.filter((item): item is Int16Array => item instanceof Int16Array)
  }

  send(data: string | ArrayBuffer): void {
    if (this.readyState !== 1) throw new Error('FakeSocket: send while not open')
    if (typeof data === 'string') {
      const message = JSON.parse(data) as ClientMessage
      this.received.push(message)
      this.server.handle(this, message)
    } else {
      this.received.push(bytesToPcm16(data))
    }
  }

  close(code = 1000): void {
    if (this.readyState >= 2) return
    this.readyState = 3
    this.closedByClient = code
    queueMicrotask(() => this.onclose?.({ code } as CloseEvent))
  }

  // The server's side.

  open(): void {
    this.readyState = 1
    queueMicrotask(() => this.onopen?.(new Event('open')))
  }

  push(message: Record<string, unknown>): void {
    if (this.readyState !== 1) return
    const data = JSON.stringify(message)
    queueMicrotask(() => this.onmessage?.({ data } as MessageEvent))
  }

  pushAudio(samples: Int16Array): void {
    if (this.readyState !== 1) return
    const data = pcm16ToBytes(samples)
    queueMicrotask(() => this.onmessage?.({ data } as MessageEvent))
  }

  /** The server (or the network) closes the socket. */
  drop(code = 1006): void {
    if (this.readyState === 3) return
    this.readyState = 3
    queueMicrotask(() => this.onclose?.({ code } as CloseEvent))
  }
}

export interface FakeVoiceServerOptions {
  ready?: Partial<ReadyMessage>
  /** Answer `hello` with `ready` (default) or leave the client waiting. */
  answerHello?: boolean
}

/**
 * One learner's voice server. `reply` decides how a new learner turn is answered (by default: the
 * stored turn, the tutor's speech in three 20 ms frames bracketed by `speech`, the text as a delta,
 * the stored reply); set it to a no-op to leave a turn unanswered.
 */
export class FakeVoiceServer {
  readonly sockets: FakeSocket[] = []
  readonly ticketRequests: unknown[] = []
  readonly stored: Turn[] = []
  /** Status for the next token requests (a problem document is sent for anything but 200). */
  tokenStatus = 200
  /** Tickets refused at connect time (close 4001) however fresh. */
  refuseTickets = false
  answerHello: boolean
  readyMessage: ReadyMessage
  reply: (socket: FakeSocket, learner: Turn) => void = (socket, learner) => this.defaultReply(socket, learner)
  private issued = new Map<string, boolean>()

  constructor(options: FakeVoiceServerOptions = {}) {
    this.answerHello = options.answerHello ?? true
    this.readyMessage = {
      type: 'ready',
      protocol: 1,
      sittingId: '11111111-1111-4111-8111-111111111111',
      inputSampleRate: 16_000,
      outputSampleRate: 24_000,
      engines: { speechToText: 'openai', tutor: 'offline', speech: 'espeak' },
      turnTaking: { endOfTurnSilenceMs: 1_200, interruptions: true },
      ...options.ready,
    }
  }

  get socket(): FakeSocket {
    const socket = this.sockets.at(-1)
    if (!socket) throw new Error('FakeVoiceServer: no socket yet')
    return socket
  }

  /** `fetch` for the token endpoint (other paths: 404). */
  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const path = new URL(String(input), 'http://localhost').pathname
    if (path !== '/api/v1/sessions/default/token' || init?.method !== 'POST') return this.response(404, { status: 404 })
    return this.tokenResponse(init.body ? JSON.parse(String(init.body)) : undefined)
  }

  /** The token endpoint's answer to a request with this body: a fresh single-use ticket, or `tokenStatus`. */
  tokenResponse(body: unknown): Response {
    this.ticketRequests.push(body)
    if (this.tokenStatus !== 200) return this.response(this.tokenStatus, { type: 'about:blank', title: 'Refused', status: this.tokenStatus, requestId: 'req' })
    const ticket = `vt_${this.issued.size + 1}`
    this.issued.set(ticket, false)
    return this.response(200, { transport: 'websocket', url: '/api/v1/voice/ws', ticket, expiresAt: '2026-03-02T10:01:00.000Z' })
  }

  /** A token endpoint answer as the client reads it. */
  response(status: number, body: unknown): Response {
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
  }

  createWebSocket = (url: string): FakeSocket => {
    const socket = new FakeSocket(url, this)
    this.sockets.push(socket)
    const ticket = socket.ticket
    const known = ticket !== null && this.issued.has(ticket)
    const used = ticket !== null && this.issued.get(ticket) === true
    if (ticket !== null && known) this.issued.set(ticket, true)
    if (!known || used || this.refuseTickets) {
      // Refused at the upgrade: the socket opens and is closed with 4001 straight away.
      socket.open()
      queueMicrotask(() => socket.drop(4001))
    } else {
      socket.open()
    }
    return socket
  }

  handle(socket: FakeSocket, message: ClientMessage): void {
    switch (message.type) {
      case 'hello':
        if (message.protocol !== 1) return socket.drop(4002)
        if (this.answerHello) socket.push({ ...this.readyMessage })
        return
      case 'text':
        return this.learnerTurn(socket, message.clientTurnId, message.text, 'typed')
      case 'transcript':
        if (message.final) this.learnerTurn(socket, message.clientTurnId, message.text, 'browser_speech')
        return
      case 'end':
        return socket.drop(1000)
      case 'interrupt':
        return
    }
  }

  /** A learner turn: stored once per client turn id; sent again, the stored turn and reply are replayed (not spoken). */
  learnerTurn(socket: FakeSocket, clientTurnId: string, text: string, source: Turn['source']): void {
    const known = this.stored.find((turn) => turn.role === 'learner' && turn.clientTurnId === clientTurnId)
    if (known) {
      const reply = this.stored.find((turn) => turn.replyToTurnId === known.id)
      if (!reply) return this.reply(socket, known)
      socket.push({ type: 'turn', turn: known })
      socket.push({ type: 'turn', turn: reply })
      return
    }
    const learner = storedTurn({ role: 'learner', text, source, clientTurnId })
    this.stored.push(learner)
    this.reply(socket, learner)
  }

  /** What the server's speech-to-text heard: interim text, then the stored turn (its id chosen by the server). */
  hear(socket: FakeSocket, text: string): Turn {
    socket.push({ type: 'transcript', text: text.split(' ')[0] ?? text, final: false })
    socket.push({ type: 'transcript', text, final: true })
    const learner = storedTurn({ role: 'learner', text, source: 'speech_engine', clientTurnId: `srv-${this.stored.length + 1}-turn` })
    this.stored.push(learner)
    this.reply(socket, learner)
    return learner
  }

  defaultReply(socket: FakeSocket, learner: Turn, text = 'Hyggelig å hilse på deg!'): Turn {
    socket.push({ type: 'turn', turn: learner })
    socket.push({ type: 'state', agent: 'thinking', user: 'listening' })
    socket.push({ type: 'delta', text })
    socket.push({ type: 'speech', event: 'start', interrupted: false })
    for (let i = 0; i < 3; i++) socket.pushAudio(new Int16Array(480).fill(1000 * (i + 1)))
    const reply = storedTurn({ role: 'tutor', text, replyToTurnId: learner.id, latencyMs: 420 })
    this.stored.push(reply)
    socket.push({ type: 'turn', turn: reply })
    socket.push({ type: 'latency', turnId: reply.id, ms: 420 })
    socket.push({ type: 'speech', event: 'end', interrupted: false })
    socket.push({ type: 'state', agent: 'listening', user: 'listening' })
    return reply
  }
}

// Audio.

export class FakeAudioBuffer {
  readonly duration: number
  private readonly data: Float32Array
  constructor(
    readonly numberOfChannels: number,
    readonly length: number,
    readonly sampleRate: number,
  ) {
    this.duration = length / sampleRate
    this.data = new Float32Array(length)
  }
  getChannelData(): Float32Array {
    return this.data
  }
}

export class FakeBufferSource {
  buffer: FakeAudioBuffer | null = null
  startedAt: number | null = null
  stopped = false
  connected = false
  onended: (() => void) | null = null
  connect(): void {
    this.connected = true
  }
  disconnect(): void {
    this.connected = false
  }
  start(when = 0): void {
    this.startedAt = when
  }
  stop(): void {
    this.stopped = true
  }
}

class FakeNode {
  connections = 0
  gain = { value: 1 }
  connect(): void {
    this.connections++
  }
  disconnect(): void {
    this.connections = 0
  }
}

export class FakeAudioContext {
  static instances: FakeAudioContext[] = []
  currentTime = 0
  state: AudioContextState = 'running'
  readonly destination = new FakeNode()
  readonly sources: FakeBufferSource[] = []
  readonly modules: string[] = []
  readonly audioWorklet = { addModule: async (url: string) => void this.modules.push(url) }
  closed = false

  constructor(readonly sampleRate = 48_000) {
    FakeAudioContext.instances.push(this)
  }
  createBuffer(channels: number, length: number, sampleRate: number): FakeAudioBuffer {
    return new FakeAudioBuffer(channels, length, sampleRate)
  }
  createBufferSource(): FakeBufferSource {
    const source = new FakeBufferSource()
    this.sources.push(source)
    return source
  }
  createMediaStreamSource(): FakeNode {
    return new FakeNode()
  }
  createGain(): FakeNode {
    return new FakeNode()
  }
  async resume(): Promise<void> {
    this.state = 'running'
  }
  async close(): Promise<void> {
    this.closed = true
    this.state = 'closed'
  }
  /** Moves the clock; sources that have finished playing by then end. */
  advance(seconds: number): void {
    this.currentTime += seconds
    for (const source of this.sources) {
      if (source.startedAt === null || source.stopped || !source.buffer) continue
      if (source.startedAt + source.buffer.duration <= this.currentTime + 1e-9) {
        source.stopped = true
        source.onended?.()
      }
    }
  }
  /** Sources scheduled and neither finished nor stopped. */
  get queued(): FakeBufferSource[] {
    return this.sources.filter((source) => source.startedAt !== null && !source.stopped)
  }
}

export class FakeWorkletNode extends FakeNode {
  static instances: FakeWorkletNode[] = []
  readonly port = {
    onmessage: null as ((event: MessageEvent) => void) | null,
    posted: [] as unknown[],
    postMessage(message: unknown) {
      this.posted.push(message)
    },
  }
  constructor(
    readonly context: unknown,
    readonly name: string,
  ) {
    super()
    FakeWorkletNode.instances.push(this)
  }
  /** A chunk from the audio thread (samples at the context's rate). */
  emit(samples: Float32Array): void {
    this.port.onmessage?.({ data: samples } as MessageEvent)
  }
}

export class FakeTrack {
  kind = 'audio'
  enabled = true
  stopped = false
  private listeners: Array<() => void> = []
  addEventListener(type: string, listener: () => void): void {
    if (type === 'ended') this.listeners.push(listener)
  }
  stop(): void {
    this.stopped = true
  }
  /** Unplugged. */
  end(): void {
    for (const listener of this.listeners) listener()
  }
}

/** A microphone: granted, or refused with a DOMException of the given name. */
export function fakeMediaDevices(outcome: 'grant' | 'NotAllowedError' | 'NotFoundError' | 'NotReadableError' = 'grant') {
  const tracks: FakeTrack[] = []
  return {
    tracks,
    requests: [] as MediaStreamConstraints[],
    async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
      this.requests.push(constraints)
      if (outcome !== 'grant') throw new DOMException('refused', outcome)
      const track = new FakeTrack()
      tracks.push(track)
      return { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream
    },
  }
}

/**
 * Puts the fakes where the browser's audio APIs are (AudioContext, AudioWorkletNode,
 * navigator.mediaDevices); `restore()` takes them away again.
 */
export function installFakeAudio(outcome: Parameters<typeof fakeMediaDevices>[0] = 'grant') {
  const scope = globalThis as unknown as Record<string, unknown>
  const saved = { AudioContext: scope.AudioContext, AudioWorkletNode: scope.AudioWorkletNode }
  const savedDevices = Object.getOwnPropertyDescriptor(navigator, 'mediaDevices')
  FakeAudioContext.instances = []
  FakeWorkletNode.instances = []
  const mediaDevices = fakeMediaDevices(outcome)
  scope.AudioContext = FakeAudioContext
  scope.AudioWorkletNode = FakeWorkletNode
  Object.defineProperty(navigator, 'mediaDevices', { value: mediaDevices, configurable: true })
  return {
    mediaDevices,
    get context(): FakeAudioContext {
      const context = FakeAudioContext.instances.at(-1)
      if (!context) throw new Error('no AudioContext yet')
      return context
    },
    get worklet(): FakeWorkletNode {
      const node = FakeWorkletNode.instances.at(-1)
      if (!node) throw new Error('no worklet node yet')
      return node
    },
    restore() {
      scope.AudioContext = saved.AudioContext
      scope.AudioWorkletNode = saved.AudioWorkletNode
      if (savedDevices) Object.defineProperty(navigator, 'mediaDevices', savedDevices)
      else delete (navigator as unknown as Record<string, unknown>).mediaDevices
    },
  }
}

/** `n` seconds' worth of a constant signal at `rate`, in 20 ms chunks as the worklet posts them. */
export function chunks(value: number, seconds: number, rate = 48_000): Float32Array[] {
  const size = Math.round(rate * 0.02)
  return Array.from({ length: Math.round(seconds / 0.02) }, () => new Float32Array(size).fill(value))
}
