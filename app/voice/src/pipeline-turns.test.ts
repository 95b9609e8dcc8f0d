import { afterEach, describe, expect, it } from 'vitest'
import { createVoicePipeline } from './pipeline.js'
import { Microphone, norwegianSpeech, rms } from './test/audio.js'
import { EventLog, FakeTutor, LONG_REPLY, baseOptions, sleep } from './test/harness.js'
import type { VoicePipeline, VoicePipelineOptions } from './types.js'

describe('voice pipeline: typed and browser turns, failures', () => {
  const open: VoicePipeline[] = []
  afterEach(async () => {
    for (const pipeline of open.splice(0)) await pipeline.close()
  })
  async function start(tutor: FakeTutor, log: EventLog, overrides: Partial<VoicePipelineOptions> = {}): Promise<VoicePipeline> {
    const pipeline = await createVoicePipeline(baseOptions(tutor, log, overrides))
    open.push(pipeline)
    return pipeline
  }
  const speechEnds = (log: EventLog) => log.of('speech').filter((event) => event.event === 'end').length

  it('answers a typed turn with speech, under its own clientTurnId, and measures latency from the turn', async () => {
    const tutor = new FakeTutor(() => [{ type: 'text', text: 'Så bra! Kaffe er godt.' }])
    const log = new EventLog()
    const pipeline = await start(tutor, log)
    const sentAt = Date.now()
    pipeline.sendText({ clientTurnId: 'typed-turn-1', text: ' Jeg liker kaffe. ' })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'end')

    expect(tutor.turns).toEqual([{ clientTurnId: 'typed-turn-1', text: 'Jeg liker kaffe.', source: 'typed' }])
    expect(log.of('delta').map((event) => event.text)).toEqual(['Så bra! Kaffe er godt.'])
    expect(rms(Int16Array.from(log.audio.flatMap(({ frame }) => Array.from(frame))))).toBeGreaterThan(500)
    const latency = log.of('latency')
    expect(latency).toHaveLength(1)
    expect(latency[0]!.clientTurnId).toBe('typed-turn-1')
    expect(latency[0]!.ms).toBeGreaterThanOrEqual(0)
    expect(latency[0]!.ms).toBeLessThanOrEqual(log.audio[0]!.at - sentAt + 1)
    await expect.poll(() => tutor.spoken).toEqual([{ clientTurnId: 'typed-turn-1', latencyMs: latency[0]!.ms, interrupted: false }])
  })

  it('takes browser speech recognition: interim results are not turns, a final result is the turn', async () => {
    const tutor = new FakeTutor(() => [{ type: 'text', text: 'Hyggelig å hilse på deg.' }])
    const log = new EventLog()
    const pipeline = await start(tutor, log)
    pipeline.pushTranscript({ clientTurnId: 'browser-turn-1', text: 'Jeg', final: false })
    await sleep(150)
    pipeline.pushTranscript({ clientTurnId: 'browser-turn-1', text: 'Jeg heter', final: false })
    await sleep(150)
    expect(tutor.turns).toEqual([])
    pipeline.pushTranscript({ clientTurnId: 'browser-turn-1', text: 'Jeg heter Kari.', final: true })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'end')

    expect(tutor.turns).toHaveLength(1)
    const turn = tutor.turns[0]!
    expect(turn).toMatchObject({ clientTurnId: 'browser-turn-1', text: 'Jeg heter Kari.', source: 'browser_speech' })
    // From the first interim result to the final one.
    const spokeMs = turn.endedAt!.getTime() - turn.startedAt!.getTime()
    expect(spokeMs).toBeGreaterThanOrEqual(290)
    expect(spokeMs).toBeLessThan(1_000)
    // The browser's own text is not echoed back as the server's transcript.
    expect(log.of('transcript')).toEqual([])
    expect(log.of('latency')[0]!.clientTurnId).toBe('browser-turn-1')

    // Two finals in a row are two turns, each under its own id.
    pipeline.pushTranscript({ clientTurnId: 'browser-turn-2', text: 'Ja.', final: true })
    pipeline.pushTranscript({ clientTurnId: 'browser-turn-3', text: 'Jeg bor i Bergen.', final: true })
    await tutor.waitForTurns(3)
    expect(tutor.turns.slice(1).map((turn) => turn.clientTurnId)).toEqual(['browser-turn-2', 'browser-turn-3'])
  })

  it('speaks the lines a reply brings after the reply, and passes meta events on in order', async () => {
    const tutor = new FakeTutor(() => [
      { type: 'meta', payload: { type: 'turn', turn: { role: 'learner' } } },
      { type: 'text', text: 'Takk.' },
      { type: 'line', text: 'Del to. Beskriv bildet.', payload: { type: 'line', turn: { role: 'examiner' } } },
      { type: 'meta', payload: { type: 'change', change: 'part' } },
    ])
    const log = new EventLog()
    const pipeline = await start(tutor, log)
    pipeline.sendText({ clientTurnId: 'typed-turn-2', text: 'Ferdig.' })
    await log.waitFor(() => speechEnds(log) === 2)
    expect(log.of('meta').map((event) => event.payload.type)).toEqual(['turn', 'line', 'change'])
    // The line's words are not the reply's: no deltas for them.
    expect(log.of('delta').map((event) => event.text)).toEqual(['Takk.'])
    expect(log.of('speech').map((event) => event.event)).toEqual(['start', 'end', 'start', 'end'])
    // One latency, for the reply; replySpoken once.
    expect(log.of('latency')).toHaveLength(1)
    await expect.poll(() => tutor.spoken.length).toBe(1)
  })

  it('tells the learner when the tutor fails, and goes on with the next turn', async () => {
    const tutor = new FakeTutor((_turn, index) => (index === 0 ? new Error('model overloaded') : [{ type: 'text', text: 'Nå virker det.' }]))
    const log = new EventLog()
    const pipeline = await start(tutor, log)
    pipeline.sendText({ clientTurnId: 'typed-turn-3', text: 'Hallo?' })
    await log.waitFor((event) => event.type === 'error')
    expect(log.of('error')).toEqual([{ type: 'error', code: 'tutor_unavailable', message: expect.any(String) }])
    await log.waitFor((event) => event.type === 'state' && event.agent === 'listening', 5_000, true)

    pipeline.sendText({ clientTurnId: 'typed-turn-4', text: 'Hallo igjen.' })
    await log.waitFor((event) => event.type === 'speech' && event.event === 'end')
    expect(tutor.turns.map((turn) => turn.clientTurnId)).toEqual(['typed-turn-3', 'typed-turn-4'])
    expect(log.of('latency').map((event) => event.clientTurnId)).toEqual(['typed-turn-4'])
    expect(log.of('error')).toHaveLength(1)
    // LiveKit closes a session after a few failed replies in a row; the bridge's failures do not count.
    for (let index = 0; index < 5; index++) {
      tutor.script = () => new Error('down')
      pipeline.sendText({ clientTurnId: `typed-fail-${index}`, text: 'Hallo?' })
      await log.waitFor(() => log.of('error').length === index + 2)
    }
    tutor.script = () => [{ type: 'text', text: 'Tilbake.' }]
    pipeline.sendText({ clientTurnId: 'typed-turn-5', text: 'Er du der?' })
    await log.waitFor((event) => event.type === 'latency' && event.clientTurnId === 'typed-turn-5')
  })

  it('still delivers the reply as text when espeak-ng cannot be run', async () => {
    const tutor = new FakeTutor(() => [{ type: 'text', text: 'Hei! Dette er en lang setning. Og en til.' }])
    const log = new EventLog()
    const pipeline = await start(tutor, log, { speech: { kind: 'espeak', command: '/nonexistent/espeak-ng' } })
    pipeline.sendText({ clientTurnId: 'typed-turn-6', text: 'Hei.' })
    await log.waitFor((event) => event.type === 'error')
    await expect.poll(() => tutor.spoken).toEqual([{ clientTurnId: 'typed-turn-6', latencyMs: null, interrupted: false }])
    expect(log.of('error')).toEqual([{ type: 'error', code: 'speech_unavailable', message: expect.any(String) }])
    expect(log.of('delta').map((event) => event.text).join('')).toBe('Hei! Dette er en lang setning. Og en til.')
    expect(log.audio).toEqual([])
    expect(log.of('latency')).toEqual([])

    // The session goes on (one error per turn, not per sentence).
    pipeline.sendText({ clientTurnId: 'typed-turn-7', text: 'Hei igjen.' })
    await expect.poll(() => tutor.spoken.length).toBe(2)
    expect(log.of('error')).toHaveLength(2)
  })

  it('with the browser recognising, audio it never transcribed does not hold a typed turn\'s reply back', async () => {
    const tutor = new FakeTutor(() => [{ type: 'text', text: 'Ja, jeg hører deg.' }])
    const log = new EventLog()
    const pipeline = await start(tutor, log)
    // Speech streamed for seconds, with no pause a VAD could take for its end, that the browser
    // produces no result for (another voice, a radio).
    const microphone = new Microphone((frame) => pipeline.pushAudio(frame)).start()
    try {
      const speechEnded = microphone.say(withoutPauses(norwegianSpeech(LONG_REPLY)))
      await sleep(1_500)
      pipeline.sendText({ clientTurnId: 'typed-over-noise', text: 'Hører du meg?' })
      const spokeAt = await log.waitFor((event) => event.type === 'speech' && event.event === 'start', 5_000)
      expect(spokeAt).toBeLessThan(await Promise.race([speechEnded, sleep(20_000).then(() => Number.POSITIVE_INFINITY)]))
      expect(log.of('latency').map((event) => event.clientTurnId)).toEqual(['typed-over-noise'])
      // Only the browser's results are turns: the untranscribed audio made none.
      expect(tutor.turns.map((turn) => turn.clientTurnId)).toEqual(['typed-over-noise'])
      // Nothing listened to the audio: the learner was never taken to be speaking.
      expect(log.of('state').every((event) => event.user === 'listening')).toBe(true)
    } finally {
      microphone.stop()
    }
  })
})

/** Speech with every stretch quieter than a tenth of its peak for more than 40 ms cut out: one unbroken stream of voice. */
function withoutPauses(samples: Int16Array): Int16Array {
  let peak = 0
  for (const sample of samples) peak = Math.max(peak, Math.abs(sample))
  const kept: number[] = []
  let quiet = 0
  for (const sample of samples) {
    quiet = Math.abs(sample) < peak / 10 ? quiet + 1 : 0
    if (quiet <= 16_000 * 0.04) kept.push(sample)
  }
  return Int16Array.from(kept)
}

