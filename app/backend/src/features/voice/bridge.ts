import { learnerTurnRequest, type LearnerTurn, type ReplyEvent, type SpokenExchange, type TutorBridge } from '@avaaz/voice'
import { and, eq, isNull } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import { turns } from '../../core/db/schema/index.js'
import { AppError } from '../../core/errors.js'
import { safeErrorSummary } from '../../core/logger.js'
import { recordSpokenExchange } from '../sessions/exchanges.js'
import type { TurnStreamEvent } from '../sessions/turn-records.js'
import { beginLearnerTurn } from '../sessions/turns.js'

/**
 * Something the learner must be told that is not part of a reply (docs/voice-protocol.md error codes).
 * `mode_changed`: a lesson or mock exam began while a realtime model held the conversation; the
 * connection must start over to run it.
 */
export type BridgeProblem = (code: 'tutor_unavailable' | 'exam_over' | 'bad_message' | 'internal' | 'mode_changed', message: string) => void

/**
 * The tutor of a voice connection, in-process: a learner turn goes through exactly the service a
 * typed turn does (stored once per client turn id, replied by the tutor — or the examiner and the
 * co-candidate in a mock exam), and the reply's events come back as the pipeline speaks them.
 */
export function inProcessBridge(app: FastifyInstance, principal: Principal, problem: BridgeProblem): TutorBridge {
  return {
    async *learnerTurn(turn: LearnerTurn): AsyncIterable<ReplyEvent> {
      let run
      try {
        run = await beginLearnerTurn(app, principal, learnerTurnRequest(turn))
      } catch (error) {
        // Refused before any reply (the exam ended, text too long …): the learner is told, the connection stays.
        if (error instanceof AppError && error.status < 500) {
          problem(error.status === 409 ? 'exam_over' : 'bad_message', error.detail ?? error.message)
          return
        }
        throw error
      }
      yield* streamOf(run, problem)
    },
    replySpoken({ clientTurnId, latencyMs }) {
      if (latencyMs === null) return
      void recordReplyLatency(app, principal.userId, clientTurnId, latencyMs, 'websocket').catch((error: unknown) =>
        app.log.warn({ error: safeErrorSummary(error) }, 'could not store a reply latency'),
      )
    },
    async exchange(exchange: SpokenExchange) {
      let stored
      try {
        stored = await recordSpokenExchange(app, principal, { learner: exchange.learner && learnerTurnRequest(exchange.learner), reply: exchange.reply }, 'websocket')
      } catch (error) {
        problem('internal', 'What was just said could not be saved to your transcript.')
        throw error
      }
      if (exchange.reply.latencyMs !== null) app.metrics.voiceReplyLatency.observe({ transport: 'websocket' }, exchange.reply.latencyMs / 1000)
      if (stored.mode !== 'free') problem('mode_changed', 'A lesson or mock exam has started: voice reconnects to run it.')
      return [stored.learner, stored.tutor].flatMap((turn) => (turn ? [{ type: 'turn', turn }] : []))
    },
  }
}

/** The turn run's callbacks as an async stream of reply events, ended by `done` or `error`. */
async function* streamOf(run: (emit: (event: TurnStreamEvent) => void) => Promise<void>, problem: BridgeProblem): AsyncIterable<ReplyEvent> {
  const queue: TurnStreamEvent[] = []
  let wake: (() => void) | null = null
  let finished = false
  void run((event) => {
    queue.push(event)
    wake?.()
  }).finally(() => {
    finished = true
    wake?.()
  })
  for (;;) {
    const event = queue.shift()
    if (!event) {
      if (finished) return
      await new Promise<void>((resolve) => (wake = resolve))
      wake = null
      continue
    }
    const reply = toReplyEvent(event)
    if (reply) yield reply
    if (event.event === 'error') {
      // The learner's turn is kept; they are told and can say it again. The session goes on.
      problem(event.data.code === 'internal' ? 'internal' : 'tutor_unavailable', event.data.message)
      return
    }
  }
}

/** What the client sees of a reply, in the protocol's names (docs/voice-protocol.md §5). */
function toReplyEvent(event: TurnStreamEvent): ReplyEvent | null {
  switch (event.event) {
    case 'delta':
      return { type: 'text', text: event.data.text }
    case 'turn':
      return { type: 'meta', payload: { type: 'turn', turn: event.data.turn } }
    case 'done':
      return { type: 'meta', payload: { type: 'turn', turn: event.data.turn, replayed: event.data.replayed } }
    case 'correction':
      return { type: 'meta', payload: { type: 'correction', correction: event.data.correction } }
    case 'visual':
      return { type: 'meta', payload: { type: 'visual', aid: event.data.aid } }
    case 'state':
      return { type: 'meta', payload: { type: 'change', change: event.data.change } }
    case 'line':
      return { type: 'line', text: event.data.turn.text, payload: { type: 'line', turn: event.data.turn } }
    case 'error':
      return event.data.turn ? { type: 'meta', payload: { type: 'turn', turn: event.data.turn } } : null
  }
}

/**
 * A reply was spoken (end of the learner's speech → first audio out): stored on the reply to the
 * learner's turn with that client turn id, once (a repeat does not overwrite it), and counted in the
 * latency metric.
 */
export async function recordReplyLatency(app: FastifyInstance, userId: string, clientTurnId: string, latencyMs: number, transport: 'websocket' | 'livekit'): Promise<boolean> {
  app.metrics.voiceReplyLatency.observe({ transport }, latencyMs / 1000)
  const [learnerTurn] = await app.db
    .select({ id: turns.id })
    .from(turns)
    .where(and(eq(turns.userId, userId), eq(turns.clientTurnId, clientTurnId)))
  if (!learnerTurn) return false
  const updated = await app.db
    .update(turns)
    .set({ latencyMs: Math.round(latencyMs) })
    .where(and(eq(turns.replyToTurnId, learnerTurn.id), isNull(turns.latencyMs)))
    .returning({ id: turns.id })
  return updated.length > 0
}
