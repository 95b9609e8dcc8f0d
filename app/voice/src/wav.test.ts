import { describe, expect, it } from 'vitest'
import { WavStreamReader, encodeWav } from './wav.js'

describe('WAV', () => {
  it('reads back what it writes', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234])
    const reader = new WavStreamReader()
    expect(Array.from(reader.push(encodeWav(samples, 16_000)))).toEqual(Array.from(samples))
    expect(reader.format).toEqual({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 })
  })

  it('streams espeak-ng style output: placeholder sizes, chunks split anywhere (even inside a sample)', () => {
    const samples = Int16Array.from({ length: 1000 }, (_, index) => (index * 37) % 20000 - 10000)
    const wav = encodeWav(samples, 22_050)
    wav.writeUInt32LE(0x7ffff000, 4)
    wav.writeUInt32LE(0x7ffff000, 40)
    const reader = new WavStreamReader()
    const out: number[] = []
    let offset = 0
    for (const size of [3, 17, 25, 1, 1, 454, 699, 99999]) {
      out.push(...reader.push(wav.subarray(offset, offset + size)))
      offset += size
    }
    expect(out).toEqual(Array.from(samples))
    expect(reader.format?.sampleRate).toBe(22_050)
  })

  it('refuses what is not PCM16 WAV', () => {
    expect(() => new WavStreamReader().push(Buffer.from('RIFX0000WAVEfmt '))).toThrow(/RIFF/)
    const float = encodeWav(new Int16Array(4), 8_000)
    float.writeUInt16LE(3, 20)
    expect(() => new WavStreamReader().push(float)).toThrow(/PCM/)
  })
})
