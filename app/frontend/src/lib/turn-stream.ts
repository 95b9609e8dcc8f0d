import { ApiError, unwrap } from './api/client'
import type { components, paths } from './api/schema'

type Turn = components['schemas']['Turn']
export type TurnRequest = paths['/api/v1/sessions/default/turns']['post']['requestBody']['content']['application/json']
export type TurnSource = NonNullable<TurnRequest['source']>

/**
 * The events of a turn's reply, as the backend streams them (`features/sessions/turns.ts`). OpenAPI
 * documents the stream only as text, so the event names are listed here; every payload is built
 * from the generated schema types.
 */
export type TurnStreamEvent =
  | { type: 'turn'; turn: Turn }
  | { type: 'delta'; text: string }
  | { type: 'correction'; correction: components['schemas']['Correction'] }
  | { type: 'visual'; aid: components['schemas']['VisualAid'] }
  | { type: 'state'; change: components['schemas']['TutorStateChange'] }
  | { type: 'done'; turn: Turn; replayed: boolean }
  | { type: 'error'; code: 'tutor_timeout' | 'tutor_unavailable' | 'internal'; message: string; retryable: boolean; turn: Turn | null }
  /**
   * Not from the server: the connection dropped and the same turn is being sent again. The server
   * replays the reply from its start (or replies again), so whatever arrived so far must be dropped.
   */
  | { type: 'retry'; attempt: number }

/**
 * A turn during a mock exam streams one more event: `line`, a line the examiner or the co-candidate
 * says right after the reply (the task, the co-candidate's first turn, the next part's instructions).
 */
export type ExamTurnStreamEvent = TurnStreamEvent | { type: 'line'; turn: Turn }

/** The connection failed and retrying did not help (offline, server unreachable, stream cut off). */
export class TurnNetworkError extends Error {
  constructor(readonly clientTurnId: string, options?: { cause?: unknown }) {
    super('The connection to the tutor failed.', options)
    this.name = 'TurnNetworkError'
  }
}

export interface SseMessage {
  event: string
  data: string
}

/**
 * An incremental `text/event-stream` parser: feed it the body's bytes as they come, in chunks cut
 * anywhere (inside an event, a line ending or a UTF-8 character), and it returns the complete events.
 */
