import { randomInt } from 'node:crypto'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { Encoder } from '@evan/opus'

/**
 * Kept turn audio as Ogg Opus (RFC 7845, RFC 3533): mono, 20 ms packets, voice-tuned at ~24 kbps,
 * which every current browser plays in an <audio> element. docs/decisions/011-stored-audio.md.
 */

export type OpusSampleRate = 8_000 | 12_000 | 16_000 | 24_000 | 48_000
export const opusSampleRates: readonly OpusSampleRate[] = [8_000, 12_000, 16_000, 24_000, 48_000]

const FRAME_MS = 20
const BITRATE = 24_000
/** Ogg Opus granule positions always count 48 kHz samples, whatever the input rate. */
const GRANULE_RATE = 48_000
/** Audio packets on one Ogg page: a second of audio. */
const PACKETS_PER_PAGE = 50
/**
 * Packets encoded between yields to the event loop: 200 ms of audio, about 2 ms of work with the
 * native binding (5 ms with the WebAssembly fallback) — short next to a 20 ms audio frame.
 */
const PACKETS_PER_SLICE = 10
/** opus_encoder_ctl OPUS_GET_LOOKAHEAD_REQUEST (the typings misspell its getter). */
const OPUS_GET_LOOKAHEAD = 4027
const VENDOR = 'avaaz (libopus via @evan/opus)'

const FLAG_BOS = 0x02
const FLAG_EOS = 0x04

// ── CRC ────────────────────────────────────────────────────────────────────────────────────────

const crcTable = (() => {
  const table = new Uint32Array(256)
  for (let index = 0; index < 256; index++) {
    let crc = index << 24
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000_0000 ? (crc << 1) ^ 0x04c1_1db7 : crc << 1
    table[index] = crc >>> 0
  }
  return table
})()

/** Ogg's CRC-32: polynomial 0x04C11DB7, initial value 0, no reflection, no final XOR (RFC 3533 §6). */
export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0
  for (const byte of bytes) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ byte) & 0xff]!) >>> 0
  return crc
}

// ── pages ──────────────────────────────────────────────────────────────────────────────────────

export interface OggPage {
  /** FLAG_BOS / FLAG_EOS bits (packets never continue across pages here). */
  headerType: number
  granulePosition: bigint
  serial: number
  sequence: number
  packets: Uint8Array[]
}

/** Lacing values of one packet: 255s, then the remainder (a 0 ends a packet whose length is a multiple of 255). */
function lacing(length: number): number[] {
  return [...Array<number>(Math.floor(length / 255)).fill(255), length % 255]
}

/** Serializes one page of whole packets (at most 255 lacing values), CRC included. */
export function oggPage(page: OggPage): Uint8Array {
  const segments = page.packets.flatMap((packet) => lacing(packet.length))
  if (segments.length > 255) throw new RangeError('an Ogg page holds at most 255 segments')
  const bodyLength = page.packets.reduce((sum, packet) => sum + packet.length, 0)
  const bytes = new Uint8Array(27 + segments.length + bodyLength)
  const view = new DataView(bytes.buffer)
  bytes.set([0x4f, 0x67, 0x67, 0x53]) // "OggS"
  bytes[4] = 0 // stream structure version
  bytes[5] = page.headerType
  view.setBigInt64(6, page.granulePosition, true)
  view.setUint32(14, page.serial, true)
  view.setUint32(18, page.sequence, true)
  // CRC (22–25) stays zero while it is computed.
  bytes[26] = segments.length
  bytes.set(segments, 27)
  let offset = 27 + segments.length
  for (const packet of page.packets) {
    bytes.set(packet, offset)
    offset += packet.length
  }
  view.setUint32(22, oggCrc32(bytes), true)
  return bytes
}

/** The identification header (RFC 7845 §5.1): mono, channel mapping family 0. */
export function opusHead(options: { preSkip: number; inputSampleRate: number; channels?: number }): Uint8Array {
  const bytes = new Uint8Array(19)
  const view = new DataView(bytes.buffer)
  bytes.set(new TextEncoder().encode('OpusHead'))
  bytes[8] = 1 // version
  bytes[9] = options.channels ?? 1
  view.setUint16(10, options.preSkip, true)
  view.setUint32(12, options.inputSampleRate, true)
  view.setInt16(16, 0, true) // output gain
  bytes[18] = 0 // mapping family
  return bytes
}

/** The comment header (RFC 7845 §5.2): the vendor string and no comments (nothing personal in the file). */
export function opusTags(vendor = VENDOR): Uint8Array {
  const vendorBytes = new TextEncoder().encode(vendor)
  const bytes = new Uint8Array(8 + 4 + vendorBytes.length + 4)
  const view = new DataView(bytes.buffer)
  bytes.set(new TextEncoder().encode('OpusTags'))
  view.setUint32(8, vendorBytes.length, true)
  bytes.set(vendorBytes, 12)
  view.setUint32(12 + vendorBytes.length, 0, true)
  return bytes
}

