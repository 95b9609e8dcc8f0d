import { randomInt } from 'node:crypto'
import { and, asc, desc, eq, inArray, isNull, ne } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'
import type { Principal } from '../../core/auth/access.js'
import type { DbOrTx } from '../../core/db/client.js'
import {
  examAttempts,
  examParts,
  examScores,
  examTemplates,
  lessons,
  sittings,
  tutorSessions,
  turns,
  type CefrLevel,
  type ExamAttempt,
  type ExamConductorState,
  type ExamPart,
  type ExamPrompt,
  type ExamScore,
  type ExamTemplate,
  type SelectedPartPrompts,
  type Turn,
  type TurnRole,
  type TutorSession,
} from '../../core/db/schema/index.js'
import { Conflict, NotFound, ValidationFailed } from '../../core/errors.js'
import type { PartnerBank } from '../curriculum/content-pack.js'
import { scoreExamAttempt } from '../scoring/exam-scoring.js'
import { closeSitting, ensureOpenSitting, insertTurn, loadSession } from '../sessions/service.js'
import { closingLine, coCandidateLevels, introLines, partnerOpening, stateFor, type PartScript } from './conductor.js'
import type { attemptAdvanceSchema, attemptStartSchema, examAttemptSchema, examResultSchema } from './schema.js'
import { catchUp, enterPart, INSTRUCTIONS_SECONDS, nextPhase, transitionOf, type Timeline, type Transition, type TransitionCause } from './timeline.js'

/** Prompts of the learner's most recent attempts are not drawn again while the bank has others. */
const RECENT_ATTEMPTS_AVOIDED = 5
/** General follow-up questions drawn per part (after the prompt's own). */
const GENERAL_FOLLOW_UPS = 3

export type ExamAttemptView = z.infer<typeof examAttemptSchema>

/** The mock-exam runtime: the clock (tests control it) and the scripted co-candidate's lines. */
export interface ExamRuntime {
  now: () => Date
  partners: PartnerBank
}

declare module 'fastify' {
  interface FastifyInstance {
    exams: ExamRuntime
  }
}

// --- loading --------------------------------------------------------------------------------------

export interface AttemptContext {
  attempt: ExamAttempt
  template: ExamTemplate
  parts: ExamPart[]
  /** Lines the examiner and the co-candidate said while the attempt was brought up to date, oldest first. */
  said?: Turn[]
  /** The phase changes made while bringing it up to date. */
  transitions?: Transition[]
}

async function loadTemplate(db: DbOrTx, templateId: string): Promise<Omit<AttemptContext, 'attempt'>> {
  const [template] = await db.select().from(examTemplates).where(eq(examTemplates.id, templateId))
  const parts = await db.select().from(examParts).where(eq(examParts.templateId, templateId)).orderBy(asc(examParts.position))
  // Retired parts carry negative positions; an attempt runs over the live ones, in order.
  return { template: template!, parts: parts.filter((part) => part.position >= 0) }
}

async function loadContext(db: DbOrTx, attempt: ExamAttempt): Promise<AttemptContext> {
  return { attempt, ...(await loadTemplate(db, attempt.templateId)) }
}

/** The learner's attempt, or 404 — also for another learner's id. */
async function findAttempt(app: FastifyInstance, principal: Principal, id: string): Promise<ExamAttempt> {
  const [attempt] = await app.db.select().from(examAttempts).where(and(eq(examAttempts.id, id), eq(examAttempts.userId, principal.userId)))
  if (!attempt) throw new NotFound(`There is no exam attempt ${id}.`)
  return attempt
}

function timelineOf(attempt: ExamAttempt): Timeline {
  const partStartedAt = attempt.partStartedAt ?? attempt.startedAt
  return {
    partPosition: attempt.currentPartPosition ?? 0,
    phase: attempt.phase,
    partStartedAt,
    instructionsDeadlineAt: attempt.phase === 'instructions' ? new Date(partStartedAt.getTime() + INSTRUCTIONS_SECONDS * 1000) : null,
    preparationDeadlineAt: attempt.preparationDeadlineAt,
    partDeadlineAt: attempt.partDeadlineAt,
    finishedAt: attempt.finishedAt,
  }
}

// --- starting -------------------------------------------------------------------------------------

