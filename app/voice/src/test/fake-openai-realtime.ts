import { randomBytes } from 'node:crypto'
import { type IncomingMessage, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'

/** OpenAI's realtime audio is PCM16 mono at 24 kHz, both ways (the GA API takes no other PCM rate). */
export const REALTIME_SAMPLE_RATE = 24_000

/** A client event as received: the parsed JSON of one WebSocket message. */
export type ClientEvent = { type: string; event_id?: string } & Record<string, unknown>

/** A server event as sent. */
export type ServerEvent = { type: string; event_id: string } & Record<string, unknown>

/** One WebSocket upgrade request, accepted or not. */
export interface UpgradeRequest {
  url: string
  /** The `model` query parameter. */
  model: string | null
  authorization: string | undefined
  userAgent: string | undefined
  /** `OpenAI-Beta` would select the beta protocol on the real service; this fake speaks GA only. */
  openaiBeta: string | undefined
  /** The HTTP status the upgrade was refused with, or 101. */
  status: number
}

/** An item of the server-side conversation, as the model sees it. */
export interface ConversationEntry {
  id: string
  type: 'message' | 'function_call' | 'function_call_output'
  role: 'user' | 'assistant' | 'system' | undefined
  /** What the item says: typed text, what the learner said in committed audio, or what was replied (emptied when truncated). */
  text: string
  /** For a user item made from committed audio: how much, in samples at 24 kHz. */
  audioSamples?: number
}

/** What `reply()` is given: enough to answer, and for tests to check what reached the model. */
export interface ReplyContext {
  /** The session's instructions, as last set by `session.update`. */
  instructions: string
  /** `response.create`'s own instructions, which replace the session's for this response. */
  responseInstructions: string | undefined
  /** The conversation so far on this connection, oldest first. */
  conversation: readonly ConversationEntry[]
  /** The effective session configuration. */
  session: Readonly<Record<string, unknown>>
  /** How many responses this fake started before this one. */
  index: number
}

/** A response this fake generated, for assertions. */
export interface ResponseRecord {
  id: string
  /** `response.create`'s `event_id`, if the client set one. */
  clientEventId: string | undefined
  text: string
  /** Every output sample it sent (less than `replyAudio` gave, if it was cut short). */
  samplesSent: number
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed' | 'closed'
}

/**
 * A fault for the next `response.create`:
 * - `error`: the request is refused with an `error` event naming its `event_id` (no response is created);
 * - `failed`: the response starts, then ends with `response.done` status `failed` (a server error mid-reply);
 * - `close`: the response starts and the connection drops halfway through its audio.
 */
export type ResponseFault = 'error' | 'failed' | 'close'

export interface FakeOpenAIRealtimeOptions {
  /** Accept only this key (otherwise any non-empty bearer token). */
  apiKey?: string
}

type Json = Record<string, unknown>

/**
 * A local server speaking OpenAI's Realtime API (GA, WebSocket) as LiveKit's OpenAI plugin 1.9.0
 * uses it: `ws://…/v1/realtime?model=…` with `Authorization: Bearer …`, client events in and server
 * events out with the real names and shapes. Enough of the service for a conversation with the
 * server's turn detection off (the client commits audio and asks for replies) or typed input: audio
 * commits become user items with a transcript, replies stream PCM16 audio with a transcript, and
 * cancels, truncates, deletes and the real service's errors for misuse behave as documented.
 *
 * Not emulated: server VAD (`turn_detection` other than null is accepted but never acts), function
 * calls, out-of-band responses, images, G.711 audio.
 */
export class FakeOpenAIRealtime {
  readonly requests: UpgradeRequest[] = []
  /** Every client event received, in order, across connections. */
  readonly events: ClientEvent[] = []
  /** Every server event sent, in order, across connections. */
  readonly serverEvents: ServerEvent[] = []
  /** The `session` object of every `session.update` received. */
  readonly sessionUpdates: Json[] = []
  readonly responses: ResponseRecord[] = []
  /** The learner's words for the audio committed as the `index`th user turn. */
  transcribe: (samples: Int16Array, index: number) => string = () => 'Hei, jeg heter Kari.'
  /** The model's words for a response. */
  reply: (context: ReplyContext) => string | Promise<string> = () => 'Hei! Hyggelig å møte deg.'
  /** The model's voice for its words, PCM16 mono at 24 kHz. */
  replyAudio: (text: string) => Int16Array = toneForWords
  /** How long transcription takes after a commit (it runs beside the response, as on the real service). */
  transcriptionDelayMs = 20
  /** How much audio each `response.output_audio.delta` carries. */
  audioChunkMs = 40
  /** Audio is sent this many times faster than real time (Infinity: without waiting). */
  audioPace = 1
  failNextResponse?: ResponseFault
  #apiKey: string | undefined
  #server: Server
  #wss = new WebSocketServer({ noServer: true })
  #connections = new Set<RealtimeConnection>()
  #accepted = 0
  #appendedSamples = 0
  #commits = 0
  #waiters: { match: (event: ClientEvent) => boolean; resolve: (event: ClientEvent) => void }[] = []

  private constructor(options: FakeOpenAIRealtimeOptions) {
    this.#apiKey = options.apiKey
    this.#server = createServer((_request, response) => {
      // The realtime endpoint only takes WebSocket upgrades here.
      response.writeHead(404, { 'content-type': 'application/json' })
      response.end(JSON.stringify(apiError('Not found.', 'invalid_request_error', null)))
    })
    this.#server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.#upgrade(request, socket, head))
  }

  static async start(options: FakeOpenAIRealtimeOptions = {}): Promise<FakeOpenAIRealtime> {
    const fake = new FakeOpenAIRealtime(options)
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve))
    return fake
  }

  /** The plugin's `baseURL`: it appends `/realtime` and `?model=`, and turns http into ws. */
  get baseURL(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/v1`
  }

  /** WebSocket connections accepted so far. */
  get connections(): number {
    return this.#accepted
  }

  /** PCM16 samples received through `input_audio_buffer.append`, in all. */
  audioAppended(): number {
    return this.#appendedSamples
  }

  /** The client events of one type, in order. */
  eventsOf(type: string): ClientEvent[] {
    return this.events.filter((event) => event.type === type)
  }

  /** The first client event (already received or still to come) of a type that matches. */
  waitForEvent(type: string, predicate: (event: ClientEvent) => boolean = () => true): Promise<ClientEvent> {
    const match = (event: ClientEvent) => event.type === type && predicate(event)
    const seen = this.events.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve) => this.#waiters.push({ match, resolve }))
  }

  async close(): Promise<void> {
    for (const connection of this.#connections) connection.terminate()
    this.#wss.close()
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }

  /** @internal */
  received(event: ClientEvent): void {
    this.events.push(event)
    if (event.type === 'session.update' && isObject(event.session)) this.sessionUpdates.push(event.session)
    const ready = this.#waiters.filter((waiter) => waiter.match(event))
    this.#waiters = this.#waiters.filter((waiter) => !ready.includes(waiter))
    for (const waiter of ready) waiter.resolve(event)
  }

  /** @internal */
  sent(event: ServerEvent): void {
    this.serverEvents.push(event)
  }

  /** @internal */
  countAppended(samples: number): void {
    this.#appendedSamples += samples
  }

  /** @internal The index of the next user audio turn. */
  nextCommit(): number {
    return this.#commits++
  }

  /** @internal Takes the fault for this response, once. */
  takeFault(): ResponseFault | undefined {
    const fault = this.failNextResponse
    this.failNextResponse = undefined
    return fault
  }

  #upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const record: UpgradeRequest = {
      url: request.url ?? '',
      model: url.searchParams.get('model'),
      authorization: request.headers.authorization,
      userAgent: request.headers['user-agent'],
      openaiBeta: header(request.headers['openai-beta']),
      status: 101,
    }
    this.requests.push(record)
    const refuse = (status: number, body: Json) => {
      record.status = status
      refuseUpgrade(socket, status, body)
    }
    if (url.pathname.replace(/\/$/, '') !== '/v1/realtime') {
      return refuse(404, apiError(`Invalid URL (GET ${url.pathname})`, 'invalid_request_error', null))
    }
    // The real service's answers to a missing or wrong key, before any WebSocket exists.
    const key = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim()
    if (!key) {
      return refuse(
        401,
        apiError(
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          'invalid_request_error',
          null,
        ),
      )
    }
    if (this.#apiKey !== undefined && key !== this.#apiKey) {
      return refuse(401, apiError(`Incorrect API key provided: ${redactKey(key)}.`, 'invalid_request_error', 'invalid_api_key'))
    }
    if (!record.model) {
      return refuse(400, { error: { message: "Missing required parameter: 'model'.", type: 'invalid_request_error', param: 'model', code: 'missing_required_parameter' } })
    }
    const model = record.model
    this.#wss.handleUpgrade(request, socket, head, (ws) => {
      this.#accepted++
      const connection = new RealtimeConnection(this, ws, model)
      this.#connections.add(connection)
      ws.on('close', () => {
        connection.closed()
        this.#connections.delete(connection)
      })
    })
  }
}

/** The reply's voice by default: a 440 Hz tone at amplitude 8000, 60 ms per word. */
export function toneForWords(text: string): Int16Array {
  const words = text.split(/\s+/).filter(Boolean).length
  const samples = new Int16Array(Math.round(REALTIME_SAMPLE_RATE * 0.06) * Math.max(words, 1))
  for (let index = 0; index < samples.length; index++) {
    samples[index] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * index) / REALTIME_SAMPLE_RATE))
  }
  return samples
}

interface Item {
  id: string
  type: ConversationEntry['type']
  role: ConversationEntry['role']
  text: string
  audioSamples?: number
  /** Output audio of an assistant item, for truncation's bounds. */
  outputSamples?: number
  /** The item as the server shows it in events (audio data left out, as the real service does). */
  resource: Json
}

interface ActiveResponse {
  id: string
  abort: AbortController
  record: ResponseRecord
}

/** One WebSocket session: its configuration, conversation, input buffer and current response. */
class RealtimeConnection {
  #fake: FakeOpenAIRealtime
  #ws: WebSocket
  #session: Json
  #items: Item[] = []
  #buffer: Int16Array[] = []
  #bufferSamples = 0
  #active: ActiveResponse | undefined
  #timers = new Set<NodeJS.Timeout>()
  #repliedWithAudio = false
  #conversationId = id('conv_')

  constructor(fake: FakeOpenAIRealtime, ws: WebSocket, model: string) {
    this.#fake = fake
    this.#ws = ws
    this.#session = defaultSession(model)
    ws.on('message', (data: RawData, isBinary: boolean) => this.#message(data, isBinary))
    this.#send({ type: 'session.created', session: this.#session })
  }

  terminate(): void {
    this.#ws.terminate()
  }

  closed(): void {
    this.#active?.abort.abort()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
  }

  #message(data: RawData, isBinary: boolean): void {
    let event: ClientEvent
    try {
      if (isBinary) throw new Error('binary')
      const parsed: unknown = JSON.parse(rawText(data))
      if (!isObject(parsed) || typeof parsed.type !== 'string') throw new Error('no type')
      event = parsed as ClientEvent
    } catch {
      this.#error('invalid_request_error', 'invalid_json', 'The server could not parse the JSON of your event.', null, undefined)
      return
    }
    this.#fake.received(event)
    const eventId = typeof event.event_id === 'string' ? event.event_id : undefined
    switch (event.type) {
      case 'session.update':
        return this.#sessionUpdate(event, eventId)
      case 'input_audio_buffer.append':
        return this.#append(event)
      case 'input_audio_buffer.commit':
        return this.#commit(eventId)
      case 'input_audio_buffer.clear':
        this.#buffer = []
        this.#bufferSamples = 0
        return this.#send({ type: 'input_audio_buffer.cleared' })
      case 'conversation.item.create':
        return this.#itemCreate(event, eventId)
      case 'conversation.item.delete':
        return this.#itemDelete(event, eventId)
      case 'conversation.item.truncate':
        return this.#itemTruncate(event, eventId)
      case 'response.create':
        void this.#responseCreate(event, eventId)
        return
      case 'response.cancel':
        return this.#responseCancel(event, eventId)
      default:
        return this.#error('invalid_request_error', 'invalid_value', `Invalid value: '${event.type}'. Supported values are: ${CLIENT_EVENTS.map((type) => `'${type}'`).join(', ')}.`, 'type', eventId)
    }
  }

  #sessionUpdate(event: ClientEvent, eventId: string | undefined): void {
    const update = event.session
    if (!isObject(update)) return this.#error('invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'session'.", 'session', eventId)
    // The GA API needs the session's type on every update; a beta-shaped update is refused.
    if (update.type === undefined) return this.#error('invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'session.type'.", 'session.type', eventId)
    if (update.type !== 'realtime') return this.#error('invalid_request_error', 'invalid_value', `Invalid value: '${String(update.type)}'. This fake only speaks 'realtime' sessions.`, 'session.type', eventId)
    const unknown = unknownParameter(update)
    if (unknown) return this.#error('invalid_request_error', 'unknown_parameter', `Unknown parameter: '${unknown}'.`, unknown, eventId)
    for (const direction of ['input', 'output'] as const) {
      const format = path(update, 'audio', direction, 'format')
      if (isObject(format) && format.type === 'audio/pcm' && format.rate !== undefined && format.rate !== REALTIME_SAMPLE_RATE) {
        const param = `session.audio.${direction}.format.rate`
        return this.#error('invalid_request_error', 'invalid_value', `Invalid value: ${String(format.rate)}. Supported values are: ${REALTIME_SAMPLE_RATE}.`, param, eventId)
      }
    }
    const voice = path(update, 'audio', 'output', 'voice')
    if (voice !== undefined && voice !== path(this.#session, 'audio', 'output', 'voice') && this.#repliedWithAudio) {
      return this.#error('invalid_request_error', 'cannot_update_voice', "Cannot update a conversation's voice if assistant audio is present.", 'session.audio.output.voice', eventId)
    }
    this.#session = merge(this.#session, update)
    this.#send({ type: 'session.updated', session: this.#session })
  }

  #append(event: ClientEvent): void {
    if (typeof event.audio !== 'string') return
    const samples = pcm16(Buffer.from(event.audio, 'base64'))
    this.#buffer.push(samples)
    this.#bufferSamples += samples.length
    this.#fake.countAppended(samples.length)
  }

  #commit(eventId: string | undefined): void {
    // The real service refuses to commit less than 100 ms, with this error.
    const minimum = REALTIME_SAMPLE_RATE / 10
    if (this.#bufferSamples < minimum) {
      const ms = ((this.#bufferSamples / REALTIME_SAMPLE_RATE) * 1000).toFixed(2)
      const message = `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms}ms of audio.`
      return this.#error('invalid_request_error', 'input_audio_buffer_commit_empty', message, null, eventId)
    }
    const samples = concat(this.#buffer, this.#bufferSamples)
    this.#buffer = []
    this.#bufferSamples = 0
    // The model hears the audio itself, so the words are known now; the transcript event comes later.
    const transcript = this.#fake.transcribe(samples, this.#fake.nextCommit())
    const previous = this.#last()
    const itemId = id('item_')
    const resource: Json = { id: itemId, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] }
    this.#items.push({ id: itemId, type: 'message', role: 'user', text: transcript, audioSamples: samples.length, resource })
    this.#send({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId })
    this.#send({ type: 'conversation.item.added', previous_item_id: previous, item: resource })
    this.#send({ type: 'conversation.item.done', previous_item_id: previous, item: resource })
    const transcription = path(this.#session, 'audio', 'input', 'transcription')
    if (!isObject(transcription)) return
    this.#later(this.#fake.transcriptionDelayMs, () => {
      // gpt-4o-*-transcribe streams the transcript word by word; whisper-1 sends it whole as one delta.
      const deltas = transcription.model === 'whisper-1' ? [transcript] : words(transcript)
      for (const delta of deltas) this.#send({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta, logprobs: null })
      const audioTokens = Math.ceil((samples.length / REALTIME_SAMPLE_RATE) * 10)
      const outputTokens = textTokens(transcript)
      this.#send({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
        logprobs: null,
        usage: { type: 'tokens', total_tokens: audioTokens + outputTokens, input_tokens: audioTokens, input_token_details: { text_tokens: 0, audio_tokens: audioTokens }, output_tokens: outputTokens },
      })
    })
  }

  #itemCreate(event: ClientEvent, eventId: string | undefined): void {
    const item = event.item
    if (!isObject(item)) return this.#error('invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'item'.", 'item', eventId)
    const type = item.type
    if (type !== 'message' && type !== 'function_call' && type !== 'function_call_output') {
      return this.#error('invalid_request_error', 'invalid_value', `Invalid value: '${String(type)}'. Supported values are: 'message', 'function_call', and 'function_call_output'.`, 'item.type', eventId)
    }
    const itemId = typeof item.id === 'string' && item.id ? item.id : id('item_')
    if (this.#items.some((existing) => existing.id === itemId)) {
      return this.#error('invalid_request_error', 'item_create_duplicate_id', `Item with id '${itemId}' already exists.`, 'item.id', eventId)
    }
    let index = this.#items.length
    const previousId = event.previous_item_id
    if (previousId === 'root') index = 0
    else if (typeof previousId === 'string') {
      const found = this.#items.findIndex((existing) => existing.id === previousId)
      if (found < 0) return this.#error('invalid_request_error', 'item_create_invalid_previous_item_id', `The previous item with id '${previousId}' does not exist.`, 'previous_item_id', eventId)
      index = found + 1
    }
    const role = type === 'message' && (item.role === 'user' || item.role === 'assistant' || item.role === 'system') ? item.role : undefined
    if (type === 'message' && !role) {
      return this.#error('invalid_request_error', 'invalid_value', `Invalid value: '${String(item.role)}'. Supported values are: 'user', 'assistant', and 'system'.`, 'item.role', eventId)
    }
    const content = Array.isArray(item.content) ? item.content.filter(isObject) : []
    const text =
      type === 'function_call' ? String(item.arguments ?? '') : type === 'function_call_output' ? String(item.output ?? '') : content.map((part) => String(part.text ?? part.transcript ?? '')).join('')
    // Echoed as the service does: with an object type and status, and without audio bytes.
    const resource: Json = { ...item, id: itemId, object: 'realtime.item', status: 'completed' }
    if (type === 'message') resource.content = content.map(({ audio: _audio, ...part }) => (part.type === 'input_audio' ? { transcript: null, ...part } : part))
    const previous = index === 0 ? null : this.#items[index - 1]!.id
    this.#items.splice(index, 0, { id: itemId, type, role, text, resource })
    this.#send({ type: 'conversation.item.added', previous_item_id: previous, item: resource })
    this.#send({ type: 'conversation.item.done', previous_item_id: previous, item: resource })
  }

  #itemDelete(event: ClientEvent, eventId: string | undefined): void {
    const index = this.#items.findIndex((item) => item.id === event.item_id)
    if (index < 0) return this.#error('invalid_request_error', 'item_delete_invalid_item_id', `Error deleting item: the item with id '${String(event.item_id)}' does not exist.`, 'item_id', eventId)
    this.#items.splice(index, 1)
    this.#send({ type: 'conversation.item.deleted', item_id: event.item_id })
  }

  #itemTruncate(event: ClientEvent, eventId: string | undefined): void {
    const item = this.#items.find((candidate) => candidate.id === event.item_id)
    if (!item || item.role !== 'assistant' || item.outputSamples === undefined) {
      return this.#error('invalid_request_error', 'item_truncate_invalid_item_id', `Only assistant messages with audio can be truncated; '${String(event.item_id)}' is not one.`, 'item_id', eventId)
    }
    const audioEndMs = typeof event.audio_end_ms === 'number' ? event.audio_end_ms : -1
    const durationMs = (item.outputSamples / REALTIME_SAMPLE_RATE) * 1000
    if (audioEndMs < 0 || audioEndMs > durationMs) {
      return this.#error('invalid_request_error', 'invalid_value', `Audio content of ${Math.round(durationMs)}ms is already shorter than ${audioEndMs}ms.`, 'audio_end_ms', eventId)
    }
    // Truncating drops the server's transcript, so the model doesn't remember words the learner never heard.
    item.text = ''
    item.outputSamples = Math.round((audioEndMs / 1000) * REALTIME_SAMPLE_RATE)
    this.#send({ type: 'conversation.item.truncated', item_id: item.id, content_index: event.content_index ?? 0, audio_end_ms: audioEndMs })
  }

  async #responseCreate(event: ClientEvent, eventId: string | undefined): Promise<void> {
    if (this.#active) {
      const message = `Conversation already has an active response in progress: ${this.#active.id}. Wait until the response is finished before creating a new one.`
      return this.#error('invalid_request_error', 'conversation_already_has_active_response', message, null, eventId)
    }
    const params = isObject(event.response) ? event.response : {}
    const fault = this.#fake.takeFault()
    if (fault === 'error') {
      return this.#error('server_error', 'server_error', 'The server had an error while processing your request. Sorry about that!', null, eventId)
    }
    const responseId = id('resp_')
    const record: ResponseRecord = { id: responseId, clientEventId: eventId, text: '', samplesSent: 0, status: 'in_progress' }
    const active: ActiveResponse = { id: responseId, abort: new AbortController(), record }
    this.#active = active
    this.#fake.responses.push(record)
    const modalities = Array.isArray(params.output_modalities) ? params.output_modalities : Array.isArray(this.#session.output_modalities) ? this.#session.output_modalities : ['audio']
    const audio = modalities.includes('audio')
    const voice = path(this.#session, 'audio', 'output', 'voice')
    const resource = (status: string, output: Json[], usage: Json | null, statusDetails: Json | null): Json => ({
      object: 'realtime.response',
      id: responseId,
      status,
      status_details: statusDetails,
      output,
      conversation_id: this.#conversationId,
      output_modalities: audio ? ['audio'] : ['text'],
      max_output_tokens: params.max_output_tokens ?? this.#session.max_output_tokens,
      audio: { output: { format: { type: 'audio/pcm', rate: REALTIME_SAMPLE_RATE }, voice } },
      usage,
      // The plugin finds its generateReply() by the metadata it sent, echoed here.
      metadata: isObject(params.metadata) ? params.metadata : null,
    })
    this.#send({ type: 'response.created', response: resource('in_progress', [], null, null) })
    this.#send({
      type: 'rate_limits.updated',
      rate_limits: [
        { name: 'requests', limit: 5000, remaining: 4999, reset_seconds: 0.012 },
        { name: 'tokens', limit: 40_000, remaining: 39_000, reset_seconds: 1.5 },
      ],
    })

    const context: ReplyContext = {
      instructions: String(this.#session.instructions ?? ''),
      responseInstructions: typeof params.instructions === 'string' ? params.instructions : undefined,
      conversation: this.#items.map(entry),
      session: structuredClone(this.#session),
      index: this.#fake.responses.length - 1,
    }
    let text: string
    try {
      text = await this.#fake.reply(context)
    } catch (error) {
      this.#active = undefined
      record.status = 'failed'
      const detail = { type: 'failed', error: { type: 'server_error', code: 'server_error', message: error instanceof Error ? error.message : String(error) } }
      return this.#send({ type: 'response.done', response: resource('failed', [], usage(context, 0, 0), detail) })
    }
    if (active.abort.signal.aborted) {
      // Cancelled (or disconnected) before a word was said.
      this.#active = undefined
      record.status = 'cancelled'
      return this.#send({ type: 'response.done', response: resource('cancelled', [], usage(context, 0, 0), { type: 'cancelled', reason: 'client_cancelled' }) })
    }
    const samples = audio ? this.#fake.replyAudio(text) : new Int16Array(0)
    record.text = text

    const itemId = id('item_')
    const previous = this.#last()
    const item: Item = { id: itemId, type: 'message', role: 'assistant', text: '', resource: {}, ...(audio ? { outputSamples: 0 } : {}) }
    this.#items.push(item)
    const itemResource = (status: string, said: string): Json => ({
      id: itemId,
      type: 'message',
      object: 'realtime.item',
      status,
      role: 'assistant',
      content: status === 'in_progress' ? [] : [audio ? { type: 'output_audio', transcript: said } : { type: 'output_text', text: said }],
    })
    item.resource = itemResource('in_progress', '')
    const where = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 }
    this.#send({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: item.resource })
    this.#send({ type: 'conversation.item.added', previous_item_id: previous, item: item.resource })
    this.#send({ type: 'response.content_part.added', ...where, part: audio ? { type: 'audio', transcript: '' } : { type: 'text', text: '' } })

    const pieces = words(text)
    const chunkSamples = Math.max(1, Math.round((this.#fake.audioChunkMs / 1000) * REALTIME_SAMPLE_RATE))
    const chunks = audio ? Math.ceil(samples.length / chunkSamples) : 0
    // A fault strikes halfway through the audio (at once if there is too little to halve).
    const cutAt = fault ? Math.floor(chunks / 2) : Infinity
    const cut = fault === 'close' ? 'closed' : 'failed'
    let said = ''
    let wordsSent = 0
    const started = Date.now()
    let outcome: 'completed' | 'cancelled' | 'failed' | 'closed' = 'completed'
    if (!audio) {
      for (const piece of pieces) this.#send({ type: 'response.output_text.delta', ...where, delta: piece })
      said = text
    }
    for (let chunk = 0; chunk < chunks; chunk++) {
      if (chunk >= cutAt) {
        outcome = cut
        break
      }
      // The transcript runs a little ahead of the audio it belongs to, as the service's does.
      const wordsDue = Math.ceil(((chunk + 1) / chunks) * pieces.length)
      for (; wordsSent < wordsDue; wordsSent++) {
        said += pieces[wordsSent]
        this.#send({ type: 'response.output_audio_transcript.delta', ...where, delta: pieces[wordsSent] })
      }
      const slice = samples.subarray(chunk * chunkSamples, (chunk + 1) * chunkSamples)
      this.#send({ type: 'response.output_audio.delta', ...where, delta: Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength).toString('base64') })
      record.samplesSent += slice.length
      item.outputSamples = record.samplesSent
      this.#repliedWithAudio = true
      const due = started + ((record.samplesSent / REALTIME_SAMPLE_RATE) * 1000) / this.#fake.audioPace
      try {
        await sleep(Math.max(0, due - Date.now()), undefined, { signal: active.abort.signal })
      } catch {
        outcome = 'cancelled'
        break
      }
    }
    if (fault && chunks === 0) outcome = cut
    if (this.#ws.readyState !== this.#ws.OPEN) outcome = 'closed'
    if (outcome === 'closed') {
      record.status = 'closed'
      this.#active = undefined
      this.terminate()
      return
    }
    if (outcome === 'completed' && audio) {
      for (; wordsSent < pieces.length; wordsSent++) {
        said += pieces[wordsSent]
        this.#send({ type: 'response.output_audio_transcript.delta', ...where, delta: pieces[wordsSent] })
      }
    }
    // Cut short or not, every open part, item and the response itself are closed, in this order.
    const status = outcome === 'completed' ? 'completed' : 'incomplete'
    if (audio) {
      this.#send({ type: 'response.output_audio.done', ...where })
      this.#send({ type: 'response.output_audio_transcript.done', ...where, transcript: said })
      this.#send({ type: 'response.content_part.done', ...where, part: { type: 'audio', transcript: said } })
    } else {
      this.#send({ type: 'response.output_text.done', ...where, text: said })
      this.#send({ type: 'response.content_part.done', ...where, part: { type: 'text', text: said } })
    }
    item.text = said
    item.resource = itemResource(status, said)
    this.#send({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: item.resource })
    this.#send({ type: 'conversation.item.done', previous_item_id: previous, item: item.resource })
    const details =
      outcome === 'completed'
        ? null
        : outcome === 'cancelled'
          ? { type: 'cancelled', reason: 'client_cancelled' }
          : { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' } }
    record.status = outcome
    this.#active = undefined
    this.#send({ type: 'response.done', response: resource(outcome, [item.resource], usage(context, textTokens(said), record.samplesSent), details) })
  }

  #responseCancel(event: ClientEvent, eventId: string | undefined): void {
    const active = this.#active
    if (!active || (typeof event.response_id === 'string' && event.response_id !== active.id)) {
      // The plugin ignores errors starting "Cancellation failed", as the service words them.
      return this.#error('invalid_request_error', 'response_cancel_not_active', 'Cancellation failed: no active response found', null, eventId)
    }
    active.abort.abort()
  }

  #last(): string | null {
    return this.#items.at(-1)?.id ?? null
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      run()
    }, ms)
    this.#timers.add(timer)
  }

  #error(type: string, code: string, message: string, param: string | null, eventId: string | undefined): void {
    this.#send({ type: 'error', error: { type, code, message, param, event_id: eventId ?? null } })
  }

  #send(event: Omit<ServerEvent, 'event_id'>): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return
    const sent = { event_id: id('event_'), ...event } as ServerEvent
    this.#fake.sent(sent)
    this.#ws.send(JSON.stringify(sent))
  }
}

