/**
 * Test helpers for the signed-in pages. Import this module FIRST in a test file: it replaces
 * `fetch` with a stub before the API client (which keeps the `fetch` it finds when created) loads.
 * Only tests import it.
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, render } from '@testing-library/react'
import { NextIntlClientProvider } from 'next-intl'
import type { ReactElement } from 'react'
import { afterEach, vi } from 'vitest'
import { ThemeProvider } from '@/components/theme/theme-provider'
import type { components } from '@/lib/api/schema'
import common from '../../../messages/en/common.json'
import dashboard from '../../../messages/en/dashboard.json'
import onboarding from '../../../messages/en/onboarding.json'
import settings from '../../../messages/en/settings.json'

type Schemas = components['schemas']

// --- the server ----------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
}

type Reply = Response | ((request: RecordedRequest) => Response | Promise<Response>)

const routes = new Map<string, Reply>()
export const requests: RecordedRequest[] = []

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })
}

/** An RFC 9457 problem document, as the backend sends every error. */
export function problem(status: number, title: string, extra: Partial<Schemas['Problem']> = {}): Response {
  const body = { type: `https://avaaz.app/problems/${status}`, title, status, requestId: 'req-test-1', ...extra }
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/problem+json' } })
}

/** Answers `METHOD /path` (query string ignored); a function reply sees the request. */
export function onRequest(method: string, path: string, reply: Reply) {
  routes.set(`${method.toUpperCase()} ${path}`, reply)
}

globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = input instanceof Request ? input : new Request(input, init)
  const url = new URL(request.url)
  const text = await request.clone().text()
  const recorded: RecordedRequest = { method: request.method, path: url.pathname, query: url.searchParams, body: text ? (JSON.parse(text) as unknown) : undefined }
  requests.push(recorded)
  const reply = routes.get(`${request.method} ${url.pathname}`)
  if (!reply) return problem(404, `No stub for ${request.method} ${url.pathname}`)
  return typeof reply === 'function' ? reply(recorded) : reply.clone()
}) as typeof fetch

// --- next/navigation ------------------------------------------------------------------------------

export const navigation = {
  pathname: '/home',
  router: { push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), back: vi.fn(), forward: vi.fn(), prefetch: vi.fn() },
}

/** `vi.mock('next/navigation', () => import('../app-shell/test-support').then((m) => m.navigationMock))` */
export const navigationMock = {
  useRouter: () => navigation.router,
  usePathname: () => navigation.pathname,
  useSearchParams: () => new URLSearchParams(),
}

afterEach(() => {
  cleanup()
  routes.clear()
  requests.length = 0
  navigation.pathname = '/home'
  for (const spy of Object.values(navigation.router)) spy.mockReset()
  document.cookie = 'avaaz-locale=; max-age=0; path=/'
  document.cookie = 'avaaz-theme=; max-age=0; path=/'
  delete document.documentElement.dataset.theme
})

// --- rendering ------------------------------------------------------------------------------------

export const messages = { common, dashboard, onboarding, settings }

/** Renders with the English UI and a fresh query cache that does not retry. */
export function renderWithProviders(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  const result = render(
    <NextIntlClientProvider locale="en" messages={messages} timeZone="Europe/Oslo">
      <ThemeProvider initialTheme="system">
        <QueryClientProvider client={client}>{ui}</QueryClientProvider>
      </ThemeProvider>
    </NextIntlClientProvider>,
  )
  return { ...result, client }
}

// --- data shaped like the API's ---------------------------------------------------------------------

export function aProfile(overrides: Partial<Schemas['Profile']> = {}): Schemas['Profile'] {
  return {
    id: 'u_kari',
    email: 'kari@example.org',
    emailVerified: true,
    name: 'Kari',
    role: 'learner',
    locale: 'en',
    nativeLanguage: 'uk',
    targetLevel: 'A2',
    examGoal: 'A1-A2',
    examDate: null,
    timeZone: 'Europe/Oslo',
    preferences: { greetingVerbosity: 'normal', correctionStyle: 'end_of_turn', explanationLanguage: 'en', tutorVoice: null, transcriptRetentionDays: null, keepAudio: false },
    onboardedAt: '2025-03-01T09:20:00.000Z',
    createdAt: '2025-03-01T09:00:00.000Z',
    ...overrides,
  }
}