/**
 * Starts a mock exam: draws the prompts (avoiding the learner's recent attempts), puts the tutor
 * session in exam mode and lets the examiner open the first part. One attempt runs at a time: a
 * second start is refused with the running attempt's id, so the client can resume or abandon it.
 */
export async function startAttempt(app: FastifyInstance, principal: Principal, body: z.infer<typeof attemptStartSchema>): Promise<ExamAttemptView> {
  const [lower, upper] = coCandidateLevels(body.level)
  if (body.coCandidateLevel && body.coCandidateLevel !== lower && body.coCandidateLevel !== upper) {
    throw new ValidationFailed([{ path: 'body.coCandidateLevel', message: `The co-candidate of the ${body.level} test plays ${lower} or ${upper}.` }])
  }
  const [template] = await app.db
    .select()
    .from(examTemplates)
    .where(and(eq(examTemplates.level, body.level), eq(examTemplates.published, true)))
    .orderBy(desc(examTemplates.version))
    .limit(1)
  if (!template) throw new NotFound(`There is no published ${body.level} test.`)

  const session = await loadSession(app, principal.userId)
  const release = await app.tutor.lock.acquire(session.id)
  try {
    const running = await runningAttempt(app, principal)
    if (running) {
      throw new Conflict(`A ${running.level} mock exam is already running (attempt ${running.id}). Continue it or abandon it first.`, {
        extensions: { attemptId: running.id },
      })
    }
    const context = await loadTemplate(app.db, template.id)
    if (context.parts.length === 0) throw new NotFound(`The ${body.level} test has no parts.`)
    const now = app.exams.now()
    const timeline = enterPart(context.parts, 0, now)
    const selectedPrompts = await drawPrompts(app, principal.userId, context.parts)
    // The exam is a sitting of its own: the lesson or conversation before it keeps its own summary.
    const [open] = await app.db.select({ id: sittings.id }).from(sittings).where(and(eq(sittings.tutorSessionId, session.id), isNull(sittings.endedAt)))
    if (open) await closeSitting(app, open.id, 'user', now)
    const { sitting } = await ensureOpenSitting(app, { ...session, mode: 'exam' }, body.delivery === 'voice' ? 'websocket' : 'text', now)
    let attempt: ExamAttempt
    try {
      ;[attempt] = (await app.db
        .insert(examAttempts)
        .values({
          userId: principal.userId,
          templateId: template.id,
          level: body.level,
          delivery: body.delivery,
          coCandidateLevel: body.coCandidateLevel ?? lower,
          selectedPrompts,
          tutorSessionId: session.id,
          sittingId: sitting.id,
          startedAt: now,
          ...timelineColumns(timeline),
          conductor: stateFor({}, 0),
        })
        .returning()) as [ExamAttempt]
    } catch (error) {
      // Two starts at the same moment (two devices): the partial unique index lets one through.
      if ((error as { code?: string }).code === '23505' || (error as { cause?: { code?: string } }).cause?.code === '23505') {
        const [other] = await app.db.select({ id: examAttempts.id }).from(examAttempts).where(and(eq(examAttempts.userId, principal.userId), eq(examAttempts.status, 'in_progress')))
        throw new Conflict('A mock exam is already running. Continue it or abandon it first.', other ? { extensions: { attemptId: other.id } } : {})
      }
      throw error
    }
    await app.db
      .update(tutorSessions)
      .set({ mode: 'exam', currentExamAttemptId: attempt.id, currentLessonId: null, currentStepPosition: null })
      .where(eq(tutorSessions.id, session.id))
    await app.db.update(sittings).set({ mode: 'exam', examAttemptId: attempt.id, lessonId: null }).where(eq(sittings.id, sitting.id))
    await sayLine(app.db, attempt, sitting.id, context.parts[0]!, 'examiner', introLines(context.parts[0]!).join(' '))
    return attemptView(app, { ...context, attempt })
  } finally {
    release()
  }
}

/** Refuses to leave exam mode while the learner's mock exam runs (switching to a lesson or free talk). */
export async function refuseWhileExamRuns(app: FastifyInstance, principal: Principal): Promise<void> {
  const session = await loadSession(app, principal.userId)
  if (session.mode !== 'exam') return
  const release = await app.tutor.lock.acquire(session.id)
  try {
    const running = await runningAttempt(app, principal)
    if (running) {
      throw new Conflict('A mock exam is running. Finish it or abandon it before you switch to a lesson or free conversation.', {
        extensions: { attemptId: running.id },
      })
    }
  } finally {
    release()
  }
}

