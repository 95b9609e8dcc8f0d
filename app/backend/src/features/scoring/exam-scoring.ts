import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { z } from 'zod'
import {
  examAttempts,
  examParts,
  examScores,
  lessons,
  turns,
  users,
  type ExamAttempt,
  type ExamPart,
  type ExamResult,
  type ScoreEvidence,
  type ScoreRater,
  type Turn,
} from '../../core/db/schema/index.js'
import { defineJob, type JobKind } from '../../core/jobs.js'
import { safeErrorSummary } from '../../core/logger.js'
import { estimateCriteria, overallBand, scoreToBand, type AssessedCriterion, type CriterionEstimate, type MeasuredCriterion } from './estimator.js'
import { extractSpeechFeatures, type ScoringTurn } from './features.js'
import { loadLexicon } from './lexical.js'
import { rateWithLanguageModel, type RatedPart } from './rater.js'
import { writeFeedback } from './feedback.js'

/**
 * Scores a finished mock exam: speech features measured locally for every scored part, a band per
 * criterion (the measured estimator; a language-model rubric rater adds judgement when configured),
 * the overall level as the test reports it, feedback and follow-up lessons. Runs as a job; until it
 * has written everything in one transaction the result is "pending", never half a score.
 */
export const scoreExamAttempt = {
  name: 'exams.score',
  schema: z.object({ attemptId: z.uuid() }),
  retry: { retryLimit: 3, retryDelaySeconds: 20 },
} satisfies JobKind

export function scoreExamAttemptJob(app: FastifyInstance) {
  return defineJob({
    ...scoreExamAttempt,
    handler: async ({ attemptId }, { log, retryCount }) => {
      const last = retryCount >= scoreExamAttempt.retry.retryLimit
      try {
        // The last try scores with the measured estimator alone, so a provider that stays down delays
        // the result but never leaves it pending for ever; the result says which raters it rests on.
        await scoreAttempt(app, attemptId, { useLanguageModel: !last, log })
      } catch (error) {
        // Even that failed: say so ("failed", no scores) instead of "pending" for ever.
        if (last) {
          await app.db
            .update(examAttempts)
            .set({ status: 'completed', result: null })
            .where(and(eq(examAttempts.id, attemptId), eq(examAttempts.status, 'scoring')))
        }
        throw error
      }
    },
  })
}

/** Attempts left in "scoring" without a job (a crash between finishing and enqueueing) are scored again. */
export const rescueScoring = {
  name: 'exams.rescue-scoring',
  schema: z.object({}),
  retry: { retryLimit: 0, expireInSeconds: 300 },
} satisfies JobKind

/** How long scoring may take before the sweep queues it again. */
const STUCK_AFTER_MINUTES = 15

export function rescueScoringJob(app: FastifyInstance) {
  return defineJob({
    ...rescueScoring,
    handler: async () => {
      const stuck = await app.db
        .select({ id: examAttempts.id })
        .from(examAttempts)
        .where(and(eq(examAttempts.status, 'scoring'), lt(examAttempts.finishedAt, new Date(Date.now() - STUCK_AFTER_MINUTES * 60_000))))
      for (const { id } of stuck) await app.jobs.enqueue(scoreExamAttempt, { attemptId: id }, { singletonKey: `rescue:${id}`, singletonSeconds: 3_600 })
    },
  })
}

/** Most quotes kept as evidence per criterion. */
const MAX_QUOTES = 2
const QUOTE_CHARS = 220

export interface PartScore {
  part: ExamPart
  estimates: Array<CriterionEstimate & { rater: ScoreRater }>
  words: number
}

