import { Decoder } from '@evan/opus'
import { oggCrc32 } from './ogg-opus.js'

/**
 * Reads back what ogg-opus.ts writes — used by the tests to prove a stored file is a valid stream
 * that decodes: pages with checked CRCs, the headers, and the audio as the player would output it.
 */

export interface ParsedPage {
  headerType: number
  granulePosition: bigint
  serial: number
  sequence: number
  packets: Uint8Array[]
}

export function readOggPages(bytes: Uint8Array): ParsedPage[] {
  const pages: ParsedPage[] = []
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let offset = 0
  while (offset < bytes.length) {
    if (String.fromCharCode(...bytes.subarray(offset, offset + 4)) !== 'OggS') throw new Error(`no capture pattern at ${offset}`)
    const segmentCount = bytes[offset + 26]!
    const segments = bytes.subarray(offset + 27, offset + 27 + segmentCount)
    const bodyLength = segments.reduce((sum, value) => sum + value, 0)
    const end = offset + 27 + segmentCount + bodyLength
    const page = Uint8Array.from(bytes.subarray(offset, end))
    const crc = view.getUint32(offset + 22, true)
    page.fill(0, 22, 26)
    if (oggCrc32(page) !== crc) throw new Error(`bad CRC on page at ${offset}`)
    const packets: Uint8Array[] = []
    let packetStart = offset + 27 + segmentCount
    let length = 0
    for (const value of segments) {
      length += value
      if (value < 255) {
        packets.push(bytes.subarray(packetStart, packetStart + length))
        packetStart += length
        length = 0
      }
    }
    pages.push({ headerType: bytes[offset + 5]!, granulePosition: view.getBigInt64(offset + 6, true), serial: view.getUint32(offset + 14, true), sequence: view.getUint32(offset + 18, true), packets })
    offset = end
  }
  return pages
}

/** Decodes an Ogg Opus file to 48 kHz mono PCM16, pre-skip and end trimming applied as a player does. */
export function decodeOggOpus(bytes: Uint8Array): { pcm: Int16Array; preSkip: number; inputSampleRate: number; pages: ParsedPage[] } {
  const pages = readOggPages(bytes)
  const head = pages[0]!.packets[0]!
  if (String.fromCharCode(...head.subarray(0, 8)) !== 'OpusHead') throw new Error('not Opus')
  const headView = new DataView(head.buffer, head.byteOffset, head.byteLength)
  const preSkip = headView.getUint16(10, true)
  const inputSampleRate = headView.getUint32(12, true)
  const decoder = new Decoder({ channels: 1, sample_rate: 48_000 })
  const chunks: Int16Array[] = []
  for (const page of pages.slice(2)) {
    for (const packet of page.packets) {
      const out = Uint8Array.from(decoder.decode(packet))
      chunks.push(new Int16Array(out.buffer, 0, out.length / 2))
    }
  }
  ;(decoder as unknown as { drop?: () => void }).drop?.()
  const all = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    all.set(chunk, offset)
    offset += chunk.length
  }
  const end = Number(pages.at(-1)!.granulePosition)
  return { pcm: all.slice(preSkip, end), preSkip, inputSampleRate, pages }
}
