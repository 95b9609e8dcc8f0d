/**
 * Test helpers for the mock-exam pages: providers with the exam messages, and small factories whose
 * shapes are the generated API types. The fetch stand-in, SSE bodies and turns come from the talk
 * helpers (`@/components/talk/testing`).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import { NextIntlClientProvider } from 'next-intl'
import type { ReactElement } from 'react'
import common from '../../../messages/en/common.json'
import exams from '../../../messages/en/exams.json'
import type { CriterionResult, ExamAttempt, ExamAttemptSummary, ExamResult, ExamTemplate } from './queries'

export const messages = { common, exams }

export function renderWithProviders(ui: ReactElement) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } })
  const result = render(
    <NextIntlClientProvider locale="en" messages={messages} timeZone="UTC">
      <QueryClientProvider client={client}>{ui}</QueryClientProvider>
    </NextIntlClientProvider>,
  )
  return { ...result, client }
}

export const examIds = {
  attempt: 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa',
  other: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  sitting: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc',
}

type PartView = ExamTemplate['parts'][number]

function partView(position: number, title: string, taskType: PartView['taskType'], overrides: Partial<PartView> = {}): PartView {
  return {
    position,
    slug: title.toLowerCase().replaceAll(' ', '-'),
    title,
    taskType,
    mode: 'individual',
    scored: true,
    preparationSeconds: 0,
    speakingSeconds: 150,
    instructionsEn: `Instructions for ${title}.`,
    instructionsNb: `Instruksjoner for ${title}.`,
    criteria: ['task_completion', 'fluency', 'vocabulary', 'grammar'],
    promptCount: 4,
    ...overrides,
  }
}

/** The three tests, shaped like the shipped content pack's. */
export function makeTemplates(): ExamTemplate[] {
  return [
    {
      id: '10000000-0000-4000-8000-000000000001',
      slug: 'norskprove-a1-a2',
      level: 'A1-A2',
      title: 'Muntlig prøve A1–A2',
      description: 'A mock oral test at level A1–A2.',
      totalMinutes: 20,
      parts: [
        partView(0, 'Presentere deg selv', 'self_presentation'),
        partView(1, 'Beskrive et bilde', 'picture_description'),
        partView(2, 'Samtale med den andre kandidaten', 'conversation', { mode: 'pair', speakingSeconds: 240 }),
        partView(3, 'Snakke om et tema', 'monologue'),
      ],
    },
    {
      id: '10000000-0000-4000-8000-000000000002',
      slug: 'norskprove-a2-b1',
      level: 'A2-B1',
      title: 'Muntlig prøve A2–B1',
      description: null,
      totalMinutes: 22,
      parts: [
        partView(0, 'Oppvarming', 'warm_up', { scored: false, speakingSeconds: 120 }),
        partView(1, 'Beskrive og kommentere et bilde', 'picture_description', { speakingSeconds: 180 }),
        partView(2, 'Samtale med den andre kandidaten', 'conversation', { mode: 'pair', speakingSeconds: 300 }),
        partView(3, 'Snakke om et tema', 'monologue', { speakingSeconds: 180 }),
      ],
    },
    {
      id: '10000000-0000-4000-8000-000000000003',
      slug: 'norskprove-b1-b2',
      level: 'B1-B2',
      title: 'Muntlig prøve B1–B2',
      description: null,
      totalMinutes: 25,
      parts: [
        partView(0, 'Oppvarming', 'warm_up', { scored: false, speakingSeconds: 120 }),
        partView(1, 'Si din mening', 'opinion', { speakingSeconds: 210 }),
        partView(2, 'Utveksle synspunkter', 'exchange_views', { mode: 'pair', speakingSeconds: 300 }),
        partView(3, 'Argumentere for eller mot', 'argue_statement', { preparationSeconds: 60, speakingSeconds: 180 }),
      ],
    },
  ]
}

type CurrentPart = NonNullable<ExamAttempt['part']>

/** The A1–A2 test at the given part and phase; `serverTime` is the server's clock when it was read. */
export function makeAttempt(
  options: { position?: number; phase?: ExamAttempt['phase']; serverTime?: string; secondsLeft?: number; part?: Partial<CurrentPart> } & Partial<Omit<ExamAttempt, 'part'>> = {},
): ExamAttempt {
  const { position = 0, phase = 'instructions', serverTime = '2026-03-02T10:00:00.000Z', secondsLeft = 90, part: partOverrides, ...overrides } = options
  const parts = makeTemplates()[0]!.parts
  const view = parts[position]!
  const deadline = new Date(Date.parse(serverTime) + secondsLeft * 1000).toISOString()
  const running = (overrides.status ?? 'in_progress') === 'in_progress'
  return {
    id: examIds.attempt,
    level: 'A1-A2',
    delivery: 'text',
    status: 'in_progress',
    phase,
    coCandidateLevel: 'A1',
    template: { slug: 'norskprove-a1-a2', title: 'Muntlig prøve A1–A2', totalMinutes: 20 },
    serverTime,
    phaseEndsAt: running ? deadline : null,
    partEndsAt: running && phase === 'speaking' ? deadline : null,
    startedAt: '2026-03-02T09:55:00.000Z',
    finishedAt: null,
    part: running
      ? {
          position: view.position,
          slug: view.slug,
          title: view.title,
          taskType: view.taskType,
          mode: view.mode,
          scored: view.scored,
          preparationSeconds: view.preparationSeconds,
          speakingSeconds: view.speakingSeconds,
          instructionsEn: view.instructionsEn,
          instructionsNb: view.instructionsNb,
          prompt: phase === 'instructions' ? null : { text: `Oppgave for ${view.title}.`, textEn: `Task for ${view.title}.`, picture: null },
          turns: [],
          ...partOverrides,
        }
      : null,
    parts: parts.map((candidate) => ({
      position: candidate.position,
      slug: candidate.slug,
      title: candidate.title,
      taskType: candidate.taskType,
      mode: candidate.mode,
      scored: candidate.scored,
      preparationSeconds: candidate.preparationSeconds,
      speakingSeconds: candidate.speakingSeconds,
      state: !running || candidate.position < position ? 'done' : candidate.position === position ? 'current' : 'upcoming',
    })),
    result: { state: 'none', estimatedLevel: null, outcome: null },
    ...overrides,
  }
}

