import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { RegisterForm } from './register-form'
import { betterAuthError, descriptionOf, fakeBackend, heldReply, learner, problem, renderWithProviders } from './testing'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn<typeof fetch>()
  vi.stubGlobal('fetch', mock)
  return mock
})
const router = vi.hoisted(() => ({ push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), prefetch: vi.fn(), back: vi.fn(), forward: vi.fn() }))
vi.mock('next/navigation', () => ({ useRouter: () => router }))

const signedUp = { status: 200, body: { token: null, user: { ...learner, emailVerified: false } } }

beforeEach(() => {
  fetchMock.mockReset()
  for (const fn of Object.values(router)) fn.mockReset()
})
afterEach(cleanup)

const nameInput = () => screen.getByLabelText('Name')
const emailInput = () => screen.getByLabelText('Email address')
const passwordInput = () => screen.getByLabelText('Password')
const submitButton = () => screen.getByRole('button', { name: 'Create account' })

function fillIn(values: { name?: string; email?: string; password?: string }) {
  if (values.name !== undefined) fireEvent.change(nameInput(), { target: { value: values.name } })
  if (values.email !== undefined) fireEvent.change(emailInput(), { target: { value: values.email } })
  if (values.password !== undefined) fireEvent.change(passwordInput(), { target: { value: values.password } })
}

describe('registration form', () => {
  it('says what each empty field needs, sends nothing, and focuses the first', () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<RegisterForm />)
    fillIn({ name: '   ' })
    fireEvent.click(submitButton())

    expect(descriptionOf(nameInput())).toContain('Enter your name.')
    expect(descriptionOf(emailInput())).toContain('Enter your email address.')
    expect(descriptionOf(passwordInput())).toContain('Choose a password.')
    expect(document.activeElement).toBe(nameInput())
    expect(backend.to('POST /api/auth/sign-up/email')).toHaveLength(0)
  })

  it('checks the address’s shape and the password’s length (in characters as people count them)', () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<RegisterForm />)
    // Seven emoji are fourteen UTF-16 units but seven characters: too short, as the server counts.
    fillIn({ name: 'Kari', email: 'kari.example.org', password: '🌲🌲🌲🌲🌲🌲🌲' })
    fireEvent.click(submitButton())

    expect(nameInput().getAttribute('aria-invalid')).toBeNull()
    expect(descriptionOf(emailInput())).toContain('Enter an email address like name@example.com.')
    expect(descriptionOf(passwordInput())).toContain('The password must be at least 8 characters long.')
    expect(document.activeElement).toBe(emailInput())

    fillIn({ email: 'kari@example.org', password: 'x'.repeat(129) })
    fireEvent.click(submitButton())
    expect(emailInput().getAttribute('aria-invalid')).toBeNull()
    expect(descriptionOf(passwordInput())).toContain('The password can be at most 128 characters long.')
    expect(document.activeElement).toBe(passwordInput())
    expect(backend.to('POST /api/auth/sign-up/email')).toHaveLength(0)
  })

  it('shows the server’s refusal of a common password on the password field', async () => {
    fakeBackend(fetchMock, {
      'POST /api/auth/sign-up/email': betterAuthError(
        400,
        'PASSWORD_NOT_ACCEPTABLE',
        'This password is among the most commonly used passwords and easy to guess. Please choose another one.',
      ),
    })
    renderWithProviders(<RegisterForm />)
    fillIn({ name: 'Kari', email: 'kari@example.org', password: 'sunshine1' })
    fireEvent.click(submitButton())

    await waitFor(() => expect(passwordInput().getAttribute('aria-invalid')).toBe('true'))
    expect(descriptionOf(passwordInput())).toContain('This password is one of the most commonly used and easy to guess.')
    expect(emailInput().getAttribute('aria-invalid')).toBeNull()
    expect(nameInput().getAttribute('aria-invalid')).toBeNull()
    expect(screen.queryByRole('alert')).toBeNull()
    expect(document.activeElement).toBe(passwordInput())
    expect(router.push).not.toHaveBeenCalled()
  })

  it('puts better-auth’s validation error for the address on the email field', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/sign-up/email': betterAuthError(400, 'VALIDATION_ERROR', '[body.email] Invalid email address') })
    renderWithProviders(<RegisterForm />)
    fillIn({ name: 'Kari', email: 'kari@example.c', password: 'Fjordkaffe-og-brunost-42' })
    fireEvent.click(submitButton())

    await waitFor(() => expect(descriptionOf(emailInput())).toContain('Enter an email address like name@example.com.'))
    expect(passwordInput().getAttribute('aria-invalid')).toBeNull()
    expect(document.activeElement).toBe(emailInput())
  })

  it('puts the server’s name rule on the name field', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/sign-up/email': betterAuthError(400, 'INVALID_NAME', 'name must be 1 to 80 characters.') })
    renderWithProviders(<RegisterForm />)
    fillIn({ name: 'Kari', email: 'kari@example.org', password: 'Fjordkaffe-og-brunost-42' })
    fireEvent.click(submitButton())

    await waitFor(() => expect(descriptionOf(nameInput())).toContain('Enter a name of 1 to 80 characters.'))
    expect(document.activeElement).toBe(nameInput())
  })

  it('creates the account in the UI language with a link back to the verify page, then shows it', async () => {
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/sign-up/email': signedUp })
    renderWithProviders(<RegisterForm />)
    fillIn({ name: ' Kari Nordmann ', email: ' kari@example.org', password: 'Fjordkaffe-og-brunost-42' })
    fireEvent.click(submitButton())

    await waitFor(() => expect(router.push).toHaveBeenCalledWith('/verify-email?email=kari%40example.org'))
    expect(backend.to('POST /api/auth/sign-up/email')[0]?.body).toEqual({
      name: 'Kari Nordmann',
      email: 'kari@example.org',
      password: 'Fjordkaffe-og-brunost-42',
      locale: 'en',
      callbackURL: '/verify-email?confirmed=1&email=kari%40example.org',
    })
    // Still busy: the learner is on the way to the next page.
    expect((submitButton() as HTMLButtonElement).disabled).toBe(true)
  })

  it('sends one request however often it is submitted, and is busy until the answer comes', async () => {
    const held = heldReply()
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/sign-up/email': held.handler })
    renderWithProviders(<RegisterForm />)
    fillIn({ name: 'Kari', email: 'kari@example.org', password: 'Fjordkaffe-og-brunost-42' })
    const form = submitButton().closest('form')!
    fireEvent.submit(form)
    fireEvent.submit(form)

    await waitFor(() => expect(backend.to('POST /api/auth/sign-up/email')).toHaveLength(1))
    expect(submitButton().getAttribute('aria-busy')).toBe('true')
    await act(async () => held.release(problem(500, 'Internal server error', 'Something went wrong.')))

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toBe('Something went wrong. Please try again. Reference: req-test-1')
    expect(document.activeElement?.contains(alert)).toBe(true)
    expect((submitButton() as HTMLButtonElement).disabled).toBe(false)
    expect(backend.to('POST /api/auth/sign-up/email')).toHaveLength(1)
  })

  it('sends a learner who is already signed in to /home', async () => {
    fakeBackend(fetchMock, { 'GET /api/v1/users/me': { status: 200, body: learner } })
    renderWithProviders(<RegisterForm />)
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/home'))
  })
})
