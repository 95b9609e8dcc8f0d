import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeApi, json, makeMe, problem, type Call } from '@/components/talk/testing'
import { ExamSelection } from './exam-selection'
import { examIds, makeAttempt, makeSummary, makeTemplates, renderWithProviders } from './testing'

// The typed API client keeps the fetch it finds when it is created, so the stand-in goes in first.
const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), back: vi.fn(), prefetch: vi.fn() }))
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/exams', useSearchParams: () => new URLSearchParams() }))

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
  router.push.mockReset()
})

function routes(overrides: Record<string, (call: Call) => Response | Promise<Response>> = {}) {
  return fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(makeMe()),
    'GET /api/v1/exams/templates': () => json({ items: makeTemplates() }),
    'GET /api/v1/exams/attempts': () => json({ items: [] }),
    ...overrides,
  })
}

const card = (name: string) => screen.getByRole('heading', { name }).closest('article')!
const starts = (calls: Call[]) => calls.filter((call) => call.method === 'POST' && call.path === '/api/v1/exams/attempts')

describe('exam selection', () => {
  it('shows what each test contains: parts, scored or warm-up, preparation and speaking time, total length', async () => {
    routes()
    renderWithProviders(<ExamSelection />)

    const a1 = within(await screen.findByRole('heading', { name: 'Test A1–A2' }).then((heading) => heading.closest('article')!))
    expect(a1.getByText(/About 20 minutes · 4 parts, 4 scored · measures A1 and A2/)).toBeTruthy()
    expect(a1.getByText('Beskrive et bilde')).toBeTruthy()
    expect(a1.getByText(/Describe a picture/)).toBeTruthy()
    expect(a1.getByText('scored · with the co-candidate · 4 min speaking')).toBeTruthy()
    expect(a1.getAllByText('scored · alone · 2 min 30 s speaking')).toHaveLength(3)

    const b2 = within(card('Test B1–B2'))
    expect(b2.getAllByText('warm-up, not scored · alone · 2 min speaking')).toHaveLength(1)
    expect(b2.getByText('scored · alone · 1 min to prepare · 3 min speaking')).toBeTruthy()
    expect(b2.getByText(/About 25 minutes · 4 parts, 3 scored · measures B1 and B2/)).toBeTruthy()
    expect(screen.getByText(/You have not taken a mock exam yet/)).toBeTruthy()
  })

  it("starts a typed exam with the co-candidate at the test's lower level by default, and goes to it", async () => {
    const calls = routes({ 'POST /api/v1/exams/attempts': () => json(makeAttempt(), 201) })
    renderWithProviders(<ExamSelection />)
    const a1 = within(await screen.findByRole('heading', { name: 'Test A1–A2' }).then((heading) => heading.closest('article')!))
    expect((a1.getByLabelText('A1 (lower level)') as HTMLInputElement).checked).toBe(true)

    fireEvent.click(a1.getByRole('button', { name: 'Start test A1–A2' }))

    await waitFor(() => expect(router.push).toHaveBeenCalledWith(`/exams/${examIds.attempt}`))
    expect(starts(calls).map((call) => call.body)).toEqual([{ level: 'A1-A2', delivery: 'text', coCandidateLevel: 'A1' }])
  })

  it('sends the level chosen for the co-candidate', async () => {
    const calls = routes({ 'POST /api/v1/exams/attempts': () => json(makeAttempt({ level: 'A2-B1' }), 201) })
    renderWithProviders(<ExamSelection />)
    const b1 = within(await screen.findByRole('heading', { name: 'Test A2–B1' }).then((heading) => heading.closest('article')!))
    fireEvent.click(b1.getByLabelText('B1 (higher level)'))
    fireEvent.click(b1.getByRole('button', { name: 'Start test A2–B1' }))
    await waitFor(() => expect(starts(calls)).toHaveLength(1))
    expect(starts(calls)[0]!.body).toEqual({ level: 'A2-B1', delivery: 'text', coCandidateLevel: 'B1' })
  })

  it('offers to continue the exam already running, or to abandon it and start the new one', async () => {
    let running = true
    const calls = routes({
      'POST /api/v1/exams/attempts': () =>
        running
          ? new Response(JSON.stringify({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'A mock exam is already running.', requestId: 'r', attemptId: examIds.other }), {
              status: 409,
              headers: { 'content-type': 'application/problem+json' },
            })
          : json(makeAttempt(), 201),
      [`POST /api/v1/exams/attempts/${examIds.other}/abandon`]: () => {
        running = false
        return json(makeAttempt({ id: examIds.other, status: 'abandoned', phase: 'done' }))
      },
    })
    renderWithProviders(<ExamSelection />)
    const a1 = within(await screen.findByRole('heading', { name: 'Test A1–A2' }).then((heading) => heading.closest('article')!))
    fireEvent.click(a1.getByRole('button', { name: 'Start test A1–A2' }))

    expect(await a1.findByText(/You already have a mock exam running/)).toBeTruthy()
    expect(a1.getByRole('link', { name: 'Continue it' }).getAttribute('href')).toBe(`/exams/${examIds.other}`)
    fireEvent.click(a1.getByRole('button', { name: 'Abandon it and start a new one' }))

    await waitFor(() => expect(router.push).toHaveBeenCalledWith(`/exams/${examIds.attempt}`))
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.path)).toEqual([
      '/api/v1/exams/attempts',
      `/api/v1/exams/attempts/${examIds.other}/abandon`,
      '/api/v1/exams/attempts',
    ])
  })

  it('says so when the test cannot be started', async () => {
    routes({ 'POST /api/v1/exams/attempts': () => problem(404, 'There is no published A1-A2 test.') })
    renderWithProviders(<ExamSelection />)
    const a1 = within(await screen.findByRole('heading', { name: 'Test A1–A2' }).then((heading) => heading.closest('article')!))
    fireEvent.click(a1.getByRole('button', { name: 'Start test A1–A2' }))
    expect(await a1.findByText('This test is not available right now.')).toBeTruthy()
  })
})

