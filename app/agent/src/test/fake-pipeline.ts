import type { LearnerTurn, ReplyEvent, SpokenExchange, TurnTaking, VoicePipeline, VoicePipelineOptions } from '@avaaz/voice'

/**
 * Plays the shared pipeline's part by its contract (app/voice/src/types.ts) without audio engines: a
 * final transcript, a typed turn or `hear` (what speech-to-text would produce) becomes a learner turn
 * for the bridge; each piece of reply text is "spoken" as one frame of silence, between a `speech`
 * start (before the reply's first frame) and end (once the reply is over), as the real pipeline says.
 */
export class FakePipeline implements VoicePipeline {
  readonly outputSampleRate: number
  readonly audio: Int16Array[] = []
  readonly turnTakings: TurnTaking[] = []
  readonly replies: ReplyEvent[][] = []
  closed = false
  #pending: Promise<void> = Promise.resolve()
  #speaking = false

  constructor(readonly options: VoicePipelineOptions) {
    this.outputSampleRate = options.outputSampleRate ?? 24_000
  }

  pushAudio(frame: Int16Array): void {
    this.audio.push(frame)
  }

  pushTranscript(transcript: { clientTurnId: string; text: string; final: boolean }): void {
    if (transcript.final) this.#turn({ clientTurnId: transcript.clientTurnId, text: transcript.text, source: 'browser_speech' })
  }

  sendText(turn: { clientTurnId: string; text: string }): void {
    this.#turn({ ...turn, source: 'typed' })
  }

  /** What server-side speech-to-text would hand over after the learner spoke. */
  hear(turn: LearnerTurn): void {
    this.#turn(turn)
  }

  interrupt(): void {
    this.#speaking = false
    this.options.onEvent({ type: 'speech', event: 'end', interrupted: true })
  }

  setTurnTaking(turnTaking: TurnTaking): void {
    this.turnTakings.push(turnTaking)
  }

  async close(): Promise<void> {
    await this.#pending
    this.closed = true
  }

  /** A realtime model held an exchange: stored through the bridge, its turns shown. */
  exchange(exchange: SpokenExchange): void {
    this.#pending = this.#pending.then(async () => {
      try {
        for (const payload of await this.options.bridge.exchange!(exchange)) this.options.onEvent({ type: 'meta', payload })
      } catch {
        // As the pipeline does: the bridge has told the learner; the exchange is only logged there.
      }
    })
  }

  /** The pipeline cannot go on (a realtime model's connection failed for good). */
  failFatally(): void {
    this.options.onEvent({ type: 'error', code: 'tutor_unavailable', message: 'The model is gone.', fatal: true })
  }

  /** Resolves when every turn handed over so far has been answered (or failed). */
  settled(): Promise<void> {
    return this.#pending
  }

  /** The reply is over: its speech ends (unless a barge-in ended it already). */
  #endSpeech(): void {
    if (!this.#speaking) return
    this.#speaking = false
    this.options.onEvent({ type: 'speech', event: 'end', interrupted: false })
  }

  #turn(turn: LearnerTurn): void {
    this.#pending = this.#pending.then(async () => {
      const events: ReplyEvent[] = []
      try {
        for await (const event of this.options.bridge.learnerTurn(turn, AbortSignal.timeout(10_000))) {
          events.push(event)
          if (event.type === 'text' || event.type === 'line') {
            if (!this.#speaking) {
              this.#speaking = true
              this.options.onEvent({ type: 'speech', event: 'start', interrupted: false })
            }
            this.options.onAudio(new Int16Array(this.outputSampleRate / 50))
          } else this.options.onEvent({ type: 'meta', payload: event.payload })
        }
        this.#endSpeech()
        if (events.length > 0) this.options.bridge.replySpoken?.({ clientTurnId: turn.clientTurnId, latencyMs: 640.4, interrupted: false })
      } catch (error) {
        this.#endSpeech()
        this.options.onEvent({ type: 'error', code: 'tutor_unavailable', message: (error as Error).message })
      }
      this.replies.push(events)
    })
  }
}
