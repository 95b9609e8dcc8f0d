import { type IncomingHttpHeaders, type IncomingMessage, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { type RawData, WebSocket, WebSocketServer } from 'ws'

/**
 * A local Gemini Live server (Gemini API, not Vertex): the `BidiGenerateContent` WebSocket, spoken
 * the way `@google/genai` 2.x and LiveKit's Google plugin use it.
 *
 * What the client does (genai 2.32.0, `Live.connect`):
 * - URL: `${baseUrl as ws(s)://}/ws/google.ai.generativelanguage.${apiVersion}.GenerativeService.BidiGenerateContent?key=${apiKey}`.
 *   `baseUrl` comes from `httpOptions.baseUrl` (an `http:` base becomes `ws:`, anything else `wss:`);
 *   a base without a path ends in `/`, so the path starts with `//ws/` (against Google's default
 *   base too; the double slash is harmless there).
 *   apiVersion is `v1beta` unless set (the plugin asks for `v1alpha` with affective dialog or
 *   proactivity). The key is in the query, not URL-encoded; with no key at all it is the string
 *   `undefined`. Headers: `User-Agent` and `x-goog-api-client` (`google-genai-sdk/<v> gl-node/<node>`)
 *   and `Content-Type: application/json`; no key header.
 * - First message `{ setup }`; `connect()` resolves on `{ setupComplete: {} }` (and never rejects:
 *   a connection closed before that leaves it pending).
 * - Then `{ realtimeInput: { audio | activityStart | activityEnd | text … } }`,
 *   `{ clientContent: { turns, turnComplete } }` and `{ toolResponse }`, as text frames.
 *
 * The plugin (1.9.0) with `automaticActivityDetection: { disabled: true }`: `startUserActivity()` sends
 * `activityStart` once per activity; `pushAudio()` sends 16 kHz mono in 50 ms `audio/pcm` chunks
 * (no rate in the MIME type); `commitAudio()` does nothing; `generateReply()` sends `activityEnd`
 * (if in an activity) and then `clientContent` with a `"."` user turn and `turnComplete: true`
 * (no "." for 3.1/3.8 models). Typed input goes first as a `clientContent` user turn with
 * `turnComplete: false`. Instructions changed mid-session come as a `model` turn.
 *
 * What the server does here, as Google's does: JSON in binary frames; errors are never a message
 * but a close frame with a code and a reason of at most 123 bytes (1007 for an invalid argument or
 * key, 1008 for a missing key, 1011 for an internal error). With `automaticActivityDetection`
 * disabled, the user's turn is the audio between `activityStart` and `activityEnd`; `activityEnd`
 * or a `clientContent` with `turnComplete: true` asks for the model's turn: `inputTranscription`,
 * then `modelTurn` audio (`audio/pcm;rate=24000`) with `outputTranscription` alongside, then
 * `generationComplete`, and `turnComplete` with `usageMetadata` once the audio would have been
 * played out. `activityStart` (or any `clientContent`) during that turn interrupts it:
 * `interrupted`, then `turnComplete`.
 *
 * Not simulated: server-side voice activity detection (with it on, audio alone never gets a reply),
 * tools, video, context window compression.
 */
export class FakeGeminiLive {
  /** Every WebSocket connection, rejected ones too, in order. */
  readonly connections: GeminiLiveConnection[] = []
  /** Every client message on every connection, parsed, in the order received. */
  readonly messages: GeminiClientMessage[] = []
  /** Every user turn spoken (between `activityStart` and `activityEnd`), with what it was heard as. */
  readonly audioTurns: GeminiAudioTurn[] = []
  /** Every model turn started, in order. */
  readonly replies: GeminiReply[] = []

  /** What the user said, from the audio of their turn (PCM16 at the rate the client declared, 16 kHz by default). */
  transcribe: (samples: Int16Array, index: number) => string = () => 'Hei, jeg heter Kari.'
  /** What the model says next. */
  reply: (context: GeminiReplyContext) => string = () => 'Hei! Hyggelig å møte deg.'
  /** The model's voice for a reply: PCM16 at 24 kHz. */
  replyAudio: (text: string) => Int16Array = toneForWords
  /** Accepted API keys; `null` accepts any key but the literal `undefined` that genai sends without one. */
  apiKeys: string[] | null = null
  /**
   * The next model turn fails after its first audio chunk: `'error'` closes with 1011 and a reason,
   * as Google does on an internal error mid-session; `'close'` drops the connection with no close
   * frame (the client sees 1006), as a network failure does. Cleared once used.
   */
  failNextResponse: 'error' | 'close' | undefined = undefined
  /** Time from the end of the user's turn to the model's first message. */
  replyDelayMs = 20
  /** Pause between audio chunks (0 still yields to the event loop, so a barge-in can land mid-turn). */
  chunkIntervalMs = 0
  /** Hold `turnComplete` until the reply's audio would have been played out in real time, as Google does. */
  waitForPlayback = true

  #server: Server
  #sockets = new WebSocketServer({ noServer: true })
  #links = new Set<Link>()
  #resumable = new Map<string, GeminiTurn[]>()
  #waiters = new Set<() => void>()
  #inputAudioSamples = 0
  #closed = false

  private constructor() {
    this.#server = createServer((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } }))
    })
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head))
  }

  static async start(): Promise<FakeGeminiLive> {
    const fake = new FakeGeminiLive()
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve))
    return fake
  }

  /** For the plugin's `httpOptions: { baseUrl }`. It must be `http:` for genai to connect with `ws:`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** The `setup` message of every connection that sent one, in order. */
  get setups(): GeminiSetup[] {
    return this.connections.flatMap((connection) => (connection.setup ? [connection.setup] : []))
  }

  /** Samples of input audio received on all connections. */
  get inputAudioSamples(): number {
    return this.#inputAudioSamples
  }

  /** Tells every open connection that the server will close it soon, as Google does before its session limit. */
  sendGoAway(timeLeft = '10s'): void {
    for (const link of this.#links) this.#send(link, { goAway: { timeLeft } })
  }

  /** Resolves once `condition` holds; it is checked whenever a message comes or goes. */
  waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'the condition'): Promise<void> {
    if (condition()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return
        clearTimeout(timer)
        this.#waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(check)
        reject(new Error(`fake Gemini Live: no ${what} in ${timeoutMs} ms`))
      }, timeoutMs)
      this.#waiters.add(check)
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const link of this.#links) {
      link.run?.cancel()
      link.ws.terminate()
    }
    this.#links.clear()
    this.#sockets.close()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = request.url ?? '/'
    const [rawPath = '', query = ''] = url.split('?', 2)
    // genai joins a base ending in '/' with '/ws/…'; the doubled slash names the same endpoint.
    const match = LIVE_PATH.exec(rawPath.replace(/\/{2,}/g, '/'))
    if (this.#closed || !match) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      return
    }
    this.#sockets.handleUpgrade(request, socket, head, (ws) => {
      const params = new URLSearchParams(query)
      const header = request.headers['x-goog-api-key']
      const record: GeminiLiveConnection = {
        url,
        apiVersion: match[1]!,
        method: match[2]!,
        apiKey: params.get('key') ?? params.get('access_token') ?? (typeof header === 'string' ? header : undefined),
        headers: request.headers,
        messages: [],
        sent: [],
        setup: undefined,
        resumedFrom: undefined,
        closed: undefined,
      }
      this.connections.push(record)
      this.#accept(new Link(ws, record))
    })
  }

  #accept(link: Link): void {
    this.#links.add(link)
    // genai closes with no status code (every plugin reconnect does). Google's close codes follow
    // the call's final status (1007, 1008, 1011 …), OK being 1000, and the plugin is written for a
    // clean 1000 there; `ws` would echo the empty frame, which the plugin reports as error 1005.
    // (Google's exact answer to a code-less close is an assumption.)
    const close = link.ws.close.bind(link.ws)
    link.ws.close = (code?: number, reason?: string | Buffer) => close(code ?? 1000, reason)
    link.ws.on('message', (data: RawData) => this.#receive(link, Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8')))
    link.ws.on('close', (code: number, reason: Buffer) => {
      link.record.closed ??= { code, reason: reason.toString('utf8'), by: 'client' }
      link.run?.cancel()
      this.#links.delete(link)
      this.#changed()
    })
    link.ws.on('error', () => undefined)
    const key = link.record.apiKey
    // Google takes the upgrade and then closes with the reason (genai only learns of it in onclose).
    if (!key) this.#fail(link, 1008, UNREGISTERED_CALLER)
    else if (key === 'undefined' || (this.apiKeys && !this.apiKeys.includes(key))) this.#fail(link, 1007, 'API key not valid. Please pass a valid API key.')
    this.#changed()
  }

  #receive(link: Link, text: string): void {
    let message: GeminiClientMessage
    try {
      message = JSON.parse(text) as GeminiClientMessage
    } catch {
      this.#fail(link, 1007, 'Invalid JSON payload received.')
      return
    }
    link.record.messages.push(message)
    this.messages.push(message)
    this.#changed()
    if (link.record.closed) return
    const unknown = Object.keys(message).find((name) => !CLIENT_FIELDS.has(name))
    if (unknown) return this.#fail(link, 1007, `Invalid JSON payload received. Unknown name "${unknown}": Cannot find field.`)
    if (message.setup) return this.#setup(link, message.setup)
    // The setup has to come first, once.
    if (!link.setup) return this.#fail(link, 1007, 'Request contains an invalid argument.')
    if (message.realtimeInput) this.#realtimeInput(link, link.setup, message.realtimeInput)
    if (message.clientContent) this.#clientContent(link, message.clientContent)
  }

  #setup(link: Link, setup: GeminiSetup): void {
    if (link.setup || typeof setup.model !== 'string' || !setup.model.startsWith('models/')) {
      this.#fail(link, 1007, 'Request contains an invalid argument.')
      return
    }
    link.setup = setup
    link.record.setup = setup
    const handle = setup.sessionResumption?.handle
    const saved = handle ? this.#resumable.get(handle) : undefined
    if (handle && saved) {
      link.history = saved.map((turn) => ({ ...turn }))
      link.inputFrom = link.history.length
      link.record.resumedFrom = handle
    }
    this.#send(link, { setupComplete: {} })
  }

  #realtimeInput(link: Link, setup: GeminiSetup, input: NonNullable<GeminiClientMessage['realtimeInput']>): void {
    const manual = setup.realtimeInputConfig?.automaticActivityDetection?.disabled === true
    if ((input.activityStart || input.activityEnd) && !manual) {
      this.#fail(link, 1007, 'Explicit activity control is not supported when automatic activity detection is enabled.')
      return
    }
    if (input.activityStart) {
      link.activity = { samples: [], sampleRate: 16_000 }
      if (setup.realtimeInputConfig?.activityHandling !== 'NO_INTERRUPTION') this.#interrupt(link)
    }
    for (const blob of [input.audio, ...(input.mediaChunks ?? [])]) {
      if (!blob?.data || !blob.mimeType?.startsWith('audio/')) continue
      const samples = pcm16(blob.data)
      this.#inputAudioSamples += samples.length
      if (link.activity) {
        link.activity.samples.push(samples)
        link.activity.sampleRate = sampleRateOf(blob.mimeType)
      } else {
        link.samplesOutsideActivity += samples.length
      }
    }
    if (input.text) link.history.push({ role: 'user', text: input.text, source: 'text' })
    if (input.activityEnd && link.activity) {
      const { samples, sampleRate } = link.activity
      link.activity = undefined
      const audio = concat(samples)
      const transcript = this.transcribe(audio, this.audioTurns.length)
      this.audioTurns.push({ samples: audio, sampleRate, samplesOutsideActivity: link.samplesOutsideActivity, transcript })
      link.samplesOutsideActivity = 0
      link.history.push({ role: 'user', text: transcript, source: 'audio', audioMs: (audio.length / sampleRate) * 1000 })
      link.unsentTranscripts.push(transcript)
      this.#startTurn(link)
    }
    // With the server's own detection on, typed realtime text is a turn by itself.
    if (input.text && !manual) {
      this.#interrupt(link)
      this.#startTurn(link)
    }
  }

  #clientContent(link: Link, content: NonNullable<GeminiClientMessage['clientContent']>): void {
    for (const turn of content.turns ?? []) {
      const text = (turn.parts ?? []).map((part) => part.text ?? '').join('')
      link.history.push({ role: turn.role === 'model' ? 'model' : 'user', text, source: 'text' })
    }
    // "A message here will interrupt any current model generation" (BidiGenerateContentClientContent).
    this.#interrupt(link)
    if (content.turnComplete === true) this.#startTurn(link)
  }

  /** Stops the model's turn in progress: one that has said nothing yet just doesn't happen. */
  #interrupt(link: Link): void {
    const run = link.run
    if (!run || run.finished) return
    run.cancel()
    link.run = undefined
    if (!run.reply) return
    run.reply.interrupted = true
    this.#send(link, { serverContent: { interrupted: true } })
    this.#completeTurn(link, run)
  }

  #startTurn(link: Link): void {
    const previous = link.run
    // Input that arrives before the model has said anything joins the turn it is about to take
    // (the plugin ends a spoken turn with activityEnd and then a "." turn with turnComplete).
    if (previous && !previous.reply) previous.cancel()
    const run = new TurnRun(previous?.reply && !previous.finished ? previous : undefined)
    link.run = run
    void this.#speak(link, run)
  }

  async #speak(link: Link, run: TurnRun): Promise<void> {
    if (run.after) await run.after.done
    await run.sleep(this.replyDelayMs)
    if (run.cancelled || link.record.closed) return
    const setup = link.setup!
    const input = link.history.slice(link.inputFrom).filter((turn) => turn.role === 'user')
    for (const transcript of link.unsentTranscripts.splice(0)) {
      for (const piece of pieces(transcript)) this.#send(link, { serverContent: { inputTranscription: { text: piece } } })
    }
    const context: GeminiReplyContext = {
      instructions: setup.systemInstruction?.parts?.map((part) => part.text ?? '').join('\n'),
      history: link.history.map((turn) => ({ ...turn })),
      input,
      index: this.replies.length,
      setup,
    }
    const text = this.reply(context)
    const audio = this.replyAudio(text)
    const turn: GeminiTurn = { role: 'model', text: '', source: 'reply', audioMs: 0 }
    const reply: GeminiReply = { text, spokenText: '', audioSamples: 0, interrupted: false, failed: undefined, context }
    run.promptHistory = link.history.slice()
    link.history.push(turn)
    link.inputFrom = link.history.length
    run.reply = reply
    this.replies.push(reply)
    const failure = this.failNextResponse
    this.failNextResponse = undefined

    const words = text.split(/\s+/).filter(Boolean)
    const chunks = Math.max(1, Math.ceil(audio.length / CHUNK_SAMPLES))
    let word = 0
    let firstChunkAt = 0
    for (let chunk = 0; chunk < chunks; chunk++) {
      if (chunk > 0) await run.sleep(this.chunkIntervalMs)
      if (run.cancelled || link.record.closed) return
      const samples = audio.subarray(chunk * CHUNK_SAMPLES, (chunk + 1) * CHUNK_SAMPLES)
      this.#send(link, { serverContent: { modelTurn: { parts: [{ inlineData: { mimeType: 'audio/pcm;rate=24000', data: base64(samples) } }] } } })
      firstChunkAt ||= Date.now()
      reply.audioSamples += samples.length
      turn.audioMs = (reply.audioSamples / OUTPUT_SAMPLE_RATE) * 1000
      // The words go out roughly where they fall in the audio.
      while (word < words.length && Math.floor((word * chunks) / words.length) <= chunk) {
        const piece = word === 0 ? words[word]! : ` ${words[word]!}`
        this.#send(link, { serverContent: { outputTranscription: { text: piece } } })
        reply.spokenText += piece
        turn.text = reply.spokenText
        word++
      }
      if (failure) {
        reply.failed = failure
        if (failure === 'error') this.#fail(link, 1011, 'Internal error encountered.')
        else this.#drop(link)
        return
      }
    }
    this.#send(link, { serverContent: { generationComplete: true } })
    if (this.waitForPlayback) await run.sleep(firstChunkAt + (audio.length / OUTPUT_SAMPLE_RATE) * 1000 - Date.now())
    if (run.cancelled || link.record.closed) return
    run.finish()
    if (link.run === run) link.run = undefined
    this.#completeTurn(link, run)
  }

  #completeTurn(link: Link, run: TurnRun): void {
    this.#send(link, { serverContent: { turnComplete: true }, usageMetadata: usage(link.setup, run) })
    // The plugin always asks for session resumption; Google answers at turn boundaries.
    if (link.setup?.sessionResumption) {
      const handle = `fake-resumption-${this.#resumable.size + 1}`
      this.#resumable.set(
        handle,
        link.history.map((turn) => ({ ...turn })),
      )
      this.#send(link, { sessionResumptionUpdate: { newHandle: handle, resumable: true } })
    }
  }

  #send(link: Link, message: GeminiServerMessage): void {
    if (link.ws.readyState !== WebSocket.OPEN || link.record.closed) return
    link.record.sent.push(message)
    link.ws.send(Buffer.from(JSON.stringify(message)), { binary: true })
    this.#changed()
  }

  #fail(link: Link, code: number, reason: string): void {
    if (link.record.closed) return
    const cut = truncateUtf8(reason, 123)
    link.record.closed = { code, reason: cut, by: 'server' }
    link.run?.cancel()
    link.ws.close(code, cut)
    this.#changed()
  }

  #drop(link: Link): void {
    link.record.closed = { code: 1006, reason: '', by: 'server' }
    link.run?.cancel()
    link.ws.terminate()
    this.#changed()
  }

  #changed(): void {
    for (const check of [...this.#waiters]) check()
  }
}

