import { describe, expect, it } from 'vitest'
import { decodeOggOpus, readOggPages } from './ogg-opus-reader.js'
import { encodeOggOpus, oggCrc32, oggOpusStream, oggPage, opusHead, opusTags, toOpusRate } from './ogg-opus.js'

const hex = (value: string) => Uint8Array.from(Buffer.from(value.replace(/\s+/g, ''), 'hex'))

/** A tone that comes and goes, like speech does, at the given level. */
function tone(sampleRate: number, seconds: number, amplitude = 8_000): Int16Array {
  const pcm = new Int16Array(Math.round(sampleRate * seconds))
  for (let index = 0; index < pcm.length; index++) pcm[index] = Math.round(amplitude * Math.sin((2 * Math.PI * 220 * index) / sampleRate))
  return pcm
}

const rms = (pcm: Int16Array) => Math.sqrt(pcm.reduce((sum, sample) => sum + sample * sample, 0) / Math.max(1, pcm.length))

describe('the Ogg CRC-32', () => {
  it('gives the check value of the unreflected, zero-initialised CRC-32 for "123456789"', () => {
    expect(oggCrc32(new TextEncoder().encode('123456789'))).toBe(0x89a1897f)
    expect(oggCrc32(new Uint8Array())).toBe(0)
  })

  it("reproduces libogg's checksum of a real page (the first page of a Vorbis file)", () => {
    const page = hex('4f67675300020000000000000000b24aec7d0000000035cea461011e01766f72626973000000000244ac00000000000080b5010000000000b801')
    const stored = new DataView(page.buffer).getUint32(22, true)
    page.fill(0, 22, 26)
    expect(stored).toBe(0x61a4ce35)
    expect(oggCrc32(page)).toBe(stored)
  })
})

describe('Ogg pages', () => {
  it('lays out a page byte by byte: capture pattern, flags, granule, serial, sequence, CRC, lacing, body', () => {
    const page = oggPage({ headerType: 0x02, granulePosition: 0x0102030405060708n, serial: 0xdeadbeef, sequence: 7, packets: [Uint8Array.of(0xaa, 0xbb, 0xcc)] })
    const expected = hex(`
      4f676753 00 02 0807060504030201 efbeadde 07000000 00000000 01 03 aabbcc`)
    const crc = new DataView(page.buffer).getUint32(22, true)
    expect(crc).toBe(oggCrc32(expected))
    expected.set(page.subarray(22, 26), 22)
    expect([...page]).toEqual([...expected])
  })

  it('laces a packet of 255 bytes as 255 then 0, and one of 600 as 255, 255, 90', () => {
    const page = oggPage({ headerType: 0, granulePosition: 0n, serial: 1, sequence: 0, packets: [new Uint8Array(255), new Uint8Array(600)] })
    expect(page[26]).toBe(5)
    expect([...page.subarray(27, 32)]).toEqual([255, 0, 255, 255, 90])
    expect(page.length).toBe(27 + 5 + 855)
    expect(readOggPages(page)[0]!.packets.map((packet) => packet.length)).toEqual([255, 600])
  })

  it('refuses a page of more than 255 segments', () => {
    expect(() => oggPage({ headerType: 0, granulePosition: 0n, serial: 1, sequence: 0, packets: [new Uint8Array(255 * 255)] })).toThrow(RangeError)
  })

  it('writes OpusHead and OpusTags as RFC 7845 lays them out', () => {
    expect([...opusHead({ preSkip: 312, inputSampleRate: 16_000 })]).toEqual([...hex('4f707573486561640101380180 3e0000 0000 00'.replace(/ /g, ''))])
    const tags = opusTags('x')
    expect([...tags]).toEqual([...hex('4f70757354616773 01000000 78 00000000')])
  })

  it('builds a stream: BOS header page, tags page, audio pages with growing granules, EOS last with the trimmed end', () => {
    const packets = Array.from({ length: 120 }, () => new Uint8Array(60))
    const bytes = oggOpusStream({ packets, samplesPerPacket48k: 960, preSkip: 312, inputSampleRate: 16_000, totalSamples48k: 119 * 960 + 100, serial: 42 })
    const pages = readOggPages(bytes)
    expect(pages.map((page) => page.sequence)).toEqual([0, 1, 2, 3, 4])
    expect(pages.map((page) => page.headerType)).toEqual([0x02, 0, 0, 0, 0x04])
    expect(pages.every((page) => page.serial === 42)).toBe(true)
    expect(pages.slice(2).map((page) => page.packets.length)).toEqual([50, 50, 20])
    expect(pages.map((page) => page.granulePosition)).toEqual([0n, 0n, 48_000n, 96_000n, BigInt(312 + 119 * 960 + 100)])
  })
})

describe('encoding to Ogg Opus', () => {
  it.each([16_000, 24_000] as const)('encodes %i Hz speech-rate audio that decodes back to the same length and level', async (rate) => {
    const pcm = tone(rate, 2.5)
    const started = performance.now()
    const file = await encodeOggOpus(pcm, rate)
    const elapsed = performance.now() - started
    // ~24 kbps: 2.5 s is about 7.5 kB, far below the 80 kB of PCM16 at 16 kHz.
    expect(file.length).toBeGreaterThan(4_000)
    expect(file.length).toBeLessThan(12_000)
    expect(elapsed).toBeLessThan(1_000)
    const decoded = decodeOggOpus(file)
    expect(decoded.inputSampleRate).toBe(rate)
    expect(decoded.preSkip).toBe(312)
    expect(decoded.pcm.length).toBe(2.5 * 48_000)
    const level = rms(decoded.pcm.subarray(4_800, -4_800))
    expect(level).toBeGreaterThan(rms(pcm) * 0.7)
    expect(level).toBeLessThan(rms(pcm) * 1.3)
  })

  it('encodes silence and an empty recording to valid, tiny files', async () => {
    const empty = decodeOggOpus(await encodeOggOpus(new Int16Array(), 16_000))
    expect(empty.pcm.length).toBe(0)
    const silence = decodeOggOpus(await encodeOggOpus(new Int16Array(16_000), 16_000))
    expect(silence.pcm.length).toBe(48_000)
    expect(rms(silence.pcm)).toBeLessThan(50)
  })

  it('yields to the event loop while it encodes a long turn', async () => {
    let ticks = 0
    const timer = setInterval(() => ticks++, 0)
    await encodeOggOpus(tone(16_000, 30), 16_000)
    clearInterval(timer)
    expect(ticks).toBeGreaterThan(5)
  })
})

describe('resampling to an Opus rate', () => {
  it('keeps Opus rates as they are and brings 44.1 kHz to 24 kHz at the same level and length', () => {
    const same = tone(16_000, 0.1)
    expect(toOpusRate(same, 16_000).pcm).toBe(same)
    const { pcm, sampleRate } = toOpusRate(tone(44_100, 1), 44_100)
    expect(sampleRate).toBe(24_000)
    expect(pcm.length).toBe(24_000)
    expect(rms(pcm)).toBeGreaterThan(8_000 * 0.7 * 0.9)
  })
})
