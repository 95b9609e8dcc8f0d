import { and, desc, eq, sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Principal } from '../../core/auth/access.js'
import { lessonProgress, tutorSessions, turns, type Correction, type Turn, type TurnSource } from '../../core/db/schema/index.js'
import { Conflict, ValidationFailed } from '../../core/errors.js'
import { completeLesson, MAX_LESSON_MINUTES, recordActivity } from '../lessons/service.js'
import { buildTutorInstructions, RECENT_TURNS_IN_INSTRUCTIONS } from '../tutor/instructions.js'
import { usedPhrases, usedVocabulary, wordsOf } from '../tutor/offline/answer.js'
import { checkNorwegian } from '../tutor/offline/language-checks.js'
import type { TutorEvent, TutorStateChange } from '../tutor/types.js'
import type { turnRequestSchema } from './schema.js'
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

/** One Server-Sent Event of a turn's reply. */
export type TurnStreamEvent =
  | { event: 'turn'; data: { turn: ReturnType<typeof toTurnView> } }
  | { event: 'delta'; data: { text: string } }
  | { event: 'correction'; data: { correction: Correction } }
  | { event: 'visual'; data: { aid: Extract<TutorEvent, { type: 'visual' }>['aid'] } }
  | { event: 'state'; data: { change: TutorStateChange } }
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

/**
 * Accepts a learner turn. Everything that can be refused (bad text, a client turn id reused for other
 * text) is refused here, before any byte of the reply; the returned run then stores the turn, streams
 * the tutor's reply and stores it. Turns of one session are handled one at a time, in arrival order,
 * so replies from two tabs never interleave. A retried request (same client turn id) replays the
 * stored reply, or replies again if the first reply failed, and never stores the learner's turn twice.
 */
export async function beginLearnerTurn(app: FastifyInstance, principal: Principal, body: z.infer<typeof turnRequestSchema>): Promise<TurnRun> {
  const text = body.text.trim()
  if (!text) throw new ValidationFailed([{ path: 'body.text', message: 'Say or type something: the text is empty.' }])
  const limit = app.config.sessions.maxTurnChars
  if (text.length > limit) {
    throw new ValidationFailed([{ path: 'body.text', message: `A turn can be at most ${limit} characters; this one has ${text.length}.` }])
  }
  const input: LearnerTurnInput = { ...body, text }
  const session = await loadSession(app, principal.userId)
  const release = await app.tutor.lock.acquire(session.id)
  try {
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
    return async (emit) => {
      try {
        if (existing && reply) {
          emit({ event: 'turn', data: { turn: toTurnView(existing) } })
          if (reply.text) emit({ event: 'delta', data: { text: reply.text } })
          emit({ event: 'done', data: { turn: toTurnView(reply), replayed: true } })
          return
        }
        await replyToTurn(app, principal, input, existing ?? null, emit)
      } finally {
        release()
      }
    }
  } catch (error) {
    release()
    throw error
  }
}