export async function scoreAttempt(app: FastifyInstance, attemptId: string, options: { useLanguageModel: boolean; log: FastifyBaseLogger }): Promise<void> {
  const [attempt] = await app.db.select().from(examAttempts).where(eq(examAttempts.id, attemptId))
  // Idempotent: a redelivered job finds it scored (or abandoned, or deleted with its account).
  if (!attempt || attempt.status !== 'scoring') return
  const [user] = await app.db.select().from(users).where(eq(users.id, attempt.userId))
  const parts = (await app.db.select().from(examParts).where(eq(examParts.templateId, attempt.templateId)).orderBy(asc(examParts.position))).filter(
    (part) => part.position >= 0 && part.scored,
  )
  const recorded = await app.db
    .select()
    .from(turns)
    .where(and(eq(turns.examAttemptId, attempt.id), eq(turns.isFinal, true)))
    .orderBy(asc(turns.createdAt), asc(turns.sequence))

  const lexicon = loadLexicon(app.config.contentDir)
  const measured: PartScore[] = parts.map((part) => {
    const partTurns = recorded.filter((turn) => turn.examPartId === part.id)
    const features = extractSpeechFeatures(partTurns.flatMap(toScoringTurn), { lexicon })
    const prompt = promptOf(attempt, part)
    const estimates = estimateCriteria(features, {
      expectedSpeakingSeconds: part.speakingSeconds,
      // The estimator takes the prompt's content words (stemmed) as what the task is about.
      promptKeywords: prompt ? [prompt.text] : null,
    })
      .filter((estimate) => part.criteria.includes(estimate.criterion))
      .map((estimate) => ({ ...withQuotes(estimate, partTurns), rater: 'measured' as ScoreRater }))
    return { part, estimates, words: features.wordCount }
  })

  let scored = measured
  let rated: Awaited<ReturnType<typeof rateWithLanguageModel>> | null = null
  const model = app.tutor.ai.summary
  if (options.useLanguageModel && model) {
    const ratedParts: RatedPart[] = measured.map((entry) => ({
      part: entry.part,
      prompt: promptOf(attempt, entry.part)?.text ?? null,
      turns: recorded.filter((turn) => turn.examPartId === entry.part.id),
      measured: entry.estimates,
      words: entry.words,
    }))
    try {
      rated = await rateWithLanguageModel(model, { level: attempt.level, explanationLanguage: user?.preferences.explanationLanguage ?? 'en', parts: ratedParts })
    } catch (error) {
      options.log.warn({ error: safeErrorSummary(error), attemptId }, 'the rubric rater failed; the job retries')
      throw error
    }
    scored = rated.parts
  }

  const overall = combineParts(scored)
  const level = overallBand(overall, attempt.level)
  const recommended = await recommendFollowUps(app, attempt, scored)
  const raters = [...new Set(scored.flatMap((entry) => entry.estimates.filter((estimate) => estimate.assessable).map((estimate) => estimate.rater)))]
  // The rater's own words only when its judgement was taken somewhere (its bands carried true quotes).
  const feedback = writeFeedback({
    language: user?.preferences.explanationLanguage ?? 'en',
    examLevel: attempt.level,
    overall: level,
    criteria: overall,
    languageModel: raters.includes('llm') ? (rated?.feedback.text ?? null) : null,
  })
  const result: ExamResult = {
    estimatedLevel: level.estimatedLevel,
    outcome: level.outcome,
    feedback: feedback.text,
    strengths: feedback.strengths,
    weaknesses: feedback.weaknesses,
    recommendedLessonSlugs: recommended.map((entry) => entry.slug),
    recommendedFor: Object.fromEntries(recommended.map((entry) => [entry.slug, entry.criterion])),
    raters: raters.length > 0 ? raters : ['measured'],
  }

  await app.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(examAttempts)
      .set({ status: 'completed', estimatedLevel: level.estimatedLevel, result })
      .where(and(eq(examAttempts.id, attempt.id), eq(examAttempts.status, 'scoring')))
      .returning({ id: examAttempts.id })
    if (!claimed) return
    await tx.delete(examScores).where(eq(examScores.attemptId, attempt.id))
    const rows = [
      ...scored.flatMap((entry) => entry.estimates.map((estimate) => scoreRow(attempt.id, entry.part.id, estimate))),
      ...overall.map((estimate) => scoreRow(attempt.id, null, estimate)),
      overallRow(attempt.id, level, raters),
    ]
    if (rows.length > 0) await tx.insert(examScores).values(rows)
  })
}

function toScoringTurn(turn: Turn): ScoringTurn[] {
  if (turn.role !== 'learner' && turn.role !== 'examiner' && turn.role !== 'partner') return []
  return [{ id: turn.id, role: turn.role, text: turn.text, startedAt: turn.startedAt, endedAt: turn.endedAt, speakingMs: turn.speakingMs, wordTimings: turn.wordTimings }]
}

function promptOf(attempt: ExamAttempt, part: ExamPart) {
  const id = attempt.selectedPrompts.find((entry) => entry.partId === part.id)?.promptIds[0]
  return part.promptBank.find((prompt) => prompt.id === id) ?? null
}

/** Adds the candidate's longest answers in the part as quotes beside the measured figures. */
function withQuotes<T extends CriterionEstimate>(estimate: T, partTurns: Turn[]): T {
  if (!estimate.assessable) return estimate
  const quotes: ScoreEvidence[] = partTurns
    .filter((turn) => turn.role === 'learner')
    .toSorted((a, b) => b.text.length - a.text.length)
    .slice(0, MAX_QUOTES)
    .map((turn) => ({ kind: 'quote', turnId: turn.id, text: turn.text.length > QUOTE_CHARS ? `${turn.text.slice(0, QUOTE_CHARS - 1)}…` : turn.text }))
  return { ...estimate, evidence: [...quotes, ...estimate.evidence] }
}

/**
 * A criterion over the whole exam: the mean of its assessable part scores, weighted by how much the
 * candidate said in each part. Not assessable when no part could assess it.
 */
