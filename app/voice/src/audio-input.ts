import { voice } from '@livekit/agents'
import { AudioFrame } from '@livekit/rtc-node'
import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web'
import { StreamResampler } from './resampler.js'

/** Unprocessed microphone audio kept at most, in seconds (docs/voice-protocol.md §3). */
export const MAX_BUFFERED_INPUT_SECONDS = 2
/** The rate the session hears at: Silero's, and plenty for speech-to-text. */
export const PROCESSING_SAMPLE_RATE = 16_000

/**
 * The learner's microphone as the session's audio input: the host pushes PCM16 mono frames at its
 * rate, the session reads them as a stream at 16 kHz (converted here, see StreamResampler). The
 * queue between the two is bounded by samples: audio that would make more than two seconds wait is
 * dropped (whole frames), so memory does not grow with what a client sends, however fast.
 */
export class PushAudioInput extends voice.AudioInput {
  /** Rate of the frames the session reads. */
  readonly sampleRate = PROCESSING_SAMPLE_RATE
  readonly maxBufferedSamples: number
  readonly #resampler: StreamResampler | null
  #controller!: ReadableStreamDefaultController<AudioFrame>
  #closed = false
  #droppedSamples = 0

  constructor(readonly inputSampleRate: number, maxBufferedSeconds = MAX_BUFFERED_INPUT_SECONDS) {
    super()
    this.#resampler = inputSampleRate === PROCESSING_SAMPLE_RATE ? null : new StreamResampler(inputSampleRate, PROCESSING_SAMPLE_RATE, 12)
    this.maxBufferedSamples = Math.round(PROCESSING_SAMPLE_RATE * maxBufferedSeconds)
    const source = new ReadableStream<AudioFrame>(
      { start: (controller) => void (this.#controller = controller) },
      // The queue's size is counted in samples, so desiredSize says how much more may wait.
      { highWaterMark: this.maxBufferedSamples, size: (frame) => frame.samplesPerChannel },
    )
    this.multiStream.addInputStream(source)
  }

  /** Samples (at 16 kHz) pushed and not yet read by the session. */
  get bufferedSamples(): number {
    return this.#closed ? 0 : this.maxBufferedSamples - (this.#controller.desiredSize ?? this.maxBufferedSamples)
  }

  /** Samples (as pushed, at the input rate) dropped. */
  get droppedSamples(): number {
    return this.#droppedSamples
  }

  /** Queues a copy of the frame; false when it was dropped (too much audio waiting, or closed). */
  push(samples: Int16Array): boolean {
    if (this.#closed) return false
    if (samples.length === 0) return true
    const converted = Math.ceil((samples.length * PROCESSING_SAMPLE_RATE) / this.inputSampleRate)
    if ((this.#controller.desiredSize ?? 0) < converted) {
      this.#droppedSamples += samples.length
      return false
    }
    // Copied (or converted into a new array): the host may reuse its buffer.
    const data = this.#resampler ? this.#resampler.push(samples) : Int16Array.from(samples)
    if (data.length > 0) this.#controller.enqueue(new AudioFrame(data, PROCESSING_SAMPLE_RATE, 1, data.length))
    return true
  }

  override async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true
      try {
        this.#controller.close()
      } catch {
        // already closed by the reader's cancellation
      }
    }
    await super.close()
  }
}
