import type { LearnerTurn, PipelineEvent, ReplyEvent, SpokenExchange, TutorBridge, VoicePipelineOptions } from '../types.js'

export interface Recorded {
  at: number
  event: PipelineEvent
}

/** Every event a pipeline gives, with its time, and a way to wait for one. */
export class EventLog {
  readonly events: Recorded[] = []
  readonly audio: { at: number; frame: Int16Array }[] = []
  #waiters: { match: (event: PipelineEvent) => boolean; resolve: (at: number) => void }[] = []

  onEvent = (event: PipelineEvent): void => {
    const at = Date.now()
    this.events.push({ at, event })
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(event)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        waiter.resolve(at)
      }
    }
  }

  onAudio = (frame: Int16Array): void => {
    this.audio.push({ at: Date.now(), frame })
  }

  of<T extends PipelineEvent['type']>(type: T): Extract<PipelineEvent, { type: T }>[] {
    return this.events.map((recorded) => recorded.event).filter((event): event is Extract<PipelineEvent, { type: T }> => event.type === type)
  }

  /** Resolves with the time of the next event (from now on, or already logged if `past`) that matches. */
  waitFor(match: (event: PipelineEvent) => boolean, timeoutMs = 20_000, past = false): Promise<number> {
    if (past) {
      const found = this.events.find((recorded) => match(recorded.event))
      if (found) return Promise.resolve(found.at)
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(this.events.map((recorded) => recorded.event))}`))
      }, timeoutMs)
      const waiter = {
        match,
        resolve: (at: number) => {
          clearTimeout(timer)
          resolve(at)
        },
      }
      this.#waiters.push(waiter)
    })
  }

  index(match: (event: PipelineEvent) => boolean, from = 0): number {
    return this.events.findIndex((recorded, index) => index >= from && match(recorded.event))
  }
}

export type ReplyScript = (turn: LearnerTurn, index: number) => ReplyEvent[] | Error

/** A tutor that records each turn and answers from a script (an Error is thrown instead of replying). */
export class FakeTutor implements TutorBridge {
  readonly turns: LearnerTurn[] = []
  readonly spoken: { clientTurnId: string; latencyMs: number | null; interrupted: boolean }[] = []
  readonly aborted: string[] = []
  /** Realtime model: the exchanges stored, in order. */
  readonly exchanges: SpokenExchange[] = []
  #waiters: { count: number; resolve: () => void }[] = []

  constructor(public script: ReplyScript = () => [{ type: 'text', text: 'Hei! Så fint.' }]) {}

  async *learnerTurn(turn: LearnerTurn, signal: AbortSignal): AsyncIterable<ReplyEvent> {
    this.turns.push(turn)
    for (const waiter of [...this.#waiters]) {
      if (this.turns.length >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
    signal.addEventListener('abort', () => this.aborted.push(turn.clientTurnId), { once: true })
    const reply = this.script(turn, this.turns.length - 1)
    if (reply instanceof Error) throw reply
    for (const event of reply) yield event
  }

  replySpoken(info: { clientTurnId: string; latencyMs: number | null; interrupted: boolean }): void {
    this.spoken.push(info)
  }

  /** Stores an exchange and shows it as two stored turns (the learner's, if heard, and the reply). */
  async exchange(exchange: SpokenExchange): Promise<Array<Record<string, unknown>>> {
    this.exchanges.push(exchange)
    const index = this.exchanges.length
    return [
      ...(exchange.learner ? [{ type: 'turn', turn: { id: `learner-${index}`, role: 'learner', text: exchange.learner.text } }] : []),
      { type: 'turn', turn: { id: `tutor-${index}`, role: 'tutor', text: exchange.reply.text } },
    ]
  }

  /** Resolves once `count` turns have arrived. */
  waitForTurns(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.turns.length >= count) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.turns.length} of ${count} turns arrived in ${timeoutMs} ms`)), timeoutMs)
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      })
    })
  }
}

export function baseOptions(tutor: TutorBridge, log: EventLog, overrides: Partial<VoicePipelineOptions> = {}): VoicePipelineOptions {
  return {
    bridge: tutor,
    speechToText: { kind: 'browser' },
    speech: { kind: 'espeak' },
    turnTaking: { endOfTurnSilenceMs: 600, allowInterruptions: true },
    inputSampleRate: 16_000,
    onAudio: log.onAudio,
    onEvent: log.onEvent,
    ...overrides,
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A reply long enough to be talked over (about 12 s of espeak speech). */
export const LONG_REPLY =
  'Det er fint. Nå skal vi øve litt mer på presens. Jeg sier en setning, og du gjentar den etter meg. Er du klar? Vi begynner med en enkel setning om været i dag.'

/** A reply to talk over and then wait out (about 7 s). */
export const MEDIUM_REPLY = 'Det er fint. Nå skal vi øve litt mer på presens. Jeg sier en setning, og du gjentar den.'
