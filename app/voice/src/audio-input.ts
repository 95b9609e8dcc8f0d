import { voice } from '@livekit/agents'
import { AudioFrame } from '@livekit/rtc-node'
import { ReadableStream, type ReadableStreamDefaultController } from 'node:stream/web'

/** Unprocessed microphone audio kept at most, in seconds (docs/voice-protocol.md §3). */
export const MAX_BUFFERED_INPUT_SECONDS = 2

/**
 * The learner's microphone as the session's audio input: the host pushes PCM16 mono frames, the
 * session reads them as a stream. The queue between the two is bounded by samples: audio that would
 * make more than two seconds wait is dropped (whole frames), so memory does not grow with what a
 * client sends, however fast.
 */
export class PushAudioInput extends voice.AudioInput {
  readonly maxBufferedSamples: number
  #controller!: ReadableStreamDefaultController<AudioFrame>
  #closed = false
  #droppedSamples = 0

  constructor(readonly sampleRate: number, maxBufferedSeconds = MAX_BUFFERED_INPUT_SECONDS) {
    super()
    this.maxBufferedSamples = Math.round(sampleRate * maxBufferedSeconds)
    const source = new ReadableStream<AudioFrame>(
      { start: (controller) => void (this.#controller = controller) },
      // The queue's size is counted in samples, so desiredSize says how much more may wait.
      { highWaterMark: this.maxBufferedSamples, size: (frame) => frame.samplesPerChannel },
    )
    this.multiStream.addInputStream(source)
  }

  /** Samples pushed and not yet read by the session. */
  get bufferedSamples(): number {
    return this.#closed ? 0 : this.maxBufferedSamples - (this.#controller.desiredSize ?? this.maxBufferedSamples)
  }

  get droppedSamples(): number {
    return this.#droppedSamples
  }

  /** Queues a copy of the frame; false when it was dropped (too much audio waiting, or closed). */
  push(samples: Int16Array): boolean {
    if (this.#closed) return false
    if (samples.length === 0) return true
    if ((this.#controller.desiredSize ?? 0) < samples.length) {
      this.#droppedSamples += samples.length
      return false
    }
    // Copied: the host may reuse its buffer, and AudioFrame wants its own aligned Int16Array.
    const data = Int16Array.from(samples)
    this.#controller.enqueue(new AudioFrame(data, this.sampleRate, 1, data.length))
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
