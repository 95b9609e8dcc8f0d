import { act, cleanup, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { fakeApi, json, makeMe, problem, type Call } from '@/components/talk/testing'
import { ExamResultView, RESULT_POLL_MS } from './exam-result'
import { examIds, makeCriterion, makeResult, renderWithProviders, turnIds } from './testing'

// The typed API client keeps the fetch it finds when it is created, so the stand-in goes in first.
const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
vi.mock('next/navigation', () => ({ useRouter: () => ({ replace: vi.fn(), push: vi.fn() }), usePathname: () => '/exams/x/result', useSearchParams: () => new URLSearchParams() }))

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
  vi.useRealTimers()
})

const resultPath = `/api/v1/exams/attempts/${examIds.attempt}/result`

function routes(result: (call: Call) => Response) {
  return fakeApi(fetchMock, { 'GET /api/v1/users/me': () => json(makeMe()), [`GET ${resultPath}`]: result })
}

const criterion = (name: string) => screen.getAllByRole('heading', { name }).map((heading) => heading.closest('article')!)[0]!

describe('exam result', () => {
  it('reports the level reached as the test does, each criterion with its band, rater, justification and evidence', async () => {
    routes(() => json(makeResult()))
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)

    expect(await screen.findByRole('heading', { name: 'You reached A2 in the A1–A2 test.' })).toBeTruthy()
    expect(screen.getByText('You can manage simple conversations about familiar, practical things.')).toBeTruthy()
    expect(screen.getByText('How it was scored: Measured locally, AI rater.')).toBeTruthy()
    expect(screen.getByText('You told a lot about yourself and kept the conversation going.')).toBeTruthy()
    expect(screen.getByText('You answered in whole sentences.')).toBeTruthy()
    expect(screen.getByText('Word order after "i dag" (V2).')).toBeTruthy()

    const fluency = within(criterion('Fluency'))
    expect(fluency.getByText('Band: A2')).toBeTruthy()
    expect(fluency.getByText('Measured locally')).toBeTruthy()
    expect(fluency.getByText('About 62 words a minute with short pauses.')).toBeTruthy()
    expect(fluency.getByText('Speech rate: 62.5 words a minute')).toBeTruthy()
    expect(fluency.getByText('Pauses: 25% of the speaking time')).toBeTruthy()

    // A quote links to the turn it quotes in the transcript below.
    const grammar = within(criterion('Grammar'))
    expect(grammar.getByText('Band: A1')).toBeTruthy()
    expect(grammar.getByText('AI rater')).toBeTruthy()
    const quote = grammar.getByRole('link', { name: 'I dag jeg jobber i en butikk' })
    expect(quote.getAttribute('href')).toBe(`#turn-${turnIds.learner}`)
    const quoted = document.getElementById(`turn-${turnIds.learner}`)!
    expect(within(quoted).getByText('I dag jeg jobber i en butikk')).toBeTruthy()
    expect(within(quoted).getByText('You')).toBeTruthy()

    const lesson = screen.getByRole('link', { name: 'Ordstilling: verbet på plass nummer to' })
    expect(lesson.getAttribute('href')).toBe('/lessons/a2-word-order')
    expect(screen.getByText(/A2 · trains Grammar/)).toBeTruthy()
    expect(screen.getByRole('link', { name: 'See this sitting in your history' }).getAttribute('href')).toBe(`/history/${examIds.sitting}`)
  })

  it('shows the transcript part by part, with who said what, and a player only for turns with a recording', async () => {
    routes(() => json(makeResult()))
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)
    const first = within(await screen.findByRole('list', { name: 'Transcript of Presentere deg selv' }))
    expect(within(first.getByText('Kan du fortelle litt om deg selv?').closest('li')!).getByText('Examiner')).toBeTruthy()
    const players = document.querySelectorAll('audio')
    expect(players).toHaveLength(1)
    expect(players[0]!.getAttribute('src')).toBe(`/api/v1/sessions/default/turns/${turnIds.learner}/audio`)
    const pair = within(screen.getByRole('list', { name: 'Transcript of Samtale med den andre kandidaten' }))
    expect(within(pair.getByText('Jeg liker ris og kylling. Hva liker du?').closest('li')!).getByText('Co-candidate')).toBeTruthy()
    expect(screen.getByText('How this part was scored')).toBeTruthy()
  })

  it('says plainly when a criterion could not be assessed, and why, instead of a band', async () => {
    routes(() => json(makeResult()))
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)
    await screen.findByRole('heading', { name: 'Criteria' })
    const pronunciation = within(criterion('Pronunciation'))
    expect(pronunciation.getByText('Not assessable')).toBeTruthy()
    expect(pronunciation.getByText(/Pronunciation needs an audio-capable assessor/)).toBeTruthy()
    expect(pronunciation.getByText('Why:')).toBeTruthy()
    expect(pronunciation.queryByText(/Band:/)).toBeNull()
  })

  it('reports a result below the test’s lower level as "below", with the level the answers were closest to', async () => {
    routes(() =>
      json(makeResult({ level: 'A2-B1', estimatedLevel: 'A1', outcome: 'below', overall: [makeCriterion({ band: 'A1', score: 1 })], recommendedLessons: [] })),
    )
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)
    expect(await screen.findByRole('heading', { name: 'Below A2 in the A2–B1 test.' })).toBeTruthy()
    expect(screen.getByText('Your answers were closest to A1.')).toBeTruthy()
  })

  it('shows that the exam is being scored, asks again until the result is there, and never a partial result', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    let ready = false
    const calls = routes(() => json(ready ? makeResult() : makeResult({ state: 'pending', estimatedLevel: null, outcome: null, overall: [], parts: [], recommendedLessons: [], feedback: null, strengths: [], weaknesses: [] })))
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)

    expect(await screen.findByText('Your exam is being scored…')).toBeTruthy()
    expect(screen.getByRole('status').textContent).toContain('The page updates by itself')
    expect(screen.queryByRole('heading', { name: 'Criteria' })).toBeNull()

    await act(() => vi.advanceTimersByTimeAsync(RESULT_POLL_MS))
    expect(calls.filter((call) => call.path === resultPath)).toHaveLength(2)
    ready = true
    await act(() => vi.advanceTimersByTimeAsync(RESULT_POLL_MS))

    expect(await screen.findByRole('heading', { name: 'You reached A2 in the A1–A2 test.' })).toBeTruthy()
    expect(screen.queryByText('Your exam is being scored…')).toBeNull()
    const polls = calls.filter((call) => call.path === resultPath).length
    await act(() => vi.advanceTimersByTimeAsync(RESULT_POLL_MS * 2))
    expect(calls.filter((call) => call.path === resultPath)).toHaveLength(polls)
  })

  it('says clearly when scoring failed, and where the transcript is', async () => {
    routes(() => json(makeResult({ state: 'failed', estimatedLevel: null, outcome: null, overall: [], parts: [], recommendedLessons: [], feedback: null, strengths: [], weaknesses: [] })))
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('This exam could not be scored.')
    expect(within(alert).getByRole('link', { name: 'See this sitting in your history' }).getAttribute('href')).toBe(`/history/${examIds.sitting}`)
  })

  it('says so when the exam does not exist or is not mine', async () => {
    routes(() => problem(404, 'There is no exam attempt.'))
    renderWithProviders(<ExamResultView attemptId={examIds.attempt} />)
    expect(await screen.findByText('This exam does not exist, or it is not yours.')).toBeTruthy()
  })
})
