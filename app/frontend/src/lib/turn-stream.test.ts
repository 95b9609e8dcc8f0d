import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from './api/client'
import { createSseParser, streamExamTurn, streamTurn, TurnNetworkError, type ExamTurnStreamEvent, type TurnStreamEvent } from './turn-stream'

const encoder = new TextEncoder()

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** Bytes of `text` cut at the given byte offsets (which may fall inside a UTF-8 character). */
function cut(text: string, offsets: number[]): Uint8Array[] {
  const bytes = encoder.encode(text)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.slice(start, offset))
    start = offset
  }
  return chunks
}

function streamResponse(chunks: Uint8Array[], options: { failAfter?: boolean } = {}): Response {
  let index = 0
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index < chunks.length) controller.enqueue(chunks[index++]!)
      else if (options.failAfter) controller.error(new TypeError('network connection lost'))
      else controller.close()
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } })
}

function turn(role: 'learner' | 'tutor', text: string, id = role === 'learner' ? '00000000-0000-4000-8000-000000000001' : '00000000-0000-4000-8000-000000000002') {
  return {
    id,
    sittingId: '00000000-0000-4000-8000-0000000000aa',
    sequence: 1,
    role,
    text,
    source: role === 'learner' ? 'typed' : null,
    clientTurnId: null,
    replyToTurnId: null,
    incomplete: false,
    startedAt: null,
    endedAt: null,
    speakingMs: null,
    wordTimings: null,
    corrections: [],
    cefr: null,
    latencyMs: null,
    createdAt: '2026-01-01T10:00:00.000Z',
  }
}

