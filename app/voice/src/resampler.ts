/**
 * Sample-rate conversion of a PCM16 mono stream, in JavaScript: a polyphase filter bank built from a
 * Blackman-windowed sinc, low-passed below the lower Nyquist frequency (for a rational ratio L/M in
 * lowest terms there are L phases; each output sample is one dot product of 2 × halfTaps inputs).
 *
 * Why not LiveKit's AudioResampler (rtc-node): its native FFI, once started, keeps the Node event
 * loop alive for good — a process that ever resampled there cannot end by itself, and its only
 * teardown is global. Doing it here keeps a closed pipeline from holding anything, for about a
 * millisecond of CPU per second of audio.
 */
export class StreamResampler {
  readonly fromRate: number
  readonly toRate: number
  /** to/from in lowest terms: output n lies at input n·step/phases. */
  readonly #phases: number
  readonly #step: number
  /** How many input samples the filter reaches on each side. */
  readonly #width: number
  /** #phases rows of 2·#width coefficients. */
  readonly #bank: Float32Array
  /** Input not yet consumed; the sample at index 0 is input sample #bufferStart (negative: silence before the start). */
  #buffer = new Float32Array(4096)
  #bufferStart = 0
  #bufferLength = 0
  /** Index of the next output sample, and input samples received. */
  #next = 0
  #received = 0

  constructor(fromRate: number, toRate: number, halfTaps = 12) {
    if (!(Number.isInteger(fromRate) && Number.isInteger(toRate) && fromRate > 0 && toRate > 0)) throw new RangeError('sample rates must be positive integers')
    this.fromRate = fromRate
    this.toRate = toRate
    const divisor = gcd(fromRate, toRate)
    this.#phases = toRate / divisor
    this.#step = fromRate / divisor
    this.#width = Math.ceil(halfTaps / Math.min(1, toRate / fromRate))
    this.#bank = filterBank(this.#phases, this.#width, Math.min(1, toRate / fromRate))
    this.reset()
  }

  /** Converts what it can of the stream so far (it holds back #width samples of look-ahead). */
  push(samples: Int16Array): Int16Array {
    this.#append(samples)
    this.#received += samples.length
    return this.#produce(this.#received)
  }

  /** The rest of the stream, as if followed by silence; the resampler then starts a new stream. */
  flush(): Int16Array {
    const total = Math.ceil((this.#received * this.#phases) / this.#step)
    this.#append(new Int16Array(this.#width + 1))
    const out = this.#produce(Number.POSITIVE_INFINITY, total)
    this.reset()
    return out
  }

  reset(): void {
    // Silence before the stream's start, so every output sample has its full window.
    this.#buffer.fill(0, 0, this.#width)
    this.#bufferStart = -this.#width
    this.#bufferLength = this.#width
    this.#next = 0
    this.#received = 0
  }

  #append(samples: Int16Array): void {
    if (this.#bufferLength + samples.length > this.#buffer.length) {
      const grown = new Float32Array(Math.max(this.#buffer.length * 2, this.#bufferLength + samples.length))
      grown.set(this.#buffer.subarray(0, this.#bufferLength))
      this.#buffer = grown
    }
    this.#buffer.set(samples, this.#bufferLength)
    this.#bufferLength += samples.length
  }

  /** Output samples whose window ends before input index `limit` (and below `maxTotal` in all). */
  // (limit: the first input index not yet received.)
  #produce(limit: number, maxTotal = Number.POSITIVE_INFINITY): Int16Array {
    const phases = this.#phases
    const step = this.#step
    const width = this.#width
    const taps = 2 * width
    const bank = this.#bank
    const buffer = this.#buffer
    // Output n is centred on input floor(n·step/phases): it can be made once center + width < limit.
    const lastCenter = Math.min(limit - width - 1, Number.MAX_SAFE_INTEGER)
    let end = lastCenter < 0 ? 0 : Math.floor(((lastCenter + 1) * phases - 1) / step) + 1
    if (end > maxTotal) end = maxTotal
    const count = Math.max(0, end - this.#next)
    const out = new Int16Array(count)
    for (let index = 0; index < count; index++) {
      const n = this.#next + index
      const position = n * step
      const center = Math.floor(position / phases)
      const row = (position - center * phases) * taps
      const first = center - width + 1 - this.#bufferStart
      let sum = 0
      for (let tap = 0; tap < taps; tap++) sum += buffer[first + tap]! * bank[row + tap]!
      out[index] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : Math.round(sum)
    }
    this.#next += count
    // Drop input no later output sample can reach.
    const keepFrom = Math.floor((this.#next * step) / phases) - width + 1
    const drop = Math.min(this.#bufferLength, Math.max(0, keepFrom - this.#bufferStart))
    if (drop > 0) {
      this.#buffer.copyWithin(0, drop, this.#bufferLength)
      this.#bufferLength -= drop
      this.#bufferStart += drop
    }
    return out
  }
}

/** Filter banks by (phases, width, cut-off): pipelines at the same rates share one. */
const banks = new Map<string, Float32Array>()

function filterBank(phases: number, width: number, ratio: number): Float32Array {
  const key = `${phases}/${width}/${ratio}`
  const cached = banks.get(key)
  if (cached) return cached
  // Cut-off as a fraction of the input's Nyquist frequency; 0.9 leaves room for the transition band.
  const scale = ratio * 0.9
  const taps = 2 * width
  const bank = new Float32Array(phases * taps)
  for (let phase = 0; phase < phases; phase++) {
    const fraction = phase / phases
    for (let tap = 0; tap < taps; tap++) {
      // Distance (in input samples) from the output instant to input sample center - width + 1 + tap.
      const x = tap - width + 1 - fraction
      const window = Math.abs(x) >= width ? 0 : 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width)
      bank[phase * taps + tap] = scale * sinc(scale * x) * window
    }
  }
  banks.set(key, bank)
  return bank
}

function sinc(x: number): number {
  if (x === 0) return 1
  const y = Math.PI * x
  return Math.sin(y) / y
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b]
  return a
}