/**
 * Builds the Ogg stream from encoded packets: header pages, then audio pages of up to a second each,
 * the last one flagged end-of-stream with its granule position trimmed to the real length.
 */
export function oggOpusStream(options: { packets: Uint8Array[]; samplesPerPacket48k: number; preSkip: number; inputSampleRate: number; totalSamples48k: number; serial?: number }): Uint8Array {
  const serial = options.serial ?? randomInt(0, 2 ** 32 - 1)
  const pages: Uint8Array[] = []
  let sequence = 0
  pages.push(oggPage({ headerType: FLAG_BOS, granulePosition: 0n, serial, sequence: sequence++, packets: [opusHead({ preSkip: options.preSkip, inputSampleRate: options.inputSampleRate })] }))
  pages.push(oggPage({ headerType: 0, granulePosition: 0n, serial, sequence: sequence++, packets: [opusTags()] }))
  let granule = 0
  let index = 0
  do {
    const page: Uint8Array[] = []
    let segments = 0
    while (index < options.packets.length && page.length < PACKETS_PER_PAGE) {
      const needed = lacing(options.packets[index]!.length).length
      if (segments + needed > 255) break
      segments += needed
      page.push(options.packets[index++]!)
    }
    granule += page.length * options.samplesPerPacket48k
    const last = index >= options.packets.length
    // The last page's granule position says where playback ends: pre-skip plus the real samples.
    const granulePosition = last ? Math.min(granule, options.preSkip + options.totalSamples48k) : granule
    pages.push(oggPage({ headerType: last ? FLAG_EOS : 0, granulePosition: BigInt(granulePosition), serial, sequence: sequence++, packets: page }))
  } while (index < options.packets.length)
  const out = new Uint8Array(pages.reduce((sum, page) => sum + page.length, 0))
  let offset = 0
  for (const page of pages) {
    out.set(page, offset)
    offset += page.length
  }
  return out
}

// ── encoding ───────────────────────────────────────────────────────────────────────────────────

/**
 * Encodes mono PCM16 at an Opus rate to an Ogg Opus file. The work is done 200 ms of audio at a time
 * with a yield to the event loop in between (≈10 ms of work per second of speech with the native
 * binding), so a long turn never holds up the embedded database or other connections.
 */
export async function encodeOggOpus(pcm: Int16Array, sampleRate: OpusSampleRate): Promise<Uint8Array> {
  const encoder = new Encoder({ channels: 1, sample_rate: sampleRate, application: 'voip' })
  try {
    encoder.bitrate = BITRATE
    encoder.signal = 'voice'
    const frameSize = (sampleRate * FRAME_MS) / 1000
    const scale = GRANULE_RATE / sampleRate
    const preSkip = encoder.ctl(OPUS_GET_LOOKAHEAD) * scale
    const packets: Uint8Array[] = []
    // The encoder's lookahead delays the audio by preSkip: enough trailing silence flushes the real end out.
    const padded = new Int16Array(Math.ceil((pcm.length + preSkip / scale) / frameSize) * frameSize)
    padded.set(pcm)
    for (let offset = 0; offset < padded.length; offset += frameSize) {
      // Copied: the native binding hands out views of one shared buffer.
      packets.push(Uint8Array.from(encoder.encode(padded.subarray(offset, offset + frameSize))))
      if (packets.length % PACKETS_PER_SLICE === 0) await yieldToEventLoop()
    }
    return oggOpusStream({ packets, samplesPerPacket48k: frameSize * scale, preSkip, inputSampleRate: sampleRate, totalSamples48k: pcm.length * scale })
  } finally {
    // The WebAssembly fallback holds its state outside the garbage-collected heap.
    ;(encoder as unknown as { drop?: () => void }).drop?.()
  }
}

/** Resamples mono PCM16 to the nearest Opus rate not above it, for microphones at 44.1 kHz and such. */
export function toOpusRate(pcm: Int16Array, sampleRate: number): { pcm: Int16Array; sampleRate: OpusSampleRate } {
  if ((opusSampleRates as readonly number[]).includes(sampleRate)) return { pcm, sampleRate: sampleRate as OpusSampleRate }
  const target = [...opusSampleRates].reverse().find((rate) => rate <= sampleRate) ?? 8_000
  const ratio = sampleRate / target
  const out = new Int16Array(Math.floor(pcm.length / ratio))
  // Each output sample averages the input it covers (a box filter against aliasing), good enough for a replay of speech.
  for (let index = 0; index < out.length; index++) {
    const from = Math.floor(index * ratio)
    const to = Math.max(from + 1, Math.min(pcm.length, Math.floor((index + 1) * ratio)))
    let sum = 0
    for (let at = from; at < to; at++) sum += pcm[at]!
    out[index] = Math.round(sum / (to - from))
  }
  return { pcm: out, sampleRate: target }
}
