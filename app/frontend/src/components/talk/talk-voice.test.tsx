import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { chunks, FakeVoiceServer, flush, installFakeAudio } from '@/lib/voice/testing'
import { TalkScreen } from './talk-screen'
import { fakeApi, json, makeMe, makeSession, makeTurn, renderWithProviders, replyStream, sse, type Call } from './testing'

// The typed API client keeps the fetch it finds when it is created, so the stand-in goes in first.
const fetchMock = vi.hoisted(() => {
  const mock = vi.fn()
  globalThis.fetch = mock as unknown as typeof fetch
  return mock
})
const router = vi.hoisted(() => ({ replace: vi.fn(), push: vi.fn(), refresh: vi.fn(), back: vi.fn(), prefetch: vi.fn() }))
vi.mock('next/navigation', () => ({ useRouter: () => router, usePathname: () => '/talk', useSearchParams: () => new URLSearchParams() }))

let server: FakeVoiceServer
let audio: ReturnType<typeof installFakeAudio>

function routes(overrides: Record<string, (call: Call) => Response | Promise<Response>> = {}, me = makeMe()) {
  return fakeApi(fetchMock, {
    'GET /api/v1/users/me': () => json(me),
    'GET /api/v1/sessions/default': () => json(makeSession()),
    'GET /api/v1/sessions/default/turns': () => json({ items: [], nextBefore: null }),
    'POST /api/v1/sessions/default/token': (call) => server.tokenResponse(call.body),
    ...overrides,
  })
}

const input = () => screen.getByLabelText('Your answer, in Norwegian') as HTMLTextAreaElement
const log = () => screen.getByRole('log')
const micButton = () => screen.getByRole('button', { name: /voice conversation/ })
const turnPosts = (calls: Call[]) => calls.filter((call) => call.method === 'POST' && call.path === '/api/v1/sessions/default/turns')

async function renderTalk() {
  const view = renderWithProviders(<TalkScreen intent={null} />)
  await screen.findByText('Hei, Kari! Velkommen til Avaaz.')
  return view
}

async function turnVoiceOn() {
  fireEvent.click(screen.getByRole('button', { name: 'Start voice conversation' }))
  await waitFor(() => expect(screen.getByRole('status', { name: '' }).textContent).toContain('Listening'))
}

/** Lets the fake server's messages arrive and React render them. */
async function settle() {
  await act(async () => {
    await flush()
  })
}

beforeEach(() => {
  server = new FakeVoiceServer()
  audio = installFakeAudio()
  vi.stubGlobal(
    'WebSocket',
    class {
      constructor(url: string) {
        return server.createWebSocket(url)
      }
    },
  )
})

