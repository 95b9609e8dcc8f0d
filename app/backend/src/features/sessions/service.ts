import { and, asc, count, desc, eq, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Principal } from '../../core/auth/access.js'
import type { DbOrTx } from '../../core/db/client.js'
import {
  curriculumObjectives,
  examAttempts,
  examParts,
  lessonObjectives,
  lessonProgress,
  lessons,
  scenarioSteps,
  scenarios,
  sittings,
  tutorSessions,
  turns,
  users,
  type CefrLevel,
  type Lesson,
  type Sitting,
  type SittingEndReason,
  type SittingTransport,
  type Turn,
  type TutorSession,
  type User,
} from '../../core/db/schema/index.js'
import { BadRequest, Conflict, NotFound } from '../../core/errors.js'
import { lessonTopics, type LessonTopic } from '../curriculum/content-schema.js'
import { findVisibleLesson, learnerProgress, startLesson, toLessonSummary } from '../lessons/service.js'
import { turnAudioUrl } from '../voice/turn-audio.js'
import type { LearnerProfile, LessonScript, TutorEvent, VisualAid } from '../tutor/types.js'
import { buildGreeting } from './greeting.js'
import type { modeChangeSchema, sessionSchema, sittingPageQuerySchema, sittingSchema, turnPageQuerySchema, turnSchema } from './schema.js'
import { summarizeSitting } from './summary.js'

type SessionView = z.infer<typeof sessionSchema>
export type TurnView = z.infer<typeof turnSchema>
type SittingView = z.infer<typeof sittingSchema>

/** What the session keeps between sittings besides its columns. */
export interface SessionState {
  [key: string]: unknown
  topic?: LessonTopic
  /** The tutor engine's memory (question asked, step attempts, …). */
  tutor?: Record<string, unknown>
}

export function sessionState(session: TutorSession): SessionState {
  const state = session.state as SessionState
  return {
    topic: lessonTopics.includes(state.topic as LessonTopic) ? state.topic : undefined,
    tutor: state.tutor && typeof state.tutor === 'object' ? state.tutor : {},
  }
}

// --- loading --------------------------------------------------------------------------------------

/** The learner's one tutor session, created on first use. */
export async function loadSession(app: FastifyInstance, userId: string): Promise<TutorSession> {
  await app.db.insert(tutorSessions).values({ userId }).onConflictDoNothing({ target: tutorSessions.userId })
  const [session] = await app.db.select().from(tutorSessions).where(eq(tutorSessions.userId, userId))
  if (!session) throw new NotFound('This account no longer exists.')
  return session
}

export async function loadLearner(app: FastifyInstance, userId: string): Promise<{ user: User; profile: LearnerProfile }> {
  const [user] = await app.db.select().from(users).where(eq(users.id, userId))
  if (!user) throw new NotFound('This account no longer exists.')
  return { user, profile: learnerProfile(user) }
}

export function learnerProfile(user: User): LearnerProfile {
  const examLower = user.examGoal ? (user.examGoal.split('-')[0] as CefrLevel) : undefined
  return {
    name: user.name.trim().split(/\s+/)[0] || user.name,
    level: user.targetLevel ?? examLower ?? 'A1',
    nativeLanguage: user.nativeLanguage,
    explanationLanguage: user.preferences.explanationLanguage,
    correctionStyle: user.preferences.correctionStyle,
    examGoal: user.examGoal,
  }
}

/** A lesson with its steps flattened across its scenarios and numbered from 0. */
export async function loadLessonScript(app: FastifyInstance, lessonId: string): Promise<LessonScript | null> {
  const [lesson] = await app.db.select().from(lessons).where(eq(lessons.id, lessonId))
  return lesson ? lessonScriptOf(app, lesson) : null
}

async function lessonScriptOf(app: FastifyInstance, lesson: Lesson): Promise<LessonScript> {
  const lessonId = lesson.id
  const objectives = await app.db
    .select({ descriptor: curriculumObjectives.descriptorEn })
    .from(lessonObjectives)
    .innerJoin(curriculumObjectives, eq(curriculumObjectives.id, lessonObjectives.objectiveId))
    .where(eq(lessonObjectives.lessonId, lessonId))
    .orderBy(asc(curriculumObjectives.position))
  const steps = await app.db
    .select({ step: scenarioSteps })
    .from(scenarioSteps)
    .innerJoin(scenarios, eq(scenarios.id, scenarioSteps.scenarioId))
    .where(eq(scenarios.lessonId, lessonId))
    .orderBy(asc(scenarios.position), asc(scenarioSteps.position))
  return {
    id: lesson.id,
    slug: lesson.slug,
    title: lesson.title,
    level: lesson.level,
    topic: lesson.topic,
    context: lesson.context,
    goals: lesson.goals,
    objectives: objectives.map((row) => row.descriptor),
    vocabulary: lesson.vocabulary,
    phrases: lesson.phrases,
    steps: steps.map(({ step }, position) => ({
      position,
      tutorPrompt: step.tutorPrompt,
      expectedLearnerMove: step.expectedLearnerMove,
      hints: step.hints,
      followUpQuestions: step.followUpQuestions,
      pictureSlug: step.pictureSlug,
    })),
  }
}

