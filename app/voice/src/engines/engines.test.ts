import { execFileSync } from 'node:child_process'
import { AudioFrame } from '@livekit/rtc-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureAgentsLogger } from '../logger.js'
import { createVoicePipeline } from '../pipeline.js'
import { norwegianSpeech, rms } from '../test/audio.js'
import { FakeOpenAI } from '../test/fake-openai.js'
import { EventLog, FakeTutor, baseOptions } from '../test/harness.js'
import { ESPEAK_SAMPLE_RATE, EspeakTTS } from './espeak-tts.js'
import { OpenAITranscriptionSTT } from './openai-stt.js'
import { OPENAI_PCM_SAMPLE_RATE, OpenAISpeechTTS } from './openai-tts.js'

async function collect(stream: AsyncIterable<{ frame: AudioFrame; final: boolean }>) {
  const frames: { frame: AudioFrame; final: boolean }[] = []
  for await (const audio of stream) frames.push(audio)
  return frames
}

describe('engines', () => {
  const server = new FakeOpenAI()
  let baseURL = ''
  beforeAll(async () => {
    ensureAgentsLogger()
    baseURL = await server.listen()
  })
  afterAll(() => server.close())

  describe('EspeakTTS', () => {
    it('streams Norwegian speech from espeak-ng as 100 ms frames, the last one final', async () => {
      const tts = new EspeakTTS()
      const frames = await collect(tts.synthesize('Hei, jeg heter Ola og jeg bor i Oslo.'))
      await tts.close()
      expect(frames.length).toBeGreaterThan(10)
      for (const { frame } of frames.slice(0, -1)) {
        expect(frame.sampleRate).toBe(ESPEAK_SAMPLE_RATE)
        expect(frame.samplesPerChannel).toBe(2_205)
      }
      expect(frames.map(({ final }) => final)).toEqual([...frames.slice(1).map(() => false), true])
      expect(rms(Int16Array.from(frames.flatMap(({ frame }) => Array.from(frame.data))))).toBeGreaterThan(500)
    })

    it('keeps a few espeak-ng processes waiting for the next sentence, and ends them on close', async () => {
      const children = () =>
        execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
          .split('\n')
          .filter((name) => name.trim() === 'espeak-ng').length
      const tts = new EspeakTTS({ wordsPerMinute: 150 })
      await collect(tts.synthesize('Hei.'))
      await expect.poll(children).toBe(3)
      const started = Date.now()
      const frames = await collect(tts.synthesize('Hei igjen.'))
      expect(frames.length).toBeGreaterThan(0)
      expect(Date.now() - started).toBeLessThan(500)
      await tts.close()
      await expect.poll(children).toBe(0)
    })

    it('reports a command that cannot be run, and gives no audio instead of failing', async () => {
      const errors: Error[] = []
      const tts = new EspeakTTS({ command: 'espeak-ng-that-does-not-exist', onError: (error) => errors.push(error) })
      expect(await collect(tts.synthesize('Hei.'))).toEqual([])
      await tts.close()
      expect(errors).toHaveLength(1)
      expect(errors[0]!.message).toMatch(/could not be run.*ENOENT/)
    })

    it('stops espeak-ng when the speech is cut off', async () => {
      const tts = new EspeakTTS()
      const abort = new AbortController()
      const stream = tts.synthesize('Dette er en ganske lang setning som tar litt tid å si høyt for eleven.', undefined, abort.signal)
      const started = Date.now()
      let count = 0
      for await (const _audio of stream) {
        if (++count === 3) abort.abort()
      }
      expect(Date.now() - started).toBeLessThan(2_000)
      await tts.close()
    })
  })

  describe('OpenAITranscriptionSTT', () => {
    const frames = () => {
      const speech = norwegianSpeech('Jeg heter Ola.', 16_000)
      return [new AudioFrame(speech.slice(0, 8_000), 16_000, 1, 8_000), new AudioFrame(speech.slice(8_000), 16_000, 1, speech.length - 8_000)]
    }

    it('posts the segment as a WAV and keeps the word timings it gets back', async () => {
      server.transcribe = () => ({ text: ' Jeg heter Ola. ', words: [{ word: 'Jeg', start: 0.1, end: 0.3 }, { word: 'heter', start: 0.3, end: 0.6 }, { word: 'x' } as never] })
      const stt = new OpenAITranscriptionSTT({ apiKey: '', model: 'whisper-1', baseURL: `${baseURL}/` })
      const input = frames()
      const before = Date.now()
      const event = await stt.recognize(input)
      expect(event.alternatives?.[0]).toMatchObject({ text: 'Jeg heter Ola.', language: 'nb' })
      const request = server.transcriptions.at(-1)!
      expect(request.authorization).toBeUndefined()
      expect(request.samples.length).toBe(input[0]!.samplesPerChannel + input[1]!.samplesPerChannel)
      expect(request.fileName).toBe('speech.wav')
      const segment = stt.takeSegment(event.requestId)!
      expect(segment.words.map((word) => word.word)).toEqual(['Jeg', 'heter'])
      expect(segment.audioStartedAt).toBeLessThanOrEqual(before - segment.audioMs + 50)
      expect(segment.words[0]).toEqual({ word: 'Jeg', startMs: 100, endMs: 300 })
      expect(stt.takeSegment(event.requestId)).toBeUndefined()
    })

    it('reports a failed request and gives an empty transcript (the segment is skipped)', async () => {
      server.transcribe = () => ({ status: 503, body: '{"error":{"message":"overloaded"}}' })
      const errors: Error[] = []
      const stt = new OpenAITranscriptionSTT({ apiKey: 'k', model: 'whisper-1', baseURL, onError: (error) => errors.push(error) })
      const event = await stt.recognize(frames())
      expect(event.alternatives?.[0]?.text).toBe('')
      expect(errors[0]!.message).toMatch(/503.*overloaded/)
      const unreachable = new OpenAITranscriptionSTT({ apiKey: 'k', model: 'whisper-1', baseURL: 'http://127.0.0.1:9/v1', onError: (error) => errors.push(error) })
      expect((await unreachable.recognize(frames())).alternatives?.[0]?.text).toBe('')
      expect(errors).toHaveLength(2)
    })
  })

  describe('OpenAISpeechTTS', () => {
    it('streams the pcm body as 20 ms frames at 24 kHz', async () => {
      server.speechStatus = 200
      const tts = new OpenAISpeechTTS({ apiKey: 'k', model: 'gpt-4o-mini-tts', voice: 'alloy', baseURL })
      const frames = await collect(tts.synthesize('Hei.'))
      expect(server.speechRequests.at(-1)).toEqual({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hei.', response_format: 'pcm' })
      expect(frames).toHaveLength(25)
      for (const { frame } of frames) expect([frame.sampleRate, frame.samplesPerChannel]).toEqual([OPENAI_PCM_SAMPLE_RATE, 480])
      expect(frames.at(-1)!.final).toBe(true)
    })

    it('reports a failure and gives no audio', async () => {
      server.speechStatus = 500
      const errors: Error[] = []
      const tts = new OpenAISpeechTTS({ apiKey: 'k', model: 'm', voice: 'v', baseURL, onError: (error) => errors.push(error) })
      expect(await collect(tts.synthesize('Hei.'))).toEqual([])
      expect(errors[0]!.message).toMatch(/500/)
      server.speechStatus = 200
    })

    it('speaks a pipeline reply', async () => {
      const tutor = new FakeTutor(() => [{ type: 'text', text: 'Hei. Hallo.' }])
      const log = new EventLog()
      const pipeline = await createVoicePipeline(baseOptions(tutor, log, { speech: { kind: 'openai', apiKey: 'k', model: 'gpt-4o-mini-tts', voice: 'alloy', baseURL } }))
      try {
        const before = server.speechRequests.length
        pipeline.sendText({ clientTurnId: 'typed-openai-1', text: 'Hei.' })
        await log.waitFor((event) => event.type === 'speech' && event.event === 'end')
        // The session sends short sentences together; each request gives 0.5 s, handed out in 40 ms frames.
        const requests = server.speechRequests.length - before
        expect(requests).toBeGreaterThanOrEqual(1)
        expect(log.audio.length).toBe(Math.ceil((requests * 12_000) / 960))
        expect(rms(Int16Array.from(log.audio.flatMap(({ frame }) => Array.from(frame))))).toBeGreaterThan(1_000)
        expect(log.of('latency')).toHaveLength(1)
      } finally {
        await pipeline.close()
      }
    })
  })
})
