import type { PipelineEvent } from './types.js'

/**
 * Keeps the audio of voice turns, for learners who chose to keep audio (SPEC C4): the learner's own
 * words cut from a bounded ring of their recent microphone input, and the tutor's spoken reply as it
 * was sent. Each becomes an Ogg Opus file beside the turn (`turns.audio_ref`), served only to its
 * owner and deleted by retention and with the account.
 */

/** Margin kept around a learner turn's VAD times, so the first and last syllables are not clipped. */
const LEARNER_MARGIN_MS = 300

/** One turn's audio, as the recorder hands it out. */
export interface TurnRecording {
  turnId: string
  /** Mono PCM16. */
  pcm: Int16Array
  sampleRate: number
}

export interface TurnAudioRecorderOptions {
  inputSampleRate: number
  outputSampleRate: number
  /** Called with each finished recording; may be slow (it is not awaited). */
  save: (recording: TurnRecording) => void
  /** How much recent learner input is held, at most. */
  maxInputSeconds?: number
  /** How much of one reply's audio is kept, at most (the rest of a very long reply is not). */
  maxReplySeconds?: number
  /**
   * A realtime model answers: each exchange is stored (and its turns reported) after its reply was
   * spoken, so a reply claims the oldest speech nobody has claimed yet, in order.
   */
  realtime?: boolean
  now?: () => number
}

export const defaultTurnAudioRecorderOptions = { maxInputSeconds: 60, maxReplySeconds: 120, now: () => Date.now() }

/**
 * The learner's most recent input, each frame with the time it arrived, at most `maxSeconds` of it:
 * older frames fall out as new ones come, so memory stays bounded however long a connection lasts.
 */
export class InputRing {
  readonly maxSamples: number
  #frames: Array<{ samples: Int16Array; endedAt: number }> = []
  #samples = 0

  constructor(
    readonly sampleRate: number,
    maxSeconds: number,
  ) {
    this.maxSamples = Math.round(sampleRate * maxSeconds)
  }

  /** Samples held now. */
  get samples(): number {
    return this.#samples
  }

  /** A frame that arrived at `at` (ms since the epoch): its last sample was captured then. */
  push(samples: Int16Array, at: number): void {
    if (samples.length === 0) return
    this.#frames.push({ samples, endedAt: at })
    this.#samples += samples.length
    while (this.#samples > this.maxSamples) {
      const oldest = this.#frames[0]!
      const excess = this.#samples - this.maxSamples
      if (oldest.samples.length <= excess) {
        this.#frames.shift()
        this.#samples -= oldest.samples.length
      } else {
        oldest.samples = oldest.samples.subarray(excess)
        this.#samples -= excess
      }
    }
  }

  /** The samples captured between `from` and `to` (ms since the epoch), as one array. */
  cut(from: number, to: number): Int16Array {
    const msPerSample = 1000 / this.sampleRate
    const parts: Int16Array[] = []
    for (const frame of this.#frames) {
      const startedAt = frame.endedAt - frame.samples.length * msPerSample
      if (frame.endedAt <= from || startedAt >= to) continue
      const first = Math.max(0, Math.floor((from - startedAt) / msPerSample))
      const last = Math.min(frame.samples.length, Math.ceil((to - startedAt) / msPerSample))
      if (last > first) parts.push(frame.samples.subarray(first, last))
    }
    return concat(parts)
  }
}

interface ReplySegment {
  /** The learner turn being answered when the tutor began to speak. */
  generation: number
  frames: Int16Array[]
  samples: number
  ended: boolean
  turnId: string | null
  /** The pipeline's id of the speech (realtime pairing). */
  speechId?: string
}

interface StoredTurn {
  id: string
  role: string
  startedAt?: string | null
  endedAt?: string | null
  source?: string | null
  replyToTurnId?: string | null
}

/**
 * Follows one voice connection — its input frames, output frames and pipeline events — and hands out
 * each turn's audio once the turn is stored and (for replies) spoken:
 * - a learner turn from speech: its VAD start … end, with a margin, cut from the input ring;
 * - a reply (tutor, examiner, co-candidate line): the output between a `speech` start and its end.
 *   Replies and speeches are paired in order within the answer to one learner turn, so a reply that
 *   was never spoken (speech failed) or a speech of no stored turn never shifts the pairing past it.
 */
export class TurnAudioRecorder {
  readonly input: InputRing
  readonly #options: TurnAudioRecorderOptions & typeof defaultTurnAudioRecorderOptions
  readonly #maxReplySamples: number
  /** Speeches in the order they started, until paired and ended. */
  #segments: ReplySegment[] = []
  /** Stored replies waiting for their speech. */
  #pending: Array<{ turnId: string; generation: number }> = []
  /** Learner turn id → its generation, for the replies to it. */
  #generations = new Map<string, number>()
  #generation = 0