// --- views ----------------------------------------------------------------------------------------

const iso = (date: Date | null) => date?.toISOString() ?? null

export function toTurnView(turn: Turn): TurnView {
  return {
    id: turn.id,
    sittingId: turn.sittingId,
    sequence: turn.sequence,
    role: turn.role,
    text: turn.text,
    source: turn.source,
    clientTurnId: turn.clientTurnId,
    replyToTurnId: turn.replyToTurnId,
    incomplete: turn.incomplete,
    startedAt: iso(turn.startedAt),
    endedAt: iso(turn.endedAt),
    speakingMs: turn.speakingMs,
    wordTimings: turn.wordTimings,
    corrections: turn.corrections,
    visualAids: (turn.events ?? []).flatMap((event) => (event.type === 'visual' ? [event.aid as VisualAid] : [])),
    cefr: turn.cefrMetadata ?? null,
    latencyMs: turn.latencyMs,
    audioUrl: turn.audioRef ? turnAudioUrl(turn.id) : null,
    createdAt: turn.createdAt.toISOString(),
  }
}

export function toSittingView(sitting: Sitting): SittingView {
  return {
    id: sitting.id,
    startedAt: sitting.startedAt.toISOString(),
    endedAt: iso(sitting.endedAt),
    endReason: sitting.endReason,
    transport: sitting.transport,
    mode: sitting.mode,
    lessonId: sitting.lessonId,
    summaryStatus: sitting.summaryStatus,
    summary: sitting.summary ?? null,
    metrics: sitting.metrics,
  }
}

export async function getSessionView(app: FastifyInstance, principal: Principal): Promise<SessionView> {
  const session = await loadSession(app, principal.userId)
  return sessionView(app, principal, session)
}

async function sessionView(app: FastifyInstance, principal: Principal, session: TutorSession): Promise<SessionView> {
  const { user, profile } = await loadLearner(app, principal.userId)
  const state = sessionState(session)
  const now = new Date()
  const idleBefore = new Date(now.getTime() - app.config.sessions.idleMinutes * 60_000)

  const [open] = await app.db
    .select()
    .from(sittings)
    .where(and(eq(sittings.tutorSessionId, session.id), isNull(sittings.endedAt)))
    .orderBy(desc(sittings.startedAt))
    .limit(1)
  const [last] = await app.db
    .select()
    .from(sittings)
    .where(and(eq(sittings.tutorSessionId, session.id), isNotNull(sittings.endedAt)))
    .orderBy(desc(sittings.startedAt))
    .limit(1)
  const [{ closed } = { closed: 0 }] = await app.db
    .select({ closed: count() })
    .from(sittings)
    .where(and(eq(sittings.tutorSessionId, session.id), isNotNull(sittings.endedAt)))

  const [lessonRow] = session.mode === 'lesson' && session.currentLessonId
    ? await app.db.select().from(lessons).where(eq(lessons.id, session.currentLessonId))
    : []
  const script = lessonRow ? await lessonScriptOf(app, lessonRow) : null
  const position = Math.min(session.currentStepPosition ?? 0, Math.max((script?.steps.length ?? 1) - 1, 0))
  const step = script?.steps[position]
  const lastLesson = last?.lessonId ? (await app.db.select({ title: lessons.title }).from(lessons).where(eq(lessons.id, last.lessonId)))[0] : undefined

  const [exam] = session.mode === 'exam' && session.currentExamAttemptId
    ? await app.db.select().from(examAttempts).where(and(eq(examAttempts.id, session.currentExamAttemptId), eq(examAttempts.userId, principal.userId)))
    : []
  const [examPart] = exam && exam.currentPartPosition !== null
    ? await app.db
        .select({ slug: examParts.slug })
        .from(examParts)
        .where(and(eq(examParts.templateId, exam.templateId), eq(examParts.position, exam.currentPartPosition)))
    : []

  const greeting = buildGreeting({
    bank: app.tutor.bank.levels[profile.level],
    level: profile.level,
    firstName: profile.name,
    verbosity: user.preferences.greetingVerbosity,
    explanationLanguage: profile.explanationLanguage,
    sittingCount: closed,
    lastActivityAt: closed > 0 || open ? session.lastActivityAt : null,
    unfinishedLesson: script?.title ?? null,
    lastSummary: last?.endedAt
      ? {
          endedAt: last.endedAt,
          minutes: (last.endedAt.getTime() - last.startedAt.getTime()) / 60_000,
          lessonTitle: lastLesson?.title ?? null,
          summary: last.summary,
        }
      : null,
    now,
  })

  return {
    id: session.id,
    mode: session.mode,
    lesson:
      lessonRow && step && script
        ? { lesson: toLessonSummary(lessonRow), step: { position, total: script.steps.length, tutorPrompt: step.tutorPrompt, pictureSlug: step.pictureSlug } }
        : null,
    exam: exam ? { attemptId: exam.id, level: exam.level, status: exam.status, partSlug: examPart?.slug ?? null } : null,
    topic: state.topic ?? null,
    level: profile.level,
    rollingSummary: session.rollingSummary,
    summaryUpdatedAt: iso(session.summaryUpdatedAt),
    greeting,
    progress: await learnerProgress(app, principal),
    // A sitting past its idle time is closed by the next activity or the sweep; it is not "open" any more.
    openSitting: open && session.lastActivityAt >= idleBefore ? toSittingView(open) : null,
    lastSitting: last ? toSittingView(last) : null,
    capabilities: app.tutor.capabilities,
    lastActivityAt: session.lastActivityAt.toISOString(),
  }
}