/** One WebSocket connection as the fake saw it. */
export interface GeminiLiveConnection {
  /** The request URL as received: path and query, the key in it. */
  url: string
  /** `v1beta`, `v1alpha` or `v1`. */
  apiVersion: string
  /** `BidiGenerateContent` (or `BidiGenerateContentConstrained` for ephemeral tokens). */
  method: string
  /** From `?key=` (or `?access_token=`, or an `x-goog-api-key` header). */
  apiKey: string | undefined
  headers: IncomingHttpHeaders
  /** This connection's client messages, in order. */
  messages: GeminiClientMessage[]
  /** What the fake sent on it, in order. */
  sent: GeminiServerMessage[]
  setup: GeminiSetup | undefined
  /** The session resumption handle it was resumed from, if any. */
  resumedFrom: string | undefined
  closed: { code: number; reason: string; by: 'client' | 'server' } | undefined
}

/** A turn of the conversation the server holds. */
export interface GeminiTurn {
  role: 'user' | 'model'
  /** Typed text, what the user's audio was heard as, or what the model has said so far. */
  text: string
  /** `text`: from `clientContent` or realtime text; `audio`: a spoken user turn; `reply`: the model's own. */
  source: 'text' | 'audio' | 'reply'
  audioMs?: number
}

export interface GeminiReplyContext {
  /** The text of the setup's `systemInstruction`. */
  instructions: string | undefined
  /** The conversation so far, oldest first, including the input being answered. */
  history: GeminiTurn[]
  /** The user's turns since the model last spoke (what this reply answers). */
  input: GeminiTurn[]
  /** 0 for the first reply of this fake. */
  index: number
  setup: GeminiSetup
}