afterEach(() => {
  cleanup()
  fetchMock.mockReset()
  audio.restore()
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('talk: voice on and off', () => {
  it('turns voice on with the microphone button: connected, the meter follows the voice, and off again', async () => {
    routes()
    await renderTalk()
    const button = screen.getByRole('button', { name: 'Start voice conversation' })
    expect(button.getAttribute('aria-pressed')).toBe('false')
    expect(document.getElementById(button.getAttribute('aria-describedby')!)!.textContent).toMatch(/Press the microphone/)

    await turnVoiceOn()
    expect(micButton().getAttribute('aria-pressed')).toBe('true')
    expect(micButton().textContent).toBe('Stop voice conversation')
    expect(server.socket.messages[0]).toMatchObject({ type: 'hello', protocol: 1, sampleRate: 16000, speechToText: 'server' })
    expect(document.getElementById(micButton().getAttribute('aria-describedby')!)!.textContent).toMatch(/Speak Norwegian and pause/)

    const meter = screen.getByRole('meter', { name: 'Microphone level' })
    expect(meter.getAttribute('aria-valuenow')).toBe('0')
    act(() => {
      for (const chunk of chunks(0.1, 0.06)) audio.worklet.emit(chunk)
    })
    expect(meter.getAttribute('aria-valuenow')).toBe('67')
    expect(meter.getAttribute('data-audio-sent')).toBe('3')
    act(() => audio.worklet.emit(chunks(0, 0.02)[0]!))
    expect(meter.getAttribute('aria-valuenow')).toBe('0')

    fireEvent.click(micButton())
    expect(micButton().getAttribute('aria-pressed')).toBe('false')
    expect(screen.queryByRole('meter')).toBeNull()
    expect(audio.mediaDevices.tracks[0]!.stopped).toBe(true)
    expect(server.socket.closedByClient).toBe(1000)
    expect(input().disabled).toBe(false)
  })

  it('shows what the learner is saying as it is heard, then both turns as typed ones are shown, with the tutor heard', async () => {
    routes()
    await renderTalk()
    await turnVoiceOn()

    await act(async () => {
      server.socket.push({ type: 'state', agent: 'listening', user: 'speaking' })
      server.socket.push({ type: 'transcript', text: 'Jeg heter', final: false })
      await flush()
    })
    const interim = document.querySelector('[data-interim]') as HTMLElement
    expect(interim.textContent).toBe('You are saying: Jeg heter')
    expect(within(log()).queryByText('Jeg heter')).toBeNull()

    await act(async () => {
      server.hear(server.socket, 'Jeg heter Ali')
      await flush()
    })
    expect(within(log()).getByText('Jeg heter Ali')).toBeTruthy()
    expect(within(log()).getByText('Hyggelig å hilse på deg!')).toBeTruthy()
    expect(document.querySelector('[data-interim]')).toBeNull()
    expect(screen.getByRole('meter').getAttribute('data-audio-received')).toBe('3')
    expect(screen.getByRole('status', { name: '' }).textContent).toContain('The tutor is speaking')
    // The learner's turn shows once, as the stored turn.
    expect(within(log()).getAllByText('Jeg heter Ali')).toHaveLength(1)

    act(() => audio.context.advance(1))
    expect(screen.getByRole('status', { name: '' }).textContent).toContain('Listening')
  })

  it('sends typed turns over the voice connection while it is up (not as a separate request)', async () => {
    const calls = routes()
    await renderTalk()
    await turnVoiceOn()

    fireEvent.change(input(), { target: { value: 'Hvor bor du?' } })
    fireEvent.keyDown(input(), { key: 'Enter' })
    fireEvent.keyDown(input(), { key: 'Enter' })
    await settle()

    expect(within(log()).getByText('Hvor bor du?')).toBeTruthy()
    expect(within(log()).getByText('Hyggelig å hilse på deg!')).toBeTruthy()
    expect(turnPosts(calls)).toHaveLength(0)
    const sent = server.socket.messages.filter((message) => message.type === 'text')
    expect(sent).toEqual([{ type: 'text', clientTurnId: expect.any(String), text: 'Hvor bor du?' }])
    await waitFor(() => expect(input().disabled).toBe(false))
    expect(input().value).toBe('')
  })

  it('stops the tutor when the learner presses stop, and tells the server', async () => {
    routes()
    await renderTalk()
    await turnVoiceOn()
    server.reply = (socket, learner) => {
      socket.push({ type: 'turn', turn: learner })
      socket.push({ type: 'speech', event: 'start', interrupted: false })
      for (let i = 0; i < 20; i++) socket.pushAudio(new Int16Array(480))
    }
    fireEvent.change(input(), { target: { value: 'Fortell en historie' } })
    fireEvent.keyDown(input(), { key: 'Enter' })
    await settle()

    fireEvent.click(screen.getByRole('button', { name: 'Stop the tutor' }))
    expect(server.socket.messages.filter((message) => message.type === 'interrupt')).toHaveLength(1)
    expect(audio.context.queued).toHaveLength(0)
    expect(screen.queryByRole('button', { name: 'Stop the tutor' })).toBeNull()
  })
})

describe('talk: browser speech recognition', () => {
  class FakeRecognition {
    static instances: FakeRecognition[] = []
    lang = ''
    interimResults = false
    continuous = false
    maxAlternatives = 1
    onresult: ((event: unknown) => void) | null = null
    onerror: ((event: { error: string }) => void) | null = null
    onend: (() => void) | null = null
    constructor() {
      FakeRecognition.instances.push(this)
    }
    start() {}
    stop() {}
    abort() {}
  }
  const result = (transcript: string, isFinal: boolean) => Object.assign([{ transcript }], { isFinal })

  beforeEach(() => {
    FakeRecognition.instances = []
    vi.stubGlobal('SpeechRecognition', FakeRecognition)
    // The test browser says it is automated, where recognition is not trusted; this one is a person's.
    Object.defineProperty(navigator, 'webdriver', { value: false, configurable: true })
  })
  afterEach(() => {
    Object.defineProperty(navigator, 'webdriver', { value: true, configurable: true })
  })

  it('shows what the browser hears live, and the turn at once once the learner paused, marked as spoken', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    routes()
    await renderTalk()
    await turnVoiceOn()
    expect(server.socket.messages[0]).toMatchObject({ type: 'hello', speechToText: 'browser' })
    expect(document.getElementById(micButton().getAttribute('aria-describedby')!)!.textContent).toMatch(/your browser recognises your speech/)
    server.reply = (socket, learner) => server.defaultReply(socket, learner, 'Oslo er fin.')

    const recogniser = FakeRecognition.instances[0]!
    act(() => recogniser.onresult!({ resultIndex: 0, results: [result('Jeg bor', false)] }))
    expect((document.querySelector('[data-interim]') as HTMLElement).textContent).toContain('Jeg bor')
    act(() => recogniser.onresult!({ resultIndex: 0, results: [result('Jeg bor i Oslo', true)] }))
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1200)
      await flush()
    })

    const learner = within(log()).getByText('Jeg bor i Oslo').closest('li')!
    expect(within(learner).getByText('spoken')).toBeTruthy()
    expect(within(log()).getByText('Oslo er fin.')).toBeTruthy()
    expect(within(log()).getAllByText('Jeg bor i Oslo')).toHaveLength(1)
    expect(document.querySelector('[data-interim]')).toBeNull()
    expect(server.socket.messages.filter((message) => message.type === 'transcript').at(-1)).toMatchObject({ text: 'Jeg bor i Oslo', final: true })
  })
})

