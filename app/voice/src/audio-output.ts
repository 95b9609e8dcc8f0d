import { voice } from '@livekit/agents'
import type { AudioFrame } from '@livekit/rtc-node'
import { StreamResampler } from './resampler.js'

export interface ClientAudioOutputOptions {
  sampleRate: number
  /** Length of every frame handed out (the last one of a segment is padded with silence). */
  frameMs?: number
  onAudio(frame: Int16Array): void
  /** The first frame of a segment (one reply or line) is being handed out, at `at`. */
  onSegmentStart(at: number): void
  onSegmentEnd(interrupted: boolean): void
  /** The text being spoken, so an interrupted segment stores only what was heard. */
  spokenText?(): string
  now?(): number
}

interface Segment {
  started: boolean
  startedAt: number
  /** Audio handed out so far, in ms. */
  handedOutMs: number
  /** When the client will have played this segment's audio handed out so far. */
  playEnd: number
  timer?: NodeJS.Timeout
}

/**
 * The tutor's speech out to a client that plays what it is sent, as it arrives: frames are handed to
 * `onAudio` at once (re-cut to fixed-length frames), and the output keeps a playout clock of that
 * client — each frame plays after the previous one or, if the client had run dry, when it arrives.
 * The transport cannot hear the browser, so a segment counts as played when its last frame has been
 * handed out and the clock has run through it; an interruption reports how far the clock had got,
 * and the transcript up to there.
 */
export class ClientAudioOutput extends voice.AudioOutput {
  /** The rate handed out. (The session's own `sampleRate` stays unset so that it does not resample.) */
  readonly outputSampleRate: number
  readonly frameSamples: number
  readonly #options: ClientAudioOutputOptions
  readonly #now: () => number
  #pending: Int16Array
  #pendingLength = 0
  /** The segment being captured (until flush). */
  #capturing: Segment | null = null
  /** Converts the speech engine's rate to the output's, within a segment. */
  #resampler: StreamResampler | null = null
  /** Segments handed out and not yet reported finished, oldest first. */
  #segments: Segment[] = []
  #playEnd = 0
  #closed = false

  constructor(options: ClientAudioOutputOptions) {
    // No sample rate for LiveKit: it would convert with rtc-node's resampler, whose native FFI then
    // keeps the process alive for good (see StreamResampler). Converted here instead.
    super(undefined, undefined, { pause: false })
    this.outputSampleRate = options.sampleRate
    this.#options = options
    this.#now = options.now ?? Date.now
    this.frameSamples = Math.round((options.sampleRate * (options.frameMs ?? 40)) / 1000)
    this.#pending = new Int16Array(this.frameSamples)
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame)
    if (this.#closed) return
    let segment = this.#capturing
    if (!segment) {
      segment = { started: false, startedAt: 0, handedOutMs: 0, playEnd: 0 }
      this.#capturing = segment
      this.#segments.push(segment)
    }
    let data = frame.data
    if (frame.sampleRate !== this.outputSampleRate) {
      if (this.#resampler?.fromRate !== frame.sampleRate) this.#resampler = new StreamResampler(frame.sampleRate, this.outputSampleRate)
      data = this.#resampler.push(data)
    }
    this.#collect(segment, data)
  }

  #collect(segment: Segment, data: Int16Array): void {
    let offset = 0
    while (offset < data.length) {
      const take = Math.min(this.frameSamples - this.#pendingLength, data.length - offset)
      this.#pending.set(data.subarray(offset, offset + take), this.#pendingLength)
      this.#pendingLength += take
      offset += take
      if (this.#pendingLength === this.frameSamples) this.#handOut(segment)
    }
  }

  override flush(): void {
    super.flush()
    const segment = this.#capturing
    if (!segment) return
    this.#capturing = null
    if (this.#resampler) this.#collect(segment, this.#resampler.flush())
    if (this.#pendingLength > 0) {
      this.#pending.fill(0, this.#pendingLength)
      this.#pendingLength = this.frameSamples
      this.#handOut(segment)
    }
    const remaining = Math.max(0, segment.playEnd - this.#now())
    segment.timer = setTimeout(() => this.#finish(segment, false), remaining)
  }

  override clearBuffer(): void {
    if (this.#capturing) {
      // Interrupted before the end of the segment: it ends here.
      super.flush()
      this.#capturing = null
    }
    this.#pendingLength = 0
    this.#resampler?.reset()
    const now = this.#now()
    for (const segment of [...this.#segments]) this.#finish(segment, true, now)
    // The client drops what it had queued.
    this.#playEnd = now
  }

  /** Stops the clock without reporting anything (the session is gone). */
  close(): void {
    this.#closed = true
    for (const segment of this.#segments) clearTimeout(segment.timer)
    this.#segments = []
    this.#capturing = null
  }

  #handOut(segment: Segment): void {
    const now = this.#now()
    const frame = this.#pending
    this.#pending = new Int16Array(this.frameSamples)
    this.#pendingLength = 0
    if (!segment.started) {
      segment.started = true
      segment.startedAt = now
      this.onPlaybackStarted(now)
      this.#options.onSegmentStart(now)
    }
    const ms = (frame.length / this.outputSampleRate) * 1000
    this.#playEnd = Math.max(this.#playEnd, now) + ms
    segment.handedOutMs += ms
    segment.playEnd = this.#playEnd
    this.#options.onAudio(frame)
  }

  #finish(segment: Segment, interrupted: boolean, now = this.#now()): void {
    const index = this.#segments.indexOf(segment)
    if (index < 0) return
    this.#segments.splice(index, 1)
    clearTimeout(segment.timer)
    const playedMs = interrupted ? Math.min(segment.handedOutMs, Math.max(0, segment.handedOutMs - (segment.playEnd - now))) : segment.handedOutMs
    const synchronizedTranscript = interrupted ? heardPart(this.#options.spokenText?.() ?? '', playedMs / Math.max(1, segment.handedOutMs)) : undefined
    this.onPlaybackFinished({ playbackPosition: playedMs / 1000, interrupted, ...(synchronizedTranscript !== undefined ? { synchronizedTranscript } : {}) })
    if (segment.started) this.#options.onSegmentEnd(interrupted)
  }
}

/** The words of `text` spoken by the time `fraction` of its audio had played. */
export function heardPart(text: string, fraction: number): string {
  const words = text.split(/\s+/).filter(Boolean)
  return words.slice(0, Math.round(words.length * Math.min(1, Math.max(0, fraction)))).join(' ')
}

/**
 * The session's transcription output (`TextOutput` is not exported by @livekit/agents, so this has
 * its shape): the text of the speech being played, for the synchronized transcript of an
 * interruption.
 */
export class SpokenTextSink {
  #current = ''
  #last = ''

  /** `onText`: each piece of text as it is captured (a realtime model's words, which reach the client only this way). */
  constructor(private readonly onText?: (text: string) => void) {}

  async captureText(text: string | { text: string }): Promise<void> {
    const piece = typeof text === 'string' ? text : text.text
    this.#current += piece
    if (piece) this.onText?.(piece)
  }

  flush(): void {
    this.#last = this.#current
    this.#current = ''
  }

  /** Text of the speech in progress, or of the last one (its text may be complete before its audio). */
  get text(): string {
    return this.#current || this.#last
  }

  onAttached(): void {}
  onDetached(): void {}
}
