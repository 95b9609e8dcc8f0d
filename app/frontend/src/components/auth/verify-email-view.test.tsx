import { act, cleanup, fireEvent, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { fakeBackend, problem, renderWithProviders } from './testing'
import { VerifyEmailView } from './verify-email-view'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn<typeof fetch>()
  vi.stubGlobal('fetch', mock)
  return mock
})
vi.mock('next/navigation', () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }) }))

const sent = { status: 200, body: { status: true } }

beforeEach(() => fetchMock.mockReset())
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const heading = () => screen.getByRole('heading', { level: 1 })

describe('verify-email page', () => {
  it('after registering names the address and lets the learner ask again once a minute', async () => {
    // Only the countdown's clock is faked; React and findBy keep real timeouts.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/send-verification-email': sent })
    renderWithProviders(<VerifyEmailView email="kari@example.org" />)

    expect(heading().textContent).toBe('Check your email')
    expect(screen.getByText('kari@example.org').tagName).toBe('STRONG')
    const waiting = screen.getByRole('button', { name: 'Send again in 60 s' }) as HTMLButtonElement
    expect(waiting.disabled).toBe(true)

    await act(async () => {}) // lets the countdown's effects start its clock
    act(() => vi.advanceTimersByTime(30_000))
    expect(screen.getByRole('button', { name: 'Send again in 30 s' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Send again in 30 s' }))
    expect(backend.to('POST /api/auth/send-verification-email')).toHaveLength(0)

    act(() => vi.advanceTimersByTime(30_000))
    fireEvent.click(screen.getByRole('button', { name: 'Send the link again' }))
    await screen.findByText(/a new link is on its way/)
    expect(backend.to('POST /api/auth/send-verification-email')).toEqual([
      {
        method: 'POST',
        path: '/api/auth/send-verification-email',
        body: { email: 'kari@example.org', callbackURL: '/verify-email?confirmed=1&email=kari%40example.org' },
      },
    ])
    // And the wait starts over.
    expect((screen.getByRole('button', { name: 'Send again in 60 s' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('after an expired link asks for a new one, with the address already filled in', async () => {
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/send-verification-email': sent })
    renderWithProviders(<VerifyEmailView confirmed email="kari@example.org" error="TOKEN_EXPIRED" />)

    expect(heading().textContent).toBe('This link has expired')
    const email = screen.getByLabelText('Email address') as HTMLInputElement
    expect(email.value).toBe('kari@example.org')
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }))

    await screen.findByText(/a new link is on its way/)
    expect(backend.to('POST /api/auth/send-verification-email')[0]?.body).toEqual({
      email: 'kari@example.org',
      callbackURL: '/verify-email?confirmed=1&email=kari%40example.org',
    })
  })

  it('after a broken link says so, and checks the address before sending', () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<VerifyEmailView confirmed error="INVALID_TOKEN" />)

    expect(heading().textContent).toBe('This link does not work')
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }))
    const email = screen.getByLabelText('Email address')
    expect(email.getAttribute('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(email)
    expect(backend.to('POST /api/auth/send-verification-email')).toHaveLength(0)
  })

  it('after a working link confirms and leads to sign-in with the address', () => {
    fakeBackend(fetchMock, {})
    renderWithProviders(<VerifyEmailView confirmed email="kari@example.org" />)

    expect(heading().textContent).toBe('Your email address is confirmed')
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in?email=kari%40example.org')
    expect(screen.queryByRole('button')).toBeNull()
  })

  it('when rate limited says how long to wait and keeps the button waiting that long', async () => {
    fakeBackend(fetchMock, {
      'POST /api/auth/send-verification-email': problem(429, 'Too many requests', 'Too many requests; try again in 300 seconds.', { retryAfterSeconds: 300 }),
    })
    renderWithProviders(<VerifyEmailView />)

    expect(heading().textContent).toBe('Confirm your email address')
    fireEvent.change(screen.getByLabelText('Email address'), { target: { value: 'kari@example.org' } })
    fireEvent.click(screen.getByRole('button', { name: 'Send a new link' }))

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('Too many attempts from this network. Try again in 5 minutes.')
    expect(document.activeElement?.contains(alert)).toBe(true)
    expect((screen.getByRole('button', { name: 'Send again in 300 s' }) as HTMLButtonElement).disabled).toBe(true)
  })

  it('treats an address that is not one as missing', () => {
    fakeBackend(fetchMock, {})
    renderWithProviders(<VerifyEmailView email="<script>" />)
    expect(heading().textContent).toBe('Confirm your email address')
    expect((screen.getByLabelText('Email address') as HTMLInputElement).value).toBe('<script>')
  })

  it.each([
    ['after registering', { email: 'kari@example.org' }],
    ['confirmed', { confirmed: true }],
    ['expired', { error: 'TOKEN_EXPIRED' }],
    ['nothing to go on', {}],
  ])('has exactly one h1 (%s)', (_state, props) => {
    fakeBackend(fetchMock, {})
    renderWithProviders(<VerifyEmailView {...props} />)
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1)
  })
})
