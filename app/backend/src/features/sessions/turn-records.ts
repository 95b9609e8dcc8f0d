import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import type { Correction, Turn, TurnSource, turns } from '../../core/db/schema/index.js'
import { safeErrorSummary } from '../../core/logger.js'
import { usedPhrases, usedVocabulary, wordsOf } from '../tutor/offline/answer.js'
import { checkNorwegian } from '../tutor/offline/language-checks.js'
import type { LessonScript, TutorEvent, TutorStateChange } from '../tutor/types.js'
import { insertTurn, toTurnView } from './service.js'

/**
 * What every reply to a learner turn shares, whoever answers it (the tutor, or the examiner and the
 * co-candidate of a mock exam): the stream's events, the stored learner turn, and the failure path.
 */

/** One Server-Sent Event of a turn's reply. */
export type TurnStreamEvent =
  | { event: 'turn'; data: { turn: ReturnType<typeof toTurnView> } }
  | { event: 'delta'; data: { text: string } }
  | { event: 'correction'; data: { correction: Correction } }
  | { event: 'visual'; data: { aid: Extract<TutorEvent, { type: 'visual' }>['aid'] } }
  | { event: 'state'; data: { change: TutorStateChange } }
  /** Another line said right after the reply, as its own turn (in a mock exam: the next question, a new part's instructions, the co-candidate's first turn). */
  | { event: 'line'; data: { turn: ReturnType<typeof toTurnView> } }
  | { event: 'done'; data: { turn: ReturnType<typeof toTurnView>; replayed: boolean } }
  | { event: 'error'; data: { code: 'tutor_timeout' | 'tutor_unavailable' | 'internal'; message: string; retryable: boolean; turn: ReturnType<typeof toTurnView> | null } }

export type Emit = (event: TurnStreamEvent) => void

/** Runs the reply, emitting its events; never rejects (failures become an `error` event). */
export type TurnRun = (emit: Emit) => Promise<void>

export interface LearnerTurnInput {
  clientTurnId: string
  text: string
  source: TurnSource
  timing?: { startedAt: string; endedAt: string; speakingMs?: number; words?: Array<{ word: string; startMs: number; endMs: number; confidence?: number }> }
}

export function learnerTurnValues(
  input: LearnerTurnInput,
  where: { sessionId: string; sittingId: string; userId: string; lesson: LessonScript | null; examAttemptId?: string; examPartId?: string },
): Omit<typeof turns.$inferInsert, 'sequence'> {
  const words = wordsOf(input.text).length
  const speakingMs = input.timing?.speakingMs ?? (input.timing ? Date.parse(input.timing.endedAt) - Date.parse(input.timing.startedAt) : null)
  const corrections: Correction[] = checkNorwegian(input.text, { source: input.source }).map((finding) => ({
    original: finding.original,
    corrected: finding.corrected,
    explanation: finding.explanation,
    source: 'rules',
    rule: finding.rule,
    category: finding.category,
  }))
  return {
    tutorSessionId: where.sessionId,
    sittingId: where.sittingId,
    userId: where.userId,
    role: 'learner',
    examAttemptId: where.examAttemptId ?? null,
    examPartId: where.examPartId ?? null,
    text: input.text,
    source: input.source,
    clientTurnId: input.clientTurnId,
    startedAt: input.timing ? new Date(input.timing.startedAt) : null,
    endedAt: input.timing ? new Date(input.timing.endedAt) : null,
    speakingMs,
    wordTimings: input.timing?.words ?? null,
    corrections,
    cefrMetadata: {
      wordCount: words,
      ...(speakingMs ? { speechRateWpm: Math.round((words / speakingMs) * 60_000) } : {}),
      ...(where.lesson
        ? { usedPhrases: usedPhrases(input.text, where.lesson.phrases), usedVocabulary: usedVocabulary(input.text, where.lesson.vocabulary) }
        : {}),
    },
  }
}

/** Stores what the tutor had said as an incomplete turn and tells the learner, who can retry the same turn. */
export async function failTurn(
  app: FastifyInstance,
  principal: Principal,
  failure: { error: unknown; timedOut: boolean; partial: string; learnerTurn: Turn | null; tutorTurn: Turn | null; sittingId: string | null; emit: Emit },
): Promise<void> {
  const { learnerTurn, sittingId, emit } = failure
  // Only the error's kind: provider and database errors carry prompts and query parameters, and
  // transcripts never go to logs.
  app.log.warn({ error: safeErrorSummary(failure.error), userId: principal.userId, learnerTurnId: learnerTurn?.id }, 'tutor reply failed')
  if (failure.tutorTurn) {
    // The reply was stored before the failure: it stands.
    emit({ event: 'done', data: { turn: toTurnView(failure.tutorTurn), replayed: false } })
    return
  }
  let stored: Turn | null = null
  try {
    if (learnerTurn && sittingId && failure.partial.trim()) {
      stored = await insertTurn(app.db, {
        tutorSessionId: learnerTurn.tutorSessionId,
        sittingId,
        userId: principal.userId,
        role: 'tutor',
        text: failure.partial.trim(),
        replyToTurnId: learnerTurn.id,
        incomplete: true,
      })
    }
  } catch (error) {
    app.log.error({ error: safeErrorSummary(error) }, 'could not store the incomplete tutor reply')
  }
  const code = failure.timedOut ? 'tutor_timeout' : learnerTurn ? 'tutor_unavailable' : 'internal'
  const message =
    code === 'tutor_timeout'
      ? 'The tutor took too long to answer. Your turn is saved; send it again to get a reply.'
      : code === 'tutor_unavailable'
        ? 'The tutor could not answer just now. Your turn is saved; send it again to get a reply.'
        : 'Your turn could not be processed. Nothing was saved; please send it again.'
  emit({ event: 'error', data: { code, message, retryable: true, turn: stored ? toTurnView(stored) : null } })
}

