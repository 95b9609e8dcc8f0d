import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { controlledStream, fakeApi, json, makeMe, makeTurn, problem, replyStream, sse, type Call } from '@/components/talk/testing'
import { ExamRoom } from './exam-room'
import { examIds, makeAttempt, renderWithProviders } from './testing'

// The typed API client keeps the fetch it finds when it is created, so the stand-in goes in first.
const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), back: vi.fn(), prefetch: vi.fn() }))
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/exams/x', useSearchParams: () => new URLSearchParams() }))

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
  router.replace.mockReset()
  router.push.mockReset()
  vi.useRealTimers()
})

const attemptPath = `/api/v1/exams/attempts/${examIds.attempt}`
type Handler = (call: Call) => Response | Promise<Response>

function routes(attempt: Handler, overrides: Record<string, Handler> = {}, me = makeMe()) {
  return fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(me),
    [`GET ${attemptPath}`]: attempt,
    ...overrides,
  })
}

const reads = (calls: Call[]) => calls.filter((call) => call.method === 'GET' && call.path === attemptPath)
const timer = () => screen.getByRole('timer')
const announcement = () => document.querySelector('p[role="status"].sr-only')!.textContent
const input = () => screen.getByLabelText('Your answer, in Norwegian') as HTMLTextAreaElement
const log = () => screen.getByRole('log')

/** Sends a typed answer with Enter. */
function answer(text: string) {
  fireEvent.change(input(), { target: { value: text } })
  fireEvent.keyDown(input(), { key: 'Enter' })
}

