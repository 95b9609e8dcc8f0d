import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import { NextIntlClientProvider } from 'next-intl'
import type { ReactElement } from 'react'
import type { Mock } from 'vitest'
import enAuth from '../../../messages/en/auth.json'
import enCommon from '../../../messages/en/common.json'

/**
 * Test helpers for the auth forms: providers as the app has them (English messages, a fresh query
 * cache) and a stand-in for the one origin the forms talk to, answering as better-auth and our API
 * do. Each test file stubs `fetch` in `vi.hoisted`, before the auth and API clients are created,
 * because both keep the `fetch` they found at creation.
 */

export function renderWithProviders(ui: ReactElement) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  const result = render(
    <NextIntlClientProvider locale="en" messages={{ auth: enAuth, common: enCommon }}>
      <QueryClientProvider client={queryClient}>{ui}</QueryClientProvider>
    </NextIntlClientProvider>,
  )
  return { ...result, queryClient }
}

export interface SeenRequest {
  method: string
  path: string
  body: Record<string, unknown> | undefined
}

export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

type Handler = Reply | ((request: SeenRequest) => Reply | Promise<Reply>)

/** better-auth's error answer: `{code, message}` with its status. */
export function betterAuthError(status: number, code: string, message: string): Reply {
  return { status, body: { code, message } }
}

/** Our API's RFC 9457 answer (the rate limiter, the /api/v1 routes). */
export function problem(status: number, title: string, detail: string, extensions: Record<string, unknown> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: `https://avaaz.app/problems/${title.toLowerCase().replaceAll(' ', '-')}`, title, status, detail, requestId: 'req-test-1', ...extensions },
  }
}

export const signedOut: Reply = problem(401, 'Unauthorized', 'Sign in to use this endpoint.')

export const learner = {
  id: 'u1',
  name: 'Kari',
  email: 'kari@example.org',
  emailVerified: true,
  role: 'learner',
  locale: 'en',
}

/** Answers requests by "METHOD /path"; /api/v1/users/me answers 401 (signed out) unless told otherwise. */
export function fakeBackend(fetchMock: Mock<typeof fetch>, routes: Record<string, Handler>) {
  const requests: SeenRequest[] = []
  const all: Record<string, Handler> = { 'GET /api/v1/users/me': signedOut, ...routes }
  fetchMock.mockImplementation(async (input, init) => {
    const isRequest = typeof input === 'object' && 'url' in input && 'clone' in input
    const url = new URL(isRequest ? input.url : String(input), 'http://localhost:3000')
    const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase()
    const text = typeof init?.body === 'string' ? init.body : isRequest ? await input.clone().text() : ''
    const request: SeenRequest = { method, path: url.pathname, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined }
    requests.push(request)
    const handler = all[`${method} ${url.pathname}`]
    const reply = handler === undefined ? problem(404, 'Not found', `No route ${method} ${url.pathname}.`) : typeof handler === 'function' ? await handler(request) : handler
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'content-type': 'application/json', ...reply.headers },
    })
  })
  return {
    requests,
    /** The requests made to one route, e.g. `to('POST /api/auth/sign-in/email')`. */
    to: (route: string) => requests.filter((request) => `${request.method} ${request.path}` === route),
  }
}

/** A reply the test releases when it wants, to look at the form while the request is in flight. */
export function heldReply() {
  let release!: (reply: Reply) => void
  const reply = new Promise<Reply>((resolve) => {
    release = resolve
  })
  return { handler: () => reply, release }
}

/** The text of everything an input's aria-describedby points at (its hint and its error). */
export function descriptionOf(element: HTMLElement): string {
  return (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')
}