// --- sittings -------------------------------------------------------------------------------------

/**
 * The sitting activity belongs to: the open one, unless the learner was idle longer than the idle
 * time, in which case that one is closed (ending at the last activity) and a new one starts.
 */
export async function ensureOpenSitting(
  app: FastifyInstance,
  session: TutorSession,
  transport: SittingTransport,
  now: Date,
): Promise<{ sitting: Sitting; isNew: boolean }> {
  const [open] = await app.db
    .select()
    .from(sittings)
    .where(and(eq(sittings.tutorSessionId, session.id), isNull(sittings.endedAt)))
    .orderBy(desc(sittings.startedAt))
    .limit(1)
  const idleMs = app.config.sessions.idleMinutes * 60_000
  // Activity is recorded first, so the idle sweep cannot close the sitting this activity belongs to.
  await app.db.update(tutorSessions).set({ lastActivityAt: now }).where(eq(tutorSessions.id, session.id))
  if (open && now.getTime() - session.lastActivityAt.getTime() < idleMs) return { sitting: open, isNew: false }
  if (open) await closeSitting(app, open.id, 'idle', session.lastActivityAt)
  const [sitting] = await app.db
    .insert(sittings)
    .values({
      tutorSessionId: session.id,
      userId: session.userId,
      transport,
      mode: session.mode,
      lessonId: session.mode === 'lesson' ? session.currentLessonId : null,
      examAttemptId: session.mode === 'exam' ? session.currentExamAttemptId : null,
      startedAt: now,
    })
    .returning()
  return { sitting: sitting!, isNew: true }
}

/** Closes a sitting once (later calls do nothing) and queues its summary. */
export async function closeSitting(app: FastifyInstance, sittingId: string, reason: SittingEndReason, endedAt: Date): Promise<Sitting | null> {
  const [closed] = await app.db
    .update(sittings)
    .set({ endedAt: sql`greatest(${sittings.startedAt}, ${endedAt.toISOString()}::timestamptz)`, endReason: reason })
    .where(and(eq(sittings.id, sittingId), isNull(sittings.endedAt)))
    .returning()
  if (closed) await app.jobs.enqueue(summarizeSitting, { sittingId })
  return closed ?? null
}

export async function endOpenSitting(app: FastifyInstance, principal: Principal): Promise<{ ended: boolean; sitting: SittingView | null }> {
  const session = await loadSession(app, principal.userId)
  const release = await app.tutor.lock.acquire(session.id)
  try {
    const [open] = await app.db
      .select()
      .from(sittings)
      .where(and(eq(sittings.tutorSessionId, session.id), isNull(sittings.endedAt)))
      .orderBy(desc(sittings.startedAt))
      .limit(1)
    if (open) {
      const closed = await closeSitting(app, open.id, 'user', new Date())
      return { ended: true, sitting: closed ? toSittingView(closed) : null }
    }
    const [last] = await app.db.select().from(sittings).where(eq(sittings.tutorSessionId, session.id)).orderBy(desc(sittings.startedAt)).limit(1)
    return { ended: false, sitting: last ? toSittingView(last) : null }
  } finally {
    release()
  }
}

