/**
 * Audio sample arithmetic, free of any audio API so it can be tested with numbers worked out by hand:
 * float samples to PCM16 and back, downsampling the microphone to the protocol's 16 kHz in 20 ms
 * frames, little-endian bytes, and an input level for the meter.
 */

/** A float sample (−1…1, clipped beyond) as a signed 16-bit integer: −1 → −32768, 1 → 32767. */
export function floatToPcm16Sample(value: number): number {
  const clipped = Math.max(-1, Math.min(1, Number.isNaN(value) ? 0 : value))
  return Math.round(clipped < 0 ? clipped * 32768 : clipped * 32767)
}

export function floatToPcm16(samples: ArrayLike<number>): Int16Array {
  const out = new Int16Array(samples.length)
  for (let i = 0; i < samples.length; i++) out[i] = floatToPcm16Sample(samples[i]!)
  return out
}

export function pcm16ToFloat(samples: Int16Array): Float32Array<ArrayBuffer> {
  const out = new Float32Array(samples.length)
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / 32768
  return out
}

/** PCM16 as the protocol sends it: little-endian, whatever the machine's byte order. */
export function pcm16ToBytes(samples: Int16Array): ArrayBuffer {
  const view = new DataView(new ArrayBuffer(samples.length * 2))
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i]!, true)
  return view.buffer
}

/** Little-endian PCM16 bytes as samples; a stray odd byte at the end is dropped. */
export function bytesToPcm16(bytes: ArrayBuffer): Int16Array {
  const view = new DataView(bytes)
  const out = new Int16Array(Math.floor(bytes.byteLength / 2))
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * 2, true)
  return out
}

/**
 * The input level for a meter, 0…1: the RMS of the samples on a decibel scale from −60 dBFS (0,
 * silence and room noise) to 0 dBFS (1). A decibel scale moves the way loudness is heard; a linear
 * RMS would sit near the bottom for ordinary speech (about −25 dBFS, 0.58 here).
 */
export function levelOf(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0
  let sum = 0
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!
  const rms = Math.sqrt(sum / samples.length)
  if (rms <= 0) return 0
  return Math.max(0, Math.min(1, (20 * Math.log10(rms) + 60) / 60))
}

/**
 * Downsamples a stream of float samples (the audio context's rate: 48 kHz, 44.1 kHz …) to PCM16 at
 * `outputRate` and cuts it into frames of `frameMs`. Each output sample is the mean of the input over
 * its own span of time (a box filter, with fractional weights where the spans do not line up, as
 * 44.1 → 16 kHz): cheap, and enough low-pass that speech does not alias audibly at 16 kHz.
 * State carries across `push` calls, so the frames are seamless however the input is cut.
 * Input slower than the output (an 8 kHz headset) is held sample by sample.
 */
export class Pcm16Downsampler {
  /** Input samples per output sample. */
  private readonly ratio: number
  private readonly frameSamples: number
  private acc = 0
  private filled = 0
  private frame: Int16Array
  private framePos = 0

  constructor(
    readonly inputRate: number,
    readonly outputRate = 16_000,
    readonly frameMs = 20,
  ) {
    if (!(inputRate > 0) || !(outputRate > 0)) throw new Error(`Pcm16Downsampler: sample rates must be positive (got ${inputRate} → ${outputRate})`)
    this.ratio = inputRate / outputRate
    this.frameSamples = Math.round((outputRate * frameMs) / 1000)
    this.frame = new Int16Array(this.frameSamples)
  }

  /** Adds input samples; returns the frames completed by them (often none, sometimes several). */
  push(samples: ArrayLike<number>): Int16Array[] {
    const frames: Int16Array[] = []
    const emit = (value: number) => {
      this.frame[this.framePos++] = floatToPcm16Sample(value)
      if (this.framePos === this.frameSamples) {
        frames.push(this.frame)
        this.frame = new Int16Array(this.frameSamples)
        this.framePos = 0
      }
    }
    if (this.ratio <= 1) {
      // Upsampling: each input sample is held for 1/ratio output samples (fractions carried over).
      for (let i = 0; i < samples.length; i++) {
        this.filled += 1 / this.ratio
        while (this.filled >= 1 - 1e-9) {
          emit(samples[i]!)
          this.filled -= 1
        }
      }
      return frames
    }
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!
      // Input sample i covers one unit of time; it is shared between the output samples it overlaps.
      let remaining = 1
      while (remaining > 1e-9) {
        const take = Math.min(this.ratio - this.filled, remaining)
        this.acc += x * take
        this.filled += take
        remaining -= take
        if (this.filled >= this.ratio - 1e-9) {
          emit(this.acc / this.ratio)
          this.acc = 0
          this.filled = 0
        }
      }
    }
    return frames
  }

  /** Forgets a partial frame (after a pause in sending, old audio must not lead the next frame). */
  reset(): void {
    this.acc = 0
    this.filled = 0
    this.framePos = 0
  }
}
