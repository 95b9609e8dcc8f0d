import { and, desc, eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Principal } from '../../core/auth/access.js'
import type { DbOrTx } from '../../core/db/client.js'
import {
  lessonProgress,
  tutorSessions,
  turns,
  type Correction,
  type SessionMode,
  type StoredTutorEvent,
  type Turn,
  type TurnSource,
} from '../../core/db/schema/index.js'
import { Conflict, ValidationFailed } from '../../core/errors.js'
import { MAX_LESSON_MINUTES, recordActivity } from '../lessons/service.js'
import { buildTutorInstructions, RECENT_TURNS_IN_INSTRUCTIONS } from '../tutor/instructions.js'
import type { TutorEvent, TutorStateChange } from '../tutor/types.js'
import { currentAttempt } from '../exams/service.js'
import { replyInExam } from '../exams/turns.js'
import type { turnRequestSchema } from './schema.js'
import { failTurn, learnerTurnValues, type Emit, type LearnerTurnInput, type TurnRun, type TurnStreamEvent } from './turn-records.js'
import {
  ensureOpenSitting,
  insertTurn,
  loadLearner,
  loadLessonScript,
  loadSession,
  recentTurns,
  sessionState,
  toTurnView,
  type SessionState,
} from './service.js'

/**
 * Accepts a learner turn. Everything that can be refused (bad text, a client turn id reused for other
 * text) is refused here, before any byte of the reply; the returned run then stores the turn, streams
 * the tutor's reply and stores it. Turns of one session are handled one at a time, in arrival order,
 * so replies from two tabs never interleave. A retried request (same client turn id) replays the
 * stored reply, or replies again if the first reply failed, and never stores the learner's turn twice.
 */
export async function beginLearnerTurn(
  app: FastifyInstance,
  principal: Principal,
  // The HTTP API takes typed and browser-recognised turns; the voice transports add the speech engine's.
  body: Omit<z.infer<typeof turnRequestSchema>, 'source'> & { source: TurnSource },
): Promise<TurnRun> {
  const text = body.text.trim()
  if (!text) throw new ValidationFailed([{ path: 'body.text', message: 'Say or type something: the text is empty.' }])
  const limit = app.config.sessions.maxTurnChars
  if (text.length > limit) {
    throw new ValidationFailed([{ path: 'body.text', message: `A turn can be at most ${limit} characters; this one has ${text.length}.` }])
  }
  const input: LearnerTurnInput = { ...body, text }
  const release = await app.tutor.lock.acquire((await loadSession(app, principal.userId)).id)
  try {
    // Read under the lock: a turn or an exam step that held it may have changed the mode.
    const session = await loadSession(app, principal.userId)
    const [existing] = await app.db
      .select()
      .from(turns)
      .where(and(eq(turns.tutorSessionId, session.id), eq(turns.clientTurnId, input.clientTurnId)))
    if (existing && existing.text !== text) {
      throw new Conflict(`The turn id ${input.clientTurnId} was already used for a different text; use a new id for a new turn.`)
    }
    const [reply] = existing
      ? await app.db
          .select()
          .from(turns)
          .where(and(eq(turns.replyToTurnId, existing.id), eq(turns.incomplete, false)))
          .orderBy(desc(turns.createdAt))
          .limit(1)
      : []
    // A retry of an answered turn replays its reply below, whatever happened since; anything else
    // in a mock exam must belong to the running attempt and, if already stored, to its current part.
    const exam = !reply && session.mode === 'exam' ? await currentAttempt(app, session) : null
    if (!reply) {
      const examAttemptId = body.examAttemptId ?? existing?.examAttemptId
      if (examAttemptId && exam?.attempt.id !== examAttemptId) {
        throw new Conflict('That mock exam is no longer running (its time is up or it was abandoned), so this answer was not recorded. See the exam for its result.')
      }
      if (session.mode === 'exam' && !exam) {
        throw new Conflict('The mock exam has ended (its time is up or it was abandoned), so this answer was not recorded. See the exam for its result.')
      }
      if (existing?.examPartId && exam && existing.examPartId !== exam.parts[exam.attempt.currentPartPosition ?? 0]?.id) {
        throw new Conflict('This answer was recorded, but the exam has moved on to the next part since.')
      }
    }
    return async (emit) => {
      try {
        if (existing && reply) {
          emit({ event: 'turn', data: { turn: toTurnView(existing) } })
          if (reply.text) emit({ event: 'delta', data: { text: reply.text } })
          for (const event of replayable(reply.events)) emit(event)
          emit({ event: 'done', data: { turn: toTurnView(reply), replayed: true } })
          return
        }
        if (exam) await replyInExam(app, principal, input, existing ?? null, exam, emit)
        else await replyToTurn(app, principal, input, existing ?? null, emit)
      } finally {
        release()
      }
    }
  } catch (error) {
    release()
    throw error
  }
}

