import { beforeAll, describe, expect, it } from 'vitest'
import { PushAudioInput } from './audio-input.js'
import { ensureAgentsLogger } from './logger.js'
import { createVoicePipeline, type VoicePipelineSession } from './pipeline.js'
import { norwegianSpeech } from './test/audio.js'
import { EventLog, FakeTutor, baseOptions, sleep } from './test/harness.js'

describe('microphone input', () => {
  beforeAll(() => ensureAgentsLogger())

  it('keeps at most 2 s of unread audio and drops whole frames beyond it', async () => {
    const input = new PushAudioInput(16_000)
    const frame = new Int16Array(1_600) // 100 ms
    const accepted = Array.from({ length: 30 }, () => input.push(frame)).filter(Boolean).length
    // 2 s wait (the stream's plumbing may hold one more frame in hand); the rest is dropped.
    expect(accepted).toBeGreaterThanOrEqual(20)
    expect(accepted).toBeLessThanOrEqual(21)
    expect(input.bufferedSamples).toBe(32_000)
    expect(input.droppedSamples).toBe((30 - accepted) * 1_600)

    // Reading makes room again.
    const reader = input.stream.getReader()
    const first = await reader.read()
    expect(first.value?.samplesPerChannel).toBe(1_600)
    expect(first.value?.sampleRate).toBe(16_000)
    await new Promise((resolve) => setImmediate(resolve))
    expect(input.bufferedSamples).toBeLessThan(32_000)
    expect(input.push(frame)).toBe(true)
    reader.releaseLock()
    await input.close()
    expect(input.push(frame)).toBe(false)
  })

  it('copies what it is given (a transport reuses its buffers)', async () => {
    const input = new PushAudioInput(16_000)
    const frame = new Int16Array([1, 2, 3])
    input.push(frame)
    frame[0] = 99
    const reader = input.stream.getReader()
    expect(Array.from((await reader.read()).value!.data)).toEqual([1, 2, 3])
    reader.releaseLock()
    await input.close()
  })

  it('hands the session 16 kHz frames whatever the microphone rate', async () => {
    const input = new PushAudioInput(44_100)
    for (let index = 0; index < 10; index++) input.push(new Int16Array(4_410).fill(1_000))
    const reader = input.stream.getReader()
    let samples = 0
    while (samples < 15_000) {
      const { value } = await reader.read()
      expect(value!.sampleRate).toBe(16_000)
      samples += value!.samplesPerChannel
    }
    reader.releaseLock()
    await input.close()
  })

  it('in a running pipeline, 10 s pushed at once leaves at most 2 s waiting, the rest dropped, and the pipeline keeps working', async () => {
    const tutor = new FakeTutor()
    const log = new EventLog()
    const pipeline = (await createVoicePipeline(baseOptions(tutor, log, { inputSampleRate: 48_000 }))) as VoicePipelineSession
    try {
      const speech = norwegianSpeech('Hei, jeg heter Ola og jeg bor i Oslo. Jeg liker å gå på tur.', 48_000)
      const tenSeconds = new Int16Array(480_000)
      for (let offset = 0; offset < tenSeconds.length; offset += speech.length) tenSeconds.set(speech.subarray(0, Math.min(speech.length, tenSeconds.length - offset)), offset)
      const rssBefore = process.memoryUsage().rss
      let accepted = 0
      let maxBuffered = 0
      for (let offset = 0; offset < tenSeconds.length; offset += 2_400) {
        if (pipeline.pushAudio(tenSeconds.subarray(offset, offset + 2_400))) accepted++
        maxBuffered = Math.max(maxBuffered, pipeline.input.bufferedSamples)
      }
      // 2 s of 50 ms frames wait; the session's reader may already have taken the first.
      expect(accepted).toBeGreaterThanOrEqual(40)
      expect(accepted).toBeLessThanOrEqual(41)
      expect(maxBuffered).toBeLessThanOrEqual(32_000) // 2 s at the 16 kHz it is converted to
      expect(pipeline.input.droppedSamples).toBe(480_000 - accepted * 2_400)
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024)

      // The session works through what it kept …
      await expect.poll(() => pipeline.input.bufferedSamples, { timeout: 3_000 }).toBe(0)
      // … and takes real-time audio again.
      const frame = new Int16Array(2_400)
      for (let index = 0; index < 10; index++) {
        expect(pipeline.pushAudio(frame)).toBe(true)
        await sleep(50)
      }
      pipeline.sendText({ clientTurnId: 'typed-after-burst', text: 'Hei.' })
      await log.waitFor((event) => event.type === 'latency')
    } finally {
      await pipeline.close()
    }
  })
})