async function runningAttempt(app: FastifyInstance, principal: Principal): Promise<ExamAttempt | null> {
  const [running] = await app.db
    .select()
    .from(examAttempts)
    .where(and(eq(examAttempts.userId, principal.userId), eq(examAttempts.status, 'in_progress')))
  if (!running) return null
  // It may have run out of time while the learner was away.
  const caughtUp = await reconcile(app, running)
  return caughtUp.attempt.status === 'in_progress' ? caughtUp.attempt : null
}

/** One prompt per part, not one of the learner's recent attempts while the bank has others; a few general follow-ups. */
async function drawPrompts(app: FastifyInstance, userId: string, parts: ExamPart[]): Promise<SelectedPartPrompts[]> {
  const recent = await app.db
    .select({ selectedPrompts: examAttempts.selectedPrompts })
    .from(examAttempts)
    .where(eq(examAttempts.userId, userId))
    .orderBy(desc(examAttempts.startedAt))
    .limit(RECENT_ATTEMPTS_AVOIDED)
  const used = new Set(recent.flatMap((row) => row.selectedPrompts.flatMap((selected) => selected.promptIds.map((id) => `${selected.partId}:${id}`))))
  return parts.map((part) => {
    const fresh = part.promptBank.filter((prompt) => !used.has(`${part.id}:${prompt.id}`))
    const pool = fresh.length > 0 ? fresh : part.promptBank
    const prompt = pool.length > 0 ? pool[randomInt(pool.length)]! : null
    return {
      partPosition: part.position,
      partId: part.id,
      promptIds: prompt ? [prompt.id] : [],
      followUpQuestions: sample(part.followUpQuestions, GENERAL_FOLLOW_UPS),
      extraQuestion: null,
    }
  })
}

function sample<T>(items: readonly T[], count: number): T[] {
  const pool = [...items]
  const picked: T[] = []
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(randomInt(pool.length), 1)[0]!)
  return picked
}

// --- the clock ------------------------------------------------------------------------------------

function timelineColumns(timeline: Timeline) {
  return {
    currentPartPosition: timeline.partPosition,
    phase: timeline.phase,
    partStartedAt: timeline.partStartedAt,
    preparationDeadlineAt: timeline.preparationDeadlineAt,
    partDeadlineAt: timeline.partDeadlineAt,
  }
}

/**
 * Brings an attempt up to the server's clock: phases whose time is up end at their deadlines, with
 * what the examiner says at each change. Call with the session's turn lock held.
 */
async function reconcile(app: FastifyInstance, attempt: ExamAttempt): Promise<AttemptContext> {
  const context = await loadContext(app.db, attempt)
  if (attempt.status !== 'in_progress') return context
  const { timeline, transitions } = catchUp(context.parts, timelineOf(attempt), app.exams.now())
  if (transitions.length === 0) return context
  return applyTransitions(app, context, timeline, transitions)
}

/** Moves the attempt on from the phase the candidate (or the examiner) ends now. */
export async function moveOn(app: FastifyInstance, context: AttemptContext, cause: Exclude<TransitionCause, 'time'>): Promise<AttemptContext> {
  const now = app.exams.now()
  const from = timelineOf(context.attempt)
  const to = nextPhase(context.parts, from, now)
  return applyTransitions(app, context, to, [transitionOf(from, to, now, cause)])
}

