import { aProfile, json, navigation, onRequest, problem, renderWithProviders, requests } from './test-support'
import { useQuery } from '@tanstack/react-query'
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { api, unwrap } from '@/lib/api/client'
import { AppShell } from './app-shell'

vi.mock('next/navigation', () => import('./test-support').then((module) => module.navigationMock))

function renderShell() {
  return renderWithProviders(
    <AppShell>
      <p>page content</p>
    </AppShell>,
  )
}

afterEach(() => {
  window.history.replaceState(null, '', '/')
  vi.restoreAllMocks()
})

describe('the signed-in shell', () => {
  it('sends a signed-out visitor to sign in, asking to come back to the page they wanted', async () => {
    navigation.pathname = '/lessons/a1-greetings-and-names'
    window.history.replaceState(null, '', '/lessons/a1-greetings-and-names?step=2')
    onRequest('GET', '/api/v1/users/me', problem(401, 'Unauthorized', { detail: 'Sign in first.' }))
    renderShell()
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?next=%2Flessons%2Fa1-greetings-and-names%3Fstep%3D2'))
    expect(screen.queryByText('page content')).toBeNull()
  })

  it('sends the learner to sign in when the session ends while a page is open', async () => {
    navigation.pathname = '/history'
    let signedIn = true
    onRequest('GET', '/api/v1/users/me', () => (signedIn ? json(aProfile()) : problem(401, 'Unauthorized')))
    onRequest('GET', '/api/v1/progress', problem(401, 'Unauthorized'))
    function PageAskingForProgress() {
      const [asked, setAsked] = useState(false)
      const progress = useQuery({ queryKey: ['progress'], queryFn: () => unwrap(api.GET('/api/v1/progress')), enabled: asked })
      return <button onClick={() => setAsked(true)}>progress: {progress.status}</button>
    }
    renderWithProviders(
      <AppShell>
        <PageAskingForProgress />
      </AppShell>,
    )
    const button = await screen.findByRole('button', { name: /progress/ })
    signedIn = false
    fireEvent.click(button)
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?next=%2Fhistory'))
  })

  it('treats a session whose account is gone (404) as signed out', async () => {
    navigation.pathname = '/settings'
    onRequest('GET', '/api/v1/users/me', problem(404, 'Not Found', { detail: 'This account no longer exists.' }))
    renderShell()
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/sign-in?next=%2Fsettings'))
  })

  it('shows the header and nav at once and a skeleton instead of the page while the profile loads', async () => {
    let answer: (response: Response) => void = () => undefined
    onRequest('GET', '/api/v1/users/me', () => new Promise<Response>((resolve) => (answer = resolve)))
    renderShell()
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy()
    expect(screen.getByText('Loading…')).toBeTruthy()
    expect(screen.queryByText('page content')).toBeNull()
    await waitFor(() => expect(requests).toHaveLength(1))
    await act(async () => answer(json(aProfile())))
    expect(await screen.findByText('page content')).toBeTruthy()
    expect(screen.queryByText('Loading…')).toBeNull()
  })

  it('sends a learner who has not finished onboarding to /onboarding', async () => {
    navigation.pathname = '/home'
    onRequest('GET', '/api/v1/users/me', json(aProfile({ targetLevel: null, examGoal: null, onboardedAt: null })))
    renderShell()
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/onboarding'))
    expect(screen.queryByText('page content')).toBeNull()
  })

  it('renders onboarding itself for that learner, without the nav to pages that would send them back', async () => {
    navigation.pathname = '/onboarding'
    onRequest('GET', '/api/v1/users/me', json(aProfile({ targetLevel: null, onboardedAt: null })))
    renderShell()
    expect(await screen.findByText('page content')).toBeTruthy()
    expect(screen.queryByRole('navigation')).toBeNull()
    expect(navigation.router.replace).not.toHaveBeenCalled()
  })

  it('does not send an instructor without a target level through learner onboarding', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile({ role: 'instructor', targetLevel: null, onboardedAt: null })))
    renderShell()
    expect(await screen.findByText('page content')).toBeTruthy()
    expect(navigation.router.replace).not.toHaveBeenCalled()
  })

  it('links every section and marks the one the page belongs to as current', async () => {
    navigation.pathname = '/lessons/a1-greetings-and-names'
    onRequest('GET', '/api/v1/users/me', json(aProfile()))
    renderShell()
    await screen.findByText('page content')
    const nav = screen.getByRole('navigation', { name: 'Main' })
    const links = within(nav).getAllByRole('link')
    expect(links.map((link) => [link.textContent, link.getAttribute('href')])).toEqual([
      ['Home', '/home'],
      ['Talk', '/talk'],
      ['Lessons', '/lessons'],
      ['Exams', '/exams'],
      ['History', '/history'],
      ['Settings', '/settings'],
    ])
    expect(within(nav).getByRole('link', { name: 'Lessons' }).getAttribute('aria-current')).toBe('page')
    expect(links.filter((link) => link.getAttribute('aria-current')).length).toBe(1)
  })

  it('says when the server cannot be reached and asks again on "Try again"', async () => {
    let fail = true
    onRequest('GET', '/api/v1/users/me', () => {
      if (fail) throw new TypeError('Failed to fetch')
      return json(aProfile())
    })
    renderShell()
    expect((await screen.findByRole('alert')).textContent).toContain('Avaaz cannot reach its server right now.')
    expect(screen.queryByText('page content')).toBeNull()
    fail = false
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByText('page content')).toBeTruthy()
    expect(screen.queryByText('Avaaz cannot reach its server right now.')).toBeNull()
  })

  it('shows an error with its reference, not a redirect, when the server fails with a problem', async () => {
    onRequest('GET', '/api/v1/users/me', problem(500, 'Internal Server Error', { requestId: 'req-42' }))
    renderShell()
    expect(await screen.findByText('Something went wrong. Please try again.')).toBeTruthy()
    expect(screen.getByText('Reference: req-42')).toBeTruthy()
    expect(navigation.router.replace).not.toHaveBeenCalled()
  })

  it('shows the offline banner while the browser is offline', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile()))
    renderShell()
    await screen.findByText('page content')
    const online = vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false)
    act(() => void window.dispatchEvent(new Event('offline')))
    expect(screen.getByText(/You are offline/)).toBeTruthy()
    online.mockReturnValue(true)
    act(() => void window.dispatchEvent(new Event('online')))
    expect(screen.queryByText(/You are offline/)).toBeNull()
  })

  it('signs out, forgets the cached profile and returns to the landing page', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile()))
    onRequest('POST', '/api/auth/sign-out', json({ success: true }))
    const { client } = renderShell()
    await screen.findByText('page content')
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/'))
    expect(requests.some((request) => request.method === 'POST' && request.path === '/api/auth/sign-out')).toBe(true)
    expect(client.getQueryData(['me'])).toBeUndefined()
  })

  it('tells the learner when signing out failed instead of pretending it worked', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile()))
    onRequest('POST', '/api/auth/sign-out', problem(500, 'Internal Server Error'))
    renderShell()
    await screen.findByText('page content')
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))
    expect(await screen.findByText(/Signing out did not work/)).toBeTruthy()
    expect(navigation.router.replace).not.toHaveBeenCalled()
  })

  it('adopts the language saved in the profile on a device where none was chosen', async () => {
    onRequest('GET', '/api/v1/users/me', json(aProfile({ locale: 'nb' })))
    renderShell()
    await screen.findByText('page content')
    await waitFor(() => expect(navigation.router.refresh).toHaveBeenCalled())
    expect(document.cookie).toContain('avaaz-locale=nb')
  })

  it('keeps the language chosen on this device over the profile’s', async () => {
    document.cookie = 'avaaz-locale=en; path=/'
    onRequest('GET', '/api/v1/users/me', json(aProfile({ locale: 'nb' })))
    renderShell()
    await screen.findByText('page content')
    expect(navigation.router.refresh).not.toHaveBeenCalled()
  })
})
