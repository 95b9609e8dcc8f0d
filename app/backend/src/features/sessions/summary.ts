import { generateText, Output, type LanguageModel } from 'ai'
import { and, asc, count, eq } from 'drizzle-orm'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import { safeErrorSummary } from '../../core/logger.js'
import { z } from 'zod'
import { defineJob, type JobKind } from '../../core/jobs.js'
import {
  lessonProgress,
  lessons,
  scenarioSteps,
  scenarios,
  sittings,
  tutorSessions,
  turns,
  users,
  type CefrLevel,
  type Correction,
  type SittingMetrics,
  type SittingSummary,
} from '../../core/db/schema/index.js'
import { recommendLessons } from '../lessons/service.js'
import { learnerProfile, sessionState } from './service.js'
import { shortAnswerWords, wordsOf } from '../tutor/offline/answer.js'

/**
 * After a sitting closes, a job writes its summary (strengths, weaknesses, corrected mistakes, next
 * steps, minutes and words) and folds it into the session's rolling summary, which the next greeting
 * and the tutor's instructions use. With a language model it writes them; offline they are built from
 * measured facts and the rule-based findings, and say only what was measured.
 */

export const summarizeSitting = {
  name: 'sittings.summarize',
  schema: z.object({ sittingId: z.uuid() }),
  // A summary is worth little hours later; give up sooner than the default.
  retry: { retryLimit: 3, retryDelaySeconds: 15 },
} satisfies JobKind

export interface LearnerTurnFacts {
  text: string
  corrections: Correction[]
  usedPhrases: string[]
  usedVocabulary: string[]
  speakingMs: number | null
}

export interface SittingFacts {
  level: CefrLevel
  minutes: number
  learnerTurns: LearnerTurnFacts[]
  tutorTurns: number
  lesson: { title: string; totalSteps: number; reachedStep: number; completed: boolean } | null
  topic: string | null
  recommended: Array<{ slug: string | null; title: string; reason: string }>
}

const MAX_CORRECTIONS = 10
const MAX_ROLLING_LINES = 5
const MAX_ROLLING_CHARS = 2_000

export function sittingMetrics(facts: SittingFacts): SittingMetrics {
  return {
    learnerTurns: facts.learnerTurns.length,
    tutorTurns: facts.tutorTurns,
    learnerWords: facts.learnerTurns.reduce((sum, turn) => sum + wordsOf(turn.text).length, 0),
    learnerSpeakingMs: facts.learnerTurns.reduce((sum, turn) => sum + (turn.speakingMs ?? 0), 0),
    minutes: Math.round(facts.minutes * 10) / 10,
  }
}

