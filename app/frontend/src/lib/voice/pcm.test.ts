import { describe, expect, it } from 'vitest'
import { bytesToPcm16, floatToPcm16, floatToPcm16Sample, levelOf, Pcm16Downsampler, pcm16ToBytes, pcm16ToFloat } from './pcm'

/** Frames of 4 samples at 16 kHz (0.25 ms), so hand-worked examples fill whole frames. */
const tinyFrames = (inputRate: number) => new Pcm16Downsampler(inputRate, 16_000, 0.25)
const flat = (frames: Int16Array[]) => frames.flatMap((frame) => [...frame])

describe('PCM16 conversion', () => {
  it('maps −1…1 onto the 16-bit range, clipping beyond it', () => {
    expect(floatToPcm16Sample(1)).toBe(32767)
    expect(floatToPcm16Sample(-1)).toBe(-32768)
    expect(floatToPcm16Sample(0)).toBe(0)
    // 0.5 × 32767 = 16383.5 → 16384; −0.5 × 32768 = −16384.
    expect(floatToPcm16Sample(0.5)).toBe(16384)
    expect(floatToPcm16Sample(-0.5)).toBe(-16384)
    expect(floatToPcm16Sample(1.7)).toBe(32767)
    expect(floatToPcm16Sample(-3)).toBe(-32768)
    expect(floatToPcm16Sample(Number.NaN)).toBe(0)
    expect([...floatToPcm16([0.25, -0.25])]).toEqual([8192, -8192])
  })

  it('turns PCM16 back into floats', () => {
    expect([...pcm16ToFloat(new Int16Array([16384, -32768, 0]))]).toEqual([0.5, -1, 0])
  })

  it('writes and reads little-endian bytes, dropping a stray odd byte', () => {
    const bytes = new Uint8Array(pcm16ToBytes(new Int16Array([1, -2, 0x1234])))
    expect([...bytes]).toEqual([0x01, 0x00, 0xfe, 0xff, 0x34, 0x12])
    const withStray = new Uint8Array([0x01, 0x00, 0xfe, 0xff, 0x7f]).buffer
    expect([...bytesToPcm16(withStray)]).toEqual([1, -2])
  })
})

describe('downsampling to 16 kHz', () => {
  it('averages each three samples of 48 kHz into one', () => {
    // (0.3+0.3+0.3)/3 = 0.3 → 0.3 × 32767 = 9830.1 → 9830; 0.6 → 19660.2 → 19660; −0.3 → −9830.4 → −9830;
    // (0 + 0 + 0.9)/3 = 0.3 → 9830.
    const input = [0.3, 0.3, 0.3, 0.6, 0.6, 0.6, -0.3, -0.3, -0.3, 0, 0, 0.9]
    expect(flat(tinyFrames(48_000).push(input))).toEqual([9830, 19660, -9830, 9830])
  })

  it('gives the same frames however the input is cut', () => {
    const input = [0.3, 0.3, 0.3, 0.6, 0.6, 0.6, -0.3, -0.3, -0.3, 0, 0, 0.9]
    const downsampler = tinyFrames(48_000)
    const frames = [...downsampler.push(input.slice(0, 5)), ...downsampler.push(input.slice(5, 7)), ...downsampler.push(input.slice(7))]
    expect(flat(frames)).toEqual([9830, 19660, -9830, 9830])
  })

  it('shares a sample between two outputs when the rates do not divide (24 → 16 kHz)', () => {
    // Ratio 1.5: out0 = (a + ½b)/1.5 = (0.3 + 0.3)/1.5 = 0.4 → 13106.8 → 13107;
    //            out1 = (½b + c)/1.5 = (0.3 + 0.9)/1.5 = 0.8 → 26213.6 → 26214.
    const frames = tinyFrames(24_000).push([0.3, 0.6, 0.9, 0.3, 0.6, 0.9])
    expect(flat(frames)).toEqual([13107, 26214, 13107, 26214])
  })

  it('keeps a steady level steady at 44.1 kHz', () => {
    const frames = new Pcm16Downsampler(44_100).push(new Float32Array(44_100).fill(0.25))
    // One second: 50 frames of 20 ms (320 samples), every sample 0.25 × 32767 = 8191.75 → 8192.
    expect(frames).toHaveLength(50)
    expect(frames.every((frame) => frame.length === 320 && frame.every((sample) => sample === 8192))).toBe(true)
  })

  it('makes 20 ms frames of 320 samples from 48 kHz, holding back a partial frame', () => {
    const downsampler = new Pcm16Downsampler(48_000)
    expect(downsampler.push(new Float32Array(960))).toHaveLength(1)
    expect(downsampler.push(new Float32Array(480))).toHaveLength(0)
    expect(downsampler.push(new Float32Array(480))).toHaveLength(1)
  })

  it('holds each sample twice from an 8 kHz input', () => {
    expect(flat(tinyFrames(8_000).push([0.5, -0.5]))).toEqual([16384, 16384, -16384, -16384])
  })
})

describe('input level', () => {
  it('is 0 for silence and 1 at full scale', () => {
    expect(levelOf(new Float32Array(100))).toBe(0)
    expect(levelOf([])).toBe(0)
    expect(levelOf([1, -1, 1, -1])).toBe(1)
  })

  it('reads the RMS on a decibel scale from −60 dBFS', () => {
    // RMS 0.1 is −20 dBFS: (−20 + 60)/60 = 2/3. RMS 0.001 is −60 dBFS: 0.
    expect(levelOf([0.1, -0.1, 0.1, -0.1])).toBeCloseTo(2 / 3, 10)
    expect(levelOf([0.001, -0.001])).toBeCloseTo(0, 10)
    expect(levelOf([0.0001])).toBe(0)
  })
})
