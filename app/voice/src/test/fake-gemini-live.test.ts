import type { llm, metrics as agentMetrics } from '@livekit/agents'
import * as google from '@livekit/agents-plugin-google'
import { AudioFrame } from '@livekit/rtc-node'
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { WebSocket } from 'ws'
import { ensureAgentsLogger } from '../logger.js'
import { rms } from './audio.js'
import { FakeGeminiLive, messageKind, toneForWords } from './fake-gemini-live.js'

const MODEL = 'gemini-2.5-flash-native-audio-preview-12-2025'
const INSTRUCTIONS = 'Du er en vennlig norsklærer. Snakk enkelt.'
/** The plugin sends 16 kHz mono in 50 ms messages; at 16 kHz it needs no resampler (rtc-node's keeps the process alive). */
const RATE = 16_000
const FRAME = 800

type RealtimeSession = ReturnType<google.realtime.RealtimeModel['session']>
type RealtimeModelMetrics = agentMetrics.RealtimeModelMetrics

interface Heard {
  text: string
  frames: AudioFrame[]
}

/** Everything one generation says: its text pieces joined and its audio frames. */
async function hear(generation: llm.GenerationCreatedEvent, onFrame?: (frame: AudioFrame) => void): Promise<Heard> {
  const heard: Heard = { text: '', frames: [] }
  for await (const message of generation.messageStream) {
    await Promise.all([
      (async () => {
        for await (const piece of message.textStream) heard.text += typeof piece === 'string' ? piece : piece.text
      })(),
      (async () => {
        for await (const frame of message.audioStream) {
          heard.frames.push(frame)
          onFrame?.(frame)
        }
      })(),
    ])
  }
  return heard
}

function samplesOf(frames: AudioFrame[]): Int16Array {
  return Int16Array.from(frames.flatMap((frame) => Array.from(frame.data)))
}

/** A 300 Hz tone at 16 kHz, as `count` 50 ms frames. */
function speech(count: number): AudioFrame[] {
  return Array.from({ length: count }, (_, frame) => {
    const data = new Int16Array(FRAME)
    for (let index = 0; index < FRAME; index++) data[index] = Math.round(6000 * Math.sin((2 * Math.PI * 300 * (frame * FRAME + index)) / RATE))
    return new AudioFrame(data, RATE, 1, FRAME)
  })
}

/** The next `name` event that matches, or a rejection after `timeoutMs`. */
function nextEvent<T>(session: RealtimeSession, name: string, match: (event: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const listener = (event: T) => {
      if (!match(event)) return
      clearTimeout(timer)
      session.off(name, listener)
      resolve(event)
    }
    const timer = setTimeout(() => {
      session.off(name, listener)
      reject(new Error(`no ${name} event in ${timeoutMs} ms`))
    }, timeoutMs)
    session.on(name, listener)
  })
}

