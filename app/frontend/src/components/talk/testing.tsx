/**
 * Test helpers for the talk, lessons and history components: providers as the app has them, a fetch
 * stand-in that routes requests by method and path, Server-Sent Event bodies, and small factories
 * whose shapes are the generated API types.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import { NextIntlClientProvider } from 'next-intl'
import type { ReactElement } from 'react'
import type { components } from '@/lib/api/schema'
import common from '../../../messages/en/common.json'
import lessons from '../../../messages/en/lessons.json'
import sittings from '../../../messages/en/sittings.json'
import talk from '../../../messages/en/talk.json'
import { storedTurn } from '@/lib/voice/testing'

type Schemas = components['schemas']

export const messages = { common, talk, lessons, sittings }

export function renderWithProviders(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  const result = render(
    <NextIntlClientProvider locale="en" messages={messages} timeZone="UTC">
      <QueryClientProvider client={client}>{ui}</QueryClientProvider>
    </NextIntlClientProvider>,
  )
  return { ...result, client }
}

export interface Call {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
}

type Handler = (call: Call) => Response | Promise<Response>

/**
 * A `fetch` that answers from a table keyed "METHOD /path" and records every call. Unknown routes
 * get a 404 problem document, as the backend would answer.
 */
export function fakeApi(fetchMock: { mockImplementation(fn: typeof fetch): unknown }, table: Record<string, Handler>) {
  const calls: Call[] = []
  fetchMock.mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init)
    const url = new URL(request.url, 'http://localhost')
    const text = request.method === 'GET' ? '' : await request.text()
    const call: Call = { method: request.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined }
    calls.push(call)
    const handler = table[`${call.method} ${call.path}`]
    if (!handler) return problem(404, `No route ${call.method} ${call.path}`)
    return handler(call)
  })
  return calls
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

export function problem(status: number, detail: string, errors?: Array<{ path: string; message: string }>): Response {
  return new Response(JSON.stringify({ type: 'about:blank', title: 'Problem', status, detail, requestId: 'req-test', ...(errors ? { errors } : {}) }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  })
}

export function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

/** A streamed reply whose bytes the test releases when it wants, cut wherever it likes. */
export function controlledStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) })
  const encoder = new TextEncoder()
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' } }),
    /** Sends the UTF-8 bytes of `text`, split into pieces of `size` bytes (mid-event, mid-character). */
    push(text: string, size = 7) {
      const bytes = encoder.encode(text)
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size))
    },
    close: () => controller.close(),
  }
}

/** A whole reply at once, cut into 5-byte pieces. */
export function replyStream(text: string): Response {
  const stream = controlledStream()
  stream.push(text, 5)
  stream.close()
  return stream.response
}

let counter = 0
const uuid = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`

export const ids = { sitting: '11111111-1111-4111-8111-111111111111', lesson: '22222222-2222-4222-8222-222222222222' }

/** A stored turn (the voice tests' fixture: one shape for both). */
export function makeTurn(overrides: Partial<Schemas['Turn']> = {}): Schemas['Turn'] {
  return storedTurn(overrides)
}

export function makeLesson(overrides: Partial<Schemas['LessonSummary']> = {}): Schemas['LessonSummary'] {
  return {
    id: ids.lesson,
    slug: 'a1-greetings-and-names',
    level: 'A1',
    type: 'lesson',
    title: 'Hei! Hva heter du?',
    description: 'You practise greeting someone and saying your name.',
    topic: 'self_and_family',
    estimatedMinutes: 10,
    examTags: ['conversation', 'A1-A2'],
    source: 'pack',
    ...overrides,
  }
}

export function makeSession(overrides: Partial<Schemas['TutorSession']> = {}): Schemas['TutorSession'] {
  return {
    id: uuid(),
    mode: 'free',
    lesson: null,
    exam: null,
    topic: null,
    level: 'A1',
    rollingSummary: null,
    summaryUpdatedAt: null,
    greeting: { kind: 'first', text: 'Hei, Kari! Velkommen til Avaaz.', translation: 'Hi, Kari! Welcome to Avaaz.', recap: null },
    progress: {
      completedLessons: { A1: 0, A2: 0, B1: 0, B2: 0 },
      lessonsInProgress: 0,
      minutes: 0,
      streakDays: 0,
      activeDays: 0,
      cefrEstimate: { level: null, source: 'not assessed yet', assessedAt: null },
    },
    openSitting: null,
    lastSitting: null,
    capabilities: {
      tutor: { engine: 'openai', model: 'gpt-4.1-mini' },
      speechToText: { engine: 'browser', note: 'Browser speech recognition where available.' },
      speech: { engine: 'browser', note: 'Browser voices.' },
      realtime: null,
      transport: 'text',
      offline: false,
      limitations: [],
    },
    lastActivityAt: '2026-03-02T10:00:00.000Z',
    ...overrides,
  }
}

export function makeMe(overrides: { correctionStyle?: Schemas['Preferences']['correctionStyle']; targetLevel?: Schemas['Profile']['targetLevel'] } = {}): Schemas['Profile'] {
  return {
    id: uuid(),
    email: 'kari@example.org',
    emailVerified: true,
    name: 'Kari',
    role: 'learner',
    locale: 'en',
    nativeLanguage: 'fa',
    targetLevel: overrides.targetLevel === undefined ? 'A1' : overrides.targetLevel,
    examGoal: null,
    examDate: null,
    timeZone: 'UTC',
    onboardedAt: '2026-03-01T09:00:00.000Z',
    preferences: {
      greetingVerbosity: 'normal',
      correctionStyle: overrides.correctionStyle ?? 'immediate',
      explanationLanguage: 'en',
      tutorVoice: null,
      transcriptRetentionDays: null,
      keepAudio: false,
    },
    createdAt: '2026-01-01T00:00:00.000Z',
  }
}

export function makeSitting(overrides: Partial<Schemas['Sitting']> = {}): Schemas['Sitting'] {
  return {
    id: ids.sitting,
    startedAt: '2026-03-02T10:00:00.000Z',
    endedAt: '2026-03-02T10:12:00.000Z',
    endReason: 'user',
    transport: 'text',
    mode: 'free',
    lessonId: null,
    summaryStatus: 'ready',
    summary: null,
    metrics: {},
    ...overrides,
  }
}
