import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { StrictMode } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { talkIntentFrom } from './intent'
import { TalkScreen } from './talk-screen'
import {
  controlledStream,
  fakeApi,
  ids,
  json,
  makeLesson,
  makeMe,
  makeSession,
  makeSitting,
  makeTurn,
  problem,
  renderWithProviders,
  replyStream,
  sse,
  type Call,
} from './testing'

// The typed API client keeps the fetch it finds when it is created, so the stand-in goes in first.
const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), back: vi.fn(), prefetch: vi.fn() }))
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/talk', useSearchParams: () => new URLSearchParams() }))

const learnerTurn = (text: string, extra: Partial<Parameters<typeof makeTurn>[0]> = {}) => makeTurn({ role: 'learner', text, source: 'typed', ...extra })

function routes(overrides: Record<string, (call: Call) => Response | Promise<Response>> = {}, options: { me?: ReturnType<typeof makeMe>; session?: ReturnType<typeof makeSession> } = {}) {
  return fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(options.me ?? makeMe()),
    'GET /api/v1/sessions/default': () => json(options.session ?? makeSession()),
    'GET /api/v1/sessions/default/turns': () => json({ items: [], nextBefore: null }),
    ...overrides,
  })
}

const turnCalls = (calls: Call[]) => calls.filter((call) => call.method === 'POST' && call.path === '/api/v1/sessions/default/turns')
const input = () => screen.getByLabelText('Your answer, in Norwegian') as HTMLTextAreaElement
const log = () => screen.getByRole('log')

async function type(text: string) {
  fireEvent.change(input(), { target: { value: text } })
}

beforeEach(() => {
  router.replace.mockReset()
})

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
  vi.useRealTimers()
})

