import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { SpeechRecognitionConstructor, SpeechRecognitionLike } from './browser-speech'
import { chunks, FakeAudioContext, FakeVoiceServer, FakeWorkletNode, fakeMediaDevices, flush, storedTurn } from './testing'
import { VoiceSession, type VoiceSessionOptions } from './voice-session'

let clock = 0

function session(server: FakeVoiceServer, options: Partial<VoiceSessionOptions> & { outcome?: Parameters<typeof fakeMediaDevices>[0] } = {}) {
  const mediaDevices = fakeMediaDevices(options.outcome ?? 'grant')
  const contexts: FakeAudioContext[] = []
  const voice = new VoiceSession({
    mediaDevices,
    createAudioContext: () => {
      const context = new FakeAudioContext(48_000)
      contexts.push(context)
      return context as unknown as AudioContext
    },
    Recognition: null,
    now: () => clock,
    connection: { fetch: server.fetch, createWebSocket: server.createWebSocket, baseUrl: 'http://127.0.0.1/talk', backoffMs: () => 1000 },
    ...options,
  })
  const worklet = () => FakeWorkletNode.instances.at(-1)!
  /** Feeds the worklet as the audio thread would, moving the clock 20 ms per chunk. */
  const speak = (value: number, seconds: number) => {
    for (const chunk of chunks(value, seconds)) {
      worklet().emit(chunk)
      clock += 20
    }
  }
  return { voice, mediaDevices, contexts, worklet, speak }
}

beforeEach(() => {
  vi.stubGlobal('AudioWorkletNode', FakeWorkletNode)
  FakeWorkletNode.instances = []
  clock = 0
})
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('voice session: starting', () => {
  it('asks for the microphone with echo cancellation, noise suppression and gain control, loads the worklet, then connects', async () => {
    const server = new FakeVoiceServer()
    const { voice, mediaDevices, contexts } = session(server)
    await voice.start()
    await flush()
    expect(mediaDevices.requests[0]!.audio).toMatchObject({ echoCancellation: true, noiseSuppression: true, autoGainControl: true })
    expect(contexts[0]!.modules).toEqual(['/worklets/mic-capture.js'])
    expect(voice.getSnapshot()).toMatchObject({ active: true, status: 'connected', speechToText: 'server', problem: null })
    expect(server.socket.messages[0]).toMatchObject({ type: 'hello', speechToText: 'server', sampleRate: 16000 })
  })

  it('says the microphone was refused, and never asks for a ticket', async () => {
    const server = new FakeVoiceServer()
    const { voice } = session(server, { outcome: 'NotAllowedError' })
    await voice.start()
    expect(voice.getSnapshot()).toMatchObject({ active: false, problem: { kind: 'mic', reason: 'denied' } })
    expect(server.ticketRequests).toEqual([])
  })

  it.each([
    ['NotFoundError', 'no_microphone'],
    ['NotReadableError', 'in_use'],
  ] as const)('tells %s apart (%s)', async (outcome, reason) => {
    const { voice } = session(new FakeVoiceServer(), { outcome })
    await voice.start()
    expect(voice.getSnapshot().problem).toEqual({ kind: 'mic', reason })
  })

  it('releases the microphone when the connection cannot be made', async () => {
    const server = new FakeVoiceServer()
    server.tokenStatus = 404
    const { voice, mediaDevices } = session(server)
    await voice.start()
    await flush()
    expect(voice.getSnapshot()).toMatchObject({ active: false, status: 'failed', problem: { kind: 'connection', reason: 'unavailable' } })
    expect(mediaDevices.tracks[0]!.stopped).toBe(true)
  })

  it('stops when the microphone is unplugged', async () => {
    const server = new FakeVoiceServer()
    const { voice, mediaDevices } = session(server)
    await voice.start()
    await flush()
    mediaDevices.tracks[0]!.end()
    expect(voice.getSnapshot()).toMatchObject({ active: false, problem: { kind: 'mic', reason: 'device_lost' } })
    expect(server.socket.closedByClient).toBe(1000)
  })
})