export function makeSummary(overrides: Partial<ExamAttemptSummary> = {}): ExamAttemptSummary {
  return {
    id: examIds.attempt,
    level: 'A1-A2',
    delivery: 'text',
    status: 'completed',
    startedAt: '2026-03-02T10:00:00.000Z',
    finishedAt: '2026-03-02T10:20:00.000Z',
    result: { state: 'ready', estimatedLevel: 'A2', outcome: 'upper' },
    template: { slug: 'norskprove-a1-a2', title: 'Muntlig prøve A1–A2', totalMinutes: 20 },
    ...overrides,
  }
}

export function makeCriterion(overrides: Partial<CriterionResult> = {}): CriterionResult {
  return {
    criterion: 'fluency',
    assessable: true,
    band: 'A2',
    score: 2,
    rater: 'measured',
    justification: 'About 62 words a minute with short pauses.',
    evidence: [],
    ...overrides,
  }
}

export const turnIds = {
  examiner: 'dddddddd-0000-4000-8000-000000000001',
  learner: 'dddddddd-0000-4000-8000-000000000002',
  partner: 'dddddddd-0000-4000-8000-000000000003',
}

export function makeResult(overrides: Partial<ExamResult> = {}): ExamResult {
  return {
    attemptId: examIds.attempt,
    level: 'A1-A2',
    state: 'ready',
    estimatedLevel: 'A2',
    outcome: 'upper',
    feedback: 'You told a lot about yourself and kept the conversation going.',
    strengths: ['You answered in whole sentences.'],
    weaknesses: ['Word order after "i dag" (V2).'],
    raters: ['measured', 'llm'],
    overall: [
      makeCriterion({
        criterion: 'fluency',
        evidence: [
          { kind: 'measure', metric: 'speech_rate_wpm', value: 62.5, unit: 'words/min' },
          { kind: 'measure', metric: 'pause_time_ratio', value: 0.25, unit: 'share of speaking time' },
        ],
      }),
      makeCriterion({
        criterion: 'grammar',
        band: 'A1',
        score: 1,
        rater: 'llm',
        justification: 'Simple main clauses; the verb is often not second.',
        evidence: [{ kind: 'quote', turnId: turnIds.learner, text: 'I dag jeg jobber i en butikk' }],
      }),
      makeCriterion({
        criterion: 'pronunciation',
        assessable: false,
        band: null,
        score: null,
        justification: 'Pronunciation needs an audio-capable assessor; the measured estimator reads only the transcript and its timings.',
      }),
    ],
    parts: [
      {
        position: 0,
        slug: 'presentere-deg-selv',
        title: 'Presentere deg selv',
        taskType: 'self_presentation',
        mode: 'individual',
        scored: true,
        criteria: [makeCriterion({ criterion: 'task_completion', band: 'A2' })],
        transcript: [
          { id: turnIds.examiner, role: 'examiner', text: 'Kan du fortelle litt om deg selv?', createdAt: '2026-03-02T10:01:00.000Z', audioUrl: null },
          {
            id: turnIds.learner,
            role: 'learner',
            text: 'I dag jeg jobber i en butikk',
            createdAt: '2026-03-02T10:01:20.000Z',
            audioUrl: `/api/v1/sessions/default/turns/${turnIds.learner}/audio`,
          },
        ],
      },
      {
        position: 2,
        slug: 'samtale-med-den-andre',
        title: 'Samtale med den andre kandidaten',
        taskType: 'conversation',
        mode: 'pair',
        scored: true,
        criteria: [],
        transcript: [{ id: turnIds.partner, role: 'partner', text: 'Jeg liker ris og kylling. Hva liker du?', createdAt: '2026-03-02T10:08:00.000Z', audioUrl: null }],
      },
    ],
    recommendedLessons: [{ slug: 'a2-word-order', title: 'Ordstilling: verbet på plass nummer to', level: 'A2', criterion: 'grammar' }],
    sittingId: examIds.sitting,
    ...overrides,
  }
}