const CLIENT_EVENTS = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
  'output_audio_buffer.clear',
]

/** The GA session's fields (a beta field such as `modalities` or `voice` at the top is refused). */
const SESSION_FIELDS: Record<string, Record<string, Record<string, true>> | true> = {
  type: true,
  model: true,
  instructions: true,
  output_modalities: true,
  audio: {
    input: { format: true, noise_reduction: true, transcription: true, turn_detection: true },
    output: { format: true, speed: true, voice: true },
  },
  include: true,
  max_output_tokens: true,
  prompt: true,
  reasoning: true,
  tool_choice: true,
  tools: true,
  parallel_tool_calls: true,
  tracing: true,
  truncation: true,
}

function unknownParameter(update: Json): string | undefined {
  for (const [key, value] of Object.entries(update)) {
    const known = SESSION_FIELDS[key]
    if (!known) return `session.${key}`
    if (known === true || !isObject(value)) continue
    for (const [direction, config] of Object.entries(value)) {
      const fields = known[direction]
      if (!fields) return `session.${key}.${direction}`
      if (!isObject(config)) continue
      for (const field of Object.keys(config)) if (!fields[field]) return `session.${key}.${direction}.${field}`
    }
  }
  return undefined
}

/** What the real service reports on a new connection (its defaults, trimmed to what matters here). */
function defaultSession(model: string): Json {
  const format = { type: 'audio/pcm', rate: REALTIME_SAMPLE_RATE }
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: id('sess_'),
    model,
    output_modalities: ['audio'],
    instructions: 'You are a helpful, witty, and friendly AI.',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    audio: {
      input: {
        format,
        transcription: null,
        noise_reduction: null,
        turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, idle_timeout_ms: null, create_response: true, interrupt_response: true },
      },
      output: { format, voice: 'alloy', speed: 1 },
    },
    include: null,
  }
}

