import { endianness } from 'node:os'
import type { TurnRecording } from '@avaaz/voice'
import { signServiceToken, type ServiceTokenFor } from './service-token.js'
import { readServerSentEvents, type ServerSentEvent } from './sse.js'

/** What the backend's agent API answers; the shapes are its OpenAPI schemas (AgentContext, AgentTurnRequest). */

export interface AgentContext {
  userId: string
  sessionId: string
  room: string
  level: 'A1' | 'A2' | 'B1' | 'B2'
  mode: 'free' | 'lesson' | 'exam'
  turnTaking: { endOfTurnSilenceMs: number; allowInterruptions: boolean }
  engines: {
    speechToText: { kind: 'browser' } | { kind: 'openai'; model: string; baseURL?: string; language: string }
    speech: { kind: 'espeak'; voice: string } | { kind: 'openai'; model: string; voice: string; baseURL?: string }
    /** What answers (the provider, or offline): told to the browser in `ready`. */
    tutor: string
  }
  /** Whether the learner keeps their audio (only then is a turn's audio sent). */
  keepAudio: boolean
  /** A realtime model for this conversation, with its key from the agent's own environment; null: the pipeline above. */
  realtime: {
    provider: 'openai' | 'gemini'
    model: string
    voice: string
    baseURL?: string
    transcriptionModel?: string
    instructions: string
    history: Array<{ role: 'learner' | 'tutor'; text: string }>
  } | null
}

/** An exchange held by a realtime model (the backend's AgentExchangeRequest). */
export interface AgentExchangeRequest {
  learner: AgentTurnRequest | null
  reply: { text: string; interrupted: boolean; latencyMs: number | null }
}

/** The stored turns of an exchange, and the session's mode now (anything but free: start the pipeline over). */
export interface AgentExchangeResult {
  learner: Record<string, unknown> | null
  tutor: Record<string, unknown> | null
  mode: 'free' | 'lesson' | 'exam'
}

export interface AgentTurnRequest {
  clientTurnId: string
  text: string
  source: 'speech_engine' | 'browser_speech' | 'typed'
  timing?: {
    startedAt: string
    endedAt: string
    speakingMs?: number
    words?: Array<{ word: string; startMs: number; endMs: number; confidence?: number }>
  }
}

/** The backend refused or failed a call; `status` is the HTTP status (0: it could not be reached). */
export class BackendError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The problem document's detail, as said to the learner. */
    readonly detail = message,
  ) {
    super(message)
    this.name = 'BackendError'
  }
}

export interface BackendClientOptions {
  /** The backend's base URL as the agent reaches it (e.g. http://backend:8000). */
  baseUrl: string
  /** AGENT_SERVICE_SECRET, shared with the backend. */
  serviceSecret: string
  /** Longest wait for a context, join or leave call. */
  timeoutMs?: number
  fetch?: typeof fetch
}

/** The backend's agent API (`/api/v1/agent/sessions/:userId/…`), every call signed for its learner. */
export class BackendClient {
  readonly #baseUrl: string
  readonly #secret: string
  readonly #timeoutMs: number
  readonly #fetch: typeof fetch

  constructor(options: BackendClientOptions) {
    if (!options.baseUrl) throw new Error('BackendClient: baseUrl is required (BACKEND_URL)')
    if (!options.serviceSecret) throw new Error('BackendClient: serviceSecret is required (AGENT_SERVICE_SECRET)')
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#secret = options.serviceSecret
    this.#timeoutMs = options.timeoutMs ?? 10_000
    this.#fetch = options.fetch ?? fetch
  }

  async context(who: ServiceTokenFor): Promise<AgentContext> {
    const response = await this.#call(who, 'GET', 'context')
    return (await response.json()) as AgentContext
  }