export interface GeminiReply {
  text: string
  /** What went out as output transcription before the turn ended (all of `text` unless cut short). */
  spokenText: string
  audioSamples: number
  interrupted: boolean
  failed: 'error' | 'close' | undefined
  context: GeminiReplyContext
}

export interface GeminiAudioTurn {
  samples: Int16Array
  sampleRate: number
  /** Audio that came before `activityStart` since the last turn: not part of any turn. */
  samplesOutsideActivity: number
  transcript: string
}

/** A `Blob` on the wire. */
export interface GeminiBlob {
  mimeType?: string
  data?: string
}

export interface GeminiContent {
  role?: string
  parts?: { text?: string; inlineData?: GeminiBlob; thought?: boolean; [field: string]: unknown }[]
}

/** `BidiGenerateContentSetup` as genai writes it for the Gemini API (`liveConnectConfigToMldev`). */
export interface GeminiSetup {
  model?: string
  generationConfig?: {
    responseModalities?: string[]
    speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName?: string } }; languageCode?: string }
    thinkingConfig?: Record<string, unknown>
    temperature?: number
    [field: string]: unknown
  }
  systemInstruction?: GeminiContent
  tools?: unknown[]
  realtimeInputConfig?: {
    automaticActivityDetection?: { disabled?: boolean; [field: string]: unknown }
    activityHandling?: string
    turnCoverage?: string
  }
  inputAudioTranscription?: Record<string, unknown>
  outputAudioTranscription?: Record<string, unknown>
  sessionResumption?: { handle?: string; transparent?: boolean }
  contextWindowCompression?: Record<string, unknown>
  proactivity?: Record<string, unknown>
  [field: string]: unknown
}

