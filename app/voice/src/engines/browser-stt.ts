import { type APIConnectOptions, asLanguageCode, stt } from '@livekit/agents'

export interface BrowserTranscript {
  clientTurnId: string
  text: string
  final: boolean
}

/**
 * Speech-to-text done by the browser (Web Speech API): the client sends its interim and final
 * results as text, and this engine turns them into the session's transcript events. Audio, if the
 * client streams any, is only listened to by the VAD (turn-taking, barge-in); this engine ignores it.
 *
 * Interim results become the session's interim transcripts. A final result is a whole learner turn
 * with the client's id — the browser has already decided where the turn ends — so it is handed to
 * `onFinal` to be answered as such, rather than run through the session's endpointing, which could
 * merge two of the client's turns into one (and lose one of their ids).
 */
export class BrowserTranscriptSTT extends stt.STT {
  label = 'avaaz.BrowserTranscriptSTT'
  readonly #streams = new Set<BrowserTranscriptStream>()
  readonly #onFinal: (transcript: BrowserTranscript) => void
  readonly #language: string

  constructor(options: { onFinal(transcript: BrowserTranscript): void; language?: string }) {
    super({ streaming: true, interimResults: true })
    this.#onFinal = options.onFinal
    this.#language = options.language ?? 'nb'
  }

  override get provider(): string {
    return 'browser'
  }

  push(transcript: BrowserTranscript): void {
    const text = transcript.text.trim()
    if (transcript.final) {
      if (text) this.#onFinal({ ...transcript, text })
      return
    }
    if (!text) return
    for (const stream of this.#streams) {
      stream.put({
        type: stt.SpeechEventType.INTERIM_TRANSCRIPT,
        alternatives: [{ text, language: asLanguageCode(this.#language), startTime: 0, endTime: 0, confidence: 0 }],
      })
    }
  }

  protected async _recognize(): Promise<stt.SpeechEvent> {
    throw new Error('BrowserTranscriptSTT only streams')
  }

  stream(options?: { connOptions?: APIConnectOptions }): BrowserTranscriptStream {
    const stream = new BrowserTranscriptStream(this, options?.connOptions, () => this.#streams.delete(stream))
    this.#streams.add(stream)
    return stream
  }
}

export class BrowserTranscriptStream extends stt.SpeechStream {
  label = 'avaaz.BrowserTranscriptStream'
  readonly #onClose: () => void

  constructor(owner: BrowserTranscriptSTT, connOptions: APIConnectOptions | undefined, onClose: () => void) {
    super(owner, undefined, connOptions)
    this.#onClose = onClose
  }

  put(event: stt.SpeechEvent): void {
    if (!this.queue.closed) this.queue.put(event)
  }

  protected async run(): Promise<void> {
    // The session pipes microphone audio into every STT stream; it is drained here (the queue is
    // unbounded) and not used.
    for await (const _frame of this.input) {
      // nothing to do with audio
    }
  }

  override close(): void {
    this.#onClose()
    super.close()
  }
}