/** `session.update` changes only the fields it names, nested objects included; `null` clears. */
function merge(target: Json, update: Json): Json {
  const out: Json = { ...target }
  for (const [key, value] of Object.entries(update)) {
    const current = out[key]
    out[key] = isObject(value) && isObject(current) ? merge(current, value) : value
  }
  return out
}

/** `response.done`'s usage, shaped as the service's; the counts are estimates (text ≈ 4 characters a token, audio in 10 and out 20 a second). */
function usage(context: ReplyContext, outputTextTokens: number, outputSamples: number): Json {
  const instructions = textTokens(context.responseInstructions ?? context.instructions)
  const inputText = instructions + context.conversation.reduce((sum, item) => sum + (item.audioSamples === undefined ? textTokens(item.text) : 0), 0)
  const inputAudio = context.conversation.reduce((sum, item) => sum + Math.ceil(((item.audioSamples ?? 0) / REALTIME_SAMPLE_RATE) * 10), 0)
  const outputAudio = Math.ceil((outputSamples / REALTIME_SAMPLE_RATE) * 20)
  const input = inputText + inputAudio
  const output = outputTextTokens + outputAudio
  return {
    total_tokens: input + output,
    input_tokens: input,
    output_tokens: output,
    input_token_details: {
      text_tokens: inputText,
      audio_tokens: inputAudio,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: outputTextTokens, audio_tokens: outputAudio },
  }
}