  /** The learner is in the room: their sitting opens (or continues). Safe to repeat. */
  async join(who: ServiceTokenFor): Promise<{ sittingId: string | null }> {
    const answer = (await (await this.#call(who, 'POST', 'join')).json()) as { sitting?: { id?: string } | null }
    return { sittingId: answer.sitting?.id ?? null }
  }

  /** The learner left: their sitting closes. Safe to repeat (LiveKit's webhook does it too). */
  async leave(who: ServiceTokenFor): Promise<void> {
    await (await this.#call(who, 'POST', 'leave')).body?.cancel()
  }

  /** The reply to a turn was spoken: end of the learner's speech → first audio out, stored on the reply. */
  async replyLatency(who: ServiceTokenFor, clientTurnId: string, latencyMs: number): Promise<void> {
    await (await this.#call(who, 'POST', 'latency', { clientTurnId, latencyMs: Math.round(latencyMs) })).body?.cancel()
  }

  /** Stores an exchange a realtime model held (safe to repeat: the learner's client turn id is stored once). */
  async exchange(who: ServiceTokenFor, exchange: AgentExchangeRequest): Promise<AgentExchangeResult> {
    return (await (await this.#call(who, 'POST', 'exchanges', exchange)).json()) as AgentExchangeResult
  }

  /**
   * A turn's audio (the learner's words, or a reply as it was spoken), for the backend to keep if the
   * learner keeps audio: PCM16 little-endian mono as `audio/L16; rate=…`. `stored` false: not kept (the
   * learner does not keep audio, or the turn already has its audio), which is not an error.
   */
  async turnAudio(who: ServiceTokenFor, recording: TurnRecording): Promise<{ stored: boolean }> {
    const { pcm, sampleRate, turnId } = recording
    let bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)
    // The wire is little-endian, as the samples already are on x86 and ARM.
    if (endianness() === 'BE') bytes = Buffer.from(bytes).swap16()
    const response = await this.#call(who, 'PUT', `turns/${encodeURIComponent(turnId)}/audio`, new RawBody(`audio/L16; rate=${sampleRate}`, bytes))
    return (await response.json()) as { stored: boolean }
  }

  /** Sends a final learner turn and yields the reply's events as the backend streams them. */
  async *learnerTurn(who: ServiceTokenFor, turn: AgentTurnRequest, signal: AbortSignal): AsyncGenerator<ServerSentEvent> {
    const response = await this.#call(who, 'POST', 'turns', turn, signal)
    if (!response.body) throw new BackendError(response.status, 'The backend answered the turn without a body.')
    yield* readServerSentEvents(response.body)
  }

  /** `body`: JSON, or raw bytes with their content type. */
  async #call(who: ServiceTokenFor, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const url = `${this.#baseUrl}/api/v1/agent/sessions/${encodeURIComponent(who.userId)}/${path}`
    const headers: Record<string, string> = { authorization: `Bearer ${await signServiceToken(this.#secret, who)}` }
    const raw = body instanceof RawBody ? body : undefined
    if (body !== undefined) headers['content-type'] = raw ? raw.contentType : 'application/json'
    let response: Response
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: raw ? raw.bytes : JSON.stringify(body) } : {}),
        // A streamed reply is bounded by the backend's own tutor timeout; the rest by ours.
        signal: signal ?? AbortSignal.timeout(this.#timeoutMs),
      })
    } catch (error) {
      if (signal?.aborted) throw error
      throw new BackendError(0, `The backend at ${this.#baseUrl} could not be reached: ${(error as Error).message}`)
    }
    if (!response.ok) {
      const detail = await problemDetail(response)
      throw new BackendError(response.status, `${method} ${path}: ${response.status} ${detail}`.trim(), detail)
    }
    return response
  }
}

/** A body sent as it is (a turn's audio), not as JSON. */
class RawBody {
  constructor(
    readonly contentType: string,
    readonly bytes: Buffer,
  ) {}
}

/** The problem document's detail (the backend answers errors as application/problem+json). */
async function problemDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => '')
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string }
    return problem.detail ?? problem.title ?? response.statusText
  } catch {
    return response.statusText
  }
}
