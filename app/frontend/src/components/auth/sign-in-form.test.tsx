import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { queryKeys } from '@/lib/queries'
import { SignInForm } from './sign-in-form'
import { betterAuthError, descriptionOf, fakeBackend, heldReply, learner, problem, renderWithProviders } from './testing'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn<typeof fetch>()
  vi.stubGlobal('fetch', mock)
  return mock
})
const router = vi.hoisted(() => ({ push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), prefetch: vi.fn(), back: vi.fn(), forward: vi.fn() }))
vi.mock('next/navigation', () => ({ useRouter: () => router }))

const signedIn = { status: 200, body: { redirect: false, token: 'session-token', user: learner } }

beforeEach(() => {
  fetchMock.mockReset()
  for (const fn of Object.values(router)) fn.mockReset()
})
afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const emailInput = () => screen.getByLabelText('Email address')
const passwordInput = () => screen.getByLabelText('Password')
const submitButton = () => screen.getByRole('button', { name: 'Sign in' })

function fillIn(email: string, password: string) {
  fireEvent.change(emailInput(), { target: { value: email } })
  fireEvent.change(passwordInput(), { target: { value: password } })
}

describe('sign-in form', () => {
  it('asks for both fields before sending anything and focuses the first one to fix', async () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<SignInForm />)
    fireEvent.click(submitButton())

    expect(descriptionOf(emailInput())).toContain('Enter your email address.')
    expect(descriptionOf(passwordInput())).toContain('Enter your password.')
    expect(emailInput().getAttribute('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(emailInput())
    expect(backend.to('POST /api/auth/sign-in/email')).toHaveLength(0)
  })

  it('refuses an address without a domain and focuses the email field, keeping the password', async () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<SignInForm />)
    fillIn('kari@', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    expect(descriptionOf(emailInput())).toContain('Enter an email address like name@example.com.')
    expect(passwordInput().getAttribute('aria-invalid')).toBeNull()
    expect(document.activeElement).toBe(emailInput())
    expect(backend.to('POST /api/auth/sign-in/email')).toHaveLength(0)
  })

  it('sends the trimmed address and shows a wrong password as an alert that takes focus', async () => {
    const backend = fakeBackend(fetchMock, {
      'POST /api/auth/sign-in/email': betterAuthError(401, 'INVALID_EMAIL_OR_PASSWORD', 'Invalid email or password'),
    })
    renderWithProviders(<SignInForm />)
    fillIn('  kari@example.org ', 'not-my-password')
    fireEvent.click(submitButton())

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('The email address or the password is not right. Check both and try again.')
    expect(document.activeElement?.contains(alert)).toBe(true)
    expect(backend.to('POST /api/auth/sign-in/email')[0]?.body).toEqual({ email: 'kari@example.org', password: 'not-my-password' })
    expect(router.replace).not.toHaveBeenCalled()
  })

  it('puts the server’s email complaint on the email field', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/sign-in/email': betterAuthError(400, 'INVALID_EMAIL', 'Invalid email') })
    renderWithProviders(<SignInForm />)
    fillIn('kari@example.c', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    await waitFor(() => expect(descriptionOf(emailInput())).toContain('Enter an email address like name@example.com.'))
    expect(passwordInput().getAttribute('aria-invalid')).toBeNull()
    expect(document.activeElement).toBe(emailInput())
  })

  it('explains an unverified address and offers to send the link again once the cooldown is over', async () => {
    // Only the countdown's clock is faked (intervals and Date); React and the test's waiting keep
    // real timeouts. No waitFor with a faked interval: its polling would run inside our advances.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] })
    const backend = fakeBackend(fetchMock, {
      'POST /api/auth/sign-in/email': betterAuthError(403, 'EMAIL_NOT_VERIFIED', 'Email not verified'),
      'POST /api/auth/send-verification-email': { status: 200, body: { status: true } },
    })
    renderWithProviders(<SignInForm />)
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    const notice = await screen.findByText(/is not confirmed yet/)
    expect(notice.textContent).toContain('kari@example.org')
    expect(document.activeElement?.contains(notice)).toBe(true)
    // The server mailed a link with the refused sign-in, so "again" waits first.
    const waiting = screen.getByRole('button', { name: 'Send again in 60 s' }) as HTMLButtonElement
    expect(waiting.disabled).toBe(true)
    await act(async () => {}) // lets the countdown's effects start its clock
    act(() => vi.advanceTimersByTime(1_000))
    expect(screen.getByRole('button', { name: 'Send again in 59 s' })).toBeTruthy()

    act(() => vi.advanceTimersByTime(59_000))
    const resend = await screen.findByRole('button', { name: 'Send the link again' })
    fireEvent.click(resend)

    await screen.findByText(/a new link is on its way/)
    expect(backend.to('POST /api/auth/send-verification-email')[0]?.body).toEqual({
      email: 'kari@example.org',
      callbackURL: '/verify-email?confirmed=1&email=kari%40example.org',
    })
    expect(router.replace).not.toHaveBeenCalled()
  })

  it('sends one request however often it is submitted, and is busy until the answer comes', async () => {
    const held = heldReply()
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/sign-in/email': held.handler })
    renderWithProviders(<SignInForm />)
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    const form = submitButton().closest('form')!
    fireEvent.submit(form)
    fireEvent.submit(form)
    fireEvent.click(submitButton())

    await waitFor(() => expect(backend.to('POST /api/auth/sign-in/email')).toHaveLength(1))
    expect((submitButton() as HTMLButtonElement).disabled).toBe(true)
    expect(submitButton().getAttribute('aria-busy')).toBe('true')

    await act(async () => held.release(betterAuthError(401, 'INVALID_EMAIL_OR_PASSWORD', 'Invalid email or password')))
    await screen.findByRole('alert')
    expect((submitButton() as HTMLButtonElement).disabled).toBe(false)
    expect(backend.to('POST /api/auth/sign-in/email')).toHaveLength(1)
  })

  it('goes to the same-origin path in ?next= after signing in', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/sign-in/email': signedIn })
    renderWithProviders(<SignInForm next="/lessons/a1-greetings-and-names?step=2" />)
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/lessons/a1-greetings-and-names?step=2'))
    expect(router.replace).toHaveBeenCalledTimes(1)
  })

  it.each(['//evil.example', 'https://evil.example/home', '/\\evil.example'])('goes to /home instead of the other site in ?next=%s', async (next) => {
    fakeBackend(fetchMock, { 'POST /api/auth/sign-in/email': signedIn })
    renderWithProviders(<SignInForm next={next} />)
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/home'))
    expect(router.replace).toHaveBeenCalledTimes(1)
  })

  it('marks the cached signed-out answer stale, so the next page asks who is signed in', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/sign-in/email': signedIn })
    const { queryClient } = renderWithProviders(<SignInForm />)
    await waitFor(() => expect(queryClient.getQueryState(queryKeys.me)?.status).toBe('error'))
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/home'))
    expect(queryClient.getQueryState(queryKeys.me)?.isInvalidated).toBe(true)
  })

  it('shows a rate-limited attempt as an alert with the wait in minutes', async () => {
    fakeBackend(fetchMock, {
      'POST /api/auth/sign-in/email': problem(429, 'Too many requests', 'Too many requests; try again in 840 seconds.', { retryAfterSeconds: 840 }),
    })
    renderWithProviders(<SignInForm />)
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts from this network. Try again in 14 minutes.')
  })

  it('says so when the server cannot be reached', async () => {
    fakeBackend(fetchMock, {})
    fetchMock.mockImplementation(async (input) => {
      if (String(input instanceof Request ? input.url : input).includes('/api/auth/')) throw new TypeError('Failed to fetch')
      return new Response(JSON.stringify(problem(401, 'Unauthorized', 'Sign in.').body), { status: 401 })
    })
    renderWithProviders(<SignInForm />)
    fillIn('kari@example.org', 'Fjordkaffe-og-brunost-42')
    fireEvent.click(submitButton())

    expect((await screen.findByRole('alert')).textContent).toMatch(/could not reach its server/)
    expect((submitButton() as HTMLButtonElement).disabled).toBe(false)
  })

  it('sends a learner who is already signed in on to the ?next= path', async () => {
    fakeBackend(fetchMock, { 'GET /api/v1/users/me': { status: 200, body: learner } })
    renderWithProviders(<SignInForm next="/lessons" />)
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/lessons'))
  })

  it('stays on the page when the learner is signed out', async () => {
    const backend = fakeBackend(fetchMock, {})
    const { queryClient } = renderWithProviders(<SignInForm />)
    await waitFor(() => expect(queryClient.getQueryState(queryKeys.me)?.status).toBe('error'))
    expect(backend.to('GET /api/v1/users/me')).toHaveLength(1)
    expect(router.replace).not.toHaveBeenCalled()
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1)
  })

  it('prefills the address it was given', () => {
    fakeBackend(fetchMock, {})
    renderWithProviders(<SignInForm defaultEmail="kari@example.org" />)
    expect((emailInput() as HTMLInputElement).value).toBe('kari@example.org')
  })
})