function entry(item: Item): ConversationEntry {
  return { id: item.id, type: item.type, role: item.role, text: item.text, ...(item.audioSamples !== undefined ? { audioSamples: item.audioSamples } : {}) }
}

/** Words with their leading space, the way streamed transcripts arrive ("Hei!", " Hyggelig", …). */
function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? []
}

function textTokens(text: string): number {
  return Math.ceil(text.length / 4)
}

function pcm16(bytes: Buffer): Int16Array {
  const samples = new Int16Array(bytes.length >> 1)
  for (let index = 0; index < samples.length; index++) samples[index] = bytes.readInt16LE(index * 2)
  return samples
}

function concat(chunks: Int16Array[], length: number): Int16Array {
  const out = new Int16Array(length)
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

function path(value: unknown, ...keys: string[]): unknown {
  let current = value
  for (const key of keys) current = isObject(current) ? current[key] : undefined
  return current
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data as ArrayBuffer).toString('utf8')
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value
}

/** An OpenAI HTTP error body. */
function apiError(message: string, type: string, code: string | null): Json {
  return { error: { message, type, param: null, code } }
}

function redactKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`
}

function refuseUpgrade(socket: Duplex, status: number, body: Json): void {
  const text = JSON.stringify(body)
  const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`)
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** IDs shaped like the service's: a prefix and 21 base-62 characters. */
function id(prefix: string): string {
  return prefix + Array.from(randomBytes(21), (byte) => ALPHABET[byte % ALPHABET.length]).join('')
}