async function applyTransitions(app: FastifyInstance, context: AttemptContext, timeline: Timeline, transitions: Transition[]): Promise<AttemptContext> {
  const session = await loadSession(app, context.attempt.userId)
  const { sitting } = await ensureOpenSitting(app, session, context.attempt.delivery === 'voice' ? 'websocket' : 'text', app.exams.now())
  let conductor = context.attempt.conductor
  const said: Turn[] = []
  const say = async (part: ExamPart, role: Extract<TurnRole, 'examiner' | 'partner'>, text: string) => {
    const turn = await sayLine(app.db, context.attempt, sitting.id, part, role, text)
    if (turn) said.push(turn)
  }
  for (const transition of transitions) {
    const from = context.parts[transition.from.partPosition]!
    const to = context.parts[transition.to.partPosition]!
    if (transition.from.phase === 'speaking' && transition.cause !== 'examiner') {
      // The examiner closed the part in its reply already; time or the candidate ending it gets the closing line.
      await say(from, 'examiner', closingLine(from))
    }
    if (transition.to.phase === 'instructions') {
      conductor = stateFor(conductor, to.position)
      await say(to, 'examiner', introLines(to).join(' '))
    } else if (transition.from.phase === 'instructions') {
      const prompt = promptOf(context.attempt, to)
      await say(to, 'examiner', prompt?.text ?? '')
      conductor = { ...stateFor(conductor, to.position), ...(prompt ? { lastQuestion: { role: 'examiner' as const, text: prompt.text } } : {}) }
    }
    if (transition.to.phase === 'speaking') {
      // A candidate who ended the preparation themself was told to begin in the examiner's reply.
      if (transition.from.phase === 'preparation' && transition.cause === 'time') await say(to, 'examiner', 'Forberedelsestiden er over. Nå kan du begynne.')
      const lines = partnerLines(app, context, to)
      if (to.mode === 'pair' && lines) {
        const opening = partnerOpening(lines, conductor)
        conductor = opening.state
        await say(to, 'partner', opening.text)
      }
    }
  }
  const done = timeline.phase === 'done'
  const [attempt] = await app.db
    .update(examAttempts)
    .set({
      ...timelineColumns(timeline),
      conductor,
      ...(done ? { status: 'scoring' as const, finishedAt: timeline.finishedAt } : {}),
    })
    .where(and(eq(examAttempts.id, context.attempt.id), eq(examAttempts.status, 'in_progress')))
    .returning()
  if (done && attempt) {
    await leaveExamMode(app, context.attempt)
    await app.jobs.enqueue(scoreExamAttempt, { attemptId: attempt.id })
  }
  return { ...context, attempt: attempt ?? context.attempt, said: [...(context.said ?? []), ...said], transitions: [...(context.transitions ?? []), ...transitions] }
}

/** The session goes back to free conversation when its exam ends, and the exam's sitting closes. */
async function leaveExamMode(app: FastifyInstance, attempt: Pick<ExamAttempt, 'id' | 'userId'> & { sittingId?: string | null }): Promise<void> {
  await app.db
    .update(tutorSessions)
    .set({ mode: 'free', currentExamAttemptId: null })
    .where(and(eq(tutorSessions.userId, attempt.userId), eq(tutorSessions.currentExamAttemptId, attempt.id)))
  if (attempt.sittingId) await closeSitting(app, attempt.sittingId, 'exam_finished', app.exams.now())
}

/** Stores a line of the examiner or the co-candidate as a turn of the attempt's part. */
async function sayLine(db: DbOrTx, attempt: ExamAttempt, sittingId: string, part: ExamPart, role: Extract<TurnRole, 'examiner' | 'partner'>, text: string) {
  if (!text.trim()) return null
  return insertTurn(db, {
    tutorSessionId: attempt.tutorSessionId!,
    sittingId,
    userId: attempt.userId,
    role,
    text: text.trim(),
    examAttemptId: attempt.id,
    examPartId: part.id,
  })
}

function promptOf(attempt: ExamAttempt, part: ExamPart): ExamPrompt | null {
  const selected = attempt.selectedPrompts.find((entry) => entry.partId === part.id)
  const id = selected?.promptIds[0]
  return part.promptBank.find((prompt) => prompt.id === id) ?? null
}

function partnerLines(app: FastifyInstance, context: AttemptContext, part: ExamPart) {
  const prompt = promptOf(context.attempt, part)
  const level: CefrLevel = context.attempt.coCandidateLevel ?? coCandidateLevels(context.attempt.level)[0]
  return prompt ? (app.exams.partners[context.template.slug]?.[prompt.id]?.[level] ?? null) : null
}