/**
 * Closes every sitting whose learner has been idle longer than the idle time, ending it at the last
 * activity (run by a scheduled job). One conditional update: a turn that arrives meanwhile has
 * already moved `last_activity_at`, so its sitting is not touched. Summaries that were never queued
 * (the queue failed after a close) are queued again, at most once an hour per sitting.
 */
export async function closeIdleSittings(app: FastifyInstance, now = new Date()): Promise<number> {
  const idleBefore = new Date(now.getTime() - app.config.sessions.idleMinutes * 60_000)
  const closed = await app.db
    .update(sittings)
    .set({ endedAt: sql`greatest(${sittings.startedAt}, ${tutorSessions.lastActivityAt})`, endReason: 'idle' })
    .from(tutorSessions)
    .where(and(eq(tutorSessions.id, sittings.tutorSessionId), isNull(sittings.endedAt), lt(tutorSessions.lastActivityAt, idleBefore)))
    .returning({ id: sittings.id })
  for (const { id } of closed) await app.jobs.enqueue(summarizeSitting, { sittingId: id })
  const stuck = await app.db
    .select({ id: sittings.id })
    .from(sittings)
    .where(and(eq(sittings.summaryStatus, 'pending'), lt(sittings.endedAt, new Date(now.getTime() - 10 * 60_000))))
    .limit(100)
  for (const { id } of stuck) await app.jobs.enqueue(summarizeSitting, { sittingId: id }, { singletonKey: `retry:${id}`, singletonSeconds: 3_600 })
  return closed.length
}

export async function listSittings(app: FastifyInstance, principal: Principal, query: z.infer<typeof sittingPageQuerySchema>) {
  const session = await loadSession(app, principal.userId)
  const filters: SQL[] = [eq(sittings.tutorSessionId, session.id)]
  if (query.before) {
    const [cursor] = await app.db.select().from(sittings).where(and(eq(sittings.id, query.before), eq(sittings.tutorSessionId, session.id)))
    if (!cursor) throw new NotFound(`No sitting ${query.before} in your session.`)
    filters.push(or(lt(sittings.startedAt, cursor.startedAt), and(eq(sittings.startedAt, cursor.startedAt), lt(sittings.id, cursor.id)))!)
  }
  const rows = await app.db
    .select()
    .from(sittings)
    .where(and(...filters))
    .orderBy(desc(sittings.startedAt), desc(sittings.id))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  return { items: page.map(toSittingView), nextBefore: rows.length > query.limit ? page.at(-1)!.id : null }
}

export async function getSitting(app: FastifyInstance, principal: Principal, sittingId: string): Promise<SittingView> {
  const [sitting] = await app.db.select().from(sittings).where(and(eq(sittings.id, sittingId), eq(sittings.userId, principal.userId)))
  if (!sitting) throw new NotFound(`No sitting ${sittingId}.`)
  return toSittingView(sitting)
}

// --- transcript -----------------------------------------------------------------------------------

/** Final turns of the session, oldest first, a page at a time going back in time. */
export async function listTurns(app: FastifyInstance, principal: Principal, query: z.infer<typeof turnPageQuerySchema>) {
  const session = await loadSession(app, principal.userId)
  const filters: SQL[] = [eq(turns.tutorSessionId, session.id), eq(turns.isFinal, true)]
  if (query.before) {
    // The timestamp goes through as text: a JavaScript Date would drop its microseconds.
    const [cursor] = await app.db
      .select({ createdAt: sql<string>`${turns.createdAt}::text`, sequence: turns.sequence })
      .from(turns)
      .where(and(eq(turns.id, query.before), eq(turns.tutorSessionId, session.id)))
    if (!cursor) throw new NotFound(`No turn ${query.before} in your session.`)
    filters.push(sql`(${turns.createdAt}, ${turns.sequence}) < (${cursor.createdAt}::timestamptz, ${cursor.sequence})`)
  }
  // A session's turns are stored one at a time (the session lock), so created_at orders them, and
  // sequence orders a sitting's turns should two ever share a timestamp. It is the index's order:
  // a page never sorts the whole transcript.
  const rows = await app.db
    .select()
    .from(turns)
    .where(and(...filters))
    .orderBy(desc(turns.createdAt), desc(turns.sequence))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const oldest = page.at(-1)
  return { items: page.toReversed().map(toTurnView), nextBefore: rows.length > query.limit && oldest ? oldest.id : null }
}