export function aProgress(overrides: Partial<Schemas['LearnerProgress']> = {}): Schemas['LearnerProgress'] {
  return {
    completedLessons: { A1: 0, A2: 0, B1: 0, B2: 0 },
    lessonsInProgress: 0,
    minutes: 0,
    streakDays: 0,
    activeDays: 0,
    cefrEstimate: { level: null, source: 'not assessed yet: take a mock exam for an estimate', assessedAt: null },
    ...overrides,
  }
}

export function aLesson(overrides: Partial<Schemas['LessonSummary']> = {}): Schemas['LessonSummary'] {
  return {
    id: '6b1f8a62-4c1e-4f57-9d1e-1a2b3c4d5e6f',
    slug: 'a1-greetings-and-names',
    level: 'A1',
    type: 'lesson',
    title: 'Greetings and names',
    description: 'Say hello, tell your name and ask for someone else’s.',
    topic: 'self_and_family',
    estimatedMinutes: 10,
    examTags: ['A1-A2', 'self_presentation'],
    source: 'pack',
    ...overrides,
  }
}

export function aSitting(overrides: Partial<Schemas['Sitting']> = {}): Schemas['Sitting'] {
  return {
    id: '0d9c3a4e-7b2f-4b8a-9c1d-2e3f4a5b6c7d',
    startedAt: '2025-03-10T17:00:00.000Z',
    endedAt: '2025-03-10T17:12:00.000Z',
    endReason: 'user',
    transport: 'text',
    mode: 'free',
    lessonId: null,
    summaryStatus: 'ready',
    summary: {
      strengths: ['You introduced yourself clearly.'],
      weaknesses: ['Word order after "i dag" (V2).'],
      corrections: [{ original: 'I dag jeg jobber', corrected: 'I dag jobber jeg', explanation: 'The verb comes second.' }],
      nextSteps: ['Practise sentences that start with a time expression.'],
      writtenBy: 'llm',
      minutes: 12,
      wordsSpoken: 340,
    },
    metrics: { learnerTurns: 14 },
    ...overrides,
  }
}

export function aTutorSession(overrides: Partial<Schemas['TutorSession']> = {}): Schemas['TutorSession'] {
  return {
    id: '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
    mode: 'free',
    lesson: null,
    exam: null,
    topic: null,
    level: 'A2',
    rollingSummary: null,
    summaryUpdatedAt: null,
    greeting: { kind: 'first', text: 'Hei! Jeg heter Avaaz. Hva heter du?', translation: 'Hi! My name is Avaaz. What is your name?', recap: null },
    progress: aProgress(),
    openSitting: null,
    lastSitting: null,
    capabilities: {
      tutor: { engine: 'offline', model: null },
      speechToText: { engine: 'browser', note: 'Uses the browser’s speech recognition where available.' },
      speech: { engine: 'browser', note: 'Uses the browser’s voices.' },
      realtime: null,
      transport: 'text',
      offline: true,
      limitations: [],
    },
    lastActivityAt: '2025-03-10T17:12:00.000Z',
    ...overrides,
  }
}

export function anObjective(level: Schemas['Objective']['level'], skill: Schemas['Objective']['skill'], index: number): Schemas['Objective'] {
  return {
    id: `objective-${level}-${skill}-${index}`,
    slug: `${level.toLowerCase()}-${skill}-${index}`,
    level,
    skill,
    descriptorEn: `Can do ${level} ${skill} task ${index}.`,
    descriptorNb: `Kan gjøre ${level} ${skill}-oppgave ${index}.`,
  }
}