describe('in the exam: the part and its clock', () => {
  it("counts down on the server's clock even when the device's clock is ten minutes ahead, and announces only the last minute", async () => {
    // Only Date and intervals are simulated: the query client and Testing Library keep real timeouts.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(new Date('2026-03-02T10:10:00.000Z'))
    routes(() => json(makeAttempt({ serverTime: '2026-03-02T10:00:00.000Z', secondsLeft: 90 })))
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)

    expect(await screen.findByRole('heading', { level: 1, name: 'Presentere deg selv' })).toBeTruthy()
    expect(screen.getByText(/Part 1 of 4/)).toBeTruthy()
    expect(screen.getAllByText('Scored').length).toBeGreaterThan(0)
    expect(screen.getByText('The part starts by itself in')).toBeTruthy()
    expect(timer().textContent).toBe('1:30')
    expect(within(screen.getByRole('list', { name: 'Phases of this part' })).getByText('Instructions').closest('li')!.getAttribute('aria-current')).toBe('step')
    expect(announcement()).toBe('Part 1, Presentere deg selv: Instructions')

    act(() => vi.advanceTimersByTime(29_000))
    expect(timer().textContent).toBe('1:01')
    // Not every second: the live region has not changed.
    expect(announcement()).toBe('Part 1, Presentere deg selv: Instructions')
    act(() => vi.advanceTimersByTime(1_000))
    expect(timer().textContent).toBe('1:00')
    expect(announcement()).toBe('One minute left.')
    act(() => vi.advanceTimersByTime(1_000))
    expect(announcement()).toBe('One minute left.')
  })

  it('asks the server again when the phase is over by its deadline, and shows where the exam is then', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] })
    vi.setSystemTime(new Date('2026-03-02T09:58:00.000Z'))
    let moved = false
    const calls = routes(() =>
      json(
        moved
          ? makeAttempt({ phase: 'speaking', serverTime: '2026-03-02T10:00:05.000Z', secondsLeft: 150 })
          : makeAttempt({ serverTime: '2026-03-02T10:00:00.000Z', secondsLeft: 5 }),
      ),
    )
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    expect(await screen.findByText('0:05')).toBeTruthy()
    moved = true
    act(() => vi.advanceTimersByTime(5_000))
    expect(timer().textContent).toBe('0:00')

    expect(await screen.findByText('Speaking time left')).toBeTruthy()
    expect(timer().textContent).toBe('2:30')
    expect(reads(calls)).toHaveLength(2)
    expect(screen.getByRole('heading', { name: 'Your task' })).toBeTruthy()
    expect(announcement()).toBe('Part 1, Presentere deg selv: Speaking')
  })

  it("shows the Norwegian instructions with the English beside them for a learner who explains in English; \"I'm ready\" begins the part", async () => {
    const calls = routes(() => json(makeAttempt()), {
      [`POST ${attemptPath}/advance`]: () =>
        json(makeAttempt({ phase: 'speaking', secondsLeft: 150, part: { turns: [{ id: 'e1000000-0000-4000-8000-000000000001', role: 'examiner', text: 'Kan du fortelle litt om deg selv?', createdAt: '2026-03-02T10:00:01.000Z' }] } })),
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)

    expect(await screen.findByText('Instruksjoner for Presentere deg selv.')).toBeTruthy()
    await waitFor(() => expect(screen.getByText('Instructions for Presentere deg selv.').closest('[hidden]')).toBeNull())
    expect(screen.getByRole('button', { name: 'English translation' }).getAttribute('aria-expanded')).toBe('true')
    expect(screen.queryByRole('heading', { name: 'Your task' })).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: 'I’m ready' }))

    expect(await screen.findByText('Oppgave for Presentere deg selv.')).toBeTruthy()
    expect(screen.getByText('Task for Presentere deg selv.')).toBeTruthy()
    expect(within(log()).getByText('Kan du fortelle litt om deg selv?')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'I’m finished with this part' })).toBeTruthy()
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.body)).toEqual([{ partPosition: 0, phase: 'instructions' }])
  })

  it('keeps the English behind a toggle for a learner who explains in Norwegian', async () => {
    const me = makeMe()
    routes(() => json(makeAttempt()), {}, { ...me, preferences: { ...me.preferences, explanationLanguage: 'nb' } })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    const toggle = await screen.findByRole('button', { name: 'English translation' })
    await waitFor(() => expect(toggle.getAttribute('aria-expanded')).toBe('false'))
    expect(screen.getByText('Instructions for Presentere deg selv.').closest('[hidden]')).not.toBeNull()
    fireEvent.click(toggle)
    expect(screen.getByText('Instructions for Presentere deg selv.').closest('[hidden]')).toBeNull()
  })

  it('gives preparation time without an input, and "Start speaking" ends it', async () => {
    const calls = routes(() => json(makeAttempt({ position: 3, phase: 'preparation', secondsLeft: 60, part: { preparationSeconds: 60 } })), {
      [`POST ${attemptPath}/advance`]: () => json(makeAttempt({ position: 3, phase: 'speaking', part: { preparationSeconds: 60 } })),
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)

    expect(await screen.findByText('Preparation time left')).toBeTruthy()
    expect(screen.getByText(/Part 4 of 4/)).toBeTruthy()
    expect(screen.getByText('You have 1 min to prepare, then 2 min 30 s to speak.')).toBeTruthy()
    expect(input().disabled).toBe(true)
    expect(screen.getByText('Use this time to prepare. You answer when the speaking time starts.')).toBeTruthy()

    fireEvent.click(screen.getByRole('button', { name: 'Start speaking' }))
    expect(await screen.findByText('Speaking time left')).toBeTruthy()
    expect(input().disabled).toBe(false)
    expect(calls.filter((call) => call.method === 'POST').map((call) => call.body)).toEqual([{ partPosition: 3, phase: 'preparation' }])
  })

  it('shows the picture to describe, with its alt text', async () => {
    routes(() =>
      json(
        makeAttempt({
          position: 1,
          phase: 'speaking',
          part: {
            prompt: {
              text: 'Se på bildet. Hva ser du?',
              textEn: null,
              picture: { slug: 'family-kitchen', title: 'Middag på kjøkkenet', url: '/api/v1/curriculum/pictures/family-kitchen.svg', alt: 'A family cooks dinner together in a small kitchen.' },
            },
          },
        }),
      ),
    )
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    const picture = (await screen.findByRole('img', { name: 'A family cooks dinner together in a small kitchen.' })) as HTMLImageElement
    expect(picture.getAttribute('src')).toBe('/api/v1/curriculum/pictures/family-kitchen.svg')
    expect(screen.getByText('Middag på kjøkkenet')).toBeTruthy()
    expect(screen.getByText('Se på bildet. Hva ser du?')).toBeTruthy()
  })

  it('reads the attempt again when moving on is refused because the exam has already moved on (409)', async () => {
    let moved = false
    const calls = routes(() => json(moved ? makeAttempt({ position: 1, phase: 'instructions' }) : makeAttempt({ phase: 'speaking' })), {
      [`POST ${attemptPath}/advance`]: () => {
        moved = true
        return problem(409, 'The exam has already moved on: it is at part 2, instructions.')
      },
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    fireEvent.click(await screen.findByRole('button', { name: 'I’m finished with this part' }))

    expect(await screen.findByRole('heading', { level: 1, name: 'Beskrive et bilde' })).toBeTruthy()
    expect(screen.getByText(/Part 2 of 4/)).toBeTruthy()
    expect(reads(calls)).toHaveLength(2)
    expect(screen.queryByRole('alert')).toBeNull()
  })
})

describe('in the exam: answering', () => {
  it('streams the co-candidate’s reply in the pair task, labelled, without corrections, and keeps it without asking again', async () => {
    const calls = routes(() => json(makeAttempt({ position: 2, phase: 'speaking', secondsLeft: 240 })), {
      'POST /api/v1/sessions/default/turns': () =>
        replyStream(
          sse('turn', { turn: makeTurn({ role: 'learner', text: 'Jeg liker fisk.', source: 'typed', corrections: [{ original: 'fisk', corrected: 'fisken', explanation: 'Nope.' }] }) }) +
            sse('delta', { text: 'Å ja? Jeg liker ikke fisk.' }) +
            sse('done', { turn: makeTurn({ role: 'partner', text: 'Å ja? Jeg liker ikke fisk.' }), replayed: false }),
        ),
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    expect(await screen.findByText('With a co-candidate at A1')).toBeTruthy()

    answer('Jeg liker fisk.')

    const reply = await within(log()).findByText('Å ja? Jeg liker ikke fisk.')
    expect(within(reply.closest('li')!).getByText('Co-candidate')).toBeTruthy()
    expect(within(within(log()).getByText('Jeg liker fisk.').closest('li')!).getByText('You')).toBeTruthy()
    expect(screen.queryByText('fisken')).toBeNull()
    const turn = calls.find((call) => call.path === '/api/v1/sessions/default/turns')!
    expect(turn.body).toMatchObject({ text: 'Jeg liker fisk.', source: 'typed' })
    await waitFor(() => expect(input().disabled).toBe(false))
    expect(reads(calls)).toHaveLength(1)
  })

  it("shows the examiner's reply, then the lines said after it, and reads the attempt again when the exam moves on", async () => {
    let moved = false
    const next = makeTurn({ id: 'e2000000-0000-4000-8000-000000000002', role: 'examiner', text: 'Nå skal du snakke om et tema.' })
    const stream = controlledStream()
    const calls = routes(
      () =>
        json(
          moved
            ? makeAttempt({ position: 3, phase: 'instructions', part: { turns: [{ id: next.id, role: 'examiner', text: next.text, createdAt: next.createdAt }] } })
            : makeAttempt({ position: 2, phase: 'speaking', part: { turns: [{ id: 'e2000000-0000-4000-8000-000000000001', role: 'partner', text: 'Hva liker du å spise?', createdAt: '2026-03-02T10:00:00.000Z' }] } }),
        ),
      { 'POST /api/v1/sessions/default/turns': () => stream.response },
    )
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    expect(await screen.findByText('Hva liker du å spise?')).toBeTruthy()

    answer('Jeg liker ris. Takk for praten!')
    stream.push(sse('turn', { turn: makeTurn({ role: 'learner', text: 'Jeg liker ris. Takk for praten!', source: 'typed' }) }))
    stream.push(sse('delta', { text: 'Takk. Da går vi videre.' }))
    expect(await screen.findByText('Takk. Da går vi videre.')).toBeTruthy()
    stream.push(sse('line', { turn: next }))
    stream.push(sse('state', { change: { kind: 'exam', attemptId: examIds.attempt, status: 'in_progress', phase: 'instructions', partPosition: 3 } }))
    moved = true
    stream.push(sse('done', { turn: makeTurn({ role: 'examiner', text: 'Takk. Da går vi videre.' }), replayed: false }))
    stream.close()

    expect(await screen.findByRole('heading', { level: 1, name: 'Snakke om et tema' })).toBeTruthy()
    expect(within(log()).getByText('Nå skal du snakke om et tema.')).toBeTruthy()
    // The new part starts afresh: the last part's lines are gone from this transcript.
    expect(within(log()).queryByText('Hva liker du å spise?')).toBeNull()
    expect(reads(calls)).toHaveLength(2)
  })

  it('orders the reply before the lines said after it while they arrive', async () => {
    const stream = controlledStream()
    routes(() => json(makeAttempt({ phase: 'speaking' })), { 'POST /api/v1/sessions/default/turns': () => stream.response })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    await screen.findByText('Speaking time left')
    answer('Jeg heter Amina.')
    stream.push(sse('turn', { turn: makeTurn({ role: 'learner', text: 'Jeg heter Amina.', source: 'typed' }) }))
    stream.push(sse('delta', { text: 'Takk.' }))
    stream.push(sse('line', { turn: makeTurn({ role: 'examiner', text: 'Nå skal du beskrive et bilde.' }) }))
    stream.push(sse('done', { turn: makeTurn({ role: 'examiner', text: 'Takk.' }), replayed: false }))
    await within(log()).findByText('Nå skal du beskrive et bilde.')
    const texts = within(log())
      .getAllByRole('listitem')
      .map((item) => item.querySelector('p')!.textContent)
    expect(texts).toEqual(['Jeg heter Amina.', 'Takk.', 'Nå skal du beskrive et bilde.'])
  })

  it('goes to the result when an answer is refused because the exam has ended (409)', async () => {
    let over = false
    routes(() => json(over ? makeAttempt({ status: 'scoring', phase: 'done' }) : makeAttempt({ phase: 'speaking' })), {
      'POST /api/v1/sessions/default/turns': () => {
        over = true
        return problem(409, 'The mock exam has ended (its time is up or it was abandoned), so this answer was not recorded.')
      },
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    await screen.findByText('Speaking time left')
    answer('Og så …')
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith(`/exams/${examIds.attempt}/result`))
  })

  it('offers to send again when the connection fails', async () => {
    let fail = true
    const calls = routes(() => json(makeAttempt({ phase: 'speaking' })), {
      'POST /api/v1/sessions/default/turns': () => {
        if (fail) return Promise.reject(new TypeError('network down'))
        return replyStream(
          sse('turn', { turn: makeTurn({ role: 'learner', text: 'Hei!', source: 'typed' }) }) +
            sse('delta', { text: 'Hei.' }) +
            sse('done', { turn: makeTurn({ role: 'examiner', text: 'Hei.' }), replayed: false }),
        )
      },
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    await screen.findByText('Speaking time left')
    answer('Hei!')
    expect(await screen.findByText('Your answer could not be sent: the connection failed.', {}, { timeout: 5000 })).toBeTruthy()
    fail = false
    fireEvent.click(screen.getByRole('button', { name: 'Send again' }))
    expect(await within(log()).findByText('Hei.')).toBeTruthy()
    const bodies = calls.filter((call) => call.path === '/api/v1/sessions/default/turns').map((call) => call.body as { clientTurnId: string; examAttemptId: string })
    expect(new Set(bodies.map((body) => body.clientTurnId)).size).toBe(1)
    // Every answer names its attempt, so one arriving after the time ran out is refused, not answered by the tutor.
    expect(bodies.every((body) => body.examAttemptId === examIds.attempt)).toBe(true)
  })
})

describe('in the exam: leaving', () => {
  it('abandons only after confirming, and goes back to the exams', async () => {
    const calls = routes(() => json(makeAttempt({ phase: 'speaking' })), {
      [`POST ${attemptPath}/abandon`]: () => json(makeAttempt({ status: 'abandoned', phase: 'done' })),
    })
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Abandon' }))
    const dialog = await screen.findByRole('alertdialog', { name: 'Abandon this exam?' })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep going' }))
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull())
    expect(calls.some((call) => call.path.endsWith('/abandon'))).toBe(false)

    fireEvent.click(screen.getByRole('button', { name: 'Abandon' }))
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Abandon the exam' }))
    await waitFor(() => expect(router.push).toHaveBeenCalledWith('/exams'))
    expect(calls.filter((call) => call.path.endsWith('/abandon'))).toHaveLength(1)
  })

  it('goes to the result page once the exam is being scored', async () => {
    routes(() => json(makeAttempt({ status: 'scoring', phase: 'done' })))
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith(`/exams/${examIds.attempt}/result`))
  })

  it('says so for an abandoned exam', async () => {
    routes(() => json(makeAttempt({ status: 'abandoned', phase: 'done' })))
    renderWithProviders(<ExamRoom attemptId={examIds.attempt} />)
    expect(await screen.findByRole('heading', { name: 'This exam was abandoned' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'All mock exams' }).getAttribute('href')).toBe('/exams')
  })
})