/** The stored visual aids and state changes of a reply, as they were streamed. */
function replayable(events: StoredTutorEvent[] | null): TurnStreamEvent[] {
  return (events ?? []).flatMap((event): TurnStreamEvent[] => {
    if (event.type === 'visual') return [{ event: 'visual', data: { aid: event.aid as Extract<TutorEvent, { type: 'visual' }>['aid'] } }]
    if (event.type === 'state') return [{ event: 'state', data: { change: event.change as TutorStateChange } }]
    return []
  })
}

async function replyToTurn(app: FastifyInstance, principal: Principal, input: LearnerTurnInput, existing: Turn | null, emit: Emit): Promise<void> {
  let partial = ''
  let learnerTurn: Turn | null = existing
  let tutorTurn: Turn | null = null
  let sittingId: string | null = existing?.sittingId ?? null
  const timeout = AbortSignal.timeout(app.tutor.ai.timeoutMs)
  try {
    const now = new Date()
    const { profile } = await loadLearner(app, principal.userId)
    const session = await loadSession(app, principal.userId)
    const state = sessionState(session)
    const { sitting, isNew } = await ensureOpenSitting(app, session, 'text', now)
    sittingId = sitting.id
    const script = session.mode === 'lesson' && session.currentLessonId ? await loadLessonScript(app, session.currentLessonId) : null
    // A lesson whose steps changed under the learner (content update) ends here instead of being "completed".
    const lesson = script && (session.currentStepPosition ?? 0) < script.steps.length ? script : null
    const mode = session.mode === 'lesson' && !lesson ? 'free' : session.mode
    const history = await recentTurns(app, session.id, RECENT_TURNS_IN_INSTRUCTIONS)

    if (!learnerTurn) {
      learnerTurn = await insertTurn(app.db, learnerTurnValues(input, { sessionId: session.id, sittingId: sitting.id, userId: principal.userId, lesson }))
    }
    emit({ event: 'turn', data: { turn: toTurnView(learnerTurn) } })

    await recordPracticeTime(app, principal.userId, session, { isNew, now, lessonId: lesson?.id ?? null })

    const showCorrections = profile.correctionStyle !== 'end_of_session'
    if (showCorrections) for (const correction of learnerTurn.corrections) emit({ event: 'correction', data: { correction } })

    const topic = state.topic ?? null
    const transcript = history.filter((turn) => turn.id !== learnerTurn!.id).map((turn) => ({ role: turn.role, text: turn.text }))
    const instructions = buildTutorInstructions({
      learner: profile,
      mode,
      rollingSummary: session.rollingSummary,
      lesson,
      stepPosition: lesson ? session.currentStepPosition : null,
      exam: null,
      topic: topic ? (app.tutor.bank.topics[topic]?.name ?? topic) : null,
      // The conversation goes to a language model as messages, not inside its instructions, so the
      // learner's words cannot pass for the tutor's rules.
      recentTurns: [],
      passages: [],
    })
    const changes: TutorStateChange[] = []
    const shown: StoredTutorEvent[] = []
    const modelCorrections: Correction[] = []
    let memory = state.tutor ?? {}
    const events = app.tutor.engine.reply({
      learner: profile,
      mode,
      lesson,
      stepPosition: lesson ? session.currentStepPosition : null,
      exam: null,
      topic,
      answer: { text: input.text, source: input.source },
      history: transcript,
      corrections: learnerTurn.corrections,
      instructions,
      memory,
      signal: timeout,
    })
    for await (const event of events) {
      if (timeout.aborted) throw timeout.reason
      switch (event.type) {
        case 'delta':
          partial += event.text
          emit({ event: 'delta', data: { text: event.text } })
          break
        case 'correction':
          modelCorrections.push(event.correction)
          if (showCorrections) emit({ event: 'correction', data: { correction: event.correction } })
          break
        case 'visual':
          shown.push(event)
          emit({ event: 'visual', data: { aid: event.aid } })
          break
        case 'state':
          changes.push(event.change)
          shown.push(event)
          emit({ event: 'state', data: { change: event.change } })
          break
        case 'memory':
          memory = event.memory
          break
      }
    }

    // The reply, the corrections it found and the state it moved to are stored together or not at all.
    const answered = learnerTurn
    tutorTurn = await app.db.transaction(async (tx) => {
      const stored = await insertTurn(tx, {
        tutorSessionId: session.id,
        sittingId: sitting.id,
        userId: principal.userId,
        role: 'tutor',
        text: partial.trim(),
        replyToTurnId: answered.id,
        events: shown,
        cefrMetadata: { targetLevel: profile.level },
      })
      if (modelCorrections.length > 0) {
        await tx.update(turns).set({ corrections: [...answered.corrections, ...modelCorrections] }).where(eq(turns.id, answered.id))
      }
      await applyChanges(tx, principal.userId, session.id, { ...state, tutor: memory }, changes, { mode, lessonEnded: session.mode === 'lesson' && !lesson })
      return stored
    })
    emit({ event: 'done', data: { turn: toTurnView(tutorTurn), replayed: false } })
  } catch (error) {
    await failTurn(app, principal, { error, timedOut: timeout.aborted, partial, learnerTurn, tutorTurn, sittingId, emit })
  }
}