async function replyToTurn(app: FastifyInstance, principal: Principal, input: LearnerTurnInput, existing: Turn | null, emit: Emit): Promise<void> {
  let partial = ''
  let learnerTurn: Turn | null = existing
  let sittingId: string | null = existing?.sittingId ?? null
  const timeout = AbortSignal.timeout(app.tutor.ai.timeoutMs)
  try {
    const now = new Date()
    const { profile } = await loadLearner(app, principal.userId)
    const session = await loadSession(app, principal.userId)
    const state = sessionState(session)
    const { sitting, isNew } = await ensureOpenSitting(app, session, 'text', now)
    sittingId = sitting.id
    const lesson = session.mode === 'lesson' && session.currentLessonId ? await loadLessonScript(app, session.currentLessonId) : null
    const history = await recentTurns(app, session.id, RECENT_TURNS_IN_INSTRUCTIONS)

    const ruleCorrections: Correction[] = checkNorwegian(input.text, { source: input.source }).map((finding) => ({
      original: finding.original,
      corrected: finding.corrected,
      explanation: finding.explanation,
      source: 'rules',
      rule: finding.rule,
      category: finding.category,
    }))
    if (!learnerTurn) {
      const words = wordsOf(input.text).length
      const speakingMs = input.timing?.speakingMs ?? (input.timing ? Date.parse(input.timing.endedAt) - Date.parse(input.timing.startedAt) : null)
      learnerTurn = await insertTurn(app, {
        tutorSessionId: session.id,
        sittingId: sitting.id,
        userId: principal.userId,
        role: 'learner',
        text: input.text,
        source: input.source,
        clientTurnId: input.clientTurnId,
        startedAt: input.timing ? new Date(input.timing.startedAt) : null,
        endedAt: input.timing ? new Date(input.timing.endedAt) : null,
        speakingMs,
        wordTimings: input.timing?.words ?? null,
        corrections: ruleCorrections,
        cefrMetadata: {
          wordCount: words,
          ...(speakingMs ? { speechRateWpm: Math.round((words / speakingMs) * 60_000) } : {}),
          ...(lesson ? { usedPhrases: usedPhrases(input.text, lesson.phrases), usedVocabulary: usedVocabulary(input.text, lesson.vocabulary) } : {}),
        },
      })
    }
    emit({ event: 'turn', data: { turn: toTurnView(learnerTurn) } })

    // Practice time: the gap since the last activity of this sitting (a new sitting starts at zero).
    const idleMs = app.config.sessions.idleMinutes * 60_000
    const minutes = isNew ? 0 : Math.min(Math.max(now.getTime() - session.lastActivityAt.getTime(), 0), idleMs) / 60_000
    await app.db.update(tutorSessions).set({ lastActivityAt: now }).where(eq(tutorSessions.id, session.id))
    await recordActivity(app, principal.userId, minutes)
    if (lesson && minutes > 0) {
      await app.db
        .update(lessonProgress)
        .set({ minutesSpent: sql`least(${lessonProgress.minutesSpent} + ${minutes}, ${MAX_LESSON_MINUTES})`, lastActivityAt: now })
        .where(and(eq(lessonProgress.userId, principal.userId), eq(lessonProgress.lessonId, lesson.id), eq(lessonProgress.status, 'in_progress')))
    }

    const showCorrections = profile.correctionStyle !== 'end_of_session'
    if (showCorrections) for (const correction of learnerTurn.corrections) emit({ event: 'correction', data: { correction } })

    const topic = state.topic ?? null
    const instructions = buildTutorInstructions({
      learner: profile,
      mode: session.mode,
      rollingSummary: session.rollingSummary,
      lesson,
      stepPosition: session.currentStepPosition,
      exam: null,
      topic: topic ? (app.tutor.bank.topics[topic]?.name ?? topic) : null,
      recentTurns: history.map((turn) => ({ role: turn.role, text: turn.text })),
      passages: [],
    })
    const changes: TutorStateChange[] = []
    const modelCorrections: Correction[] = []
    let memory = state.tutor ?? {}
    const events = app.tutor.engine.reply({
      learner: profile,
      mode: session.mode,
      lesson,
      stepPosition: session.currentStepPosition,
      exam: null,
      topic,
      answer: { text: input.text, source: input.source },
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
          emit({ event: 'visual', data: { aid: event.aid } })
          break
        case 'state':
          changes.push(event.change)
          emit({ event: 'state', data: { change: event.change } })
          break
        case 'memory':
          memory = event.memory
          break
      }
    }

    const tutorTurn = await insertTurn(app, {
      tutorSessionId: session.id,
      sittingId: sitting.id,
      userId: principal.userId,
      role: 'tutor',
      text: partial.trim(),
      replyToTurnId: learnerTurn.id,
      cefrMetadata: { targetLevel: profile.level },
    })
    if (modelCorrections.length > 0) {
      await app.db
        .update(turns)
        .set({ corrections: [...learnerTurn.corrections, ...modelCorrections] })
        .where(eq(turns.id, learnerTurn.id))
    }
    await applyChanges(app, principal, session.id, { ...state, tutor: memory }, changes)
    emit({ event: 'done', data: { turn: toTurnView(tutorTurn), replayed: false } })
  } catch (error) {
    await failTurn(app, principal, { error, timedOut: timeout.aborted, partial, learnerTurn, sittingId, emit })
  }
}

/** Stores what the tutor had said as an incomplete turn and tells the learner, who can retry the same turn. */
async function failTurn(
  app: FastifyInstance,
  principal: Principal,
  failure: { error: unknown; timedOut: boolean; partial: string; learnerTurn: Turn | null; sittingId: string | null; emit: Emit },
): Promise<void> {
  const { learnerTurn, sittingId, emit } = failure
  // Log the failure without the learner's words: transcripts never go to logs.
  app.log.warn({ err: failure.error, userId: principal.userId, learnerTurnId: learnerTurn?.id }, 'tutor reply failed')
  let stored: Turn | null = null
  try {
    if (learnerTurn && sittingId && failure.partial.trim()) {
      stored = await insertTurn(app, {
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
    app.log.error({ err: error }, 'could not store the incomplete tutor reply')
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

/** Applies the tutor's state changes after its reply is stored: step, lesson completion, topic, memory. */
async function applyChanges(app: FastifyInstance, principal: Principal, sessionId: string, state: SessionState, changes: TutorStateChange[]): Promise<void> {
  const update: Partial<typeof tutorSessions.$inferInsert> = {}
  for (const change of changes) {
    if (change.kind === 'step') {
      update.currentStepPosition = change.position
      await app.db
        .update(lessonProgress)
        .set({ currentStepPosition: change.position, lastActivityAt: new Date() })
        .where(and(eq(lessonProgress.userId, principal.userId), eq(lessonProgress.lessonId, change.lessonId), eq(lessonProgress.status, 'in_progress')))
    } else if (change.kind === 'lesson_complete') {
      Object.assign(update, { mode: 'free', currentLessonId: null, currentStepPosition: null })
      await completeLesson(app, principal, change.lessonId).catch((error: unknown) => {
        // Completed meanwhile (another tab, the lessons API): the completion already counts.
        if (!(error instanceof Conflict)) throw error
      })
    } else {
      state = { ...state, topic: change.topic }
    }
  }
  await app.db
    .update(tutorSessions)
    .set({ ...update, state })
    .where(eq(tutorSessions.id, sessionId))
}