/** What the conductor needs to answer the candidate in the current part. */
export function partScript(app: FastifyInstance, context: AttemptContext): PartScript {
  const part = context.parts[context.attempt.currentPartPosition ?? 0]!
  const selected = context.attempt.selectedPrompts.find((entry) => entry.partId === part.id)
  const extra = part.extraQuestion && !context.attempt.extraQuestionAsked ? (part.extraQuestion.questions[0] ?? null) : null
  return {
    level: context.attempt.level,
    part,
    prompt: promptOf(context.attempt, part),
    followUps: selected?.followUpQuestions ?? [],
    extraQuestion: extra,
    partner: part.mode === 'pair' ? partnerLines(app, context, part) : null,
  }
}

// --- reading and acting on attempts ---------------------------------------------------------------

async function withAttempt<T>(app: FastifyInstance, principal: Principal, id: string, act: (context: AttemptContext) => Promise<T>): Promise<T> {
  const attempt = await findAttempt(app, principal, id)
  const release = await app.tutor.lock.acquire(attempt.tutorSessionId ?? attempt.id)
  try {
    const fresh = await findAttempt(app, principal, id)
    return await act(await reconcile(app, fresh))
  } finally {
    release()
  }
}

export function getAttempt(app: FastifyInstance, principal: Principal, id: string): Promise<ExamAttemptView> {
  return withAttempt(app, principal, id, (context) => attemptView(app, context))
}

/**
 * The candidate moves on from the part and phase they name: done reading the instructions, done
 * preparing, or done speaking. Naming a phase the attempt has already left (a double click, a
 * second tab, the time ran out meanwhile) is refused, so one click never skips two phases.
 */
export function advanceAttempt(app: FastifyInstance, principal: Principal, id: string, body: z.infer<typeof attemptAdvanceSchema>): Promise<ExamAttemptView> {
  return withAttempt(app, principal, id, async (context) => {
    const { attempt } = context
    if (attempt.status !== 'in_progress') throw new Conflict('This mock exam is over; there is nothing to move on from.')
    if (attempt.currentPartPosition !== body.partPosition || attempt.phase !== body.phase) {
      const part = context.parts[attempt.currentPartPosition ?? 0]
      throw new Conflict(
        `The exam has already moved on: it is at part ${(attempt.currentPartPosition ?? 0) + 1} (${part?.title ?? ''}), ${attempt.phase}, not at part ${body.partPosition + 1}, ${body.phase}.`,
      )
    }
    return attemptView(app, await moveOn(app, context, 'candidate'))
  })
}

export function abandonAttempt(app: FastifyInstance, principal: Principal, id: string): Promise<ExamAttemptView> {
  return withAttempt(app, principal, id, async (context) => {
    if (context.attempt.status !== 'in_progress') throw new Conflict(`This mock exam is already ${context.attempt.status}; it cannot be abandoned.`)
    const [attempt] = await app.db
      .update(examAttempts)
      .set({ status: 'abandoned', phase: 'done', finishedAt: app.exams.now(), partDeadlineAt: null, preparationDeadlineAt: null })
      .where(eq(examAttempts.id, context.attempt.id))
      .returning()
    await leaveExamMode(app, context.attempt)
    return attemptView(app, { ...context, attempt: attempt! })
  })
}

export async function listAttempts(app: FastifyInstance, principal: Principal) {
  // A running attempt whose time ran out is shown as it stands on the clock (finished, scoring).
  const [running] = await app.db
    .select({ id: examAttempts.id })
    .from(examAttempts)
    .where(and(eq(examAttempts.userId, principal.userId), eq(examAttempts.status, 'in_progress')))
  if (running) await withAttempt(app, principal, running.id, async () => undefined)
  const rows = await app.db
    .select({ attempt: examAttempts, template: examTemplates })
    .from(examAttempts)
    .innerJoin(examTemplates, eq(examTemplates.id, examAttempts.templateId))
    .where(eq(examAttempts.userId, principal.userId))
    .orderBy(desc(examAttempts.startedAt))
    .limit(100)
  return {
    items: rows.map(({ attempt, template }) => ({
      id: attempt.id,
      level: attempt.level,
      delivery: attempt.delivery,
      status: attempt.status,
      startedAt: attempt.startedAt.toISOString(),
      finishedAt: attempt.finishedAt?.toISOString() ?? null,
      template: { slug: template.slug, title: template.title, totalMinutes: template.totalMinutes },
      result: resultOf(attempt),
    })),
  }
}

