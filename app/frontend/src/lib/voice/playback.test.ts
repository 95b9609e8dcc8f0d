import { describe, expect, it } from 'vitest'
import { PlaybackQueue, type PlaybackContext } from './playback'
import { FakeAudioContext } from './testing'

function queue(context = new FakeAudioContext(48_000)) {
  const playback = new PlaybackQueue(context as unknown as PlaybackContext, { sampleRate: 24_000, leadSeconds: 0.05 })
  const events: string[] = []
  playback.on('start', () => events.push('start'))
  playback.on('end', ({ interrupted }) => events.push(interrupted ? 'end (interrupted)' : 'end'))
  return { context, playback, events }
}

/** 20 ms at 24 kHz. */
const frame = (value = 1000) => new Int16Array(480).fill(value)

describe('playback queue', () => {
  it('plays frames back to back from a little ahead of the clock, at their own sample rate', () => {
    const { context, playback, events } = queue()
    playback.enqueue(frame(16384))
    playback.enqueue(frame())
    playback.enqueue(frame())
    const starts = context.sources.map((source) => source.startedAt!)
    expect(starts[0]).toBeCloseTo(0.05, 10)
    expect(starts[1]).toBeCloseTo(0.07, 10)
    expect(starts[2]).toBeCloseTo(0.09, 10)
    expect(context.sources[0]!.buffer!.sampleRate).toBe(24_000)
    expect(context.sources[0]!.buffer!.getChannelData()[0]).toBe(0.5)
    expect(events).toEqual(['start'])
    expect(playback.playing).toBe(true)
    expect(playback.buffered).toBeCloseTo(0.11, 10)
  })

  it('keeps the queue seamless when frames arrive late but before it ran dry', () => {
    const { context, playback } = queue()
    playback.enqueue(frame())
    context.advance(0.06)
    playback.enqueue(frame())
    expect(context.sources[1]!.startedAt).toBeCloseTo(0.07, 10)
  })

  it('says when the queue ran dry, and starts again ahead of the clock after a gap', () => {
    const { context, playback, events } = queue()
    playback.enqueue(frame())
    playback.enqueue(frame())
    context.advance(0.08)
    expect(events).toEqual(['start'])
    context.advance(0.01)
    expect(events).toEqual(['start', 'end'])
    expect(playback.playing).toBe(false)

    context.advance(1)
    playback.enqueue(frame())
    expect(context.sources[2]!.startedAt).toBeCloseTo(1.14, 10)
    expect(events).toEqual(['start', 'end', 'start'])
  })

  it('starts a late frame ahead of the clock, not in the past, when the clock passed the queue before its end events came', () => {
    const { context, playback } = queue()
    playback.enqueue(frame())
    playback.enqueue(frame())
    // A real context fires `ended` a little after the fact: the clock is past the queue, the sources not yet ended.
    context.currentTime = 0.2
    playback.enqueue(frame())
    expect(context.sources[2]!.startedAt).toBeCloseTo(0.25, 10)
  })

  it('stop() silences everything queued at once and says it was interrupted', () => {
    const { context, playback, events } = queue()
    for (let i = 0; i < 5; i++) playback.enqueue(frame())
    context.advance(0.06)
    playback.stop()
    expect(context.sources.every((source) => source.stopped && !source.connected)).toBe(true)
    expect(events).toEqual(['start', 'end (interrupted)'])
    expect(playback.playing).toBe(false)
    expect(playback.buffered).toBe(0)

    // The stopped sources' own end events (a real context fires them) change nothing.
    context.advance(1)
    expect(events).toEqual(['start', 'end (interrupted)'])

    playback.enqueue(frame())
    expect(context.sources[5]!.startedAt).toBeCloseTo(1.11, 10)
    expect(events).toEqual(['start', 'end (interrupted)', 'start'])
  })

  it('stop() with nothing playing says nothing', () => {
    const { playback, events } = queue()
    playback.stop()
    expect(events).toEqual([])
  })

  it('follows the rate the server announces', () => {
    const { context, playback } = queue()
    playback.setSampleRate(16_000)
    playback.enqueue(new Int16Array(320))
    playback.enqueue(new Int16Array(320))
    expect(context.sources[0]!.buffer!.sampleRate).toBe(16_000)
    expect(context.sources[1]!.startedAt! - context.sources[0]!.startedAt!).toBeCloseTo(0.02, 10)
  })
})