describe('FakeGeminiLive with LiveKit’s Google realtime model', () => {
  let fake: FakeGeminiLive
  let sessions: RealtimeSession[] = []
  let errors: llm.RealtimeModelError[] = []

  beforeAll(() => ensureAgentsLogger())

  beforeEach(async () => {
    fake = await FakeGeminiLive.start()
  })

  afterEach(async () => {
    await Promise.all(sessions.map((session) => session.close()))
    // Let the sessions' close handshakes finish: a socket cut by the fake's close is reported as an error.
    await fake.waitFor(() => fake.connections.every((connection) => connection.closed), 2_000, 'closed connections')
    sessions = []
    errors = []
    vi.unstubAllEnvs()
    await fake.close()
  })

  function model(options: Partial<ConstructorParameters<typeof google.realtime.RealtimeModel>[0]> = {}) {
    return new google.realtime.RealtimeModel({
      apiKey: 'test-key',
      model: MODEL,
      voice: 'Puck',
      httpOptions: { baseUrl: fake.baseUrl },
      realtimeInputConfig: { automaticActivityDetection: { disabled: true } },
      ...options,
    })
  }

  /** A session with the tutor's instructions, as AgentSession opens one; errors are collected (the plugin emits 'error' and would throw with no listener). */
  async function open(options: Parameters<typeof model>[0] = {}): Promise<RealtimeSession> {
    const session = model(options).session()
    sessions.push(session)
    const collected = errors
    session.on('error', (error: llm.RealtimeModelError) => collected.push(error))
    await session.updateInstructions(INSTRUCTIONS)
    return session
  }

  /** The user's spoken turn, as AgentSession drives it with the model's activity detection off. */
  async function speak(session: RealtimeSession, frames: AudioFrame[]): Promise<llm.GenerationCreatedEvent> {
    session.startUserActivity()
    for (const frame of frames) session.pushAudio(frame)
    await session.commitAudio()
    return session.generateReply()
  }

  it('answers a spoken turn: the user transcript, then the reply as text and 24 kHz audio', async () => {
    const session = await open()
    const transcribed = nextEvent<llm.InputTranscriptionCompleted>(session, 'input_audio_transcription_completed', (event) => event.isFinal)
    const metrics = nextEvent<RealtimeModelMetrics>(session, 'metrics_collected')
    const heard = await hear(await speak(session, speech(20)))

    expect(heard.text).toBe('Hei! Hyggelig å møte deg.')
    expect(heard.frames.length).toBeGreaterThan(0)
    for (const frame of heard.frames) expect([frame.sampleRate, frame.channels]).toEqual([24_000, 1])
    expect(samplesOf(heard.frames).length).toBe(toneForWords(heard.text).length)
    expect(rms(samplesOf(heard.frames))).toBeGreaterThan(4_000)
    expect((await transcribed).transcript).toBe('Hei, jeg heter Kari.')

    // One second at 16 kHz went up, all of it inside the activity.
    expect(fake.inputAudioSamples).toBe(20 * FRAME)
    expect(fake.audioTurns).toHaveLength(1)
    expect(fake.audioTurns[0]).toMatchObject({ sampleRate: 16_000, samplesOutsideActivity: 0 })
    expect(fake.audioTurns[0]!.samples.length).toBe(20 * FRAME)
    const connection = fake.connections.at(-1)!
    const kinds = connection.messages.map(messageKind)
    expect(kinds).toEqual(['setup', 'activityStart', ...Array<string>(20).fill('audio'), 'activityEnd', 'clientContent(turnComplete)'])
    expect(connection.messages.find((message) => message.realtimeInput?.audio)?.realtimeInput?.audio?.mimeType).toBe('audio/pcm')
    // generateReply's "." user turn (kept for 2.5 models) comes with turnComplete.
    expect(connection.messages.at(-1)).toEqual({ clientContent: { turns: [{ role: 'user', parts: [{ text: '.' }] }], turnComplete: true } })
    const sent = connection.sent.map((message) => Object.keys(message.serverContent ?? message).join(','))
    expect(sent.slice(0, 5)).toEqual(['setupComplete', 'inputTranscription', 'inputTranscription', 'inputTranscription', 'inputTranscription'])
    expect(sent.slice(-3)).toEqual(['generationComplete', 'turnComplete', 'sessionResumptionUpdate'])
    // usageMetadata comes with turnComplete; the plugin turns it into its metrics.
    expect(connection.sent.at(-2)?.usageMetadata?.responseTokensDetails).toEqual([{ modality: 'AUDIO', tokenCount: 10 }])
    expect(await metrics).toMatchObject({ type: 'realtime_model_metrics', outputTokens: 10, outputTokenDetails: { audioTokens: 10 }, inputTokenDetails: { audioTokens: 32 } })
  })

  it('is set up with the model, voice, instructions and key, on the URL genai builds', async () => {
    const session = await open()
    await hear(await speak(session, speech(4)))

    const connection = fake.connections.at(-1)!
    expect(connection.url).toBe('//ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=test-key')
    expect(connection.apiKey).toBe('test-key')
    expect(connection.headers['x-goog-api-client']).toMatch(/^google-genai-sdk\/2\.\d+\.\d+ gl-node\//)
    expect(connection.headers['x-goog-api-key']).toBeUndefined()
    expect(connection.setup).toEqual({
      model: `models/${MODEL}`,
      generationConfig: { responseModalities: ['AUDIO'], speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } } } },
      systemInstruction: { parts: [{ text: INSTRUCTIONS }] },
      realtimeInputConfig: { automaticActivityDetection: { disabled: true } },
      inputAudioTranscription: {},
      outputAudioTranscription: {},
      sessionResumption: {},
    })
    expect(fake.replies[0]!.context.instructions).toBe(INSTRUCTIONS)
  })

  it('answers typed text: a user turn in clientContent, then turnComplete', async () => {
    const session = await open()
    fake.reply = ({ input }) => (input.some((turn) => turn.text === 'Hva heter du?') ? 'Jeg heter Gemini.' : 'Hæ?')
    const chatCtx = session.chatCtx.copy()
    chatCtx.addMessage({ role: 'user', content: 'Hva heter du?' })
    await session.updateChatCtx(chatCtx)
    const transcripts: llm.InputTranscriptionCompleted[] = []
    session.on('input_audio_transcription_completed', (event: llm.InputTranscriptionCompleted) => transcripts.push(event))

    const heard = await hear(await session.generateReply())

    expect(heard.text).toBe('Jeg heter Gemini.')
    expect(rms(samplesOf(heard.frames))).toBeGreaterThan(4_000)
    expect(transcripts).toEqual([])
    expect(fake.inputAudioSamples).toBe(0)
    const contents = fake.connections.at(-1)!.messages.flatMap((message) => (message.clientContent ? [message.clientContent] : []))
    expect(contents).toEqual([
      { turns: [{ role: 'user', parts: [{ text: 'Hva heter du?' }] }], turnComplete: false },
      { turns: [{ role: 'user', parts: [{ text: '.' }] }], turnComplete: true },
    ])
  })

  it('gives the reply the conversation so far', async () => {
    const session = await open()
    fake.transcribe = (_samples, index) => ['Jeg heter Kari.', 'Hva heter du?'][index] ?? ''
    await hear(await speak(session, speech(4)))
    fake.reply = ({ history }) => `Du sa ${history.filter((turn) => turn.source === 'audio').length} ting.`
    const heard = await hear(await speak(session, speech(4)))

    expect(heard.text).toBe('Du sa 2 ting.')
    const { history, input } = fake.replies[1]!.context
    expect(history.map(({ role, text, source }) => [role, source, text])).toEqual([
      ['user', 'audio', 'Jeg heter Kari.'],
      ['user', 'text', '.'],
      ['model', 'reply', 'Hei! Hyggelig å møte deg.'],
      ['user', 'audio', 'Hva heter du?'],
      ['user', 'text', '.'],
    ])
    expect(input.map((turn) => turn.text)).toEqual(['Hva heter du?', '.'])
  })

  it('stops the reply when the user barges in (interrupted, then turnComplete), and answers the next turn', async () => {
    const session = await open()
    fake.chunkIntervalMs = 10
    fake.reply = () => 'Dette er et ganske langt svar som tar tid å si ferdig for eleven som lytter.'
    const speechStarted = nextEvent(session, 'input_speech_started')
    let bargedIn = false
    const heard = await hear(await speak(session, speech(4)), () => {
      if (bargedIn) return
      bargedIn = true
      // What AgentSession does when its VAD hears the user over the agent.
      session.startUserActivity()
      void session.interrupt()
    })

    await speechStarted
    await fake.waitFor(() => fake.replies[0]?.interrupted === true, 5_000, 'interrupted reply')
    const reply = fake.replies[0]!
    expect(reply.audioSamples).toBeLessThan(toneForWords(reply.text).length)
    expect(heard.text.length).toBeLessThan(reply.text.length)
    const sent = fake.connections.at(-1)!.sent.map((message) => Object.keys(message.serverContent ?? message).join(','))
    expect(sent.slice(sent.indexOf('interrupted'))).toEqual(['interrupted', 'turnComplete', 'sessionResumptionUpdate'])
    expect(sent).not.toContain('generationComplete')

    fake.chunkIntervalMs = 0
    fake.reply = () => 'Ja?'
    for (const frame of speech(4)) session.pushAudio(frame)
    const next = await hear(await session.generateReply())
    expect(next.text).toBe('Ja?')
    expect(next.frames.length).toBeGreaterThan(0)
    expect(errors).toEqual([])
  })

  it('reports a 1011 close mid-reply as an error, and ends the reply instead of hanging', async () => {
    const session = await open()
    fake.failNextResponse = 'error'
    const failed = nextEvent<llm.RealtimeModelError>(session, 'error')
    const heard = await hear(await speak(session, speech(4)))

    const { error, recoverable } = await failed
    expect(error.message).toBe('Internal error encountered.')
    expect((error as Error & { statusCode?: number }).statusCode).toBe(1011)
    expect(recoverable).toBe(false)
    expect(heard.frames.length).toBe(1)
    expect(fake.connections.at(-1)!.closed).toEqual({ code: 1011, reason: 'Internal error encountered.', by: 'server' })
    expect(fake.failNextResponse).toBeUndefined()
  })

  it('reports a dropped connection (1006, no close frame) mid-reply as an error', async () => {
    const session = await open()
    fake.failNextResponse = 'close'
    const failed = nextEvent<llm.RealtimeModelError>(session, 'error')
    const heard = await hear(await speak(session, speech(4)))

    expect((await failed).error.message).toBe('WebSocket closed with code 1006')
    expect(heard.frames.length).toBe(1)
  })

  it('rejects a connection without a key as Google does: 1007 for genai’s "undefined", 1008 for none', async () => {
    vi.stubEnv('GOOGLE_API_KEY', undefined)
    vi.stubEnv('GEMINI_API_KEY', undefined)
    const session = await open({ apiKey: undefined })
    const { error, recoverable } = await nextEvent<llm.RealtimeModelError>(session, 'error')
    expect([error.message, recoverable]).toEqual(['API key not valid. Please pass a valid API key.', false])
    expect(fake.connections[0]!.url).toMatch(/\?key=undefined$/)
    expect(fake.connections[0]!.closed).toMatchObject({ code: 1007, by: 'server' })

    const raw = new WebSocket(`${fake.baseUrl.replace('http', 'ws')}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent`)
    const [code, reason] = await new Promise<[number, string]>((resolve) => raw.on('close', (closeCode, closeReason) => resolve([closeCode, closeReason.toString()])))
    expect(code).toBe(1008)
    expect(reason).toMatch(/^Method doesn't allow unregistered callers/)
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123)
  })

  it('reconnects on goAway with the resumption handle it was given, and the conversation goes on', async () => {
    const session = await open()
    await hear(await speak(session, speech(4)))
    const handle = fake.connections.at(-1)!.sent.findLast((message) => message.sessionResumptionUpdate)!.sessionResumptionUpdate!.newHandle
    const before = fake.connections.length

    fake.sendGoAway('5s')
    await fake.waitFor(() => fake.connections.length > before && fake.connections.at(-1)!.setup !== undefined, 5_000, 'second connection')
    const resumed = fake.connections.at(-1)!
    expect(resumed.setup?.sessionResumption).toEqual({ handle })
    expect(resumed.resumedFrom).toBe(handle)

    fake.reply = ({ history }) => `Vi har snakket ${history.filter((turn) => turn.role === 'model').length} ganger.`
    const heard = await hear(await speak(session, speech(4)))
    expect(heard.text).toBe('Vi har snakket 2 ganger.')
    // The plugin sends its chat context again on every connection, resumed or not, so a resumed
    // session holds the first exchange twice.
    expect(resumed.messages[1]).toEqual({
      clientContent: {
        turns: [
          { role: 'user', parts: [{ text: 'Hei, jeg heter Kari.' }] },
          { role: 'model', parts: [{ text: 'Hei! Hyggelig å møte deg.' }] },
        ],
        turnComplete: false,
      },
    })
    expect(errors).toEqual([])
  })
})
