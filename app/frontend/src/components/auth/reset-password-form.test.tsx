import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ResetPasswordForm } from './reset-password-form'
import { betterAuthError, descriptionOf, fakeBackend, heldReply, renderWithProviders } from './testing'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn<typeof fetch>()
  vi.stubGlobal('fetch', mock)
  return mock
})
vi.mock('next/navigation', () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }) }))

beforeEach(() => fetchMock.mockReset())
afterEach(cleanup)

const passwordInput = () => screen.getByLabelText('New password')
const submitButton = () => screen.getByRole('button', { name: 'Save new password' })
const heading = () => screen.getByRole('heading', { level: 1 })

function choose(password: string) {
  fireEvent.change(passwordInput(), { target: { value: password } })
  fireEvent.click(submitButton())
}

describe('reset-password form', () => {
  it.each([
    ['without a token', {}],
    ['when better-auth reports the link invalid', { token: 'abc', error: 'INVALID_TOKEN' }],
  ])('offers a new link instead of a form %s', (_case, props) => {
    fakeBackend(fetchMock, {})
    renderWithProviders(<ResetPasswordForm {...props} />)
    expect(heading().textContent).toBe('This link does not work')
    expect(screen.getByRole('link', { name: 'Get a new link' }).getAttribute('href')).toBe('/forgot-password')
    expect(screen.queryByLabelText('New password')).toBeNull()
  })

  it('checks the length before sending', () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<ResetPasswordForm token="reset-token" />)
    choose('kort')

    expect(descriptionOf(passwordInput())).toContain('The password must be at least 8 characters long.')
    expect(document.activeElement).toBe(passwordInput())
    expect(backend.to('POST /api/auth/reset-password')).toHaveLength(0)
  })

  it('shows the server’s refusal of a common password on the password field', async () => {
    fakeBackend(fetchMock, {
      'POST /api/auth/reset-password': betterAuthError(
        400,
        'PASSWORD_NOT_ACCEPTABLE',
        'This password is among the most commonly used passwords and easy to guess. Please choose another one.',
      ),
    })
    renderWithProviders(<ResetPasswordForm token="reset-token" />)
    choose('qwertyuiop')

    await waitFor(() => expect(descriptionOf(passwordInput())).toContain('This password is one of the most commonly used'))
    expect(screen.queryByRole('alert')).toBeNull()
    expect(document.activeElement).toBe(passwordInput())
  })

  it('shows a server rule it does not know in the server’s words', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/reset-password': betterAuthError(400, 'PASSWORD_NOT_ACCEPTABLE', 'The password must not contain your name.') })
    renderWithProviders(<ResetPasswordForm token="reset-token" />)
    choose('Kari-er-flink-123')

    await waitFor(() => expect(descriptionOf(passwordInput())).toContain('The password must not contain your name.'))
  })

  it('turns into "get a new link" when the server rejects a used or expired token', async () => {
    fakeBackend(fetchMock, { 'POST /api/auth/reset-password': betterAuthError(400, 'INVALID_TOKEN', 'Invalid token') })
    renderWithProviders(<ResetPasswordForm token="used-token" />)
    choose('Nytt-passord-for-vinteren-7')

    const title = await screen.findByRole('heading', { level: 1, name: 'This link does not work' })
    expect(document.activeElement).toBe(title)
  })

  it('sets the new password with the token once, and then leads to sign-in', async () => {
    const held = heldReply()
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/reset-password': held.handler })
    renderWithProviders(<ResetPasswordForm token="reset-token" />)
    choose('Nytt-passord-for-vinteren-7')
    fireEvent.submit(submitButton().closest('form')!)

    await waitFor(() => expect(backend.to('POST /api/auth/reset-password')).toHaveLength(1))
    expect(submitButton().getAttribute('aria-busy')).toBe('true')
    held.release({ status: 200, body: { status: true } })

    const title = await screen.findByRole('heading', { level: 1, name: 'Your password has been changed' })
    expect(document.activeElement).toBe(title)
    expect(backend.to('POST /api/auth/reset-password')).toEqual([
      { method: 'POST', path: '/api/auth/reset-password', body: { newPassword: 'Nytt-passord-for-vinteren-7', token: 'reset-token' } },
    ])
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/sign-in')
  })
})
