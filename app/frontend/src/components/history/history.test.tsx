import { cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeApi, ids, json, makeLesson, makeMe, makeSitting, problem, renderWithProviders } from '@/components/talk/testing'
import { SittingDetail } from './sitting-detail'
import { SittingsList } from './sittings-list'

const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/history', useSearchParams: () => new URLSearchParams() }))

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
})

const older = makeSitting({
  id: '33333333-3333-4333-8333-333333333333',
  startedAt: '2026-02-20T18:00:00.000Z',
  endedAt: '2026-02-20T18:00:20.000Z',
  summaryStatus: 'unavailable',
})

describe('sittings history', () => {
  it('invites the learner to talk when there are no sittings yet', async () => {
    fakeApi(fetchMock, {
      'GET /api/v1/users/me': () => json(makeMe()),
      'GET /api/v1/sessions/default/sittings': () => json({ items: [], nextBefore: null }),
    })
    renderWithProviders(<SittingsList />)
    expect(await screen.findByText('No sittings yet')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Talk to the tutor' }).getAttribute('href')).toBe('/talk')
  })

  it('lists sittings newest first with date, length, lesson and summary status, and pages to older ones', async () => {
    const open = makeSitting({ id: '44444444-4444-4444-8444-444444444444', startedAt: '2026-03-03T09:00:00.000Z', endedAt: null, summaryStatus: 'pending' })
    const lesson = makeSitting({ mode: 'lesson', lessonId: ids.lesson, metrics: { minutes: 11.6 } })
    const calls = fakeApi(fetchMock, {
      'GET /api/v1/users/me': () => json(makeMe()),
      'GET /api/v1/sessions/default/sittings': (call) =>
        call.query.get('before') === lesson.id ? json({ items: [older], nextBefore: null }) : json({ items: [open, lesson], nextBefore: lesson.id }),
      [`GET /api/v1/lessons/${ids.lesson}`]: () => json(makeLesson()),
    })
    renderWithProviders(<SittingsList />)

    const first = (await screen.findByRole('link', { name: /Mar 3, 2026/ })).closest('article')!
    expect(within(first).getByText('In progress')).toBeTruthy()
    expect(within(first).getByText(/in progress/)).toBeTruthy()
    const second = screen.getByRole('link', { name: /Mar 2, 2026/ }).closest('article')!
    expect(await within(second).findByText('Hei! Hva heter du?')).toBeTruthy()
    expect(within(second).getByText(/12 minutes/)).toBeTruthy()
    expect(within(second).getByText('Summary ready')).toBeTruthy()
    expect(screen.getByRole('link', { name: /Mar 2, 2026/ }).getAttribute('href')).toBe(`/history/${lesson.id}`)

    fireEvent.click(screen.getByRole('button', { name: 'Show older sittings' }))
    const third = (await screen.findByRole('link', { name: /Feb 20, 2026/ })).closest('article')!
    expect(within(third).getByText(/under a minute/)).toBeTruthy()
    expect(within(third).getByText('Nothing to summarise')).toBeTruthy()
    const links = screen.getAllByRole('link', { name: /2026/ }).map((link) => link.textContent)
    expect(links).toEqual([expect.stringContaining('Mar 3'), expect.stringContaining('Mar 2'), expect.stringContaining('Feb 20')])
    expect(calls.filter((call) => call.path.endsWith('/sittings')).map((call) => call.query.get('before'))).toEqual([null, lesson.id])
  })
})

const summary = {
  strengths: ['Used 3 of the lesson\'s phrases: «Hei! Jeg heter …».'],
  weaknesses: ['In a main clause, "ikke" comes after the verb (2 times).'],
  corrections: [{ original: 'jeg ikke snakker', corrected: 'jeg snakker ikke', explanation: 'In a main clause, "ikke" comes after the verb.', source: 'rules' as const }],
  nextSteps: ['Continue «Hei! Hva heter du?» from step 3.'],
  recommendedLessons: ['a1-greetings-and-names'],
  minutes: 12,
  wordsSpoken: 48,
}

function detailRoutes(sitting: ReturnType<typeof makeSitting>) {
  fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(makeMe()),
    [`GET /api/v1/sessions/default/sittings/${sitting.id}`]: () => json(sitting),
    [`GET /api/v1/lessons/${ids.lesson}`]: () => json(makeLesson()),
    'GET /api/v1/lessons/a1-greetings-and-names': () => json(makeLesson()),
  })
}

describe('sitting summary', () => {
  it('shows a measured summary, labelled as measured and not written by AI, with the figures', async () => {
    detailRoutes(
      makeSitting({
        mode: 'lesson',
        lessonId: ids.lesson,
        summary: { ...summary, writtenBy: 'measured' },
        metrics: { minutes: 12, learnerTurns: 6, tutorTurns: 7, learnerWords: 48, learnerSpeakingMs: 0 },
      }),
    )
    renderWithProviders(<SittingDetail sittingId={ids.sitting} />)

    expect(await screen.findByText('Measured, not written by AI:')).toBeTruthy()
    expect(screen.queryByText(/Written by a language model/)).toBeNull()
    expect(screen.getByText(summary.strengths[0]!)).toBeTruthy()
    expect(screen.getByText(summary.weaknesses[0]!)).toBeTruthy()
    expect(screen.getByText('jeg ikke snakker').tagName).toBe('DEL')
    expect(screen.getByText('jeg snakker ikke').tagName).toBe('INS')
    expect(screen.getByText('Found by a grammar rule')).toBeTruthy()
    expect(screen.getByText(summary.nextSteps[0]!)).toBeTruthy()
    const figures = screen.getByRole('region', { name: 'Figures' })
    expect(within(figures).getByText('Your turns').nextElementSibling!.textContent).toBe('6')
    expect(within(figures).getByText('Words you said').nextElementSibling!.textContent).toBe('48')
    // Speaking time is not measured for typed turns, so it is left out rather than shown as 0.
    expect(within(figures).queryByText('Speaking time')).toBeNull()
    const recommended = screen.getByRole('region', { name: 'Recommended lessons' })
    expect((await within(recommended).findByRole('link', { name: 'Hei! Hva heter du?' })).getAttribute('href')).toBe('/lessons/a1-greetings-and-names')
  })

  it('labels a summary written by a language model as such', async () => {
    detailRoutes(makeSitting({ summary: { ...summary, writtenBy: 'llm' } }))
    renderWithProviders(<SittingDetail sittingId={ids.sitting} />)
    expect(await screen.findByText('Written by a language model (AI):')).toBeTruthy()
    expect(screen.queryByText('Measured, not written by AI:')).toBeNull()
  })

  it('says the summary is being written while it is pending', async () => {
    detailRoutes(makeSitting({ summaryStatus: 'pending' }))
    renderWithProviders(<SittingDetail sittingId={ids.sitting} />)
    expect(await screen.findByText(/The summary is being written/)).toBeTruthy()
    expect(screen.getByText('Summary being written')).toBeTruthy()
  })

  it('says when the sitting does not exist', async () => {
    fakeApi(fetchMock, { [`GET /api/v1/sessions/default/sittings/${ids.sitting}`]: () => problem(404, 'No sitting.') })
    renderWithProviders(<SittingDetail sittingId={ids.sitting} />)
    expect(await screen.findByText(/This sitting does not exist/)).toBeTruthy()
  })
})
