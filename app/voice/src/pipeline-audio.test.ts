import { voice } from '@livekit/agents'
import { afterEach, describe, expect, it } from 'vitest'
import { createVoicePipeline, type VoicePipelineSession } from './pipeline.js'
import { Microphone, norwegianSpeech, rms, voicedEnd } from './test/audio.js'
import { FakeOpenAI } from './test/fake-openai.js'
import { EventLog, FakeTutor, baseOptions } from './test/harness.js'

const SAID = 'Hei, jeg heter Ola og jeg bor i Oslo.'

describe('voice pipeline: speech in, speech out', () => {
  const cleanups: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  it('segments real speech with the VAD, transcribes it over the OpenAI protocol, and speaks the reply with its latency', async () => {
    const server = new FakeOpenAI()
    const baseURL = await server.listen()
    cleanups.push(() => server.close())
    server.transcribe = () => ({
      text: SAID,
      words: [
        { word: 'Hei', start: 0.5, end: 0.8 },
        { word: 'jeg', start: 0.9, end: 1.0 },
      ],
    })
    const tutor = new FakeTutor(() => [
      { type: 'meta', payload: { type: 'turn', role: 'learner' } },
      { type: 'text', text: 'Hei Ola! ' },
      { type: 'text', text: 'Hvor lenge har du bodd i Oslo?' },
    ])
    const log = new EventLog()
    const pipeline = (await createVoicePipeline(
      baseOptions(tutor, log, { speechToText: { kind: 'openai', apiKey: 'test-key', model: 'gpt-4o-transcribe', baseURL } }),
    )) as VoicePipelineSession
    cleanups.push(() => pipeline.close())
    const e2eLatency: number[] = []
    pipeline.session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
      if (item.type === 'message' && item.role === 'assistant' && item.metrics.e2eLatency !== undefined) e2eLatency.push(item.metrics.e2eLatency * 1000)
    })

    const speech = norwegianSpeech(SAID, 16_000)
    const mic = new Microphone((frame) => pipeline.pushAudio(frame), 16_000, 20).start()
    cleanups.push(() => mic.stop())
    const spokenUntil = await mic.say(speech)
    await log.waitFor((event) => event.type === 'speech' && event.event === 'end')

    // Speech-to-text got one WAV: the segment the VAD cut out (padding before, silence after).
    expect(server.transcriptions).toHaveLength(1)
    const request = server.transcriptions[0]!
    const voicedMs = (voicedEnd(speech) / 16_000) * 1000
    expect(request).toMatchObject({ authorization: 'Bearer test-key', model: 'gpt-4o-transcribe', language: 'nb', responseFormat: 'json', sampleRate: 16_000, channels: 1 })
    expect(request.durationMs).toBeGreaterThan(voicedMs - 300)
    expect(request.durationMs).toBeLessThan(voicedMs + 1_500)
    expect(rms(request.samples)).toBeGreaterThan(500)

    // The tutor got the learner's turn, timed by the VAD, with word timings from the turn's start.
    expect(tutor.turns).toHaveLength(1)
    const turn = tutor.turns[0]!
    expect(turn).toMatchObject({ text: SAID, source: 'speech_engine' })
    expect(turn.clientTurnId).toMatch(/^speech-[0-9a-f-]{36}$/)
    const speakingMs = turn.endedAt!.getTime() - turn.startedAt!.getTime()
    expect(speakingMs).toBeGreaterThan(voicedMs - 600)
    expect(speakingMs).toBeLessThan(voicedMs + 400)
    expect(turn.words).toHaveLength(2)
    expect(turn.words![0]!.startMs).toBeGreaterThanOrEqual(0)
    expect(turn.words![0]!.startMs).toBeLessThan(600)
    expect(turn.words![1]!.startMs).toBeGreaterThan(turn.words![0]!.startMs)

    // The reply came back as audio: 40 ms frames at 24 kHz, and not silence.
    expect(log.audio.length).toBeGreaterThan(25)
    for (const { frame } of log.audio) expect(frame.length).toBe(960)
    const all = Int16Array.from(log.audio.flatMap(({ frame }) => Array.from(frame)))
    expect(rms(all)).toBeGreaterThan(500)

    // Events in order.
    const types = log.events.map(({ event }) => event)
    const at = (match: (event: (typeof types)[number]) => boolean) => log.index(match)
    const userSpoke = at((event) => event.type === 'state' && event.user === 'speaking')
    const transcript = at((event) => event.type === 'transcript' && event.final && event.text === SAID)
    const thinking = at((event) => event.type === 'state' && event.agent === 'thinking')
    const deltas = log.of('delta').map((event) => event.text).join('')
    const speechStart = at((event) => event.type === 'speech' && event.event === 'start')
    const latency = at((event) => event.type === 'latency')
    const speechEnd = at((event) => event.type === 'speech' && event.event === 'end')
    expect(deltas).toBe('Hei Ola! Hvor lenge har du bodd i Oslo?')
    expect(userSpoke).toBeGreaterThanOrEqual(0)
    expect(userSpoke).toBeLessThan(transcript)
    expect(transcript).toBeLessThan(thinking)
    expect(thinking).toBeLessThan(speechStart)
    expect(speechStart).toBeLessThan(latency)
    expect(latency).toBeLessThan(speechEnd)
    expect(log.of('speech')).toEqual([
      { type: 'speech', event: 'start', interrupted: false, speechId: expect.any(String) },
      { type: 'speech', event: 'end', interrupted: false, speechId: expect.any(String) },
    ])
    // Both name the reply's speech.
    expect(new Set(log.of('speech').map((event) => event.speechId)).size).toBe(1)
    expect(log.of('meta')).toEqual([{ type: 'meta', payload: { type: 'turn', role: 'learner' } }])
    expect(log.of('error')).toEqual([])

    // Latency: from the end of the learner's speech to the first audio frame out — what LiveKit's
    // e2eLatency measures, and what the microphone's own clock says.
    const reported = log.of('latency')[0]!
    expect(reported.clientTurnId).toBe(turn.clientTurnId)
    const firstFrameAt = log.audio[0]!.at
    expect(Math.abs(reported.ms - (firstFrameAt - spokenUntil))).toBeLessThan(200)
    expect(reported.ms).toBeGreaterThan(550)
    // LiveKit adds the reply to its history right after the playout.
    await expect.poll(() => e2eLatency.length).toBe(1)
    expect(Math.abs(reported.ms - e2eLatency[0]!)).toBeLessThan(2)
    await expect.poll(() => tutor.spoken).toEqual([{ clientTurnId: turn.clientTurnId, latencyMs: reported.ms, interrupted: false }])
    console.log(`voice round trip: speech ${Math.round(voicedMs)} ms, STT segment ${Math.round(request.durationMs)} ms, latency ${Math.round(reported.ms)} ms (e2eLatency ${Math.round(e2eLatency[0]!)} ms)`)
  })

  it.each([8_000, 44_100])('takes a microphone at %i Hz (heard at 16 kHz)', async (rate) => {
    const server = new FakeOpenAI()
    const baseURL = await server.listen()
    cleanups.push(() => server.close())
    server.transcribe = () => ({ text: 'Jeg heter Ola Nordmann.' })
    const tutor = new FakeTutor()
    const log = new EventLog()
    const pipeline = await createVoicePipeline(
      baseOptions(tutor, log, { inputSampleRate: rate, speechToText: { kind: 'openai', apiKey: 'k', model: 'gpt-4o-transcribe', baseURL } }),
    )
    cleanups.push(() => pipeline.close())
    const mic = new Microphone((frame) => pipeline.pushAudio(frame), rate, 50).start()
    cleanups.push(() => mic.stop())
    const speech = norwegianSpeech('Jeg heter Ola Nordmann', rate)
    await mic.say(speech)
    await tutor.waitForTurns(1)
    expect(tutor.turns[0]).toMatchObject({ text: 'Jeg heter Ola Nordmann.', source: 'speech_engine' })
    expect(server.transcriptions).toHaveLength(1)
    const request = server.transcriptions[0]!
    expect(request.sampleRate).toBe(16_000)
    expect(request.durationMs).toBeGreaterThan((voicedEnd(speech) / rate) * 1000 - 300)
    expect(rms(request.samples)).toBeGreaterThan(500)
  })

  it("waits out a beginner's pause: two stretches of speech make one turn, with the words of both", async () => {
    const server = new FakeOpenAI()
    const baseURL = await server.listen()
    cleanups.push(() => server.close())
    server.transcribe = (_request, index) =>
      index === 0 ? { text: 'Jeg heter Ola.', words: [{ word: 'Jeg', start: 0.5, end: 0.7 }] } : { text: 'Jeg bor i Oslo.', words: [{ word: 'Jeg', start: 0.5, end: 0.7 }] }
    const tutor = new FakeTutor()
    const log = new EventLog()
    const pipeline = await createVoicePipeline(
      baseOptions(tutor, log, { turnTaking: { endOfTurnSilenceMs: 1_600, allowInterruptions: true }, speechToText: { kind: 'openai', apiKey: 'k', model: 'gpt-4o-transcribe', baseURL } }),
    )
    cleanups.push(() => pipeline.close())
    const mic = new Microphone((frame) => pipeline.pushAudio(frame), 16_000, 20).start()
    cleanups.push(() => mic.stop())
    const first = norwegianSpeech('Jeg heter Ola.')
    const second = norwegianSpeech('Jeg bor i Oslo.')
    // Some silence first, so that both stretches carry the VAD's full 0.5 s of padding before them.
    void mic.say(new Int16Array(16_000))
    void mic.say(first)
    await mic.say(new Int16Array(16_000)) // a second of hesitation
    const endedAt = await mic.say(second)
    await tutor.waitForTurns(1)
    const turnAt = Date.now()
    expect(server.transcriptions).toHaveLength(2)
    expect(tutor.turns).toHaveLength(1)
    const turn = tutor.turns[0]!
    expect(turn.text).toBe('Jeg heter Ola. Jeg bor i Oslo.')
    expect(turnAt - endedAt).toBeGreaterThan(1_450)
    // Word times run from the start of the turn across both stretches (the fake server puts each
    // word 0.5 s into the audio it was sent).
    expect(turn.words!.map((word) => word.word)).toEqual(['Jeg', 'Jeg'])
    const gap = turn.words![1]!.startMs - turn.words![0]!.startMs
    const expected = ((first.length + 16_000) / 16_000) * 1000
    expect(Math.abs(gap - expected)).toBeLessThan(400)
  })
})