describe('exam history', () => {
  it('lists my attempts with their outcome, links to results, a running one to continue, and the level over time', async () => {
    routes({
      'GET /api/v1/exams/attempts': () =>
        json({
          items: [
            makeSummary({ id: examIds.other, status: 'in_progress', startedAt: '2026-03-09T10:00:00.000Z', finishedAt: null, result: { state: 'none', estimatedLevel: null, outcome: null } }),
            makeSummary({ id: '20000000-0000-4000-8000-000000000003', startedAt: '2026-03-05T10:00:00.000Z', finishedAt: '2026-03-05T10:20:00.000Z' }),
            makeSummary({ id: '20000000-0000-4000-8000-000000000002', status: 'scoring', result: { state: 'pending', estimatedLevel: null, outcome: null } }),
            makeSummary({ id: '20000000-0000-4000-8000-000000000001', status: 'abandoned', result: { state: 'none', estimatedLevel: null, outcome: null } }),
            makeSummary({
              id: '20000000-0000-4000-8000-000000000000',
              startedAt: '2026-02-20T10:00:00.000Z',
              finishedAt: '2026-02-20T10:20:00.000Z',
              result: { state: 'ready', estimatedLevel: 'below_A1', outcome: 'below' },
            }),
          ],
        }),
    })
    renderWithProviders(<ExamSelection />)

    const notice = (await screen.findByRole('heading', { name: 'Your A1–A2 mock exam is still running' })).closest('section')!
    expect(within(notice).getByRole('link', { name: 'Continue' }).getAttribute('href')).toBe(`/exams/${examIds.other}`)

    const history = within(screen.getByRole('heading', { name: 'Your mock exams' }).closest('section')!)
    const rows = history.getAllByRole('article')
    expect(rows.map((row) => row.querySelector('p')!.textContent!.split(' · ')[1])).toEqual([
      'in progress',
      'reached A2',
      'being scored',
      'abandoned (not scored)',
      'below A1',
    ])
    expect(within(rows[0]!).getByRole('link', { name: /Continue/ }).getAttribute('href')).toBe(`/exams/${examIds.other}`)
    expect(within(rows[1]!).getByRole('link', { name: /See the result/ }).getAttribute('href')).toBe('/exams/20000000-0000-4000-8000-000000000003/result')
    expect(within(rows[3]!).queryByRole('link')).toBeNull()

    const trend = history.getByRole('img')
    expect(trend.getAttribute('aria-label')).toBe('Estimated level, oldest to newest: below A1 (Friday, February 20, 2026), A2 (Thursday, March 5, 2026)')
    expect(trend.querySelectorAll('circle')).toHaveLength(2)
  })
})
