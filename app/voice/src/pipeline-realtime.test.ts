import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createVoicePipeline } from './pipeline.js'
import { Microphone, norwegianSpeech, rms, voicedEnd } from './test/audio.js'
import { FakeGeminiLive } from './test/fake-gemini-live.js'
import { FakeOpenAIRealtime, REALTIME_SAMPLE_RATE } from './test/fake-openai-realtime.js'
import { EventLog, FakeTutor, baseOptions } from './test/harness.js'
import type { RealtimeTutor, VoicePipeline } from './types.js'

const INSTRUCTIONS = 'Du er Avaaz, en tålmodig lærer i norsk. Snakk enkelt (A2).'

describe('voice pipeline with OpenAI Realtime (a local server speaking its protocol)', () => {
  let fake: FakeOpenAIRealtime
  const open: VoicePipeline[] = []
  beforeAll(async () => {
    fake = await FakeOpenAIRealtime.start({ apiKey: 'sk-realtime-test' })
  })
  afterEach(async () => {
    for (const pipeline of open.splice(0)) await pipeline.close()
  })
  afterAll(async () => {
    await fake.close()
  })

  async function start(tutor: FakeTutor, log: EventLog, realtime: Partial<RealtimeTutor> = {}): Promise<VoicePipeline> {
    const pipeline = await createVoicePipeline(
      baseOptions(tutor, log, {
        realtime: {
          model: { provider: 'openai', apiKey: 'sk-realtime-test', model: 'gpt-realtime', voice: 'marin', baseURL: fake.baseURL },
          instructions: INSTRUCTIONS,
          history: [
            { role: 'tutor', text: 'Hei! Hva heter du?' },
            { role: 'learner', text: 'Jeg heter Ola.' },
          ],
          ...realtime,
        },
      }),
    )
    open.push(pipeline)
    return pipeline
  }

  it('hears the learner with our VAD, lets the model answer aloud, and stores the exchange with the model\'s transcript', async () => {
    const connectionsBefore = fake.connections
    const tutor = new FakeTutor()
    const log = new EventLog()
    fake.transcribe = () => 'Jeg bor i Bergen.'
    fake.reply = () => 'Så fint! Bergen er en vakker by.'
    const pipeline = await start(tutor, log)
    const microphone = new Microphone((frame) => pipeline.pushAudio(frame)).start()
    try {
      const appendedBefore = fake.audioAppended()
      const speech = norwegianSpeech('Jeg bor i Bergen.')
      const spokeUntil = await microphone.say(speech)
      await log.waitFor((event) => event.type === 'speech' && event.event === 'end', 20_000)
      await expect.poll(() => tutor.exchanges.length, { timeout: 10_000 }).toBe(1)
      expect(fake.connections).toBe(connectionsBefore + 1)

      // The model got the tutor's instructions and the conversation so far, and our turn-taking: its own is off.
      const session = fake.sessionUpdates.map((update) => update as Record<string, unknown>)
      expect(session.some((update) => update.instructions === INSTRUCTIONS)).toBe(true)
      expect(JSON.stringify(session)).toContain('"turn_detection":null')
      const created = fake.eventsOf('conversation.item.create').map((event) => JSON.stringify(event.item))
      expect(created.some((item) => item.includes('Jeg heter Ola.'))).toBe(true)
      expect(created.some((item) => item.includes('Hva heter du?'))).toBe(true)
      // Audio reaches it at 24 kHz (the pipeline hears at 16 kHz): the speech's length, not 2/3 of it.
      const appendedSeconds = (fake.audioAppended() - appendedBefore) / REALTIME_SAMPLE_RATE
      expect(appendedSeconds).toBeGreaterThan((speech.length / 16_000) * 0.9)
      expect(fake.eventsOf('input_audio_buffer.commit').length).toBeGreaterThanOrEqual(1)

      // The reply was spoken (non-zero level), shown as it came, and its latency measured from the end of speech.
      expect(rms(Int16Array.from(log.audio.flatMap(({ frame }) => Array.from(frame))))).toBeGreaterThan(500)
      expect(log.of('delta').map((event) => event.text).join('')).toBe('Så fint! Bergen er en vakker by.')
      expect(log.of('transcript').filter((event) => event.final).map((event) => event.text)).toEqual(['Jeg bor i Bergen.'])
      const [exchange] = tutor.exchanges
      expect(exchange).toMatchObject({
        learner: { text: 'Jeg bor i Bergen.', source: 'speech_engine' },
        reply: { text: 'Så fint! Bergen er en vakker by.', interrupted: false },
        model: 'openai:gpt-realtime',
      })
      expect(exchange!.learner!.endedAt!.getTime()).toBeGreaterThan(exchange!.learner!.startedAt!.getTime())
      expect(Math.abs(exchange!.learner!.endedAt!.getTime() - spokeUntil)).toBeLessThan(800)
      const latency = log.of('latency')
      expect(latency).toHaveLength(1)
      expect(latency[0]!.clientTurnId).toBe(exchange!.learner!.clientTurnId)
      expect(exchange!.reply.latencyMs).toBe(latency[0]!.ms)
      // The stored turns the bridge returned are shown, after the reply.
      await expect.poll(() => log.of('meta').map((event) => (event.payload.turn as { id: string }).id)).toEqual(['learner-1', 'tutor-1'])
      // The realtime model never goes through the turn-by-turn tutor.
      expect(tutor.turns).toEqual([])
    } finally {
      microphone.stop()
    }
  })

  it('takes a turn with a pause in it as one turn, timed from its first word', async () => {
    const tutor = new FakeTutor()
    const log = new EventLog()
    fake.transcribe = () => 'Jeg bor i Bergen.'
    fake.reply = () => 'Fint!'
    const pipeline = await start(tutor, log, { history: [] })
    const microphone = new Microphone((frame) => pipeline.pushAudio(frame)).start()
    try {
      // The words alone (espeak-ng pads its speech with silence), so the pause is exactly the one below.
      const first = voiced(norwegianSpeech('Jeg bor'))
      const second = voiced(norwegianSpeech('i Bergen.'))
      // 450 ms of silence: past the VAD's 350 ms (a stretch ends), short of the turn's 600 ms.
      const spoken = Int16Array.from([...first, ...new Int16Array(16_000 * 0.45), ...second])
      const commitsBefore = fake.eventsOf('input_audio_buffer.commit').length
      const startedAt = Date.now()
      await microphone.say(spoken)
      await expect.poll(() => tutor.exchanges.length, { timeout: 15_000 }).toBe(1)
      const learner = tutor.exchanges[0]!.learner!
      expect(fake.eventsOf('input_audio_buffer.commit').length - commitsBefore).toBe(1)
      // From the first word (the VAD is sure of speech a little after it begins), not from "i Bergen".
      expect(learner.startedAt!.getTime() - startedAt).toBeLessThan(500)
      expect(learner.endedAt!.getTime() - learner.startedAt!.getTime()).toBeGreaterThan(((first.length + second.length) / 16_000) * 1000 * 0.8)
    } finally {
      microphone.stop()
    }
  })

  it('answers a typed turn aloud and stores it under its own id', async () => {
    const tutor = new FakeTutor()
    const log = new EventLog()
    fake.reply = (context) => (context.conversation.some((item) => item.text.includes('Hvor er toget?')) ? 'Toget står på spor to.' : 'Hva mener du?')
    const pipeline = await start(tutor, log, { history: [] })
    pipeline.sendText({ clientTurnId: 'typed-realtime-1', text: 'Hvor er toget?' })
    await expect.poll(() => tutor.exchanges.length, { timeout: 15_000 }).toBe(1)
    expect(tutor.exchanges[0]).toMatchObject({
      learner: { clientTurnId: 'typed-realtime-1', text: 'Hvor er toget?', source: 'typed' },
      reply: { text: 'Toget står på spor to.', interrupted: false },
    })
    expect(tutor.exchanges[0]!.reply.latencyMs).toBeGreaterThanOrEqual(0)
    expect(log.audio.length).toBeGreaterThan(0)
  })

  it('tells the learner when the model fails mid-reply, and goes on with the next turn', async () => {
    const tutor = new FakeTutor()
    const log = new EventLog()
    fake.reply = () => 'Et langt svar som blir avbrutt av en feil hos tjenesten.'
    const pipeline = await start(tutor, log, { history: [] })
    fake.failNextResponse = 'failed'
    pipeline.sendText({ clientTurnId: 'typed-realtime-2', text: 'Hei.' })
    await log.waitFor((event) => event.type === 'error', 15_000)
    expect(log.of('error')[0]).toMatchObject({ code: 'tutor_unavailable' })

    fake.reply = () => 'Nå virker det igjen.'
    pipeline.sendText({ clientTurnId: 'typed-realtime-3', text: 'Hei igjen.' })
    await expect.poll(() => tutor.exchanges.find((exchange) => exchange.learner?.clientTurnId === 'typed-realtime-3')?.reply.text, { timeout: 15_000 }).toBe(
      'Nå virker det igjen.',
    )
  })

  it('does not bring the process down when the key is refused: the learner is told', async () => {
    const tutor = new FakeTutor()
    const log = new EventLog()
    await start(tutor, log, { model: { provider: 'openai', apiKey: 'sk-wrong', model: 'gpt-realtime', voice: 'marin', baseURL: fake.baseURL } })
    await log.waitFor((event) => event.type === 'error', 10_000, true)
    expect(fake.requests.at(-1)!.status).toBe(401)
    // The connection cannot come back by itself: the host is told to end it.
    expect(log.of('error')[0]).toMatchObject({ code: 'tutor_unavailable', fatal: true })
  })
})

