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
  /**
   * With a realtime model as the tutor (which hears the learner and answers in its own voice), an
   * exchange that took place: to be stored. Resolves to what the client should be shown of it (the
   * stored turns), in order. Required when `realtime` is set; rejects when it cannot be stored.
   */
  exchange?(exchange: SpokenExchange): Promise<Array<Record<string, unknown>>>
}

/** A learner turn and the realtime model's answer to it. */
export interface SpokenExchange {
  /** What the learner said or typed; null when the model heard speech but transcribed no words. */
  learner: LearnerTurn | null
  /**
   * The model's reply as it transcribed its own speech (what was spoken before any barge-in), and
   * its latency: end of the learner's speech (or the typed turn's arrival) → first audio out.
   */
  reply: { text: string; interrupted: boolean; latencyMs: number | null }
  /** The model that took part, e.g. `openai:gpt-realtime` (hosts may log or keep it). */
  model: string
}

/**
 * A speech-to-speech model as the tutor: it hears the learner, transcribes them, and answers in its
 * own voice, all in one connection. Turn-taking stays ours (the same VAD and silences by level): the
 * model's own turn detection is switched off.
 */
export type RealtimeModelConfig =
  | { provider: 'openai'; apiKey: string; model: string; voice: string; baseURL?: string; transcriptionModel?: string }
  | { provider: 'gemini'; apiKey: string; model: string; voice: string; baseURL?: string }

export interface RealtimeTutor {
  model: RealtimeModelConfig
  /** The tutor's instructions (the tutor core builds them: level, memory, the learner's goals …). */
  instructions: string
  /** The conversation so far, oldest first: the model's context, as messages (never in its instructions). */
  history?: Array<{ role: 'learner' | 'tutor'; text: string }>
  /** BCP 47 language the learner speaks (transcription hint), `nb` by default. */
  language?: string
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
  /**
   * A reply's meta event or line, passed on as the bridge gave it. With a realtime model, a stored
   * reply names the speech it was spoken in (`speechId`, as in its `speech` events).
   */
  | { type: 'meta'; payload: Record<string, unknown>; speechId?: string }
  /**
   * The reply's words as the tutor gives them (the protocol's `delta`; not a line's words, which
   * come with the line's meta event). Added after the first version of this contract.
   */
  | { type: 'delta'; text: string }
  /** `speechId`: which speech, for hosts that pair audio with stored turns (not for clients). */
  | { type: 'speech'; event: 'start' | 'end'; interrupted: boolean; speechId?: string }
  | { type: 'latency'; clientTurnId: string; ms: number }
  /** `fatal`: the pipeline cannot go on (a realtime model's connection failed for good); the host should end the connection. */
  | { type: 'error'; code: 'tutor_unavailable' | 'speech_to_text_unavailable' | 'speech_unavailable' | 'internal'; message: string; fatal?: true }

export interface VoicePipelineOptions {
  bridge: TutorBridge
  /** Ignored when `realtime` is set (the model hears the learner itself). */
  speechToText: SpeechToTextConfig
  /** Ignored when `realtime` is set (the model speaks itself). */
  speech: SpeechConfig
  /**
   * A realtime model as tutor, speech-to-text and speech at once. The bridge then stores exchanges
   * (`exchange`) instead of answering turns; lines (`ReplyEvent` 'line') do not occur. Typed turns
   * still work: the model answers them aloud.
   */
  realtime?: RealtimeTutor
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