/** The most recent turns for the tutor's context, oldest first. */
export async function recentTurns(app: FastifyInstance, sessionId: string, limit: number): Promise<Turn[]> {
  const rows = await app.db
    .select()
    .from(turns)
    .where(and(eq(turns.tutorSessionId, sessionId), eq(turns.isFinal, true)))
    .orderBy(desc(turns.createdAt), desc(turns.sequence))
    .limit(limit)
  return rows.toReversed()
}

export async function insertTurn(db: DbOrTx, values: Omit<typeof turns.$inferInsert, 'sequence'>): Promise<Turn> {
  const [turn] = await db
    .insert(turns)
    .values({
      ...values,
      sequence: sql`(select coalesce(max(${turns.sequence}), 0) + 1 from ${turns} where ${turns.sittingId} = ${values.sittingId})`,
    })
    .returning()
  return turn!
}

// --- mode -----------------------------------------------------------------------------------------

/**
 * Switches the session to free conversation (optionally on a topic) or to a lesson at a step, and
 * stores the tutor's opening line as a turn of the (possibly new) sitting.
 */
export async function changeMode(app: FastifyInstance, principal: Principal, change: z.infer<typeof modeChangeSchema>) {
  const release = await app.tutor.lock.acquire((await loadSession(app, principal.userId)).id)
  try {
    // Read under the lock: a turn that held it may have changed the tutor's memory and topic.
    const session = await loadSession(app, principal.userId)
    const { profile } = await loadLearner(app, principal.userId)
    const state = sessionState(session)
    const now = new Date()
    let script: LessonScript | null = null
    let position: number | null = null
    if (change.mode === 'lesson') {
      const lesson = await findVisibleLesson(app, principal, change.lesson)
      script = await loadLessonScript(app, lesson.id)
      if (!script || script.steps.length === 0) throw new Conflict(`The lesson ${change.lesson} has no steps to practise.`)
      const progress = await startLesson(app, principal, lesson.id)
      position = change.step ?? progress.currentStepPosition ?? 0
      if (position >= script.steps.length) {
        throw new BadRequest(`The lesson ${change.lesson} has ${script.steps.length} steps (0 to ${script.steps.length - 1}); there is no step ${position}.`)
      }
      await app.db
        .update(lessonProgress)
        .set({ currentStepPosition: position, lastActivityAt: now })
        .where(and(eq(lessonProgress.userId, principal.userId), eq(lessonProgress.lessonId, lesson.id)))
    }
    const topic = change.mode === 'free' ? (change.topic ?? state.topic ?? null) : state.topic ?? null
    const events = app.tutor.offline.opening({ level: profile.level, lesson: script, stepPosition: position, topic, memory: state.tutor ?? {} })
    const memory = events.find((event) => event.type === 'memory')?.memory ?? state.tutor
    const topicChange = events.find((event): event is Extract<TutorEvent, { type: 'state' }> => event.type === 'state' && event.change.kind === 'topic')
    const nextTopic = topicChange?.change.kind === 'topic' ? topicChange.change.topic : topic

    const [updated] = await app.db
      .update(tutorSessions)
      .set({
        mode: change.mode,
        currentLessonId: script?.id ?? null,
        currentStepPosition: position,
        currentExamAttemptId: null,
        state: { ...state, topic: nextTopic ?? undefined, tutor: memory },
      })
      .where(eq(tutorSessions.id, session.id))
      .returning()
    const { sitting } = await ensureOpenSitting(app, updated!, 'text', now)
    if (script && !sitting.lessonId) {
      // A sitting that began in free conversation records the lesson practised in it, for its summary.
      await app.db.update(sittings).set({ mode: 'lesson', lessonId: script.id }).where(eq(sittings.id, sitting.id))
    }
    const text = events.flatMap((event) => (event.type === 'delta' ? [event.text] : [])).join('')
    const turn = await insertTurn(app.db, {
      tutorSessionId: session.id,
      sittingId: sitting.id,
      userId: principal.userId,
      role: 'tutor',
      text,
      cefrMetadata: { targetLevel: profile.level },
    })
    return {
      // ensureOpenSitting recorded the activity; the row returned above predates it.
      session: await sessionView(app, principal, { ...updated!, lastActivityAt: now }),
      opening: { turn: toTurnView(turn), events: events.filter((event) => event.type !== 'memory') },
    }
  } finally {
    release()
  }
}