async function collect<E = TurnStreamEvent>(iterator: AsyncIterable<E>): Promise<E[]> {
  const events: E[] = []
  for await (const event of iterator) events.push(event)
  return events
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('SSE parser', () => {
  it('reassembles events cut mid-event, mid-line-ending and inside the UTF-8 bytes of "å"', () => {
    const text = `${sse('delta', { text: 'Hyggelig å hilse på deg' })}event: delta\r\ndata: {"text":"blå"}\r\n\r\n`
    const bytes = encoder.encode(text)
    const aAt = bytes.indexOf(0xc3) // first byte of "å"
    const crAt = bytes.indexOf(0x0d) // "\r" of the first CRLF
    const parser = createSseParser()
    const messages = [...cut(text, [5, aAt + 1, crAt + 1, bytes.length - 1])].flatMap((chunk) => parser.push(chunk))
    messages.push(...parser.end())
    expect(messages).toEqual([
      { event: 'delta', data: '{"text":"Hyggelig å hilse på deg"}' },
      { event: 'delta', data: '{"text":"blå"}' },
    ])
  })

  it('joins multi-line data, ignores comments and drops an event never closed by a blank line', () => {
    const parser = createSseParser()
    const messages = parser.push(encoder.encode(': keep-alive\nevent: note\ndata: one\ndata:two\n\nevent: delta\ndata: {"text":"x"}'))
    messages.push(...parser.end())
    expect(messages).toEqual([{ event: 'note', data: 'one\ntwo' }])
  })
})

describe('streamTurn', () => {
  it('posts the turn and yields the reply events in order, across awkward chunk boundaries', async () => {
    const text = [
      sse('turn', { turn: turn('learner', 'Jeg bor på Grünerløkka') }),
      sse('correction', { correction: { original: 'på', corrected: 'i', explanation: 'Use "i" for areas.' } }),
      sse('delta', { text: 'Så fint! Hvor lenge har du bodd der?' }),
      sse('visual', { aid: { kind: 'picture', slug: 'kitchen', title: 'Kjøkken', url: '/api/v1/curriculum/pictures/kitchen.svg' } }),
      sse('state', { change: { kind: 'step', lessonId: '00000000-0000-4000-8000-0000000000bb', position: 1, total: 4 } }),
      sse('done', { turn: turn('tutor', 'Så fint! Hvor lenge har du bodd der?'), replayed: false }),
    ].join('')
    const bytes = encoder.encode(text)
    const offsets: number[] = []
    for (let i = 7; i < bytes.length; i += 13) offsets.push(i)
    // Also inside the first "å" of the delta.
    offsets.push(bytes.indexOf(0xc3, text.indexOf('Så')) + 1)
    const fetchMock = vi.fn(async () => streamResponse(cut(text, [...new Set(offsets)].sort((a, b) => a - b))))
    vi.stubGlobal('fetch', fetchMock)

    const events = await collect(streamTurn({ text: 'Jeg bor på Grünerløkka' }, { clientTurnId: 'turn-0001' }))

    expect(events.map((event) => event.type)).toEqual(['turn', 'correction', 'delta', 'visual', 'state', 'done'])
    expect(events[2]).toEqual({ type: 'delta', text: 'Så fint! Hvor lenge har du bodd der?' })
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/sessions/default/turns')
    expect(init.method).toBe('POST')
    expect(JSON.parse(init.body as string)).toEqual({ clientTurnId: 'turn-0001', text: 'Jeg bor på Grünerløkka', source: 'typed' })
  })

  it('ends with the error event when the tutor could not answer, without retrying', async () => {
    const text = sse('turn', { turn: turn('learner', 'Hei') }) + sse('error', { code: 'tutor_timeout', message: 'Too slow', retryable: true, turn: null })
    const fetchMock = vi.fn(async () => streamResponse(cut(text, [40])))
    vi.stubGlobal('fetch', fetchMock)

    const events = await collect(streamTurn({ text: 'Hei' }))

    expect(events.at(-1)).toEqual({ type: 'error', code: 'tutor_timeout', message: 'Too slow', retryable: true, turn: null })
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('retries with the same clientTurnId after the connection drops mid-stream, and says so before the replay', async () => {
    const first = sse('turn', { turn: turn('learner', 'Hei') }) + sse('delta', { text: 'Hal' })
    const replay = sse('turn', { turn: turn('learner', 'Hei') }) + sse('delta', { text: 'Hallo!' }) + sse('done', { turn: turn('tutor', 'Hallo!'), replayed: true })
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(streamResponse(cut(first, [first.length - 3]), { failAfter: true }))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(streamResponse(cut(replay, [10])))
    vi.stubGlobal('fetch', fetchMock)

    const events = await collect(streamTurn({ text: 'Hei', source: 'browser_speech' }, { retries: 2, retryDelayMs: () => 0 }))

    expect(events.map((event) => event.type)).toEqual(['turn', 'delta', 'retry', 'retry', 'turn', 'delta', 'done'])
    const ids = fetchMock.mock.calls.map(([, init]) => JSON.parse((init as RequestInit).body as string).clientTurnId)
    expect(ids).toHaveLength(3)
    expect(new Set(ids).size).toBe(1)
    expect(JSON.parse((fetchMock.mock.calls[0]![1] as RequestInit).body as string).source).toBe('browser_speech')
  })

  it('retries a stream that ends without done or error', async () => {
    const cutOff = sse('turn', { turn: turn('learner', 'Hei') })
    const complete = cutOff + sse('done', { turn: turn('tutor', 'Hallo!'), replayed: true })
    const fetchMock = vi.fn().mockResolvedValueOnce(streamResponse([encoder.encode(cutOff)])).mockResolvedValueOnce(streamResponse([encoder.encode(complete)]))
    vi.stubGlobal('fetch', fetchMock)

    const events = await collect(streamTurn({ text: 'Hei' }, { retryDelayMs: () => 0 }))

    expect(events.map((event) => event.type)).toEqual(['turn', 'retry', 'turn', 'done'])
  })

  it('gives up with a TurnNetworkError carrying the turn id when every attempt fails', async () => {
    const fetchMock = vi.fn().mockRejectedValue(new TypeError('Failed to fetch'))
    vi.stubGlobal('fetch', fetchMock)

    const failure = collect(streamTurn({ text: 'Hei' }, { clientTurnId: 'turn-0002', retries: 1, retryDelayMs: () => 0 }))

    await expect(failure).rejects.toBeInstanceOf(TurnNetworkError)
    await expect(failure).rejects.toMatchObject({ clientTurnId: 'turn-0002' })
    expect(fetchMock).toHaveBeenCalledTimes(2)
  })

  it('throws the problem document of a refusal before the stream as an ApiError, without retrying', async () => {
    const problem = { type: 'about:blank', title: 'Bad Request', status: 400, requestId: 'req-1', errors: [{ path: 'body.text', message: 'Say or type something: the text is empty.' }] }
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(problem), { status: 400, headers: { 'content-type': 'application/problem+json' } }))
    vi.stubGlobal('fetch', fetchMock)

    const failure = collect(streamTurn({ text: ' ' }))

    await expect(failure).rejects.toBeInstanceOf(ApiError)
    await expect(failure).rejects.toMatchObject({ problem: { status: 400, requestId: 'req-1' }, fieldErrors: { text: 'Say or type something: the text is empty.' } })
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })

  it('retries a gateway error (503) before the stream with the same turn', async () => {
    const ok = sse('turn', { turn: turn('learner', 'Hei') }) + sse('done', { turn: turn('tutor', 'Hallo!'), replayed: false })
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response('upstream down', { status: 503 }))
      .mockResolvedValueOnce(streamResponse([encoder.encode(ok)]))
    vi.stubGlobal('fetch', fetchMock)

    const events = await collect(streamTurn({ text: 'Hei' }, { retryDelayMs: () => 0 }))

    expect(events.map((event) => event.type)).toEqual(['retry', 'turn', 'done'])
  })

  it('stops without retrying when the caller aborts', async () => {
    const controller = new AbortController()
    const fetchMock = vi.fn(async () => {
      controller.abort()
      throw new DOMException('The operation was aborted.', 'AbortError')
    })
    vi.stubGlobal('fetch', fetchMock)

    await expect(collect(streamTurn({ text: 'Hei' }, { signal: controller.signal, retryDelayMs: () => 0 }))).rejects.toMatchObject({ name: 'AbortError' })
    expect(fetchMock).toHaveBeenCalledTimes(1)
  })
})

