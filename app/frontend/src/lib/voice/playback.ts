import { Emitter } from './emitter'
import { pcm16ToFloat } from './pcm'

/**
 * The tutor's voice: PCM16 frames (24 kHz by default) queued back to back on an audio context's clock,
 * so frames that arrive with network jitter still play without gaps or overlaps. `stop()` silences
 * everything queued at once (barge-in). The context may run at any rate: an AudioBuffer carries its
 * own sample rate and the context resamples it.
 */

/** The parts of an audio context the queue uses (a fake one in tests). */
export type PlaybackContext = Pick<BaseAudioContext, 'currentTime' | 'createBuffer' | 'createBufferSource' | 'destination' | 'state'> & {
  resume?(): Promise<void>
}

export interface PlaybackEvents {
  /** Audio began after silence. */
  start: undefined
  /** The queue ran dry, or was stopped (`interrupted`). */
  end: { interrupted: boolean }
}

export interface PlaybackOptions {
  sampleRate?: number
  /**
   * How far ahead of the context's clock the first frame after silence is placed. Frames are handed
   * over from the main thread, which may be late; a little lead keeps the start from being cut.
   */
  leadSeconds?: number
}

export class PlaybackQueue extends Emitter<PlaybackEvents> {
  private sampleRate: number
  private readonly leadSeconds: number
  private sources = new Set<AudioBufferSourceNode>()
  /** Where on the context's clock the next frame starts. */
  private nextTime = 0
  private _playing = false

  constructor(
    private readonly context: PlaybackContext,
    options: PlaybackOptions = {},
  ) {
    super()
    this.sampleRate = options.sampleRate ?? 24_000
    this.leadSeconds = options.leadSeconds ?? 0.05
  }

  get playing(): boolean {
    return this._playing
  }

  /** Seconds of audio scheduled but not yet heard. */
  get buffered(): number {
    return this._playing ? Math.max(0, this.nextTime - this.context.currentTime) : 0
  }

  /** The server's output rate (from `ready`); frames already queued keep theirs. */
  setSampleRate(rate: number): void {
    if (rate > 0) this.sampleRate = rate
  }

  enqueue(frame: Int16Array): void {
    if (frame.length === 0) return
    if (this.context.state === 'suspended') void this.context.resume?.().catch(() => undefined)
    const buffer = this.context.createBuffer(1, frame.length, this.sampleRate)
    buffer.getChannelData(0).set(pcm16ToFloat(frame))
    const source = this.context.createBufferSource()
    source.buffer = buffer
    source.connect(this.context.destination)
    const now = this.context.currentTime
    // After silence, or when the queue fell behind the clock (an underrun), start a little ahead of now.
    if (!this._playing || this.nextTime < now) this.nextTime = now + this.leadSeconds
    source.onended = () => this.ended(source)
    this.sources.add(source)
    source.start(this.nextTime)
    this.nextTime += frame.length / this.sampleRate
    if (!this._playing) {
      this._playing = true
      this.emit('start', undefined)
    }
  }

  private ended(source: AudioBufferSourceNode): void {
    if (!this.sources.delete(source)) return
    source.disconnect()
    if (this.sources.size === 0 && this._playing) {
      this._playing = false
      this.emit('end', { interrupted: false })
    }
  }

  /** Silences the tutor now: every queued frame is dropped, and the one playing is cut. */
  stop(): void {
    const sources = [...this.sources]
    this.sources.clear()
    for (const source of sources) {
      source.onended = null
      try {
        source.stop()
      } catch {
        // Not started yet in some implementations: disconnecting is enough.
      }
      source.disconnect()
    }
    this.nextTime = 0
    if (this._playing) {
      this._playing = false
      this.emit('end', { interrupted: true })
    }
  }
}