describe('voice session: audio', () => {
  it('moves the meter with the input and streams 16 kHz frames to the server', async () => {
    const server = new FakeVoiceServer()
    const { voice, speak } = session(server)
    await voice.start()
    await flush()
    speak(0.1, 0.1)
    // RMS 0.1: −20 dBFS, two thirds of the meter.
    expect(voice.getMeter().level).toBeCloseTo(2 / 3, 5)
    expect(server.socket.frames).toHaveLength(5)
    expect(server.socket.frames.every((frame) => frame.length === 320 && frame[0] === 3277)).toBe(true)
    expect(voice.getMeter().framesSent).toBe(5)
    speak(0, 0.02)
    expect(voice.getMeter()).toMatchObject({ level: 0, peak: expect.closeTo(2 / 3, 5) })
  })

  it("plays the tutor's audio and counts the frames", async () => {
    const server = new FakeVoiceServer()
    const { voice, contexts } = session(server)
    await voice.start()
    await flush()
    expect(voice.sendText('turn-0001', 'Hei')).toBe(true)
    await flush()
    expect(voice.getMeter().framesReceived).toBe(3)
    expect(contexts[0]!.queued).toHaveLength(3)
    expect(voice.getSnapshot()).toMatchObject({ tutorSpeaking: true, latencyMs: 420 })
    contexts[0]!.advance(1)
    expect(voice.getSnapshot().tutorSpeaking).toBe(false)
  })

  it('mutes: no frames, the meter at zero; unmutes again', async () => {
    const server = new FakeVoiceServer()
    const { voice, speak, mediaDevices } = session(server)
    await voice.start()
    await flush()
    voice.mute()
    speak(0.5, 0.1)
    expect(server.socket.frames).toHaveLength(0)
    expect(voice.getMeter().level).toBe(0)
    expect(mediaDevices.tracks[0]!.enabled).toBe(false)
    voice.unmute()
    speak(0.5, 0.04)
    expect(server.socket.frames).toHaveLength(2)
  })
})

describe('voice session: barge-in', () => {
  /** The tutor is speaking: a reply's audio is queued. */
  async function tutorSpeaking(mode: VoiceSessionOptions['mode'] = 'conversation', interruptions = true) {
    const server = new FakeVoiceServer({ ready: { turnTaking: { endOfTurnSilenceMs: 1200, interruptions } } })
    server.reply = (socket, learner) => {
      socket.push({ type: 'turn', turn: learner })
      socket.push({ type: 'speech', event: 'start', interrupted: false })
      for (let i = 0; i < 50; i++) socket.pushAudio(new Int16Array(480))
    }
    const parts = session(server, { mode })
    await parts.voice.start()
    await flush()
    parts.voice.sendText('turn-0002', 'Fortell om Oslo')
    await flush()
    expect(parts.voice.getSnapshot().tutorSpeaking).toBe(true)
    return { server, ...parts }
  }

  it('stops the tutor here at once and tells the server when the learner speaks over it for more than 150 ms', async () => {
    const { voice, server, speak, contexts } = await tutorSpeaking()
    speak(0.5, 0.14)
    expect(server.socket.messages.some((message) => message.type === 'interrupt')).toBe(false)
    speak(0.5, 0.04)
    expect(server.socket.messages.filter((message) => message.type === 'interrupt')).toHaveLength(1)
    expect(voice.getSnapshot().tutorSpeaking).toBe(false)
    expect(contexts[0]!.queued).toHaveLength(0)

    // What was still in flight of the interrupted reply is not played …
    server.socket.pushAudio(new Int16Array(480))
    await flush()
    expect(contexts[0]!.queued).toHaveLength(0)
    // … the next reply is.
    server.socket.push({ type: 'speech', event: 'start', interrupted: false })
    server.socket.pushAudio(new Int16Array(480))
    await flush()
    expect(contexts[0]!.queued).toHaveLength(1)
  })

  it('is not set off by a short noise', async () => {
    const { server, speak } = await tutorSpeaking()
    speak(0.5, 0.1)
    speak(0, 0.02)
    speak(0.5, 0.1)
    expect(server.socket.messages.some((message) => message.type === 'interrupt')).toBe(false)
  })

  it("stops the tutor when the server hears the learner speaking (its voice activity detection)", async () => {
    const { voice, server } = await tutorSpeaking()
    server.socket.push({ type: 'state', agent: 'speaking', user: 'speaking' })
    await flush()
    expect(server.socket.messages.filter((message) => message.type === 'interrupt')).toHaveLength(1)
    expect(voice.getSnapshot().tutorSpeaking).toBe(false)
  })

  it('never cuts the examiner off in a mock exam', async () => {
    const { voice, server, speak } = await tutorSpeaking('exam')
    speak(0.5, 0.5)
    server.socket.push({ type: 'state', agent: 'speaking', user: 'speaking' })
    await flush()
    voice.stopTutor()
    expect(server.socket.messages.some((message) => message.type === 'interrupt')).toBe(false)
    expect(voice.getSnapshot().tutorSpeaking).toBe(true)
  })

  it('does not interrupt when the server says interruptions are off', async () => {
    const { voice, server, speak } = await tutorSpeaking('conversation', false)
    speak(0.5, 0.5)
    expect(server.socket.messages.some((message) => message.type === 'interrupt')).toBe(false)
    expect(voice.getSnapshot().interruptions).toBe(false)
  })
})