  constructor(options: TurnAudioRecorderOptions) {
    this.#options = { ...defaultTurnAudioRecorderOptions, ...options }
    this.input = new InputRing(options.inputSampleRate, this.#options.maxInputSeconds)
    this.#maxReplySamples = Math.round(options.outputSampleRate * this.#options.maxReplySeconds)
  }

  /** Learner microphone audio as it arrives. */
  onInput(samples: Int16Array): void {
    this.input.push(samples, this.#options.now())
  }

  /** Audio sent to the learner: it belongs to the speech that started last. */
  onOutput(frame: Int16Array): void {
    const segment = this.#segments.findLast((candidate) => !candidate.ended)
    if (!segment || segment.samples + frame.length > this.#maxReplySamples) return
    // Copied: the frame is the pipeline's, not ours to keep.
    segment.frames.push(frame.slice())
    segment.samples += frame.length
  }

  onEvent(event: PipelineEvent): void {
    if (event.type === 'speech') return event.event === 'start' ? this.#speechStarted(event.speechId) : this.#speechEnded()
    if (event.type !== 'meta') return
    const payload = event.payload as { type?: unknown; turn?: StoredTurn; replayed?: unknown }
    const turn = payload.turn
    if (!turn?.id || (payload.type !== 'turn' && payload.type !== 'line')) return
    if (turn.role === 'learner') return this.#learnerTurn(turn)
    // A replayed reply (a retry of a turn already answered) is not spoken again.
    if (payload.replayed === true) return
    if (this.#options.realtime) return this.#realtimeReply(turn, event.speechId)
    this.#reply(turn)
  }

  /** Replies spoken in part when the connection ends are kept as far as they went. */
  close(): void {
    for (const segment of this.#segments) if (segment.turnId && segment.samples > 0) this.#finish(segment)
    this.#segments = []
    this.#pending = []
  }

  /** Reply audio held now, in samples (for the memory bound). */
  get heldReplySamples(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.samples, 0)
  }

  #learnerTurn(turn: StoredTurn): void {
    if (this.#options.realtime) return this.#keepLearnerAudio(turn)
    if (!this.#generations.has(turn.id)) {
      this.#generation += 1
      this.#generations.set(turn.id, this.#generation)
      if (this.#generations.size > 16) this.#generations.delete(this.#generations.keys().next().value!)
    }
    // Speech from older answers that nobody claimed will not be claimed now.
    this.#segments = this.#segments.filter((segment) => !(segment.ended && !segment.turnId && segment.generation < this.#generation))
    // A reply not yet spoken while nothing plays will not be spoken (its speech failed or was cut off);
    // while the tutor still speaks (a mock exam never gives way) replies queued behind it still follow.
    if (!this.#segments.some((segment) => !segment.ended)) this.#pending = this.#pending.filter((pending) => pending.generation >= this.#generation)
    this.#keepLearnerAudio(turn)
  }

  #keepLearnerAudio(turn: StoredTurn): void {
    const spoken = turn.source === 'speech_engine' || turn.source === 'browser_speech'
    if (!spoken || !turn.startedAt || !turn.endedAt) return
    const pcm = this.input.cut(Date.parse(turn.startedAt) - LEARNER_MARGIN_MS, Date.parse(turn.endedAt) + LEARNER_MARGIN_MS)
    // Browser recognition with no audio streamed, or a turn re-sent on a new connection: nothing to keep.
    if (pcm.length < this.input.sampleRate / 10) return
    this.#options.save({ turnId: turn.id, pcm, sampleRate: this.input.sampleRate })
  }

  /**
   * A realtime model's reply, stored after it was spoken: it names its speech. Speeches before it that
   * nobody claimed (a reply cut off before its first word stores no turn) never will be.
   */
  #realtimeReply(turn: StoredTurn, speechId: string | undefined): void {
    const index = speechId ? this.#segments.findIndex((candidate) => candidate.speechId === speechId) : -1
    if (index < 0) return
    const segment = this.#segments[index]!
    this.#segments = this.#segments.filter((candidate, position) => position >= index || candidate.turnId || !candidate.ended)
    segment.turnId = turn.id
    if (segment.ended) this.#finish(segment)
  }

  #reply(turn: StoredTurn): void {
    const generation = (turn.replyToTurnId && this.#generations.get(turn.replyToTurnId)) || this.#generation
    if (this.#segments.some((segment) => segment.turnId === turn.id) || this.#pending.some((pending) => pending.turnId === turn.id)) return
    const segment = this.#segments.find((candidate) => candidate.generation === generation && !candidate.turnId)
    if (!segment) {
      this.#pending.push({ turnId: turn.id, generation })
      if (this.#pending.length > 8) this.#pending.shift()
      return
    }
    segment.turnId = turn.id
    if (segment.ended) this.#finish(segment)
  }

  #speechStarted(speechId: string | undefined): void {
    // Speeches play in the order their replies were stored: the oldest reply still waiting is this one.
    // (A realtime model's replies are stored after they are spoken, and name their speech instead.)
    const pending = this.#options.realtime ? undefined : this.#pending.shift()
    const segment: ReplySegment = {
      generation: pending?.generation ?? this.#generation,
      frames: [],
      samples: 0,
      ended: false,
      turnId: pending?.turnId ?? null,
      ...(speechId ? { speechId } : {}),
    }
    this.#segments.push(segment)
    // Bounded: the oldest speeches nobody claimed make way.
    while (this.#segments.length > 4) this.#segments.shift()
  }

  #speechEnded(): void {
    const segment = this.#segments.find((candidate) => !candidate.ended)
    if (!segment) return
    segment.ended = true
    if (segment.turnId) this.#finish(segment)
  }

  #finish(segment: ReplySegment): void {
    this.#segments = this.#segments.filter((candidate) => candidate !== segment)
    if (segment.samples === 0 || !segment.turnId) return
    this.#options.save({ turnId: segment.turnId, pcm: concat(segment.frames), sampleRate: this.#options.outputSampleRate })
  }
}

function concat(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0]!.slice()
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}