describe('talk: entering', () => {
  it('greets the learner, shows the lesson step and says plainly what the offline tutor cannot do', async () => {
    const session = makeSession({
      mode: 'lesson',
      lesson: { lesson: makeLesson(), step: { position: 2, total: 7, tutorPrompt: 'Hvilke språk snakker du?', pictureSlug: null } },
      capabilities: {
        ...makeSession().capabilities,
        tutor: { engine: 'offline', model: null },
        offline: true,
        limitations: ['The offline tutor follows the lesson scripts. It cannot understand free speech.'],
      },
    })
    routes({}, { session })

    renderWithProviders(<TalkScreen intent={null} />)

    expect(await screen.findByText('Hei, Kari! Velkommen til Avaaz.')).toBeTruthy()
    expect(screen.getByText('Hi, Kari! Welcome to Avaaz.')).toBeTruthy()
    expect(screen.getByText('Step 3 of 7')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Hei! Hva heter du?' }).getAttribute('href')).toBe('/lessons/a1-greetings-and-names')
    expect(screen.getByText('The offline tutor follows the lesson scripts. It cannot understand free speech.')).toBeTruthy()
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Ready'))
    expect(input().disabled).toBe(false)
  })

  it('does not show an offline notice when an AI tutor is configured', async () => {
    routes()
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')
    expect(screen.queryByText(/running offline/)).toBeNull()
  })

  it('switches to the lesson of a talk link once (even in strict mode), shows the opening turn and leaves the query', async () => {
    const opening = makeTurn({ text: 'Hvilke språk snakker du?' })
    const calls = routes({
      'PATCH /api/v1/sessions/default': () =>
        json({
          session: makeSession({ mode: 'lesson', lesson: { lesson: makeLesson(), step: { position: 2, total: 7, tutorPrompt: opening.text, pictureSlug: null } } }),
          opening: { turn: opening, events: [{ type: 'delta', text: opening.text }, { type: 'visual', aid: { kind: 'word_list', title: 'Språk', items: [{ term: 'et språk', gloss: 'a language' }] } }] },
        }),
    })

    renderWithProviders(
      <StrictMode>
        <TalkScreen intent={{ mode: 'lesson', lesson: 'a1-greetings-and-names', step: 2 }} />
      </StrictMode>,
    )

    expect(await within(log()).findByText('Hvilke språk snakker du?')).toBeTruthy()
    expect(within(log()).getByText('et språk')).toBeTruthy()
    expect(screen.getByText('Step 3 of 7')).toBeTruthy()
    const patches = calls.filter((call) => call.method === 'PATCH')
    expect(patches).toHaveLength(1)
    expect(patches[0]!.body).toEqual({ mode: 'lesson', lesson: 'a1-greetings-and-names', step: 2 })
    await waitFor(() => expect(router.replace).toHaveBeenCalledWith('/talk', { scroll: false }))
  })

  it('says so when the lesson of a talk link does not exist', async () => {
    routes({ 'PATCH /api/v1/sessions/default': () => problem(404, 'No lesson nope.') })
    renderWithProviders(<TalkScreen intent={{ mode: 'lesson', lesson: 'nope' }} />)
    expect(await screen.findByText(/That lesson does not exist/)).toBeTruthy()
  })

  it('pages back through earlier turns, with the visual aids their replies showed', async () => {
    const older = makeTurn({
      text: 'Hvor bor du?',
      createdAt: '2026-03-01T09:00:00.000Z',
      visualAids: [{ kind: 'word_list', title: 'Steder', items: [{ term: 'en by', gloss: 'a town' }] }],
    })
    const newer = makeTurn({ text: 'Hva liker du å gjøre?' })
    const calls = routes({
      'GET /api/v1/sessions/default/turns': (call) =>
        call.query.get('before') === newer.id ? json({ items: [older], nextBefore: null }) : json({ items: [newer], nextBefore: newer.id }),
    })

    renderWithProviders(<TalkScreen intent={null} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Show earlier turns' }))

    const earlier = await screen.findByRole('list', { name: 'Earlier turns' })
    await within(earlier).findByText('Hvor bor du?')
    const texts = within(earlier).getAllByText(/Hvor bor du\?|Hva liker du å gjøre\?/).map((node) => node.textContent)
    expect(texts).toEqual(['Hvor bor du?', 'Hva liker du å gjøre?'])
    expect(within(earlier).getByText('en by')).toBeTruthy()
    expect(calls.filter((call) => call.path.endsWith('/turns') && call.method === 'GET').map((call) => call.query.get('before'))).toEqual([null, newer.id])
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Show earlier turns' })).toBeNull())
  })
})

describe('talk: a turn', () => {
  it('sends on Enter (not Shift+Enter), disables the input while the reply streams, and announces the reply once complete', async () => {
    const stream = controlledStream()
    const calls = routes({ 'POST /api/v1/sessions/default/turns': () => stream.response })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')

    await type('Jeg heter Ali')
    fireEvent.keyDown(input(), { key: 'Enter', shiftKey: true })
    expect(turnCalls(calls)).toHaveLength(0)
    fireEvent.keyDown(input(), { key: 'Enter' })
    fireEvent.keyDown(input(), { key: 'Enter' })

    await waitFor(() => expect(turnCalls(calls)).toHaveLength(1))
    expect(turnCalls(calls)[0]!.body).toMatchObject({ text: 'Jeg heter Ali', source: 'typed' })
    await act(async () => {
      stream.push(sse('turn', { turn: learnerTurn('Jeg heter Ali') }) + sse('delta', { text: 'Hyggelig å ' }))
    })
    await screen.findByText('Hyggelig å')
    expect(input().disabled).toBe(true)
    expect(screen.getByRole('status').textContent).toContain('The tutor is answering')
    // The growing reply is not inside the live log: it is announced when complete, not piece by piece.
    expect(within(log()).queryByText(/Hyggelig/)).toBeNull()
    expect(within(log()).getByText('Jeg heter Ali')).toBeTruthy()

    await act(async () => {
      stream.push(sse('delta', { text: 'hilse på deg!' }) + sse('done', { turn: makeTurn({ text: 'Hyggelig å hilse på deg!' }), replayed: false }))
      stream.close()
    })
    expect(await within(log()).findByText('Hyggelig å hilse på deg!')).toBeTruthy()
    await waitFor(() => expect(input().disabled).toBe(false))
    expect(document.activeElement).toBe(input())
    expect(input().value).toBe('')
    expect(turnCalls(calls)).toHaveLength(1)
  })

  it("attaches corrections to the learner's turn and shows the reply's picture, table and word list", async () => {
    const correction = { original: 'jeg ikke snakker', corrected: 'jeg snakker ikke', explanation: 'In a main clause, "ikke" comes after the verb.' }
    routes({
      'POST /api/v1/sessions/default/turns': () =>
        replyStream(
          sse('turn', { turn: learnerTurn('jeg ikke snakker norsk', { corrections: [correction] }) }) +
            sse('correction', { correction }) +
            sse('delta', { text: 'Se på bildet.' }) +
            sse('visual', { aid: { kind: 'picture', slug: 'kitchen', title: 'Kjøkkenet en regnværsdag', url: '/api/v1/curriculum/pictures/kitchen.svg' } }) +
            sse('visual', { aid: { kind: 'table', title: 'Fraser', columns: ['Norsk', 'English'], rows: [['Hva heter du?', 'What is your name?']] } }) +
            sse('visual', { aid: { kind: 'word_list', title: 'Ord', items: [{ term: 'et kjøkken', gloss: 'a kitchen' }] } }) +
            sse('done', { turn: makeTurn({ text: 'Se på bildet.' }), replayed: false }),
        ),
    })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')

    await type('jeg ikke snakker norsk')
    fireEvent.submit(input().form!)

    const learner = (await within(log()).findByText('jeg ikke snakker norsk')).closest('li')!
    const corrections = await within(learner).findByRole('region', { name: 'Correction' })
    expect(within(corrections).getByText('jeg ikke snakker').tagName).toBe('DEL')
    expect(within(corrections).getByText('jeg snakker ikke').tagName).toBe('INS')
    expect(within(corrections).getByText(correction.explanation)).toBeTruthy()
    // The same correction came in the stored turn and as an event: shown once.
    expect(within(learner).getAllByText('jeg snakker ikke')).toHaveLength(1)

    const reply = (await within(log()).findByText('Se på bildet.')).closest('li')!
    const picture = within(reply).getByRole('img', { name: 'Kjøkkenet en regnværsdag' })
    expect(picture.getAttribute('src')).toBe('/api/v1/curriculum/pictures/kitchen.svg')
    expect(within(reply).getByRole('table', { name: 'Fraser' })).toBeTruthy()
    expect(within(reply).getByRole('cell', { name: 'What is your name?' })).toBeTruthy()
    expect(within(reply).getByText('et kjøkken')).toBeTruthy()
  })

  it('keeps corrections back until the reply is complete when the learner asked for them at the end of the turn', async () => {
    const correction = { original: 'jeg ikke snakker', corrected: 'jeg snakker ikke', explanation: 'Verb second.' }
    const stream = controlledStream()
    routes({ 'POST /api/v1/sessions/default/turns': () => stream.response }, { me: makeMe({ correctionStyle: 'end_of_turn' }) })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')
    await waitFor(() => expect(fetchMock.mock.calls.length).toBeGreaterThanOrEqual(3))

    await type('jeg ikke snakker norsk')
    fireEvent.keyDown(input(), { key: 'Enter' })
    await act(async () => {
      stream.push(sse('turn', { turn: learnerTurn('jeg ikke snakker norsk') }) + sse('correction', { correction }) + sse('delta', { text: 'Bra.' }))
    })
    await screen.findByText('Bra.')
    expect(screen.queryByText('jeg snakker ikke')).toBeNull()

    await act(async () => {
      stream.push(sse('done', { turn: makeTurn({ text: 'Bra.' }), replayed: false }))
      stream.close()
    })
    expect(await screen.findByText('jeg snakker ikke')).toBeTruthy()
  })

  it.each([
    ['immediate', true],
    ['end_of_turn', true],
    ['end_of_session', false],
  ] as const)('shows the corrections of earlier turns with the %s correction style: %s', async (style, shown) => {
    const correction = { original: 'jeg ikke snakker', corrected: 'jeg snakker ikke', explanation: 'Verb second.' }
    routes(
      { 'GET /api/v1/sessions/default/turns': () => json({ items: [learnerTurn('jeg ikke snakker norsk', { corrections: [correction] })], nextBefore: null }) },
      { me: makeMe({ correctionStyle: style }) },
    )
    const { client } = renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('jeg ikke snakker norsk')
    await waitFor(() => expect(client.getQueryState(['me'])?.status).toBe('success'))
    expect(screen.queryByText('jeg snakker ikke') !== null).toBe(shown)
  })

  it('moves the header to the next step as soon as the tutor says so', async () => {
    const session = makeSession({ mode: 'lesson', lesson: { lesson: makeLesson(), step: { position: 0, total: 7, tutorPrompt: 'Hva heter du?', pictureSlug: null } } })
    const stream = controlledStream()
    routes({ 'POST /api/v1/sessions/default/turns': () => stream.response }, { session })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Step 1 of 7')

    await type('Jeg heter Ali')
    fireEvent.keyDown(input(), { key: 'Enter' })
    await act(async () => {
      stream.push(sse('turn', { turn: learnerTurn('Jeg heter Ali') }) + sse('delta', { text: 'Hvor kommer du fra?' }) + sse('state', { change: { kind: 'step', lessonId: ids.lesson, position: 1, total: 7 } }))
    })
    expect(await screen.findByText('Step 2 of 7')).toBeTruthy()
    await act(async () => {
      stream.push(sse('done', { turn: makeTurn({ text: 'Hvor kommer du fra?' }), replayed: false }))
      stream.close()
    })
  })

  it('marks the end of a lesson with a completion message and a link to the lessons', async () => {
    const session = makeSession({ mode: 'lesson', lesson: { lesson: makeLesson(), step: { position: 6, total: 7, tutorPrompt: 'Ha det!', pictureSlug: null } } })
    routes(
      {
        'POST /api/v1/sessions/default/turns': () =>
          replyStream(
            sse('turn', { turn: learnerTurn('Ha det bra!') }) +
              sse('delta', { text: 'Ha det! Du er ferdig med leksjonen.' }) +
              sse('state', { change: { kind: 'lesson_complete', lessonId: ids.lesson } }) +
              sse('done', { turn: makeTurn({ text: 'Ha det! Du er ferdig med leksjonen.' }), replayed: false }),
          ),
      },
      { session },
    )
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Step 7 of 7')

    await type('Ha det bra!')
    fireEvent.keyDown(input(), { key: 'Enter' })

    expect(await within(log()).findByText('Lesson complete: Hei! Hva heter du?')).toBeTruthy()
    expect(within(log()).getByRole('link', { name: 'Choose your next lesson' }).getAttribute('href')).toBe('/lessons')
  })

  it('offers to send the turn again after the tutor failed, with the same turn id', async () => {
    let attempt = 0
    const calls = routes({
      'POST /api/v1/sessions/default/turns': () =>
        replyStream(
          ++attempt === 1
            ? sse('turn', { turn: learnerTurn('Hei') }) + sse('error', { code: 'tutor_timeout', message: 'Too slow.', retryable: true, turn: null })
            : sse('turn', { turn: learnerTurn('Hei') }) + sse('delta', { text: 'Hallo!' }) + sse('done', { turn: makeTurn({ text: 'Hallo!' }), replayed: false }),
        ),
    })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')

    await type('Hei')
    fireEvent.keyDown(input(), { key: 'Enter' })

    expect(await screen.findByText(/The tutor took too long to answer/)).toBeTruthy()
    expect(screen.getByRole('status').textContent).toContain('Something went wrong')
    expect(within(log()).getByText('not answered yet')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Send again' }))

    expect(await within(log()).findByText('Hallo!')).toBeTruthy()
    const [first, second] = turnCalls(calls)
    expect((second!.body as { clientTurnId: string }).clientTurnId).toBe((first!.body as { clientTurnId: string }).clientTurnId)
    expect(within(log()).getAllByText('Hei')).toHaveLength(1)
    expect(screen.queryByText(/took too long/)).toBeNull()
  })

  it('reconnects after the network drops, and offers a retry once it gives up', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const calls = routes({ 'POST /api/v1/sessions/default/turns': () => Promise.reject(new TypeError('Failed to fetch')) })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')

    await type('Hei')
    fireEvent.keyDown(input(), { key: 'Enter' })
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Reconnecting'))
    await act(async () => {
      await vi.advanceTimersByTimeAsync(5_000)
    })

    expect(await screen.findByText(/The connection to the tutor was lost/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Send again' })).toBeTruthy()
    expect(new Set(turnCalls(calls).map((call) => (call.body as { clientTurnId: string }).clientTurnId)).size).toBe(1)
    expect(input().disabled).toBe(false)
  })

  it('puts a refused turn back in the input with the reason', async () => {
    routes({
      'POST /api/v1/sessions/default/turns': () => problem(400, 'Invalid body', [{ path: 'body.text', message: 'A turn can be at most 2000 characters; this one has 2400.' }]),
    })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')

    await type('Veldig lang tekst')
    fireEvent.keyDown(input(), { key: 'Enter' })

    expect(await screen.findByText('A turn can be at most 2000 characters; this one has 2400.')).toBeTruthy()
    expect(input().value).toBe('Veldig lang tekst')
    expect(input().getAttribute('aria-invalid')).toBe('true')
    expect(within(log()).queryByText('Veldig lang tekst')).toBeNull()
  })
})

describe('talk: ending', () => {
  it('ends the sitting and links to its summary in the history', async () => {
    const sitting = endedSitting()
    const calls = routes({ 'POST /api/v1/sessions/default/end': () => json({ ended: true, sitting }) })
    renderWithProviders(<TalkScreen intent={null} />)
    await screen.findByText('Hei, Kari! Velkommen til Avaaz.')

    fireEvent.click(screen.getByRole('button', { name: 'End sitting' }))

    expect(await screen.findByText('Sitting ended.')).toBeTruthy()
    expect(screen.getByText(/Started .*2026.*, 12 minutes\./)).toBeTruthy()
    expect(screen.getByRole('link', { name: 'See the summary' }).getAttribute('href')).toBe(`/history/${sitting.id}`)
    expect(calls.filter((call) => call.path === '/api/v1/sessions/default/end')).toHaveLength(1)
  })
})

function endedSitting() {
  return makeSitting({ summaryStatus: 'pending', endedAt: '2026-03-02T10:12:00.000Z' })
}

describe('talk links', () => {
  it('read a lesson (and step) or a free topic from the address, and nothing else', () => {
    expect(talkIntentFrom({ lesson: 'a1-greetings-and-names', step: '2' })).toEqual({ mode: 'lesson', lesson: 'a1-greetings-and-names', step: 2 })
    expect(talkIntentFrom({ lesson: 'a1-greetings-and-names', step: 'two' })).toEqual({ mode: 'lesson', lesson: 'a1-greetings-and-names' })
    expect(talkIntentFrom({ mode: 'free', topic: 'food' })).toEqual({ mode: 'free', topic: 'food' })
    expect(talkIntentFrom({ mode: 'free', topic: '<script>' })).toEqual({ mode: 'free' })
    expect(talkIntentFrom({ mode: 'exam' })).toBeNull()
    expect(talkIntentFrom({})).toBeNull()
  })
})