describe('talk: voice problems', () => {
  it('falls back to typing with a message when the microphone is blocked', async () => {
    audio.restore()
    audio = installFakeAudio('NotAllowedError')
    const calls = routes({
      'POST /api/v1/sessions/default/turns': () =>
        replyStream(sse('turn', { turn: makeTurn({ role: 'learner', text: 'Hei' }) }) + sse('delta', { text: 'Hallo!' }) + sse('done', { turn: makeTurn({ text: 'Hallo!' }), replayed: false })),
    })
    await renderTalk()
    fireEvent.click(screen.getByRole('button', { name: 'Start voice conversation' }))

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toMatch(/The microphone is blocked. Allow it in your browser's site settings/)
    expect(micButton().getAttribute('aria-pressed')).toBe('false')
    expect(server.ticketRequests).toEqual([])

    fireEvent.change(input(), { target: { value: 'Hei' } })
    fireEvent.keyDown(input(), { key: 'Enter' })
    expect(await within(log()).findByText('Hallo!')).toBeTruthy()
    expect(turnPosts(calls)).toHaveLength(1)

    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByText(/The microphone is blocked/)).toBeNull()
  })

  it('says so when this server has no voice, without offering to try again', async () => {
    server.tokenStatus = 404
    routes()
    await renderTalk()
    fireEvent.click(screen.getByRole('button', { name: 'Start voice conversation' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toMatch(/Voice conversation is not available on this server/)
    expect(within(alert).queryByRole('button', { name: 'Try voice again' })).toBeNull()
    expect(audio.mediaDevices.tracks[0]!.stopped).toBe(true)
  })

  it('offers to try again when the connection could not be made, and connects on the retry', async () => {
    server.tokenStatus = 503
    routes()
    await renderTalk()
    fireEvent.click(screen.getByRole('button', { name: 'Start voice conversation' }))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toMatch(/not available right now/)

    server.tokenStatus = 200
    fireEvent.click(within(alert).getByRole('button', { name: 'Try voice again' }))
    await waitFor(() => expect(micButton().getAttribute('aria-pressed')).toBe('true'))
    await waitFor(() => expect(screen.getByRole('status', { name: '' }).textContent).toContain('Listening'))
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('shows the reconnection in the status line and gets the reply to a turn sent before the drop, once', async () => {
    routes()
    await renderTalk()
    await turnVoiceOn()
    server.reply = () => undefined
    fireEvent.change(input(), { target: { value: 'Hva heter du?' } })
    fireEvent.keyDown(input(), { key: 'Enter' })
    await settle()

    server.reply = (socket, learner) => server.defaultReply(socket, learner, 'Jeg heter Kari.')
    await act(async () => {
      server.socket.drop(1006)
      await flush()
    })
    expect(screen.getByRole('status', { name: '' }).textContent).toContain('Voice connection lost. Reconnecting')
    await waitFor(() => expect(within(log()).getByText('Jeg heter Kari.')).toBeTruthy(), { timeout: 3000 })
    expect(server.sockets).toHaveLength(2)
    expect(within(log()).getAllByText('Hva heter du?')).toHaveLength(1)
    expect(server.stored.filter((turn) => turn.role === 'learner')).toHaveLength(1)
  })

  it('offers to say it again when the tutor could not answer a spoken turn', async () => {
    routes()
    await renderTalk()
    await turnVoiceOn()
    server.reply = (socket, learner) => {
      socket.push({ type: 'turn', turn: learner })
      socket.push({ type: 'error', code: 'tutor_unavailable', message: 'The tutor could not answer.', fatal: false })
    }
    await act(async () => {
      server.hear(server.socket, 'Jeg er trøtt')
      await flush()
    })
    expect(screen.getByText(/The tutor could not answer just now/)).toBeTruthy()
    expect(within(log()).getByText('not answered yet')).toBeTruthy()

    server.reply = (socket, learner) => server.defaultReply(socket, learner, 'Da må du sove!')
    fireEvent.click(screen.getByRole('button', { name: 'Send again' }))
    await settle()
    expect(within(log()).getByText('Da må du sove!')).toBeTruthy()
    expect(within(log()).getAllByText('Jeg er trøtt')).toHaveLength(1)
    expect(server.stored.filter((turn) => turn.role === 'learner')).toHaveLength(1)
  })
})

describe('talk: voice off mid-reply', () => {
  it('leaves a turn whose reply had not come yet with an offer to send it again, which goes over the turn stream', async () => {
    const calls = routes({
      'POST /api/v1/sessions/default/turns': () =>
        replyStream(sse('turn', { turn: makeTurn({ role: 'learner', text: 'Hei igjen' }) }) + sse('delta', { text: 'Hallo!' }) + sse('done', { turn: makeTurn({ text: 'Hallo!' }), replayed: false })),
    })
    await renderTalk()
    await turnVoiceOn()
    server.reply = () => undefined
    fireEvent.change(input(), { target: { value: 'Hei igjen' } })
    fireEvent.keyDown(input(), { key: 'Enter' })
    await settle()
    expect(input().disabled).toBe(true)

    fireEvent.click(micButton())
    expect(await screen.findByText(/The connection to the tutor was lost/)).toBeTruthy()
    expect(input().disabled).toBe(false)
    const sentId = (server.socket.messages.find((message) => message.type === 'text') as { clientTurnId: string }).clientTurnId

    fireEvent.click(screen.getByRole('button', { name: 'Send again' }))
    expect(await within(log()).findByText('Hallo!')).toBeTruthy()
    expect(turnPosts(calls).map((call) => (call.body as { clientTurnId: string }).clientTurnId)).toEqual([sentId])
  })
})

describe('talk: voice details', () => {
  it('shows the reply latency to admins only', async () => {
    routes({}, { ...makeMe(), role: 'admin' })
    await renderTalk()
    await turnVoiceOn()
    await act(async () => {
      server.hear(server.socket, 'Hei')
      await flush()
    })
    expect(screen.getByText('Voice details')).toBeTruthy()
    expect(screen.getByText(/Last reply: 420 ms/)).toBeTruthy()
  })

  it('does not show latency to learners', async () => {
    routes()
    await renderTalk()
    await turnVoiceOn()
    await act(async () => {
      server.hear(server.socket, 'Hei')
      await flush()
    })
    expect(screen.queryByText('Voice details')).toBeNull()
    expect(screen.queryByText(/420 ms/)).toBeNull()
  })
})