describe('voice session: speech to text', () => {
  class FakeRecognition implements SpeechRecognitionLike {
    static instances: FakeRecognition[] = []
    lang = ''
    interimResults = false
    continuous = false
    maxAlternatives = 1
    started = false
    onresult: SpeechRecognitionLike['onresult'] = null
    onerror: SpeechRecognitionLike['onerror'] = null
    onend: SpeechRecognitionLike['onend'] = null
    constructor() {
      FakeRecognition.instances.push(this)
    }
    start() {
      this.started = true
    }
    stop() {}
    abort() {}
    /** The browser's results so far in this recognition session. */
    results(...results: Array<[string, boolean]>) {
      this.onresult?.({ resultIndex: 0, results: results.map(([transcript, isFinal]) => Object.assign([{ transcript }], { isFinal })) })
    }
  }

  beforeEach(() => {
    FakeRecognition.instances = []
  })

  it("uses the browser's recognition where it has one: interim text live, the turn once the learner paused", async () => {
    vi.useFakeTimers()
    const server = new FakeVoiceServer({ ready: { turnTaking: { endOfTurnSilenceMs: 1600, interruptions: true } } })
    const { voice } = session(server, { Recognition: FakeRecognition as unknown as SpeechRecognitionConstructor })
    const said: string[] = []
    voice.on('said', ({ text }) => said.push(text))
    await voice.start()
    await flush()
    expect(server.socket.messages[0]).toMatchObject({ type: 'hello', speechToText: 'browser' })
    const recogniser = FakeRecognition.instances[0]!
    expect(recogniser).toMatchObject({ lang: 'nb-NO', interimResults: true, continuous: true, started: true })
    expect(voice.getSnapshot().speechToText).toBe('browser')

    recogniser.results(['Jeg bor', false])
    expect(voice.getSnapshot().interim).toBe('Jeg bor')
    recogniser.results(['Jeg bor i', true])
    // A hesitant pause shorter than the A1 silence: still the same turn.
    await vi.advanceTimersByTimeAsync(1000)
    recogniser.results(['Jeg bor i', true], [' Oslo', true])
    await vi.advanceTimersByTimeAsync(1599)
    expect(said).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    await flush()
    expect(said).toEqual(['Jeg bor i Oslo'])
    const transcripts = server.socket.messages.filter((message) => message.type === 'transcript')
    expect(transcripts.at(-1)).toMatchObject({ final: true, text: 'Jeg bor i Oslo' })
    expect(new Set(transcripts.map((message) => (message as { clientTurnId: string }).clientTurnId)).size).toBe(1)
    expect(server.stored.filter((turn) => turn.role === 'learner').map((turn) => turn.source)).toEqual(['browser_speech'])
    // The stored turn clears what was shown live.
    expect(voice.getSnapshot().interim).toBe('')
  })

  it("lets the server transcribe when the browser's recognition does not work after all", async () => {
    const server = new FakeVoiceServer()
    const { voice } = session(server, { Recognition: FakeRecognition as unknown as SpeechRecognitionConstructor })
    await voice.start()
    await flush()
    FakeRecognition.instances[0]!.onerror?.({ error: 'network' })
    await flush()
    expect(server.sockets).toHaveLength(2)
    expect(server.sockets[0]!.closedByClient).toBe(1000)
    expect(server.socket.messages[0]).toMatchObject({ type: 'hello', speechToText: 'server' })
    expect(voice.getSnapshot()).toMatchObject({ status: 'connected', speechToText: 'server' })
  })

  it("shows the server's interim transcript and says when nobody can recognise speech", async () => {
    const server = new FakeVoiceServer({ ready: { engines: { speechToText: 'browser', tutor: 'offline', speech: 'espeak' } } })
    const { voice, speak } = session(server)
    await voice.start()
    await flush()
    expect(voice.getSnapshot().speechToText).toBe('none')
    // Audio nobody can recognise is not sent; the meter still moves.
    speak(0.1, 0.1)
    expect(server.socket.frames).toHaveLength(0)
    expect(voice.getMeter().level).toBeGreaterThan(0.5)
    server.socket.push({ type: 'transcript', text: 'Jeg heter', final: false })
    await flush()
    expect(voice.getSnapshot().interim).toBe('Jeg heter')
    server.socket.push({ type: 'turn', turn: storedTurn({ role: 'learner', text: 'Jeg heter Ali', clientTurnId: 'srv-turn-1' }) })
    await flush()
    expect(voice.getSnapshot().interim).toBe('')
  })

  it('leaves the hearing to a realtime model: no browser recognition, the audio streamed', async () => {
    const server = new FakeVoiceServer({ ready: { engines: { speechToText: 'openai-realtime', tutor: 'openai-realtime', speech: 'openai-realtime' } } })
    const { voice, speak } = session(server, { Recognition: FakeRecognition as unknown as SpeechRecognitionConstructor })
    await voice.start()
    await flush()
    expect(voice.getSnapshot()).toMatchObject({ status: 'connected', speechToText: 'server' })
    expect(FakeRecognition.instances.every((instance) => !instance.started)).toBe(true)
    speak(0.1, 0.1)
    expect(server.socket.frames.length).toBeGreaterThan(0)
  })

  it('falls back to the browser\'s recognition when the server, asked to hear, has none for this connection (a lesson beside a realtime model)', async () => {
    const server = new FakeVoiceServer({ ready: { engines: { speechToText: 'browser', tutor: 'offline', speech: 'espeak' } } })
    const { voice } = session(server, { Recognition: FakeRecognition as unknown as SpeechRecognitionConstructor })
    await voice.start({ preferServerSpeechToText: true })
    await flush()
    expect(server.socket.messages[0]).toMatchObject({ speechToText: 'server' })
    expect(voice.getSnapshot().speechToText).toBe('browser')
    expect(FakeRecognition.instances.some((instance) => instance.started)).toBe(true)
  })

  it('prefers the server when asked to (its engine is better)', async () => {
    const server = new FakeVoiceServer()
    const { voice } = session(server, { Recognition: FakeRecognition as unknown as SpeechRecognitionConstructor })
    await voice.start({ preferServerSpeechToText: true })
    await flush()
    expect(server.socket.messages[0]).toMatchObject({ speechToText: 'server' })
    expect(FakeRecognition.instances).toHaveLength(0)
  })
})

describe('voice session: stopping', () => {
  it('stop() releases the microphone, closes the socket and the audio context', async () => {
    const server = new FakeVoiceServer()
    const { voice, mediaDevices, contexts } = session(server)
    await voice.start()
    await flush()
    voice.stop()
    expect(mediaDevices.tracks[0]!.stopped).toBe(true)
    expect(server.socket.closedByClient).toBe(1000)
    expect(contexts[0]!.closed).toBe(true)
    expect(voice.getSnapshot()).toMatchObject({ active: false, status: 'idle', problem: null })
  })

  it('stop() while the permission prompt is open leaves nothing running', async () => {
    const server = new FakeVoiceServer()
    const { voice, mediaDevices } = session(server)
    const starting = voice.start()
    voice.stop()
    await starting
    await flush()
    expect(mediaDevices.tracks.every((track) => track.stopped)).toBe(true)
    expect(server.ticketRequests).toEqual([])
    expect(voice.getSnapshot().active).toBe(false)
  })
})