export interface GeminiClientMessage {
  setup?: GeminiSetup
  clientContent?: { turns?: GeminiContent[]; turnComplete?: boolean }
  realtimeInput?: {
    audio?: GeminiBlob
    mediaChunks?: GeminiBlob[]
    video?: GeminiBlob
    text?: string
    activityStart?: Record<string, never>
    activityEnd?: Record<string, never>
    audioStreamEnd?: boolean
  }
  toolResponse?: { functionResponses?: unknown[] }
}

export interface GeminiModalityTokenCount {
  modality: 'TEXT' | 'AUDIO' | 'IMAGE' | 'VIDEO'
  tokenCount: number
}

export interface GeminiServerMessage {
  setupComplete?: Record<string, never>
  serverContent?: {
    modelTurn?: GeminiContent
    inputTranscription?: { text: string }
    outputTranscription?: { text: string }
    generationComplete?: boolean
    turnComplete?: boolean
    interrupted?: boolean
  }
  usageMetadata?: {
    promptTokenCount: number
    responseTokenCount: number
    totalTokenCount: number
    promptTokensDetails: GeminiModalityTokenCount[]
    responseTokensDetails: GeminiModalityTokenCount[]
  }
  goAway?: { timeLeft: string }
  sessionResumptionUpdate?: { newHandle: string; resumable: boolean }
}