export function createSseParser(): { push(chunk: Uint8Array): SseMessage[]; end(): SseMessage[] } {
  const decoder = new TextDecoder('utf-8')
  let buffer = ''
  let event = ''
  let data: string[] = []
  let skipLeadingLf = false

  function line(text: string, out: SseMessage[]) {
    if (text === '') {
      // A blank line dispatches the event (an event without data is dropped, as the spec says).
      if (data.length > 0) out.push({ event: event || 'message', data: data.join('\n') })
      event = ''
      data = []
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }

  function drain(out: SseMessage[]) {
    let start = 0
    for (let i = 0; i < buffer.length; i++) {
      const char = buffer[i]
      if (skipLeadingLf) {
        skipLeadingLf = false
        if (char === '\n') {
          start = i + 1
          continue
        }
      }
      if (char === '\n' || char === '\r') {
        line(buffer.slice(start, i), out)
        // "\r\n" is one line ending, even when the "\n" comes in the next chunk.
        if (char === '\r') skipLeadingLf = true
        start = i + 1
      }
    }
    buffer = buffer.slice(start)
  }

  return {
    push(chunk) {
      buffer += decoder.decode(chunk, { stream: true })
      const out: SseMessage[] = []
      drain(out)
      return out
    },
    end() {
      buffer += decoder.decode()
      const out: SseMessage[] = []
      drain(out)
      // An event not closed by a blank line is incomplete and is not dispatched.
      buffer = ''
      event = ''
      data = []
      return out
    },
  }
}

const eventNames: ReadonlySet<string> = new Set(['turn', 'delta', 'correction', 'visual', 'state', 'done', 'error'])
const examEventNames: ReadonlySet<string> = new Set([...eventNames, 'line'])

function toTurnEvent<E extends { type: string }>(message: SseMessage, names: ReadonlySet<string>): E | null {
  if (!names.has(message.event)) return null
  let payload: unknown
  try {
    payload = JSON.parse(message.data)
  } catch {
    return null
  }
  if (payload === null || typeof payload !== 'object') return null
  return { ...payload, type: message.event } as unknown as E
}

export interface StreamTurnOptions {
  /** Chosen once per turn and reused by every retry; a new one by default. */
  clientTurnId?: string
  signal?: AbortSignal
  /** Retries after a network failure (default 2). */
  retries?: number
  /** Wait before retry n (1-based); default 0.5 s, then 1.5 s, … */
  retryDelayMs?: (attempt: number) => number
}

/** Gateway failures in front of the backend: the turn may not have reached it, so sending again is safe. */
const retryableStatus = new Set([502, 503, 504])

/**
 * Sends a learner turn and yields the tutor's reply as it streams. A dropped connection (before or
 * during the stream, or a stream that ends without `done` or `error`) is retried with the same
 * client turn id: the backend then replays the stored reply or replies again, and never stores the
 * turn twice; a `retry` event tells the caller to drop what it had shown of the reply. A refusal
 * before the stream (problem+json) throws an ApiError; a network failure that outlasts the retries
 * throws a TurnNetworkError.
 */
export function streamTurn(input: { text: string; source?: TurnSource }, options: StreamTurnOptions = {}): AsyncGenerator<TurnStreamEvent, void, undefined> {
  return streamEvents<TurnStreamEvent>(input, options, eventNames)
}

/** `streamTurn` for a turn during a mock exam: the same stream, with the `line` events as well. */
/** `examAttemptId`: the answer is for this attempt, and is refused (409) once the attempt is no longer running. */
export function streamExamTurn(
  input: { text: string; source?: TurnSource; examAttemptId: string },
  options: StreamTurnOptions = {},
): AsyncGenerator<ExamTurnStreamEvent, void, undefined> {
  return streamEvents<ExamTurnStreamEvent>(input, options, examEventNames)
}

async function* streamEvents<E extends { type: string }>(
  input: { text: string; source?: TurnSource; examAttemptId?: string },
  options: StreamTurnOptions,
  names: ReadonlySet<string>,
): AsyncGenerator<E, void, undefined> {
  const clientTurnId = options.clientTurnId ?? crypto.randomUUID()
  const retries = options.retries ?? 2
  const delay = options.retryDelayMs ?? ((attempt) => 500 * 3 ** (attempt - 1))
  const body: TurnRequest = { clientTurnId, text: input.text, source: input.source ?? 'typed', ...(input.examAttemptId ? { examAttemptId: input.examAttemptId } : {}) }

  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      await wait(delay(attempt), options.signal)
      yield { type: 'retry', attempt } as unknown as E
    }
    let finished = false
    try {
      const response = await fetch('/api/v1/sessions/default/turns', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify(body),
        ...(options.signal ? { signal: options.signal } : {}),
      })
      if (!response.ok) {
        if (retryableStatus.has(response.status) && attempt < retries) continue
        throw await problemOf(response)
      }
      if (!response.body) throw new TypeError('The reply has no body.')
      const parser = createSseParser()
      const reader = response.body.getReader()
      try {
        for (;;) {
          const { value, done } = await reader.read()
          const messages = done ? parser.end() : parser.push(value)
          for (const message of messages) {
            const event = toTurnEvent<E>(message, names)
            if (!event) continue
            yield event
            if (event.type === 'done' || event.type === 'error') {
              finished = true
              return
            }
          }
          if (done) break
        }
      } finally {
        // Stop reading when the caller stops (or the reply is complete); the server keeps the reply.
        if (!finished) await reader.cancel().catch(() => undefined)
        reader.releaseLock()
      }
      // The stream ended without `done` or `error`: the connection was cut.
      throw new TypeError('The reply stream ended early.')
    } catch (error) {
      if (error instanceof ApiError || isAbort(error, options.signal)) throw error
      if (attempt >= retries) throw new TurnNetworkError(clientTurnId, { cause: error })
    }
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  const type = response.headers.get('content-type') ?? ''
  const error: unknown = type.includes('json') ? await response.json().catch(() => ({})) : {}
  try {
    await unwrap(Promise.resolve({ error, response }))
  } catch (problem) {
    if (problem instanceof ApiError) return problem
  }
  return new ApiError({ type: 'about:blank', title: response.statusText, status: response.status, requestId: '' })
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (error instanceof DOMException && error.name === 'AbortError')
}

function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    function onAbort() {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