export function combineParts(parts: PartScore[]): Array<CriterionEstimate & { rater: ScoreRater }> {
  const criteria = [...new Set(parts.flatMap((entry) => entry.estimates.map((estimate) => estimate.criterion)))]
  return criteria.map((criterion) => {
    const assessed = parts.flatMap((entry) =>
      entry.estimates.filter((estimate): estimate is AssessedCriterion & { rater: ScoreRater } => estimate.criterion === criterion && estimate.assessable).map((estimate) => ({ estimate, words: Math.max(entry.words, 1), part: entry.part })),
    )
    // A complexity-only reading (measured grammar) does not mix with a full judgement of the same criterion.
    const full = assessed.filter((entry) => entry.estimate.scope === 'full')
    if (full.length > 0 && full.length < assessed.length) assessed.splice(0, assessed.length, ...full)
    if (assessed.length === 0) {
      const reasons = parts.flatMap((entry) => entry.estimates.filter((estimate) => estimate.criterion === criterion && !estimate.assessable).map((estimate) => (estimate.assessable ? '' : estimate.reason)))
      return {
        criterion,
        assessable: false as const,
        band: null,
        score: null,
        reason: reasons[0] ?? 'No part of the exam gave evidence for this criterion.',
        evidence: [],
        rater: 'measured' as ScoreRater,
      }
    }
    const weight = assessed.reduce((sum, entry) => sum + entry.words, 0)
    const score = Math.round((assessed.reduce((sum, entry) => sum + entry.estimate.score * entry.words, 0) / weight) * 100) / 100
    const band = scoreToBand(score)
    const scope = assessed.every((entry) => entry.estimate.scope === 'complexity_only') ? 'complexity_only' : 'full'
    const rater: ScoreRater = assessed.some((entry) => entry.estimate.rater === 'llm') ? 'llm' : 'measured'
    return {
      criterion,
      assessable: true as const,
      band,
      score,
      scope,
      rater,
      justification: `Over ${assessed.length} ${assessed.length === 1 ? 'part' : 'parts'}: ${assessed.map((entry) => `${entry.part.title} ${entry.estimate.band.replace('_', ' ')}`).join(', ')}${scope === 'complexity_only' ? ' (complexity only, accuracy not measured)' : ''}.`,
      evidence: assessed.flatMap((entry) => entry.estimate.evidence.filter((item) => item.kind === 'quote').slice(0, 1)),
    }
  })
}

function scoreRow(attemptId: string, examPartId: string | null, estimate: CriterionEstimate & { rater: ScoreRater }): typeof examScores.$inferInsert {
  return {
    attemptId,
    examPartId,
    criterion: estimate.criterion,
    assessable: estimate.assessable,
    band: estimate.band,
    score: estimate.score,
    evidence: estimate.evidence,
    rater: estimate.rater,
    feedback: estimate.assessable ? estimate.justification : estimate.reason,
  }
}

/** The overall level as its own row (criterion `overall`), so the table of scores holds it too. */
function overallRow(attemptId: string, level: ReturnType<typeof overallBand>, raters: ScoreRater[]): typeof examScores.$inferInsert {
  const assessable = level.assessable && level.estimatedLevel !== null && level.score !== null
  return {
    attemptId,
    examPartId: null,
    criterion: 'overall',
    assessable,
    band: assessable ? level.estimatedLevel : null,
    score: assessable ? level.score : null,
    evidence: [],
    rater: raters.includes('llm') ? 'llm' : 'measured',
    feedback: assessable ? `Mean of ${level.criteria.join(', ').replaceAll('_', ' ')}.` : (level.reason ?? 'Not enough evidence for an overall level.'),
  }
}

/** Lessons for the weakest criteria: pack lessons that train the task where the criterion was weakest, at the test's levels. */
async function recommendFollowUps(app: FastifyInstance, attempt: ExamAttempt, scored: PartScore[]): Promise<Array<{ slug: string; criterion: MeasuredCriterion }>> {
  const weakest = scored
    .flatMap((entry) => entry.estimates.filter((estimate): estimate is AssessedCriterion & { rater: ScoreRater } => estimate.assessable).map((estimate) => ({ estimate, part: entry.part })))
    .toSorted((a, b) => a.estimate.score - b.estimate.score)
  const levels = attempt.level.split('-') as Array<'A1' | 'A2' | 'B1' | 'B2'>
  const chosen: Array<{ slug: string; criterion: MeasuredCriterion }> = []
  const seenCriteria = new Set<MeasuredCriterion>()
  for (const { estimate, part } of weakest) {
    if (chosen.length >= 3) break
    if (seenCriteria.has(estimate.criterion)) continue
    seenCriteria.add(estimate.criterion)
    const candidates = await app.db
      .select({ slug: lessons.slug })
      .from(lessons)
      .where(
        and(
          isNull(lessons.ownerId),
          eq(lessons.status, 'published'),
          inArray(lessons.level, levels),
          sql`${lessons.examTags} @> ${sql.param([part.taskType])}::text[]`,
        ),
      )
      .orderBy(asc(lessons.level), asc(lessons.position))
    const lesson = candidates.find((candidate) => candidate.slug && !chosen.some((entry) => entry.slug === candidate.slug))
    if (lesson?.slug) chosen.push({ slug: lesson.slug, criterion: estimate.criterion })
  }
  return chosen
}
