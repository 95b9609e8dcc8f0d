import { describe, expect, it } from 'vitest'
import { StreamResampler } from './resampler.js'

function tone(frequency: number, rate: number, seconds: number, amplitude = 10_000): Int16Array {
  return Int16Array.from({ length: Math.round(rate * seconds) }, (_, index) => Math.round(amplitude * Math.sin((2 * Math.PI * frequency * index) / rate)))
}

function level(samples: Int16Array, skip = 200): number {
  let sum = 0
  const part = samples.subarray(skip, samples.length - skip)
  for (const sample of part) sum += sample * sample
  return Math.sqrt(sum / part.length)
}

function zeroCrossings(samples: Int16Array): number {
  let count = 0
  for (let index = 1; index < samples.length; index++) if ((samples[index - 1]! < 0) !== (samples[index]! < 0)) count++
  return count
}

function convert(resampler: StreamResampler, input: Int16Array, chunk: number): Int16Array {
  const parts: number[] = []
  for (let offset = 0; offset < input.length; offset += chunk) parts.push(...resampler.push(input.subarray(offset, offset + chunk)))
  parts.push(...resampler.flush())
  return Int16Array.from(parts)
}

describe('resampler', () => {
  it.each([
    [22_050, 24_000],
    [48_000, 16_000],
    [44_100, 16_000],
    [8_000, 16_000],
  ])('converts %i Hz to %i Hz keeping pitch, level and length', (from, to) => {
    const input = tone(440, from, 1)
    const output = convert(new StreamResampler(from, to), input, 441)
    expect(output.length).toBe(Math.ceil((input.length * to) / from))
    expect(zeroCrossings(output)).toBeGreaterThanOrEqual(zeroCrossings(input) - 2)
    expect(zeroCrossings(output)).toBeLessThanOrEqual(zeroCrossings(input) + 2)
    expect(level(output) / level(input)).toBeGreaterThan(0.97)
    expect(level(output) / level(input)).toBeLessThan(1.03)
  })

  it('gives the same samples however the stream is cut', () => {
    const input = tone(300, 22_050, 0.3)
    const whole = convert(new StreamResampler(22_050, 24_000), input, input.length)
    expect(Array.from(convert(new StreamResampler(22_050, 24_000), input, 37))).toEqual(Array.from(whole))
  })

  it('filters out what the lower rate cannot carry (no aliasing)', () => {
    // 10 kHz is above 16 kHz's Nyquist frequency: it must not fold down into the speech band.
    const output = convert(new StreamResampler(48_000, 16_000), tone(10_000, 48_000, 0.5), 960)
    expect(level(output)).toBeLessThan(10_000 * 0.707 * 0.02)
  })

  it('starts a new stream after flush', () => {
    const resampler = new StreamResampler(16_000, 24_000)
    const first = convert(resampler, tone(500, 16_000, 0.1), 160)
    const second = convert(resampler, tone(500, 16_000, 0.1), 160)
    expect(Array.from(second)).toEqual(Array.from(first))
  })
})
