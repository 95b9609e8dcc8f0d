import { aProfile, json, navigation, onRequest, problem, renderWithProviders, requests } from '../app-shell/test-support'
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { SettingsPage } from './settings-page'

vi.mock('next/navigation', () => import('../app-shell/test-support').then((module) => module.navigationMock))

afterEach(() => vi.restoreAllMocks())

function section(name: string) {
  return screen.getByRole('region', { name })
}

async function renderSettings(profile = aProfile()) {
  onRequest('GET', '/api/v1/users/me', json(profile))
  const rendered = renderWithProviders(<SettingsPage />)
  await screen.findByRole('heading', { level: 1, name: 'Settings' })
  return rendered
}

const patches = () => requests.filter((request) => request.method === 'PATCH').map((request) => request.body)

describe('settings', () => {
  it('fills the forms from the profile', async () => {
    await renderSettings(aProfile({ name: 'Kari Nordmann', targetLevel: 'B1', examGoal: 'A2-B1', examDate: '2025-06-12', preferences: { ...aProfile().preferences, transcriptRetentionDays: 90, keepAudio: true } }))
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Kari Nordmann')
    expect((screen.getByLabelText('Native language') as HTMLSelectElement).value).toBe('uk')
    expect((screen.getByLabelText(/^B1/) as HTMLInputElement).checked).toBe(true)
    expect((screen.getByLabelText(/^Norskprøven A2–B1/) as HTMLInputElement).checked).toBe(true)
    expect((screen.getByLabelText(/^Exam date/) as HTMLInputElement).value).toBe('2025-06-12')
    expect((screen.getByLabelText('For a number of days') as HTMLInputElement).checked).toBe(true)
    expect((screen.getByLabelText('Number of days') as HTMLInputElement).value).toBe('90')
    expect((screen.getByLabelText(/^Keep recordings of my voice/) as HTMLInputElement).checked).toBe(true)
  })

  it('saves the profile section, shows the button busy meanwhile and announces success', async () => {
    await renderSettings()
    let answer: (response: Response) => void = () => undefined
    onRequest('PATCH', '/api/v1/users/me', () => new Promise<Response>((resolve) => (answer = resolve)))
    const profile = section('Profile')
    fireEvent.change(within(profile).getByLabelText('Name'), { target: { value: '  Kari N.  ' } })
    fireEvent.click(within(profile).getByLabelText(/^B2/))
    fireEvent.click(within(profile).getByLabelText(/^No exam planned/))
    fireEvent.click(within(profile).getByRole('button', { name: 'Save profile' }))
    await waitFor(() => expect(patches()).toHaveLength(1))
    expect(within(profile).getByRole('button', { name: 'Save profile' }).getAttribute('aria-busy')).toBe('true')
    expect(patches()[0]).toEqual({ name: 'Kari N.', nativeLanguage: 'uk', timeZone: 'Europe/Oslo', targetLevel: 'B2', examGoal: null, examDate: null })
    await act(async () => answer(json(aProfile({ name: 'Kari N.', targetLevel: 'B2', examGoal: null }))))
    expect(await within(profile).findByText('Profile saved.')).toBeTruthy()
    expect(within(profile).getByRole('button', { name: 'Save profile' }).getAttribute('aria-busy')).toBeNull()
  })

  it('puts a server validation error on the field it is about', async () => {
    await renderSettings()
    onRequest(
      'PATCH',
      '/api/v1/users/me',
      problem(400, 'Bad Request', { detail: 'The request is invalid.', errors: [{ path: 'body.preferences.transcriptRetentionDays', message: 'Number must be less than or equal to 3650', code: 'too_big' }] }),
    )
    const preferences = section('Tutor and privacy')
    fireEvent.click(within(preferences).getByLabelText('For a number of days'))
    fireEvent.change(within(preferences).getByLabelText('Number of days'), { target: { value: '30' } })
    fireEvent.click(within(preferences).getByRole('button', { name: 'Save preferences' }))
    const days = within(preferences).getByLabelText('Number of days')
    await waitFor(() => expect(days.getAttribute('aria-invalid')).toBe('true'))
    const message = within(preferences).getByText('Number must be less than or equal to 3650')
    expect(days.getAttribute('aria-describedby')).toContain(message.id)
    expect(within(preferences).getByRole('alert').textContent).toContain('Some answers need a change.')
    expect(within(preferences).queryByText('Preferences saved.')).toBeNull()
  })

  it('saves preferences with "forever" as no retention limit', async () => {
    await renderSettings(aProfile({ preferences: { ...aProfile().preferences, transcriptRetentionDays: 30 } }))
    onRequest('PATCH', '/api/v1/users/me', (request) => json(aProfile(request.body as object)))
    const preferences = section('Tutor and privacy')
    fireEvent.click(within(preferences).getByLabelText(/^Right away/))
    fireEvent.click(within(preferences).getByLabelText('Until I delete them'))
    fireEvent.click(within(preferences).getByRole('button', { name: 'Save preferences' }))
    expect(await within(preferences).findByText('Preferences saved.')).toBeTruthy()
    expect(patches()[0]).toEqual({ preferences: { greetingVerbosity: 'normal', correctionStyle: 'immediate', explanationLanguage: 'en', transcriptRetentionDays: null, keepAudio: false } })
  })

  it('refuses a retention period out of range before asking the server', async () => {
    await renderSettings()
    const preferences = section('Tutor and privacy')
    fireEvent.click(within(preferences).getByLabelText('For a number of days'))
    fireEvent.change(within(preferences).getByLabelText('Number of days'), { target: { value: '0' } })
    fireEvent.click(within(preferences).getByRole('button', { name: 'Save preferences' }))
    expect(within(preferences).getByText('Enter a whole number of days from 1 to 3650.')).toBeTruthy()
    expect(patches()).toHaveLength(0)
  })

  it('saves the interface language to the profile when it is switched', async () => {
    await renderSettings()
    onRequest('PATCH', '/api/v1/users/me', json(aProfile({ locale: 'nb' })))
    fireEvent.change(within(section('Language of the app')).getByLabelText('Language'), { target: { value: 'nb' } })
    await waitFor(() => expect(navigation.router.refresh).toHaveBeenCalled())
    expect(patches()).toEqual([{ locale: 'nb' }])
    expect(document.cookie).toContain('avaaz-locale=nb')
  })

  it('downloads the data export as a JSON file', async () => {
    await renderSettings()
    const exported = { exportedAt: '2025-03-11T08:00:00.000Z', profile: aProfile(), authSessions: [], tutorSession: null, sittings: [], turns: [], examAttempts: [], examScores: [], documents: [], lessons: [], lessonProgress: [], progressSnapshots: [], programs: [], programMemberships: [], subscriptions: [] }
    onRequest('GET', '/api/v1/users/me/export', json(exported))
    const blobs: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob)
      return 'blob:http://localhost:3000/export'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const downloads: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download)
    })
    fireEvent.click(screen.getByRole('button', { name: 'Download my data' }))
    expect(await screen.findByText('Your download has started.')).toBeTruthy()
    expect(downloads).toEqual(['avaaz-export-2025-03-11.json'])
    expect(blobs[0]?.type).toBe('application/json')
    expect(JSON.parse(await blobs[0]!.text())).toEqual(exported)
  })

  it('deletes the account only after the password is given and confirmed, then leaves', async () => {
    const { client } = await renderSettings()
    onRequest('DELETE', '/api/v1/users/me', (request) =>
      (request.body as { password: string }).password === 'Fjelltur-i-regnet-2025' ? new Response(null, { status: 204 }) : problem(403, 'Forbidden', { detail: 'The password is not correct.' }),
    )
    onRequest('POST', '/api/auth/sign-out', json({ success: true }))
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account…' }))
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete your account?' })
    const password = within(dialog).getByLabelText('Password')

    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }))
    expect(within(dialog).getByText('Enter your password to confirm.')).toBeTruthy()
    expect(requests.some((request) => request.method === 'DELETE')).toBe(false)

    fireEvent.change(password, { target: { value: 'wrong-password' } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }))
    expect(await within(dialog).findByText('The password is not correct.')).toBeTruthy()
    expect(password.getAttribute('aria-invalid')).toBe('true')
    expect(navigation.router.replace).not.toHaveBeenCalled()

    fireEvent.change(password, { target: { value: 'Fjelltur-i-regnet-2025' } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete my account' }))
    await waitFor(() => expect(navigation.router.replace).toHaveBeenCalledWith('/'))
    expect(requests.filter((request) => request.method === 'DELETE').map((request) => request.body)).toEqual([{ password: 'wrong-password' }, { password: 'Fjelltur-i-regnet-2025' }])
    expect(client.getQueryData(['me'])).toBeUndefined()
  })

  it('cancelling the deletion sends nothing and closes the dialog', async () => {
    await renderSettings()
    fireEvent.click(screen.getByRole('button', { name: 'Delete my account…' }))
    const dialog = await screen.findByRole('alertdialog')
    fireEvent.change(within(dialog).getByLabelText('Password'), { target: { value: 'secret-secret' } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(requests.some((request) => request.method === 'DELETE')).toBe(false)
  })
})