function resultOf(attempt: ExamAttempt): ExamAttemptView['result'] {
  const state = attempt.status === 'completed' ? (attempt.result ? 'ready' : 'failed') : attempt.status === 'scoring' ? 'pending' : 'none'
  return { state, estimatedLevel: attempt.result?.estimatedLevel ?? null, outcome: attempt.result?.outcome ?? null }
}

async function attemptView(app: FastifyInstance, context: AttemptContext): Promise<ExamAttemptView> {
  const { attempt, template, parts } = context
  const timeline = timelineOf(attempt)
  const running = attempt.status === 'in_progress'
  const position = attempt.currentPartPosition ?? 0
  const part = running ? parts[position] : undefined
  const partTurns = part
    ? await app.db
        .select({ id: turns.id, role: turns.role, text: turns.text, createdAt: turns.createdAt })
        .from(turns)
        .where(and(eq(turns.examAttemptId, attempt.id), eq(turns.examPartId, part.id)))
        .orderBy(asc(turns.createdAt), asc(turns.sequence))
    : []
  const prompt = part && attempt.phase !== 'instructions' ? promptOf(attempt, part) : null
  const picture = prompt?.pictureSlug ? app.pictures.pictures.find((candidate) => candidate.slug === prompt.pictureSlug) : undefined
  const deadline = running ? (attempt.phase === 'instructions' ? timeline.instructionsDeadlineAt : attempt.phase === 'preparation' ? attempt.preparationDeadlineAt : attempt.partDeadlineAt) : null
  return {
    id: attempt.id,
    level: attempt.level,
    delivery: attempt.delivery,
    status: attempt.status,
    phase: attempt.phase,
    coCandidateLevel: attempt.coCandidateLevel,
    template: { slug: template.slug, title: template.title, totalMinutes: template.totalMinutes },
    serverTime: app.exams.now().toISOString(),
    phaseEndsAt: deadline?.toISOString() ?? null,
    partEndsAt: running ? (attempt.partDeadlineAt?.toISOString() ?? null) : null,
    startedAt: attempt.startedAt.toISOString(),
    finishedAt: attempt.finishedAt?.toISOString() ?? null,
    part: part
      ? {
          ...partSummary(part),
          instructionsEn: part.instructionsEn,
          instructionsNb: part.instructionsNb,
          prompt: prompt
            ? {
                text: prompt.text,
                textEn: prompt.textEn ?? null,
                picture: picture
                  ? { slug: picture.slug, title: picture.titleNb, url: `/api/v1/curriculum/pictures/${picture.slug}.svg`, alt: picture.altEn }
                  : null,
              }
            : null,
          turns: partTurns.map((turn) => ({ ...turn, createdAt: turn.createdAt.toISOString() })),
        }
      : null,
    parts: parts.map((candidate) => ({
      ...partSummary(candidate),
      state: !running || candidate.position < position ? 'done' : candidate.position === position ? 'current' : 'upcoming',
    })),
    result: resultOf(attempt),
  }
}

function partSummary(part: ExamPart) {
  return {
    position: part.position,
    slug: part.slug,
    title: part.title,
    taskType: part.taskType,
    mode: part.mode,
    scored: part.scored,
    preparationSeconds: part.preparationSeconds,
    speakingSeconds: part.speakingSeconds,
  }
}

// --- turns in exam mode ---------------------------------------------------------------------------

/**
 * The running attempt of a session in exam mode, brought up to the clock; a session whose exam has
 * ended meanwhile is back in free conversation and gets null. Call with the session's turn lock held.
 */
export async function currentAttempt(app: FastifyInstance, session: TutorSession): Promise<AttemptContext | null> {
  if (session.mode !== 'exam' || !session.currentExamAttemptId) return null
  const [attempt] = await app.db
    .select()
    .from(examAttempts)
    .where(and(eq(examAttempts.id, session.currentExamAttemptId), eq(examAttempts.userId, session.userId), ne(examAttempts.status, 'abandoned')))
  if (!attempt) {
    await leaveExamMode(app, { id: session.currentExamAttemptId, userId: session.userId })
    return null
  }
  const context = await reconcile(app, attempt)
  if (context.attempt.status === 'in_progress') return context
  // Over (by a change that did not finish leaving exam mode, e.g. a crash): the session goes back to free talk.
  await leaveExamMode(app, attempt)
  return null
}

