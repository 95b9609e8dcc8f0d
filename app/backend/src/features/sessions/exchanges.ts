import { and, eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import { tutorSessions, turns, type SessionMode, type SittingTransport, type Turn } from '../../core/db/schema/index.js'
import { Conflict, ValidationFailed } from '../../core/errors.js'
import { buildTutorInstructions, RECENT_TURNS_IN_INSTRUCTIONS } from '../tutor/instructions.js'
import { learnerTurnValues, type LearnerTurnInput } from './turn-records.js'
import { ensureOpenSitting, insertTurn, loadLearner, loadSession, recentTurns, sessionState, toTurnView, type TurnView } from './service.js'
import { recordPracticeTime } from './turns.js'

/** What a realtime model needs to hold the learner's free conversation as the tutor would. */
export interface RealtimeTutorContext {
  instructions: string
  /** The conversation so far, oldest first (given to the model as messages, never inside its instructions). */
  history: Array<{ role: 'learner' | 'tutor'; text: string }>
}

/**
 * The tutor's instructions and recent conversation for a realtime model, or null when the session is
 * not in free conversation: a lesson's steps and a mock exam's examiner are run by the tutor core,
 * so those run on the speech-to-text → tutor → speech pipeline.
 */
export async function realtimeTutorContext(app: FastifyInstance, userId: string): Promise<RealtimeTutorContext | null> {
  const session = await loadSession(app, userId)
  if (session.mode !== 'free') return null
  const { profile } = await loadLearner(app, userId)
  const topic = sessionState(session).topic ?? null
  const instructions = buildTutorInstructions({
    learner: profile,
    mode: 'free',
    rollingSummary: session.rollingSummary,
    lesson: null,
    stepPosition: null,
    exam: null,
    topic: topic ? (app.tutor.bank.topics[topic]?.name ?? topic) : null,
    recentTurns: [],
    passages: [],
  })
  const history = (await recentTurns(app, session.id, RECENT_TURNS_IN_INSTRUCTIONS))
    .filter((turn) => turn.role === 'learner' || turn.role === 'tutor')
    .map((turn) => ({ role: turn.role as 'learner' | 'tutor', text: turn.text }))
  return { instructions, history }
}

/**
 * A conversation held by a realtime model (OpenAI Realtime, Gemini Live): the model heard the learner
 * and answered aloud, so there is no reply to produce — only the exchange to keep. It is stored like a
 * typed turn and its reply (same sitting rules, practice time, the rule-based corrections of the
 * learner's words), once per client turn id, so a repeated report stores nothing twice (a reply to
 * no words of the learner has no id to go by: it is stored as often as it is sent).
 */
export interface SpokenExchangeInput {
  /** Null when the model transcribed no words of the learner (the reply is still kept). */
  learner: LearnerTurnInput | null
  reply: { text: string; interrupted: boolean; latencyMs: number | null }
}

export interface StoredExchange {
  learner: TurnView | null
  tutor: TurnView | null
  /** The session's mode now: realtime models hold free conversation only, so anything else means the voice connection should start over. */
  mode: SessionMode
}

export async function recordSpokenExchange(
  app: FastifyInstance,
  principal: Principal,
  exchange: SpokenExchangeInput,
  transport: SittingTransport,
): Promise<StoredExchange> {
  const learnerText = exchange.learner?.text.trim() ?? ''
  const replyText = exchange.reply.text.trim()
  const limit = app.config.sessions.maxTurnChars
  // A model's reply is not the learner's input, but it is kept to the same bound (a runaway model).
  for (const [path, text] of [['learner.text', learnerText], ['reply.text', replyText]] as const) {
    if (text.length > limit) throw new ValidationFailed([{ path, message: `A turn can be at most ${limit} characters; this one has ${text.length}.` }])
  }
  const release = await app.tutor.lock.acquire((await loadSession(app, principal.userId)).id)
  try {
    const session = await loadSession(app, principal.userId)
    const learnerInput = exchange.learner && learnerText ? { ...exchange.learner, text: learnerText } : null
    const [existing] = learnerInput
      ? await app.db
          .select()
          .from(turns)
          .where(and(eq(turns.tutorSessionId, session.id), eq(turns.clientTurnId, learnerInput.clientTurnId)))
      : []
    if (existing) {
      if (existing.text !== learnerInput!.text) {
        throw new Conflict(`The turn id ${learnerInput!.clientTurnId} was already used for a different text; use a new id for a new turn.`)
      }
      const [reply] = await app.db.select().from(turns).where(eq(turns.replyToTurnId, existing.id)).limit(1)
      return { learner: toTurnView(existing), tutor: reply ? toTurnView(reply) : null, mode: session.mode }
    }
    if (!learnerInput && !replyText) return { learner: null, tutor: null, mode: session.mode }

    const now = new Date()
    const { profile } = await loadLearner(app, principal.userId)
    const { sitting, isNew } = await ensureOpenSitting(app, session, transport, now)
    await recordPracticeTime(app, principal.userId, session, { isNew, now, lessonId: null })
    const stored = await app.db.transaction(async (tx) => {
      const learner: Turn | null = learnerInput
        ? await insertTurn(tx, learnerTurnValues(learnerInput, { sessionId: session.id, sittingId: sitting.id, userId: principal.userId, lesson: null }))
        : null
      const tutor: Turn | null = replyText
        ? await insertTurn(tx, {
            tutorSessionId: session.id,
            sittingId: sitting.id,
            userId: principal.userId,
            role: 'tutor',
            text: replyText,
            replyToTurnId: learner?.id ?? null,
            events: [],
            cefrMetadata: { targetLevel: profile.level },
            latencyMs: exchange.reply.latencyMs === null ? null : Math.round(exchange.reply.latencyMs),
          })
        : null
      await tx.update(tutorSessions).set({ lastActivityAt: now }).where(eq(tutorSessions.id, session.id))
      return { learner, tutor }
    })
    return { learner: stored.learner && toTurnView(stored.learner), tutor: stored.tutor && toTurnView(stored.tutor), mode: session.mode }
  } finally {
    release()
  }
}