describe('voice pipeline with Gemini Live (a local server speaking its protocol)', () => {
  let fake: FakeGeminiLive
  const open: VoicePipeline[] = []
  beforeAll(async () => {
    fake = await FakeGeminiLive.start()
  })
  afterEach(async () => {
    for (const pipeline of open.splice(0)) await pipeline.close()
  })
  afterAll(async () => {
    await fake.close()
  })

  it('hears the learner with our VAD (explicit activity), lets the model answer aloud, and stores the exchange', async () => {
    const tutor = new FakeTutor()
    const log = new EventLog()
    fake.transcribe = () => 'Jeg liker å gå på ski.'
    fake.reply = (context) => (context.instructions?.includes('Avaaz') ? 'Så gøy! Hvor går du på ski?' : 'Hvem er jeg?')
    const pipeline = await createVoicePipeline(
      baseOptions(tutor, log, {
        realtime: {
          model: { provider: 'gemini', apiKey: 'gemini-test-key', model: 'gemini-2.5-flash-native-audio-preview-12-2025', voice: 'Puck', baseURL: fake.baseUrl },
          instructions: INSTRUCTIONS,
          history: [{ role: 'tutor', text: 'Hva liker du å gjøre om vinteren?' }],
        },
      }),
    )
    open.push(pipeline)
    const microphone = new Microphone((frame) => pipeline.pushAudio(frame)).start()
    try {
      await microphone.say(norwegianSpeech('Jeg liker å gå på ski om vinteren.'))
      await expect.poll(() => tutor.exchanges.length, { timeout: 20_000 }).toBe(1)
      const setup = fake.setups.at(-1)!
      expect(JSON.stringify(setup)).toContain(INSTRUCTIONS)
      expect(setup.realtimeInputConfig).toMatchObject({ automaticActivityDetection: { disabled: true } })
      expect(fake.connections.at(-1)!.apiKey).toBe('gemini-test-key')
      // The model heard a turn of speech between activityStart and activityEnd.
      expect(fake.audioTurns.length).toBeGreaterThanOrEqual(1)
      // The turn begins as the VAD hears speech (not half a second in), so the start of what was said is in it.
      expect(fake.audioTurns[0]!.samplesOutsideActivity).toBeLessThan(16_000 * 0.25)
      expect(tutor.exchanges[0]).toMatchObject({
        learner: { text: 'Jeg liker å gå på ski.', source: 'speech_engine' },
        reply: { text: 'Så gøy! Hvor går du på ski?', interrupted: false },
        model: 'gemini:gemini-2.5-flash-native-audio-preview-12-2025',
      })
      expect(rms(Int16Array.from(log.audio.flatMap(({ frame }) => Array.from(frame))))).toBeGreaterThan(500)
      expect(log.of('latency')).toHaveLength(1)
    } finally {
      microphone.stop()
    }
  })
})

/** Speech without the silence before and after it. */
function voiced(samples: Int16Array): Int16Array {
  const end = voicedEnd(samples)
  const reversed = samples.slice(0, end).reverse()
  return samples.subarray(end - voicedEnd(reversed), end)
}