/** A short name for a client message, for asserting the order of what was sent. */
export function messageKind(message: GeminiClientMessage): string {
  if (message.setup) return 'setup'
  if (message.clientContent) return message.clientContent.turnComplete ? 'clientContent(turnComplete)' : 'clientContent'
  const input = message.realtimeInput
  if (input?.activityStart) return 'activityStart'
  if (input?.activityEnd) return 'activityEnd'
  if (input?.audio || input?.mediaChunks) return 'audio'
  if (input?.text) return 'text'
  if (message.toolResponse) return 'toolResponse'
  return Object.keys(message).join(',')
}

/** A 440 Hz tone at 24 kHz, amplitude 8000, 60 ms a word: audible, and its length follows the text. */
export function toneForWords(text: string): Int16Array {
  const words = Math.max(1, text.split(/\s+/).filter(Boolean).length)
  const samples = new Int16Array(Math.round(OUTPUT_SAMPLE_RATE * 0.06) * words)
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / OUTPUT_SAMPLE_RATE))
  return samples
}

const LIVE_PATH = /^\/ws\/google\.ai\.generativelanguage\.(v1|v1alpha|v1beta)\.GenerativeService\.(BidiGenerateContent|BidiGenerateContentConstrained)$/
const CLIENT_FIELDS = new Set(['setup', 'clientContent', 'realtimeInput', 'toolResponse'])
const OUTPUT_SAMPLE_RATE = 24_000
/** 40 ms of 24 kHz audio a `modelTurn` message. */
const CHUNK_SAMPLES = 960
/** The Gemini API's rate for audio, input or output. */
const AUDIO_TOKENS_PER_SECOND = 32
// Google's reason is longer than a close frame allows and arrives cut at 123 bytes.
const UNREGISTERED_CALLER =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."

