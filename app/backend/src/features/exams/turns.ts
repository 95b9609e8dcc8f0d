import type { LanguageModel } from 'ai'
import { and, asc, eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import { turns, type StoredTutorEvent, type Turn } from '../../core/db/schema/index.js'
import { recordActivity } from '../lessons/service.js'
import { ensureOpenSitting, insertTurn, loadSession, toTurnView } from '../sessions/service.js'
import { failTurn, learnerTurnValues, type Emit, type LearnerTurnInput } from '../sessions/turn-records.js'
import type { TutorStateChange } from '../tutor/types.js'
import { safeErrorSummary } from '../../core/logger.js'
import { coCandidateLevels, conduct, outsideSpeaking, stateFor, type ConductorReply } from './conductor.js'
import { partnerTurnWithLanguageModel } from './partner-llm.js'
import { answersInPart, moveOn, partScript, recordConductor, type AttemptContext } from './service.js'

/**
 * A candidate's turn during a mock exam. The examiner (or, in the pair task, the co-candidate)
 * answers once the turn has ended — it never cuts in — and nothing is corrected or taught: the rule
 * findings are kept on the turn for scoring, not shown. When the examiner closes a part, or the
 * candidate is ready to begin one, the attempt moves on and the lines that follow (the task, the
 * co-candidate's first turn, the next part's instructions) stream as `line` events.
 */
export async function replyInExam(
  app: FastifyInstance,
  principal: Principal,
  input: LearnerTurnInput,
  existing: Turn | null,
  exam: AttemptContext,
  emit: Emit,
): Promise<void> {
  let learnerTurn: Turn | null = existing
  let reply: Turn | null = null
  let sittingId: string | null = existing?.sittingId ?? null
  try {
    const now = app.exams.now()
    const session = await loadSession(app, principal.userId)
    const { sitting, isNew } = await ensureOpenSitting(app, session, exam.attempt.delivery === 'voice' ? 'websocket' : 'text', now)
    sittingId = sitting.id
    const { attempt, parts } = exam
    // Said as the speaking time ran out: the answer belongs to the part it was given in, which has just
    // been closed; the examiner's lines of the change are the answer.
    const late = exam.transitions?.findLast((transition) => transition.cause === 'time' && transition.from.phase === 'speaking' && now.getTime() - transition.at.getTime() <= LATE_ANSWER_GRACE_MS)
    const part = parts[late ? late.from.partPosition : (attempt.currentPartPosition ?? 0)]!
    learnerTurn ??= await insertTurn(
      app.db,
      learnerTurnValues(input, { sessionId: session.id, sittingId: sitting.id, userId: principal.userId, lesson: null, examAttemptId: attempt.id, examPartId: part.id }),
    )
    emit({ event: 'turn', data: { turn: toTurnView(learnerTurn) } })

    const idleMs = app.config.sessions.idleMinutes * 60_000
    const minutes = isNew ? 0 : Math.min(Math.max(now.getTime() - session.lastActivityAt.getTime(), 0), idleMs) / 60_000
    await recordActivity(app, principal.userId, minutes)

    if (late) {
      const said = exam.said ?? []
      const last = said.at(-1)
      for (const line of said.slice(0, -1)) emit({ event: 'line', data: { turn: toTurnView(line) } })
      if (last) emit({ event: 'delta', data: { text: last.text } })
      emit({ event: 'state', data: { change: examChange(exam) } })
      if (last) emit({ event: 'done', data: { turn: toTurnView(last), replayed: false } })
      return
    }

    const conductor = stateFor(attempt.conductor, part.position)
    let decision: ConductorReply
    let ready = false
    if (attempt.phase === 'speaking') {
      decision = conduct(partScript(app, exam), conductor, await answersInPart(app.db, attempt, part.id))
    } else {
      const outside = outsideSpeaking(attempt.phase === 'preparation' ? 'preparation' : 'instructions', input.text, part.instructionsNb)
      ready = outside.begins
      decision = { role: 'examiner', text: outside.text, closesPart: false, askedExtra: null, state: conductor }
    }
    if (decision.role === 'partner' && app.tutor.ai.tutor) decision = await wordPartnerTurn(app, app.tutor.ai.tutor, exam, part.id, decision)
    emit({ event: 'delta', data: { text: decision.text } })

    const answered = learnerTurn
    reply = await app.db.transaction(async (tx) => {
      const stored = await insertTurn(tx, {
        tutorSessionId: session.id,
        sittingId: sitting.id,
        userId: principal.userId,
        role: decision.role,
        text: decision.text,
        replyToTurnId: answered.id,
        examAttemptId: attempt.id,
        examPartId: part.id,
        events: [],
      })
      await recordConductor(tx, attempt, decision.state, decision.askedExtra)
      return stored
    })

    if (decision.closesPart || ready) {
      const moved = await moveOn(app, { ...exam, attempt: { ...attempt, conductor: decision.state } }, decision.closesPart ? 'examiner' : 'candidate')
      for (const line of moved.said ?? []) emit({ event: 'line', data: { turn: toTurnView(line) } })
      const change = examChange(moved)
      emit({ event: 'state', data: { change } })
      // A retried turn replays the change with the reply.
      const events: StoredTutorEvent[] = [{ type: 'state', change }]
      await app.db.update(turns).set({ events }).where(eq(turns.id, reply.id))
    }
    emit({ event: 'done', data: { turn: toTurnView(reply), replayed: false } })
  } catch (error) {
    await failTurn(app, principal, { error, timedOut: false, partial: '', learnerTurn, tutorTurn: reply, sittingId, emit })
  }
}

/** How long after the speaking time ran out an answer still counts as given in that part (network, typing). */
const LATE_ANSWER_GRACE_MS = 30_000

function examChange(context: AttemptContext): TutorStateChange {
  const { attempt } = context
  return { kind: 'exam', attemptId: attempt.id, status: attempt.status, phase: attempt.phase, partPosition: attempt.currentPartPosition ?? 0 }
}

/** A provider words the co-candidate's turn; if it fails, the scripted line is said and the exam goes on. */
async function wordPartnerTurn(app: FastifyInstance, model: LanguageModel, exam: AttemptContext, partId: string, decision: ConductorReply): Promise<ConductorReply> {
  try {
    const transcript = await app.db
      .select({ role: turns.role, text: turns.text })
      .from(turns)
      .where(and(eq(turns.examAttemptId, exam.attempt.id), eq(turns.examPartId, partId)))
      .orderBy(asc(turns.createdAt), asc(turns.sequence))
    const script = partScript(app, exam)
    const text = await partnerTurnWithLanguageModel(model, {
      level: exam.attempt.coCandidateLevel ?? coCandidateLevels(exam.attempt.level)[0],
      topic: script.prompt?.text ?? '',
      transcript,
      scripted: decision.text,
    })
    if (!text) return decision
    return { ...decision, text, state: { ...decision.state, lastQuestion: { role: 'partner', text } } }
  } catch (error) {
    app.log.warn({ error: safeErrorSummary(error), attemptId: exam.attempt.id }, 'the co-candidate model failed; the scripted line is said instead')
    return decision
  }
}