describe('streamExamTurn', () => {
  it("also yields the `line` events of a mock exam's reply, which the talk stream leaves out", async () => {
    const line = { ...turn('tutor', 'Nå skal du beskrive et bilde.', '00000000-0000-4000-8000-000000000003'), role: 'examiner' }
    const text = [
      sse('turn', { turn: turn('learner', 'Jeg heter Amina.') }),
      sse('delta', { text: 'Takk.' }),
      sse('line', { turn: line }),
      sse('state', { change: { kind: 'exam', attemptId: '00000000-0000-4000-8000-0000000000cc', status: 'in_progress', phase: 'instructions', partPosition: 1 } }),
      sse('done', { turn: { ...turn('tutor', 'Takk.'), role: 'examiner' }, replayed: false }),
    ].join('')
    vi.stubGlobal('fetch', vi.fn(async () => streamResponse(cut(text, [31, 97]))))
    const exam = await collect<ExamTurnStreamEvent>(streamExamTurn({ text: 'Jeg heter Amina.', examAttemptId: '00000000-0000-4000-8000-0000000000cc' }))
    expect(exam.map((event) => event.type)).toEqual(['turn', 'delta', 'line', 'state', 'done'])
    expect(exam[2]).toEqual({ type: 'line', turn: line })

    vi.stubGlobal('fetch', vi.fn(async () => streamResponse(cut(text, [31, 97]))))
    const talk = await collect(streamTurn({ text: 'Jeg heter Amina.' }))
    expect(talk.map((event) => event.type)).toEqual(['turn', 'delta', 'state', 'done'])
  })
})