class Link {
  setup: GeminiSetup | undefined
  history: GeminiTurn[] = []
  /** Where in `history` the input of the next reply begins. */
  inputFrom = 0
  activity: { samples: Int16Array[]; sampleRate: number } | undefined
  samplesOutsideActivity = 0
  unsentTranscripts: string[] = []
  run: TurnRun | undefined

  constructor(
    readonly ws: WebSocket,
    readonly record: GeminiLiveConnection,
  ) {}
}

/** One model turn on its way: waits that can be cut short, and whether it has said anything yet. */
class TurnRun {
  cancelled = false
  finished = false
  /** Set once the turn has begun: its record, and the history its prompt was made of. */
  reply: GeminiReply | undefined
  promptHistory: GeminiTurn[] = []
  readonly done: Promise<void>
  #resolveDone!: () => void
  #timer: NodeJS.Timeout | undefined
  #wake: (() => void) | undefined

  /** @param after a turn still speaking (with interruption off): this one waits for it. */
  constructor(readonly after: TurnRun | undefined) {
    this.done = new Promise((resolve) => (this.#resolveDone = resolve))
  }

  sleep(ms: number): Promise<void> {
    if (this.cancelled) return Promise.resolve()
    return new Promise((resolve) => {
      this.#wake = resolve
      this.#timer = setTimeout(resolve, Math.max(0, ms))
    })
  }

  cancel(): void {
    this.cancelled = true
    clearTimeout(this.#timer)
    this.#wake?.()
    this.finish()
  }

  finish(): void {
    this.finished = true
    this.#resolveDone()
  }
}

function usage(setup: GeminiSetup | undefined, run: TurnRun): NonNullable<GeminiServerMessage['usageMetadata']> {
  // An estimate in the real shape: about four characters a text token, audio at its fixed rate.
  const textTokens = (text: string) => Math.ceil(text.length / 4)
  const audioTokens = (ms: number) => Math.round((ms / 1000) * AUDIO_TOKENS_PER_SECOND)
  let promptText = textTokens(setup?.systemInstruction?.parts?.map((part) => part.text ?? '').join('') ?? '')
  let promptAudio = 0
  for (const turn of run.promptHistory) {
    if (turn.audioMs) promptAudio += audioTokens(turn.audioMs)
    else promptText += textTokens(turn.text)
  }
  const response = audioTokens(((run.reply?.audioSamples ?? 0) / OUTPUT_SAMPLE_RATE) * 1000)
  return {
    promptTokenCount: promptText + promptAudio,
    responseTokenCount: response,
    totalTokenCount: promptText + promptAudio + response,
    promptTokensDetails: [
      { modality: 'TEXT', tokenCount: promptText },
      { modality: 'AUDIO', tokenCount: promptAudio },
    ],
    responseTokensDetails: [{ modality: 'AUDIO', tokenCount: response }],
  }
}

/** A transcript in the pieces Google streams it in: a word at a time, spaces leading. */
function pieces(text: string): string[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((word, index) => (index === 0 ? word : ` ${word}`))
}

function pcm16(data: string): Int16Array {
  const bytes = Buffer.from(data, 'base64')
  const samples = new Int16Array(bytes.length >> 1)
  for (let index = 0; index < samples.length; index++) samples[index] = bytes.readInt16LE(index * 2)
  return samples
}

function base64(samples: Int16Array): string {
  return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength).toString('base64')
}

/** `audio/pcm;rate=24000` → 24000; Google takes plain `audio/pcm` as 16 kHz. */
function sampleRateOf(mimeType: string): number {
  const rate = /rate=(\d+)/.exec(mimeType)?.[1]
  return rate ? Number(rate) : 16_000
}

function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

function truncateUtf8(text: string, bytes: number): string {
  const encoded = Buffer.from(text, 'utf8')
  if (encoded.length <= bytes) return text
  return encoded.subarray(0, bytes).toString('utf8').replace(/\uFFFD$/, '')
}
