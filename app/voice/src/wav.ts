/** PCM16 mono WAV: written for speech-to-text requests, read as a stream from espeak-ng. */

export interface WavFormat {
  sampleRate: number
  channels: number
  bitsPerSample: number
}

/** A PCM16 mono WAV file of these samples. */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const dataBytes = samples.length * 2
  const out = Buffer.alloc(44 + dataBytes)
  out.write('RIFF', 0, 'ascii')
  out.writeUInt32LE(36 + dataBytes, 4)
  out.write('WAVE', 8, 'ascii')
  out.write('fmt ', 12, 'ascii')
  out.writeUInt32LE(16, 16)
  out.writeUInt16LE(1, 20)
  out.writeUInt16LE(1, 22)
  out.writeUInt32LE(sampleRate, 24)
  out.writeUInt32LE(sampleRate * 2, 28)
  out.writeUInt16LE(2, 32)
  out.writeUInt16LE(16, 34)
  out.write('data', 36, 'ascii')
  out.writeUInt32LE(dataBytes, 40)
  for (let index = 0; index < samples.length; index++) out.writeInt16LE(samples[index]!, 44 + index * 2)
  return out
}

/**
 * Reads a PCM16 WAV as it arrives, chunk by chunk: the header first, then samples. The declared
 * sizes are not trusted — espeak-ng writes placeholders (0x7ffff000) when it writes to stdout — so
 * the data runs to the end of the stream.
 */
export class WavStreamReader {
  #header: Buffer = Buffer.alloc(0)
  #format: WavFormat | null = null
  /** A byte left over when a chunk ended between the two bytes of a sample. */
  #odd: number | null = null

  get format(): WavFormat | null {
    return this.#format
  }

  /** The samples in this chunk (none while the header is still incomplete). */
  push(chunk: Buffer): Int16Array {
    let data = chunk
    if (!this.#format) {
      this.#header = Buffer.concat([this.#header, chunk])
      const parsed = parseHeader(this.#header)
      if (!parsed) {
        if (this.#header.length > 64 * 1024) throw new Error('no WAV data chunk in the first 64 KiB')
        return EMPTY
      }
      this.#format = parsed.format
      data = this.#header.subarray(parsed.dataOffset)
      this.#header = Buffer.alloc(0)
    }
    if (this.#odd !== null) data = Buffer.concat([Buffer.from([this.#odd]), data])
    const count = data.length >> 1
    this.#odd = data.length & 1 ? data[data.length - 1]! : null
    const samples = new Int16Array(count)
    for (let index = 0; index < count; index++) samples[index] = data.readInt16LE(index * 2)
    return samples
  }
}

const EMPTY = new Int16Array(0)

function parseHeader(buffer: Buffer): { format: WavFormat; dataOffset: number } | null {
  if (buffer.length < 12) return null
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE stream')
  let offset = 12
  let format: WavFormat | null = null
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4)
    const size = buffer.readUInt32LE(offset + 4)
    if (id === 'data') {
      if (!format) throw new Error('WAV data before its format')
      return { format, dataOffset: offset + 8 }
    }
    if (id === 'fmt ') {
      if (offset + 8 + 16 > buffer.length) return null
      if (buffer.readUInt16LE(offset + 8) !== 1) throw new Error('WAV is not PCM')
      format = { channels: buffer.readUInt16LE(offset + 10), sampleRate: buffer.readUInt32LE(offset + 12), bitsPerSample: buffer.readUInt16LE(offset + 22) }
      if (format.bitsPerSample !== 16) throw new Error('WAV is not 16-bit')
    }
    offset += 8 + size + (size & 1)
  }
  return null
}
