/**
 * The browser's own speech recognition (Web Speech API) during a voice conversation, in Norwegian:
 * interim text while the learner speaks, and a final text once they have paused for the turn-taking
 * silence (longer for beginners, from the server's `ready`). The browser finalises a phrase at every
 * short pause; those phrases are gathered until the silence is long enough, so a hesitant speaker's
 * turn is not cut into pieces. Recognition restarts by itself while active (browsers stop after a
 * while).
 */

/** The parts of the Web Speech API used here (TypeScript's DOM library does not declare the recogniser). */
export interface SpeechRecognitionLike {
  lang: string
  interimResults: boolean
  continuous: boolean
  maxAlternatives: number
  start(): void
  stop(): void
  abort(): void
  onresult: ((event: { resultIndex: number; results: ArrayLike<ArrayLike<{ transcript: string }> & { isFinal: boolean }> }) => void) | null
  onerror: ((event: { error: string }) => void) | null
  onend: (() => void) | null
}
export type SpeechRecognitionConstructor = new () => SpeechRecognitionLike

export function speechRecognitionConstructor(): SpeechRecognitionConstructor | null {
  if (typeof window === 'undefined') return null
  const scope = window as unknown as { SpeechRecognition?: SpeechRecognitionConstructor; webkitSpeechRecognition?: SpeechRecognitionConstructor }
  return scope.SpeechRecognition ?? scope.webkitSpeechRecognition ?? null
}

/**
 * Whether to rely on the browser's recognition. Not under automation or in headless Chromium: the
 * recogniser is declared there but has no speech service behind it.
 */
export function browserRecognitionUsable(): boolean {
  if (!speechRecognitionConstructor()) return false
  if (typeof navigator === 'undefined') return false
  return !navigator.webdriver && !/HeadlessChrome/.test(navigator.userAgent)
}

/** Why recognition stopped for good: the session then lets the server transcribe, if it can. */
export type RecognitionProblem = 'denied' | 'no_microphone' | 'network' | 'failed'

function problemOf(error: string): RecognitionProblem | null {
  switch (error) {
    case 'no-speech':
    case 'aborted':
      return null
    case 'not-allowed':
    case 'service-not-allowed':
      return 'denied'
    case 'audio-capture':
      return 'no_microphone'
    case 'network':
      return 'network'
    default:
      return 'failed'
  }
}

export interface BrowserSpeechOptions {
  onInterim(clientTurnId: string, text: string): void
  onFinal(clientTurnId: string, text: string): void
  onProblem(problem: RecognitionProblem): void
  newClientTurnId(): string
  /** Silence after the last words before the turn is final (default 1.2 s). */
  endOfTurnSilenceMs?: number
  lang?: string
  Recognition?: SpeechRecognitionConstructor
}

/** Restarts that end this quickly, this many times in a row, mean recognition does not work here. */
const QUICK_END_MS = 1_000
const MAX_QUICK_ENDS = 5

export class BrowserSpeech {
  private readonly options: BrowserSpeechOptions
  private recogniser: SpeechRecognitionLike | null = null
  private active = false
  private silenceMs: number
  private clientTurnId: string
  /**
   * A recognition session's results are one growing list (each event names the first index that
   * changed); its final results are kept by index. Those below `consumed` belong to turns already
   * sent; `carried` holds this turn's finals from sessions that have ended since.
   */
  private sessionFinals = new Map<number, string>()
  private sessionLength = 0
  private consumed = 0
  private carried = ''
  private timer: ReturnType<typeof setTimeout> | null = null
  private startedAt = 0
  private quickEnds = 0

  constructor(options: BrowserSpeechOptions) {
    this.options = options
    this.silenceMs = options.endOfTurnSilenceMs ?? 1_200
    this.clientTurnId = options.newClientTurnId()
  }

  get listening(): boolean {
    return this.active
  }

  setEndOfTurnSilence(ms: number): void {
    if (ms > 0) this.silenceMs = ms
  }

  start(): void {
    if (this.active) return
    this.active = true
    this.quickEnds = 0
    this.run()
  }

  private run(): void {
    const Recognition = this.options.Recognition ?? speechRecognitionConstructor()
    if (!Recognition) return this.giveUp('failed')
    const recogniser = new Recognition()
    recogniser.lang = this.options.lang ?? 'nb-NO'
    recogniser.interimResults = true
    recogniser.continuous = true
    recogniser.maxAlternatives = 1
    recogniser.onresult = (event) => {
      let interim = ''
      for (let i = event.resultIndex; i < event.results.length; i++) {
        const result = event.results[i]
        const text = result?.[0]?.transcript ?? ''
        if (result?.isFinal) this.sessionFinals.set(i, text)
        else if (i >= this.consumed) interim += text
      }
      this.sessionLength = event.results.length
      const heard = join(this.turnFinals(), interim)
      if (!heard) return
      this.options.onInterim(this.clientTurnId, heard)
      this.armEndOfTurn(interim.trim() === '')
    }
    recogniser.onerror = (event) => {
      const problem = problemOf(event.error)
      if (problem) this.giveUp(problem)
    }
    recogniser.onend = () => {
      if (this.recogniser !== recogniser) return
      this.recogniser = null
      if (!this.active) return
      // This turn's finals so far go along into the next recognition session.
      this.carried = this.turnFinals()
      this.sessionFinals.clear()
      this.sessionLength = 0
      this.consumed = 0
      this.quickEnds = Date.now() - this.startedAt < QUICK_END_MS ? this.quickEnds + 1 : 0
      if (this.quickEnds >= MAX_QUICK_ENDS) return this.giveUp('failed')
      this.run()
    }
    this.recogniser = recogniser
    this.startedAt = Date.now()
    try {
      recogniser.start()
    } catch {
      this.giveUp('failed')
    }
  }

  private turnFinals(): string {
    const finals = [...this.sessionFinals.entries()].filter(([index]) => index >= this.consumed).sort(([a], [b]) => a - b)
    return join(this.carried, ...finals.map(([, text]) => text))
  }

  /** Once only finalised phrases are left, the turn ends after the silence; more speech postpones it. */
  private armEndOfTurn(onlyFinals: boolean): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!onlyFinals) return
    this.timer = setTimeout(() => this.finish(), this.silenceMs)
  }

  private finish(): void {
    this.timer = null
    const text = this.turnFinals()
    this.carried = ''
    this.consumed = this.sessionLength
    if (!text) return
    const id = this.clientTurnId
    this.clientTurnId = this.options.newClientTurnId()
    this.options.onFinal(id, text)
  }

  private giveUp(problem: RecognitionProblem): void {
    this.stop()
    this.options.onProblem(problem)
  }

  /** Stops listening; a turn already heard in full is sent, a half-heard one is dropped. */
  stop(): void {
    this.active = false
    if (this.timer) {
      clearTimeout(this.timer)
      this.finish()
    }
    this.carried = ''
    this.sessionFinals.clear()
    this.sessionLength = 0
    this.consumed = 0
    const recogniser = this.recogniser
    this.recogniser = null
    if (recogniser) {
      recogniser.onresult = null
      recogniser.onerror = null
      recogniser.onend = null
      try {
        recogniser.abort()
      } catch {
        // Not started.
      }
    }
  }
}

/** Recognised pieces as one text: browsers differ in whether a piece brings its leading space. */
function join(...pieces: string[]): string {
  return pieces
    .map((piece) => piece.trim())
    .filter(Boolean)
    .join(' ')
}