function uniqueCorrections(corrections: Correction[]): Correction[] {
  const seen = new Set<string>()
  return corrections.filter((correction) => {
    const key = `${correction.original}\u0000${correction.corrected}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const quote = (items: string[]) => items.map((item) => `«${item.replace(/\s*(…|\.\.\.)\s*$/, '')}»`).join(', ')

/** The offline summary: only what was measured or found by the rule-based checks. Pure. */
export function measuredSummary(facts: SittingFacts): SittingSummary {
  const answers = facts.learnerTurns
  const wordCounts = answers.map((turn) => wordsOf(turn.text).length)
  const words = wordCounts.reduce((sum, n) => sum + n, 0)
  const average = answers.length ? words / answers.length : 0
  const phrases = [...new Set(answers.flatMap((turn) => turn.usedPhrases))]
  const vocabulary = [...new Set(answers.flatMap((turn) => turn.usedVocabulary))]
  const corrections = uniqueCorrections(answers.flatMap((turn) => turn.corrections))
  const short = wordCounts.filter((n) => n < shortAnswerWords[facts.level]).length

  const strengths: string[] = []
  if (facts.lesson?.completed) strengths.push(`Completed the lesson «${facts.lesson.title}».`)
  else if (facts.lesson && facts.lesson.reachedStep > 0) {
    strengths.push(`Worked through ${facts.lesson.reachedStep} of ${facts.lesson.totalSteps} steps of «${facts.lesson.title}».`)
  }
  if (phrases.length) strengths.push(`Used ${phrases.length} of the lesson's phrases: ${quote(phrases.slice(0, 4))}.`)
  if (vocabulary.length) strengths.push(`Used ${vocabulary.length} of the lesson's words: ${vocabulary.slice(0, 6).join(', ')}.`)
  if (answers.length >= 2 && average >= shortAnswerWords[facts.level] * 2) {
    strengths.push(`Answered at length: ${Math.round(average)} words per answer on average.`)
  }
  if (answers.length >= 3 && corrections.length === 0) strengths.push(`The grammar checks found no errors in ${answers.length} answers.`)

  const weaknesses: string[] = []
  const byRule = new Map<string, { explanation: string; count: number }>()
  for (const correction of answers.flatMap((turn) => turn.corrections)) {
    const key = correction.rule ?? correction.explanation
    const entry = byRule.get(key) ?? { explanation: correction.explanation, count: 0 }
    entry.count += 1
    byRule.set(key, entry)
  }
  for (const { explanation, count } of [...byRule.values()].sort((a, b) => b.count - a.count).slice(0, 3)) {
    weaknesses.push(`${explanation.replace(/\.$/, '')} (${count} ${count === 1 ? 'time' : 'times'}).`)
  }
  if (answers.length >= 3 && short / answers.length >= 0.5) {
    weaknesses.push(`${short} of ${answers.length} answers were very short; try to say a whole sentence or two.`)
  }

  const nextSteps: string[] = []
  if (facts.lesson && !facts.lesson.completed) {
    nextSteps.push(`Continue «${facts.lesson.title}» from step ${Math.min(facts.lesson.reachedStep + 1, facts.lesson.totalSteps)}.`)
  }
  for (const lesson of facts.recommended.slice(0, 2)) nextSteps.push(`Try «${lesson.title}»: ${lesson.reason}`)

  return {
    strengths,
    weaknesses,
    corrections: corrections.slice(0, MAX_CORRECTIONS),
    nextSteps,
    recommendedLessons: facts.recommended.flatMap((lesson) => (lesson.slug ? [lesson.slug] : [])),
    writtenBy: 'measured',
    minutes: Math.round(facts.minutes * 10) / 10,
    wordsSpoken: words,
  }
}

/** One line per sitting, newest first, a few sittings deep: what the tutor should remember. */
export function measuredRollingSummary(previous: string | null, facts: SittingFacts, summary: SittingSummary, day: string): string {
  const what = facts.lesson
    ? `lesson «${facts.lesson.title}» (${facts.lesson.completed ? 'completed' : `step ${facts.lesson.reachedStep + 1} of ${facts.lesson.totalSteps}`})`
    : `free conversation${facts.topic ? ` about ${facts.topic}` : ''}`
  const parts = [`${day}, ${Math.max(1, Math.round(facts.minutes))} min: ${what}`]
  const phrases = [...new Set(facts.learnerTurns.flatMap((turn) => turn.usedPhrases))]
  if (phrases.length) parts.push(`used ${quote(phrases.slice(0, 3))}`)
  const weakness = summary.weaknesses[0]
  if (weakness) parts.push(`to work on: ${weakness.replace(/\.$/, '').toLowerCase()}`)
  const line = `${parts.join('; ')}.`
  const lines = [line, ...(previous ?? '').split('\n').filter(Boolean)].slice(0, MAX_ROLLING_LINES)
  return lines.join('\n').slice(0, MAX_ROLLING_CHARS)
}

const llmSummarySchema = z.object({
  strengths: z.array(z.string()).max(4).describe('What the learner did well, concretely, in English'),
  weaknesses: z.array(z.string()).max(4).describe('What to work on, concretely, in English'),
  corrections: z
    .array(z.object({ original: z.string(), corrected: z.string(), explanation: z.string() }))
    .max(MAX_CORRECTIONS)
    .describe("The learner's most important mistakes, each with the corrected sentence and a one-sentence explanation"),
  nextSteps: z.array(z.string()).max(4).describe('Recommended next steps, referring to the recommended lessons by title'),
  rollingSummary: z
    .string()
    .max(MAX_ROLLING_CHARS)
    .describe('Updated memory for the tutor: the previous memory plus this sitting, at most 8 short lines, newest first'),
})

async function llmSummary(
  model: LanguageModel,
  facts: SittingFacts,
  transcript: Array<{ role: string; text: string }>,
  previous: string | null,
  measured: SittingSummary,
): Promise<{ summary: SittingSummary; rollingSummary: string }> {
  const lines = transcript.map((turn) => `${turn.role}: ${turn.text}`).join('\n').slice(-12_000)
  const { output } = await generateText({
    model,
    output: Output.object({ schema: llmSummarySchema }),
    maxRetries: 2,
    abortSignal: AbortSignal.timeout(SUMMARY_TIMEOUT_MS),
    system:
      'You review one practice sitting of an adult learner of Norwegian Bokmål with their speaking tutor and write short, concrete, encouraging feedback in English. Base everything on the transcript; never invent.',
    prompt: [
      `Learner level: ${facts.level}. Minutes: ${Math.round(facts.minutes)}.`,
      facts.lesson ? `Lesson: «${facts.lesson.title}», reached step ${facts.lesson.reachedStep + 1} of ${facts.lesson.totalSteps}${facts.lesson.completed ? ', completed' : ''}.` : 'Free conversation.',
      `Findings of the rule-based grammar checks: ${measured.corrections.map((c) => `«${c.original}» → «${c.corrected}»`).join('; ') || 'none'}.`,
      `Recommended lessons: ${facts.recommended.map((lesson) => `«${lesson.title}» (${lesson.reason})`).join('; ') || 'none'}.`,
      `Tutor's memory so far:\n${previous ?? '(empty)'}`,
      `Transcript:\n${lines}`,
    ].join('\n\n'),
  })
  return {
    summary: {
      strengths: output.strengths,
      weaknesses: output.weaknesses,
      corrections: uniqueCorrections([...output.corrections.map((c) => ({ ...c, source: 'llm' as const })), ...measured.corrections]).slice(0, MAX_CORRECTIONS),
      nextSteps: output.nextSteps,
      recommendedLessons: measured.recommendedLessons,
      writtenBy: 'llm',
      minutes: measured.minutes,
      wordsSpoken: measured.wordsSpoken,
    },
    rollingSummary: output.rollingSummary,
  }
}

/** Longest a language model may take to write a summary before the measured one is used. */
const SUMMARY_TIMEOUT_MS = 60_000

export function summarizeSittingJob(app: FastifyInstance) {
  return defineJob({
    ...summarizeSitting,
    handler: async ({ sittingId }, { log, retryCount }) => {
      try {
        await writeSummary(app, sittingId, log)
      } catch (error) {
        // The last attempt failed: say so instead of leaving the sitting "pending" for ever.
        if (retryCount >= summarizeSitting.retry.retryLimit) {
          await app.db.update(sittings).set({ summaryStatus: 'failed' }).where(and(eq(sittings.id, sittingId), eq(sittings.summaryStatus, 'pending')))
        }
        throw error
      }
    },
  })
}

async function writeSummary(app: FastifyInstance, sittingId: string, log: FastifyBaseLogger): Promise<void> {
  const [sitting] = await app.db.select().from(sittings).where(eq(sittings.id, sittingId))
  // Idempotent: a redelivered job finds the summary written (or the sitting deleted with its account).
  if (!sitting || sitting.summaryStatus !== 'pending' || !sitting.endedAt) return
  const rows = await app.db.select().from(turns).where(and(eq(turns.sittingId, sittingId), eq(turns.isFinal, true))).orderBy(asc(turns.sequence))
  const learner = rows.filter((turn) => turn.role === 'learner')
  if (learner.length === 0) {
    // Nothing was said: there is nothing to summarise, and the rolling summary stays as it was.
    await app.db
      .update(sittings)
      .set({ summaryStatus: 'unavailable', metrics: { ...sitting.metrics, learnerTurns: 0, tutorTurns: rows.length } })
      .where(and(eq(sittings.id, sittingId), eq(sittings.summaryStatus, 'pending')))
    return
  }
  const [user] = await app.db.select().from(users).where(eq(users.id, sitting.userId))
  const [session] = await app.db.select().from(tutorSessions).where(eq(tutorSessions.id, sitting.tutorSessionId))
  if (!user || !session) return
  const profile = learnerProfile(user)
  const topic = sessionState(session).topic
  const facts: SittingFacts = {
    level: profile.level,
    minutes: (sitting.endedAt.getTime() - sitting.startedAt.getTime()) / 60_000,
    learnerTurns: learner.map((turn) => ({
      text: turn.text,
      corrections: turn.corrections,
      usedPhrases: stringList(turn.cefrMetadata?.usedPhrases),
      usedVocabulary: stringList(turn.cefrMetadata?.usedVocabulary),
      speakingMs: turn.speakingMs,
    })),
    tutorTurns: rows.length - learner.length,
    lesson: await lessonFacts(app, sitting.userId, sitting.lessonId, sitting.startedAt),
    topic: topic ? (app.tutor.bank.topics[topic]?.name ?? topic) : null,
    recommended: (await recommendLessons(app, principalOf(user), 3)).map(({ lesson, reason }) => ({ slug: lesson.slug, title: lesson.title, reason })),
  }
  const measured = measuredSummary(facts)
  let written: Awaited<ReturnType<typeof llmSummary>> | null = null
  if (app.tutor.ai.summary) {
    try {
      written = await llmSummary(app.tutor.ai.summary, facts, rows, session.rollingSummary, measured)
    } catch (error) {
      // The measured summary is honest and immediate; a provider outage must not leave the learner without one.
      log.warn({ error: safeErrorSummary(error), sittingId }, 'language-model summary failed; using the measured summary')
    }
  }
  const day = sitting.endedAt.toISOString().slice(0, 10)
  await app.db.transaction(async (tx) => {
    // The session row is locked while its rolling summary is folded, so two sittings' jobs take turns.
    const [current] = await tx.select().from(tutorSessions).where(eq(tutorSessions.id, session.id)).for('update')
    const [claimed] = await tx
      .update(sittings)
      .set({ summary: written?.summary ?? measured, summaryStatus: 'ready', metrics: { ...sitting.metrics, ...sittingMetrics(facts) } })
      .where(and(eq(sittings.id, sittingId), eq(sittings.summaryStatus, 'pending')))
      .returning({ id: sittings.id })
    if (!claimed || !current) return
    const rolling = written?.rollingSummary ?? measuredRollingSummary(current.rollingSummary, facts, measured, day)
    await tx.update(tutorSessions).set({ rollingSummary: rolling.slice(0, MAX_ROLLING_CHARS), summaryUpdatedAt: new Date() }).where(eq(tutorSessions.id, session.id))
  })
}

function principalOf(user: { id: string; email: string; role: Principal['role']; emailVerified: boolean }): Principal {
  // The job acts for the learner it summarises, as if they asked for their recommendations.
  return { userId: user.id, email: user.email, role: user.role, emailVerified: user.emailVerified, via: 'session' }
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

async function lessonFacts(app: FastifyInstance, userId: string, lessonId: string | null, startedAt: Date): Promise<SittingFacts['lesson']> {
  if (!lessonId) return null
  const [row] = await app.db
    .select({ title: lessons.title, progress: lessonProgress })
    .from(lessons)
    .leftJoin(lessonProgress, and(eq(lessonProgress.lessonId, lessons.id), eq(lessonProgress.userId, userId)))
    .where(eq(lessons.id, lessonId))
  if (!row) return null
  const [{ total } = { total: 0 }] = await app.db
    .select({ total: count() })
    .from(scenarioSteps)
    .innerJoin(scenarios, eq(scenarios.id, scenarioSteps.scenarioId))
    .where(eq(scenarios.lessonId, lessonId))
  const completed = Boolean(row.progress?.completedAt && row.progress.completedAt >= startedAt)
  return {
    title: row.title,
    totalSteps: total,
    reachedStep: completed ? total : (row.progress?.currentStepPosition ?? 0),
    completed,
  }
}
