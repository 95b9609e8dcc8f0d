import { AudioFrame } from '@livekit/rtc-node'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { ClientAudioOutput, SpokenTextSink, heardPart } from './audio-output.js'
import { ensureAgentsLogger } from './logger.js'

function frame(ms: number, value = 1000, sampleRate = 24_000): AudioFrame {
  const samples = Math.round((sampleRate * ms) / 1000)
  return new AudioFrame(new Int16Array(samples).fill(value), sampleRate, 1, samples)
}

describe('client audio output', () => {
  beforeAll(() => ensureAgentsLogger())
  afterEach(() => {
    vi.useRealTimers()
  })

  function setUp() {
    vi.useFakeTimers({ now: 1_000_000 })
    const handed: Int16Array[] = []
    const events: string[] = []
    const finished: { playbackPosition: number; interrupted: boolean; synchronizedTranscript?: string }[] = []
    let text = ''
    const output = new ClientAudioOutput({
      sampleRate: 24_000,
      onAudio: (samples) => handed.push(samples),
      onSegmentStart: (at) => events.push(`start@${at}`),
      onSegmentEnd: (interrupted) => events.push(`end interrupted=${interrupted}@${Date.now()}`),
      spokenText: () => text,
    })
    output.on('playbackFinished', (event) => finished.push(event))
    return { output, handed, events, finished, setText: (value: string) => (text = value) }
  }

  it('hands out 40 ms frames at once and calls a segment played when the client has had time to play it', async () => {
    const { output, handed, events, finished } = setUp()
    // 1 s of audio in 30 ms frames, all at once (TTS is faster than real time).
    for (let index = 0; index < 33; index++) await output.captureFrame(frame(30))
    await output.captureFrame(frame(10))
    output.flush()
    expect(handed.length).toBe(25)
    for (const samples of handed) expect(samples.length).toBe(960)
    expect(events).toEqual(['start@1000000'])
    await vi.advanceTimersByTimeAsync(999)
    expect(finished).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(finished).toEqual([{ playbackPosition: 1, interrupted: false }])
    expect(events).toEqual(['start@1000000', 'end interrupted=false@1001000'])
    output.close()
  })

  it('pads the last frame of a segment with silence', async () => {
    const { output, handed } = setUp()
    await output.captureFrame(frame(50))
    output.flush()
    expect(handed.map((samples) => samples.length)).toEqual([960, 960])
    expect(handed[1]!.slice(0, 240).every((sample) => sample === 1000)).toBe(true)
    expect(handed[1]!.slice(240).every((sample) => sample === 0)).toBe(true)
    output.close()
  })

  it('keeps the clock when audio comes slower than real time (the client ran dry meanwhile)', async () => {
    const { output, finished } = setUp()
    await output.captureFrame(frame(200))
    await vi.advanceTimersByTimeAsync(500)
    await output.captureFrame(frame(200))
    output.flush()
    // Played 0–200 ms, silence, then 500–700 ms.
    await vi.advanceTimersByTimeAsync(199)
    expect(finished).toEqual([])
    await vi.advanceTimersByTimeAsync(1)
    expect(finished).toEqual([{ playbackPosition: 0.4, interrupted: false }])
    output.close()
  })

  it('on interruption reports how far playback had got and the words heard by then', async () => {
    const { output, events, finished, setText } = setUp()
    setText('en to tre fire fem seks sju åtte ni ti')
    for (let index = 0; index < 50; index++) await output.captureFrame(frame(40))
    await vi.advanceTimersByTimeAsync(600)
    output.clearBuffer()
    expect(finished).toEqual([{ playbackPosition: 0.6, interrupted: true, synchronizedTranscript: 'en to tre' }])
    expect(events.at(-1)).toBe('end interrupted=true@1000600')
    // Nothing more is reported for it.
    output.flush()
    await vi.advanceTimersByTimeAsync(5_000)
    expect(finished).toHaveLength(1)
    // The next segment starts playing at once (the client dropped its queue).
    await output.captureFrame(frame(40))
    output.flush()
    await vi.advanceTimersByTimeAsync(40)
    expect(finished.at(-1)).toEqual({ playbackPosition: 0.04, interrupted: false })
    output.close()
  })

  it('stops its clock on close', async () => {
    const { output, finished } = setUp()
    await output.captureFrame(frame(400))
    output.flush()
    output.close()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(finished).toEqual([])
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('spoken text', () => {
  it('keeps the text of the speech being played, or of the last one', async () => {
    const sink = new SpokenTextSink()
    await sink.captureText('Hei ')
    await sink.captureText({ text: 'der.' })
    expect(sink.text).toBe('Hei der.')
    sink.flush()
    expect(sink.text).toBe('Hei der.')
    await sink.captureText('Neste.')
    expect(sink.text).toBe('Neste.')
  })

  it('cuts at a word boundary in proportion to what was played', () => {
    expect(heardPart('a b c d', 0.5)).toBe('a b')
    expect(heardPart('a b c d', 0)).toBe('')
    expect(heardPart('a b c d', 2)).toBe('a b c d')
  })
})
