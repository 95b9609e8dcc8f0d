'use client'
import { api, unwrap } from '@/lib/api/client'
import type { components } from '@/lib/api/schema'

type Schemas = components['schemas']
export type ExamTemplate = Schemas['ExamTemplate']
export type ExamAttempt = Schemas['ExamAttempt']
export type ExamAttemptSummary = Schemas['ExamAttemptSummary']
export type ExamTurn = Schemas['ExamTurn']
export type ExamResult = Schemas['ExamResult']
export type CriterionResult = Schemas['CriterionResult']
export type ScoreEvidence = Schemas['ScoreEvidence']
export type ExamLevel = ExamAttempt['level']
export type EstimatedLevel = NonNullable<ExamResult['estimatedLevel']>
export type CefrLevel = NonNullable<ExamAttempt['coCandidateLevel']>

/** Query keys of the mock exams, all under `exams`, so one invalidation refreshes every exam view. */
export const examKeys = {
  all: ['exams'] as const,
  templates: ['exams', 'templates'] as const,
  attempts: ['exams', 'attempts'] as const,
  attempt: (id: string) => ['exams', 'attempt', id] as const,
  result: (id: string) => ['exams', 'result', id] as const,
}

/**
 * An attempt with how far the server's clock is from this device's when it was read. Countdowns run
 * on the server's clock (`serverTime`), never on the device's alone, which may be minutes off.
 */
export interface ClockedAttempt {
  attempt: ExamAttempt
  /** Server time minus device time, in ms: the server's "now" is `Date.now() + offsetMs`. */
  offsetMs: number
}

export function clocked(attempt: ExamAttempt): ClockedAttempt {
  return { attempt, offsetMs: Date.parse(attempt.serverTime) - Date.now() }
}

export async function fetchAttempt(id: string): Promise<ClockedAttempt> {
  return clocked(await unwrap(api.GET('/api/v1/exams/attempts/{id}', { params: { path: { id } } })))
}

/** The two CEFR levels a test measures, lower first: "A1-A2" → ["A1", "A2"]. */
export function levelsOf(level: ExamLevel): [CefrLevel, CefrLevel] {
  return level.split('-') as [CefrLevel, CefrLevel]
}

/** "A1-A2" as people write it: "A1–A2". */
export function testName(level: ExamLevel): string {
  return level.replace('-', '–')
}
