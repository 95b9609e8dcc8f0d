import { learnerTurnRequest, type LearnerTurn, type ReplyEvent, type SpokenExchange, type TutorBridge } from '@avaaz/voice'
import { BackendError, type BackendClient } from './backend.js'
import type { ServiceTokenFor } from './service-token.js'

/** The reply failed at the backend (its `error` event); the learner's turn is kept there. */
export class TutorReplyError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message)
    this.name = 'TutorReplyError'
  }
}

/** Something the learner must be told that is not a failed reply (docs/voice-protocol.md error codes). */
export type BridgeProblem = (code: 'exam_over' | 'bad_message' | 'internal', message: string) => void

export interface BackendBridgeOptions {
  backend: BackendClient
  who: ServiceTokenFor
  /** A reply changed the session (lesson step, exam moved on): turn-taking may have changed with it. */
  onStateChange?: () => void
  /** A turn the backend refused before replying (the mock exam is over, the text is too long). */
  onProblem?: BridgeProblem
  /** A realtime model's exchange was stored while the session was no longer in free conversation (a lesson or exam began). */
  onModeChanged?: () => void
}

const meta = (payload: Record<string, unknown>): ReplyEvent => ({ type: 'meta', payload })

/**
 * The tutor, as the agent reaches it: a final learner turn is POSTed to the backend's agent API and
 * the reply's Server-Sent Events become the pipeline's reply events, in the protocol's names (as the
 * backend's in-process bridge maps them): text is spoken (the pipeline shows it as `delta`), stored
 * turns, corrections, visual aids and state changes pass through as `turn`, `correction`, `visual`
 * and `change`, lines are spoken after the reply. A failed reply throws (the pipeline tells the
 * learner); a refused turn is told through `onProblem` and the session goes on.
 */
export function backendBridge({ backend, who, onStateChange, onProblem, onModeChanged }: BackendBridgeOptions): TutorBridge {
  return {
    async *learnerTurn(turn: LearnerTurn, signal: AbortSignal): AsyncIterable<ReplyEvent> {
      let changed = false
      let stream: AsyncGenerator<{ event: string; data: unknown }>
      try {
        stream = backend.learnerTurn(who, learnerTurnRequest(turn), signal)
        const first = await stream.next()
        if (first.done) return
        stream = prepend(first.value, stream)
      } catch (error) {
        if (error instanceof BackendError && (error.status === 400 || error.status === 409) && onProblem) {
          onProblem(error.status === 409 ? 'exam_over' : 'bad_message', error.detail)
          return
        }
        throw error
      }
      try {
        for await (const { event, data } of stream) {
          const payload = (data ?? {}) as Record<string, unknown>
          switch (event) {
            case 'turn':
              yield meta({ type: 'turn', turn: payload.turn })
              break
            case 'done':
              yield meta({ type: 'turn', turn: payload.turn, replayed: payload.replayed === true })
              break
            case 'delta':
              if (typeof payload.text === 'string' && payload.text) yield { type: 'text', text: payload.text }
              break
            case 'correction':
              yield meta({ type: 'correction', correction: payload.correction })
              break
            case 'visual':
              yield meta({ type: 'visual', aid: payload.aid })
              break
            case 'state':
              changed = true
              yield meta({ type: 'change', change: payload.change })
              break
            case 'line': {
              changed = true
              const line = payload.turn as { text?: unknown } | undefined
              yield { type: 'line', text: typeof line?.text === 'string' ? line.text : '', payload: { type: 'line', turn: payload.turn } }
              break
            }
            case 'error':
              // The learner's turn is stored (and any partial reply, as incomplete): show it, then fail.
              if (payload.turn) yield meta({ type: 'turn', turn: payload.turn })
              throw new TutorReplyError(String(payload.code ?? 'internal'), String(payload.message ?? 'The tutor could not reply.'), payload.retryable === true)
            default:
              // An event a newer backend added: nothing to speak; ignore it.
              break
          }
        }
      } finally {
        if (changed) onStateChange?.()
      }
    },
    replySpoken({ clientTurnId, latencyMs }) {
      if (latencyMs === null) return
      void backend.replyLatency(who, clientTurnId, latencyMs).catch(() => {})
    },
    async exchange(exchange: SpokenExchange) {
      let stored
      try {
        stored = await backend.exchange(who, {
          learner: exchange.learner && learnerTurnRequest(exchange.learner),
          reply: { ...exchange.reply, latencyMs: exchange.reply.latencyMs === null ? null : Math.round(exchange.reply.latencyMs) },
        })
      } catch (error) {
        onProblem?.('internal', 'What was just said could not be saved to your transcript.')
        throw error
      }
      if (stored.mode !== 'free') onModeChanged?.()
      return [stored.learner, stored.tutor].flatMap((turn) => (turn ? [{ type: 'turn', turn }] : []))
    },
  }
}

async function* prepend<T>(first: T, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  yield first
  yield* rest
}