/**
 * Practice time of a turn: the gap since the session's last activity within this sitting (a new
 * sitting starts at zero), counted towards the day's practice and the lesson being taken.
 */
export async function recordPracticeTime(
  app: FastifyInstance,
  userId: string,
  session: { lastActivityAt: Date },
  at: { isNew: boolean; now: Date; lessonId: string | null },
): Promise<void> {
  const idleMs = app.config.sessions.idleMinutes * 60_000
  const minutes = at.isNew ? 0 : Math.min(Math.max(at.now.getTime() - session.lastActivityAt.getTime(), 0), idleMs) / 60_000
  await recordActivity(app, userId, minutes)
  if (at.lessonId && minutes > 0) {
    await app.db
      .update(lessonProgress)
      .set({ minutesSpent: sql`least(${lessonProgress.minutesSpent} + ${minutes}, ${MAX_LESSON_MINUTES})`, lastActivityAt: at.now })
      .where(and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, at.lessonId), eq(lessonProgress.status, 'in_progress')))
  }
}

/** Applies the tutor's state changes inside the reply's transaction: step, lesson completion, topic, memory. */
async function applyChanges(
  tx: DbOrTx,
  userId: string,
  sessionId: string,
  state: SessionState,
  changes: TutorStateChange[],
  context: { mode: SessionMode; lessonEnded: boolean },
): Promise<void> {
  const update: Partial<typeof tutorSessions.$inferInsert> = context.lessonEnded
    ? { mode: 'free', currentLessonId: null, currentStepPosition: null }
    : {}
  const now = new Date()
  for (const change of changes) {
    const ofLesson = (lessonId: string) =>
      and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, lessonId), eq(lessonProgress.status, 'in_progress'))
    if (change.kind === 'step') {
      update.currentStepPosition = change.position
      await tx.update(lessonProgress).set({ currentStepPosition: change.position, lastActivityAt: now }).where(ofLesson(change.lessonId))
    } else if (change.kind === 'lesson_complete') {
      Object.assign(update, { mode: 'free', currentLessonId: null, currentStepPosition: null })
      // Completed meanwhile elsewhere (another tab, the lessons API): the status condition counts it once.
      await tx
        .update(lessonProgress)
        .set({ status: 'completed', completedAt: now, lastActivityAt: now, completedCount: sql`${lessonProgress.completedCount} + 1` })
        .where(ofLesson(change.lessonId))
    } else if (change.kind === 'topic') {
      state = { ...state, topic: change.topic }
    }
  }
  await tx
    .update(tutorSessions)
    .set({ ...update, state, lastActivityAt: now })
    .where(eq(tutorSessions.id, sessionId))
}