/** Records the extra question and the conductor's place after a reply. */
export async function recordConductor(db: DbOrTx, attempt: ExamAttempt, conductor: ExamConductorState, askedExtra: string | null): Promise<void> {
  const selectedPrompts = askedExtra
    ? attempt.selectedPrompts.map((entry) => (entry.partPosition === attempt.currentPartPosition ? { ...entry, extraQuestion: askedExtra } : entry))
    : attempt.selectedPrompts
  await db
    .update(examAttempts)
    .set({ conductor, ...(askedExtra ? { extraQuestionAsked: true, selectedPrompts } : {}) })
    .where(eq(examAttempts.id, attempt.id))
}

/** The candidate's earlier turns in the current part, oldest first. */
export async function answersInPart(db: DbOrTx, attempt: ExamAttempt, partId: string): Promise<string[]> {
  const rows = await db
    .select({ text: turns.text })
    .from(turns)
    .where(and(eq(turns.examAttemptId, attempt.id), eq(turns.examPartId, partId), eq(turns.role, 'learner')))
    .orderBy(asc(turns.createdAt), asc(turns.sequence))
  return rows.map((row) => row.text)
}

// --- results --------------------------------------------------------------------------------------

export type ExamResultView = z.infer<typeof examResultSchema>

/**
 * The scored result as the test reports it. While scoring runs the state is `pending` and nothing of
 * it is shown: no half scores. Recommended lessons are stored with the result by the scoring job.
 */
export async function getResult(app: FastifyInstance, principal: Principal, id: string): Promise<ExamResultView> {
  const context = await withAttempt(app, principal, id, async (fresh) => fresh)
  const { attempt, parts } = context
  const state = resultOf(attempt).state
  const ready = state === 'ready' && attempt.result
  const scores = ready ? await app.db.select().from(examScores).where(eq(examScores.attemptId, attempt.id)) : []
  const recorded = ready
    ? await app.db
        .select({ id: turns.id, role: turns.role, text: turns.text, createdAt: turns.createdAt, examPartId: turns.examPartId, audioRef: turns.audioRef })
        .from(turns)
        .where(eq(turns.examAttemptId, attempt.id))
        .orderBy(asc(turns.createdAt), asc(turns.sequence))
    : []
  const toCriterion = (score: ExamScore) => ({
    criterion: score.criterion,
    assessable: score.assessable,
    band: score.band,
    score: score.score,
    rater: score.rater,
    justification: score.feedback,
    evidence: score.evidence,
  })
  const slugs = ready ? (attempt.result?.recommendedLessonSlugs ?? []) : []
  const recommended = slugs.length > 0 ? await app.db.select({ slug: lessons.slug, title: lessons.title, level: lessons.level }).from(lessons).where(inArray(lessons.slug, slugs)) : []
  const reasons = attempt.result?.recommendedFor ?? {}
  return {
    attemptId: attempt.id,
    level: attempt.level,
    state,
    estimatedLevel: ready ? attempt.result!.estimatedLevel : null,
    outcome: ready ? attempt.result!.outcome : null,
    feedback: ready ? (attempt.result!.feedback ?? null) : null,
    strengths: ready ? (attempt.result!.strengths ?? []) : [],
    weaknesses: ready ? (attempt.result!.weaknesses ?? []) : [],
    raters: ready ? (attempt.result!.raters ?? []) : [],
    overall: scores.filter((score) => score.examPartId === null).map(toCriterion),
    parts: ready
      ? parts.map((part) => ({
          ...partSummary(part),
          criteria: scores.filter((score) => score.examPartId === part.id).map(toCriterion),
          transcript: recorded
            .filter((turn) => turn.examPartId === part.id)
            .map((turn) => ({
              id: turn.id,
              role: turn.role,
              text: turn.text,
              createdAt: turn.createdAt.toISOString(),
              audioUrl: turn.audioRef ? `/api/v1/sessions/default/turns/${turn.id}/audio` : null,
            })),
        }))
      : [],
    recommendedLessons: slugs.flatMap((slug) => {
      const lesson = recommended.find((candidate) => candidate.slug === slug)
      const criterion = reasons[slug]
      return lesson && criterion ? [{ slug, title: lesson.title, level: lesson.level, criterion }] : []
    }),
    sittingId: attempt.sittingId,
  }
}
