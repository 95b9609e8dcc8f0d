/**
 * Sample-rate conversion of a PCM16 mono stream, in JavaScript: band-limited interpolation with a
 * Blackman-windowed sinc (J. O. Smith's method), low-passed below the lower Nyquist frequency.
 *
 * Why not LiveKit's AudioResampler (rtc-node): its native FFI, once started, keeps the Node event
 * loop alive for good — a process that ever resampled there cannot end by itself, and its only
 * teardown is global. Doing it here keeps a closed pipeline from holding anything, at a cost of
 * 2 × halfTaps multiply-adds per output sample (a few ms of CPU per second of audio).
 */
export class StreamResampler {
  readonly #from: number
  readonly #to: number
  /** How many input samples the filter reaches on each side. */
  readonly #width: number
  /** The filter, sampled RESOLUTION times per input sample from 0 to #width. */
  readonly #table: Float32Array
  /** Input kept: samples from absolute index #bufferStart. */
  #buffer = new Float32Array(0)
  #bufferStart = 0
  #bufferLength = 0
  /** Absolute index of the next output sample. */
  #next = 0
  /** Input samples received in all. */
  #received = 0

  constructor(fromRate: number, toRate: number, halfTaps = 16) {
    if (!(fromRate > 0 && toRate > 0)) throw new RangeError('sample rates must be positive')
    this.#from = fromRate
    this.#to = toRate
    // Cut-off as a fraction of the input's Nyquist frequency; 0.9 leaves room for the transition band.
    const scale = Math.min(1, toRate / fromRate) * 0.9
    this.#width = Math.ceil(halfTaps / Math.min(1, toRate / fromRate))
    const size = this.#width * RESOLUTION + 2
    this.#table = new Float32Array(size)
    for (let index = 0; index < size; index++) {
      const x = index / RESOLUTION
      if (x >= this.#width) continue
      const window = 0.42 + 0.5 * Math.cos((Math.PI * x) / this.#width) + 0.08 * Math.cos((2 * Math.PI * x) / this.#width)
      this.#table[index] = scale * sinc(scale * x) * window
    }
  }

  get fromRate(): number {
    return this.#from
  }

  get toRate(): number {
    return this.#to
  }

  /** Converts what it can of the stream so far (it holds back #width samples of look-ahead). */
  push(samples: Int16Array): Int16Array {
    this.#append(samples)
    this.#received += samples.length
    return this.#produce(this.#received - this.#width)
  }

  /** The rest of the stream, as if followed by silence; the resampler can then start a new stream. */
  flush(): Int16Array {
    const total = Math.ceil((this.#received * this.#to) / this.#from)
    this.#append(new Int16Array(this.#width + 1))
    const out = this.#produce(Number.POSITIVE_INFINITY, total)
    this.reset()
    return out
  }

  reset(): void {
    this.#bufferStart = 0
    this.#bufferLength = 0
    this.#next = 0
    this.#received = 0
  }

  #append(samples: Int16Array): void {
    if (this.#bufferLength + samples.length > this.#buffer.length) {
      const grown = new Float32Array(Math.max(this.#buffer.length * 2, this.#bufferLength + samples.length, 1024))
      grown.set(this.#buffer.subarray(0, this.#bufferLength))
      this.#buffer = grown
    }
    for (let index = 0; index < samples.length; index++) this.#buffer[this.#bufferLength + index] = samples[index]!
    this.#bufferLength += samples.length
  }

  /** Output samples whose filter window ends before input index `limit` (and below `maxTotal`). */
  #produce(limit: number, maxTotal = Number.POSITIVE_INFINITY): Int16Array {
    const out: number[] = []
    const buffer = this.#buffer
    const width = this.#width
    const table = this.#table
    for (;;) {
      if (this.#next >= maxTotal) break
      // Time of this output sample in input samples, kept exact with integers.
      const numerator = this.#next * this.#from
      const center = Math.floor(numerator / this.#to)
      if (center + width >= limit) break
      const fraction = (numerator - center * this.#to) / this.#to
      let sum = 0
      for (let k = -width + 1; k <= width; k++) {
        const index = center + k - this.#bufferStart
        if (index < 0 || index >= this.#bufferLength) continue
        const position = Math.abs(k - fraction) * RESOLUTION
        const cell = Math.floor(position)
        const weight = table[cell]! + (table[cell + 1]! - table[cell]!) * (position - cell)
        sum += buffer[index]! * weight
      }
      out.push(sum > 32767 ? 32767 : sum < -32768 ? -32768 : Math.round(sum))
      this.#next++
    }
    // Drop input no later output sample can reach.
    const keepFrom = Math.floor((this.#next * this.#from) / this.#to) - width
    const drop = Math.min(this.#bufferLength, Math.max(0, keepFrom - this.#bufferStart))
    if (drop > 0) {
      this.#buffer.copyWithin(0, drop, this.#bufferLength)
      this.#bufferLength -= drop
      this.#bufferStart += drop
    }
    return Int16Array.from(out)
  }
}

const RESOLUTION = 256

function sinc(x: number): number {
  if (x === 0) return 1
  const y = Math.PI * x
  return Math.sin(y) / y
}
