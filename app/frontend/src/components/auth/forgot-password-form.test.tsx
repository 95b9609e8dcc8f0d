import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ForgotPasswordForm } from './forgot-password-form'
import { betterAuthError, descriptionOf, fakeBackend, heldReply, renderWithProviders } from './testing'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn<typeof fetch>()
  vi.stubGlobal('fetch', mock)
  return mock
})
vi.mock('next/navigation', () => ({ useRouter: () => ({ push: vi.fn(), replace: vi.fn(), refresh: vi.fn(), prefetch: vi.fn() }) }))

const accepted = { status: 200, body: { status: true, message: 'If this email exists in our system, check your email for the reset link' } }

beforeEach(() => fetchMock.mockReset())
afterEach(cleanup)

const emailInput = () => screen.getByLabelText('Email address')
const submitButton = () => screen.getByRole('button', { name: 'Send link' })

describe('forgotten-password form', () => {
  it('asks for an address before sending anything', () => {
    const backend = fakeBackend(fetchMock, {})
    renderWithProviders(<ForgotPasswordForm />)
    fireEvent.click(submitButton())

    expect(descriptionOf(emailInput())).toContain('Enter your email address.')
    expect(document.activeElement).toBe(emailInput())
    expect(backend.to('POST /api/auth/request-password-reset')).toHaveLength(0)
  })

  it('asks for a link to the reset page and then says where it went, focusing the new heading', async () => {
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/request-password-reset': accepted })
    renderWithProviders(<ForgotPasswordForm />)
    fireEvent.change(emailInput(), { target: { value: 'kari@example.org ' } })
    fireEvent.click(submitButton())

    const heading = await screen.findByRole('heading', { level: 1, name: 'Check your email' })
    expect(document.activeElement).toBe(heading)
    expect(screen.getByText('kari@example.org').tagName).toBe('STRONG')
    expect(backend.to('POST /api/auth/request-password-reset')[0]?.body).toEqual({ email: 'kari@example.org', redirectTo: '/reset-password' })
    expect(screen.queryByLabelText('Email address')).toBeNull()
  })

  it('puts the server’s complaint about the address on the field, and sends once while busy', async () => {
    const held = heldReply()
    const backend = fakeBackend(fetchMock, { 'POST /api/auth/request-password-reset': held.handler })
    renderWithProviders(<ForgotPasswordForm />)
    fireEvent.change(emailInput(), { target: { value: 'kari@example.c' } })
    fireEvent.submit(submitButton().closest('form')!)
    fireEvent.submit(submitButton().closest('form')!)

    await waitFor(() => expect(backend.to('POST /api/auth/request-password-reset')).toHaveLength(1))
    expect(submitButton().getAttribute('aria-busy')).toBe('true')
    held.release(betterAuthError(400, 'VALIDATION_ERROR', '[body.email] Invalid email address'))

    await waitFor(() => expect(descriptionOf(emailInput())).toContain('Enter an email address like name@example.com.'))
    expect(document.activeElement).toBe(emailInput())
    expect(backend.to('POST /api/auth/request-password-reset')).toHaveLength(1)
  })
})
