/**
 * The voice pipeline's contract with whoever hosts it: the backend's WebSocket transport (in-process
 * tutor) and the LiveKit agent (tutor over the backend's API). The pipeline owns audio — voice
 * activity, end of turn, barge-in, speech-to-text, speech — and nothing of the domain: what the
 * tutor says, and what is stored, comes from the bridge.
 */

export interface WordTiming {
  word: string
  /** From the start of the turn's speech. */
  startMs: number
  endMs: number
  confidence?: number
}

/** A finished learner turn handed to the tutor. */
export interface LearnerTurn {
  clientTurnId: string
  text: string
  source: 'speech_engine' | 'browser_speech' | 'typed'
  /** When the learner's speech began and ended (voice turns). */
  startedAt?: Date
  endedAt?: Date
  words?: WordTiming[]
}

/**
 * What the tutor answers, as it comes: text to speak (and show), and anything else to pass on to the
 * client untouched (stored turns, corrections, visual aids, state changes), in order.
 */
export type ReplyEvent =
  | { type: 'text'; text: string }
  /** Another line to speak after the reply (in a mock exam: the task, the co-candidate's first turn …). */
  | { type: 'line'; text: string; payload: Record<string, unknown> }
  | { type: 'meta'; payload: Record<string, unknown> }

export interface TutorBridge {
  /**
   * The learner finished a turn: store it and stream the reply. Throws (or the iterator rejects)
   * when the reply fails; the pipeline tells the learner and goes on listening.
   */
  learnerTurn(turn: LearnerTurn, signal: AbortSignal): AsyncIterable<ReplyEvent>
  /** The reply to a turn was spoken: its latency (end of learner speech → first audio out). */
  replySpoken?(info: { clientTurnId: string; latencyMs: number | null; interrupted: boolean }): void
}

export type SpeechToTextConfig =
  /** Text comes from the browser's own recognition (`pushTranscript`); audio is only listened to for turn-taking. */
  | { kind: 'browser' }
  /** OpenAI's transcription API (or a server speaking its protocol). */
  | { kind: 'openai'; apiKey: string; model: string; baseURL?: string; language?: string }

export type SpeechConfig =
  /** espeak-ng in a separate process (GPL: never linked into ours). */
  | { kind: 'espeak'; voice?: string; command?: string }
  | { kind: 'openai'; apiKey: string; model: string; voice: string; baseURL?: string }

export interface TurnTaking {
  /** Silence after speech before the learner's turn counts as ended. */
  endOfTurnSilenceMs: number
  /** Whether the learner's speech cuts the tutor off (never in a mock exam). */
  allowInterruptions: boolean
}

export type PipelineEvent =
  | { type: 'state'; agent: 'listening' | 'thinking' | 'speaking'; user: 'listening' | 'speaking' }
  /** The server's speech-to-text: interim while the learner speaks, then final. */
  | { type: 'transcript'; text: string; final: boolean }
  /** A reply's meta event or line, passed on as the bridge gave it. */
  | { type: 'meta'; payload: Record<string, unknown> }
  /**
   * The reply's words as the tutor gives them (the protocol's `delta`; not a line's words, which
   * come with the line's meta event). Added after the first version of this contract.
   */
  | { type: 'delta'; text: string }
  | { type: 'speech'; event: 'start' | 'end'; interrupted: boolean }
  | { type: 'latency'; clientTurnId: string; ms: number }
  | { type: 'error'; code: 'tutor_unavailable' | 'speech_to_text_unavailable' | 'speech_unavailable' | 'internal'; message: string }

export interface VoicePipelineOptions {
  bridge: TutorBridge
  speechToText: SpeechToTextConfig
  speech: SpeechConfig
  turnTaking: TurnTaking
  /** Sample rate of the audio pushed in (8000–48000). */
  inputSampleRate: number
  /** Sample rate of the audio handed out (24000 by default). */
  outputSampleRate?: number
  /** Tutor speech out: PCM16 mono at outputSampleRate. */
  onAudio(frame: Int16Array): void
  onEvent(event: PipelineEvent): void
}

export interface VoicePipeline {
  readonly outputSampleRate: number
  /**
   * Learner microphone audio, PCM16 mono at inputSampleRate, in real time. The frame is copied. At
   * most 2 seconds of it wait to be processed: beyond that, frames are dropped (a client sending
   * faster than real time; the transport meters that itself and tells the client too_fast).
   */
  pushAudio(frame: Int16Array): void
  /** Browser speech recognition: interim and final results (speechToText 'browser'). */
  pushTranscript(transcript: { clientTurnId: string; text: string; final: boolean }): void
  /** A typed turn. */
  sendText(turn: { clientTurnId: string; text: string }): void
  /**
   * Barge-in from the client: stop speaking now (and drop the lines queued after it). Like the
   * learner's voice, it does not cut off speech that turn-taking makes uninterruptible (a mock
   * exam's examiner) unless `force` is set.
   */
  interrupt(options?: { force?: boolean }): void
  /** Changes turn-taking live (a mock exam began or ended, the learner's level changed). */
  setTurnTaking(turnTaking: TurnTaking): void
  close(): Promise<void>
}
