import { z } from 'zod'
import {
  cefrLevels,
  estimatedLevels,
  examAttemptStatuses,
  examDeliveries,
  examLevels,
  examPhases,
  examTaskTypes,
  scoreRaters,
  scoringCriteria,
  taskModes,
  turnRoles,
} from '../../core/db/schema/index.js'

export const attemptStartSchema = z
  .object({
    level: z.enum(examLevels).describe('The test: A1-A2, A2-B1 or B1-B2'),
    delivery: z.enum(examDeliveries).default('text').describe('Speaking (voice transports) or typing'),
    coCandidateLevel: z
      .enum(cefrLevels)
      .optional()
      .describe("Level the AI co-candidate plays in the pair task: one of the test's two levels (default: the lower)"),
  })
  .strict()
  .meta({ id: 'ExamAttemptStart' })

export const attemptAdvanceSchema = z
  .object({
    partPosition: z.number().int().min(0).describe('The part the candidate is moving on from'),
    phase: z.enum(examPhases).exclude(['done']).describe('The phase the candidate is moving on from'),
  })
  .strict()
  .meta({ id: 'ExamAttemptAdvance' })

export const attemptIdParamsSchema = z.object({ id: z.uuid() })

const pictureSchema = z.object({ slug: z.string(), title: z.string(), url: z.string(), alt: z.string() })

export const examPartSummarySchema = z
  .object({
    position: z.number().int(),
    slug: z.string(),
    title: z.string(),
    taskType: z.enum(examTaskTypes),
    mode: z.enum(taskModes),
    scored: z.boolean().describe('false for the warm-up'),
    preparationSeconds: z.number().int(),
    speakingSeconds: z.number().int(),
    state: z.enum(['done', 'current', 'upcoming']),
  })
  .meta({ id: 'ExamPartSummary' })

export const examTurnSchema = z
  .object({ id: z.uuid(), role: z.enum(turnRoles), text: z.string(), createdAt: z.iso.datetime() })
  .meta({ id: 'ExamTurn' })

export const currentPartSchema = examPartSummarySchema
  .omit({ state: true })
  .extend({
    instructionsEn: z.string(),
    instructionsNb: z.string(),
    prompt: z
      .object({ text: z.string(), textEn: z.string().nullable(), picture: pictureSchema.nullable() })
      .nullable()
      .describe('The task: given once the instructions are over'),
    turns: z.array(examTurnSchema).describe('What the examiner, the co-candidate and the candidate said in this part, oldest first'),
  })
  .meta({ id: 'ExamCurrentPart' })

export const examAttemptSchema = z
  .object({
    id: z.uuid(),
    level: z.enum(examLevels),
    delivery: z.enum(examDeliveries),
    status: z.enum(examAttemptStatuses),
    phase: z.enum(examPhases),
    coCandidateLevel: z.enum(cefrLevels).nullable(),
    template: z.object({ slug: z.string(), title: z.string(), totalMinutes: z.number().int() }),
    serverTime: z.iso.datetime().describe("The server's clock, to show countdowns against"),
    phaseEndsAt: z.iso.datetime().nullable().describe('When the current phase ends by itself (server time)'),
    partEndsAt: z.iso.datetime().nullable().describe('When the speaking time of the current part ends (server time)'),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().nullable(),
    part: currentPartSchema.nullable().describe('null once the attempt is over'),
    parts: z.array(examPartSummarySchema),
    result: z
      .object({
        state: z.enum(['pending', 'ready', 'failed', 'none']).describe('none: abandoned or still running'),
        estimatedLevel: z.enum(estimatedLevels).nullable(),
        outcome: z.enum(['below', 'lower', 'upper']).nullable(),
      })
      .describe('The scored result: `pending` while scoring runs'),
  })
  .meta({ id: 'ExamAttempt' })

export const examAttemptListSchema = z.object({
  items: z.array(
    examAttemptSchema
      .pick({ id: true, level: true, delivery: true, status: true, startedAt: true, finishedAt: true, result: true, template: true })
      .meta({ id: 'ExamAttemptSummary' }),
  ),
})

export const scoreEvidenceSchema = z
  .object({
    kind: z.enum(['quote', 'measure']),
    turnId: z.uuid().optional().describe('Quotes: the turn quoted'),
    text: z.string().optional().describe('Quotes: the words quoted'),
    metric: z.string().optional().describe("Measures: the feature, e.g. 'speech_rate_wpm', 'mtld', 'mean_pause_ms'"),
    value: z.number().optional(),
    unit: z.string().optional(),
  })
  .meta({ id: 'ScoreEvidence' })

export const criterionResultSchema = z
  .object({
    criterion: z.enum(scoringCriteria),
    assessable: z.boolean().describe('false: not enough evidence (too little speech; pronunciation without an audio-capable assessor) — never guessed'),
    band: z.enum(estimatedLevels).nullable(),
    score: z.number().nullable().describe('0–4 on the CEFR scale (1 = A1 … 4 = B2); null when not assessable'),
    rater: z.enum(scoreRaters).describe('measured: from speech features computed locally; llm: a language-model rubric rater'),
    justification: z.string().nullable().describe('Why this band (or why not assessable), naming the evidence'),
    evidence: z.array(scoreEvidenceSchema),
  })
  .meta({ id: 'CriterionResult' })

export const examResultSchema = z
  .object({
    attemptId: z.uuid(),
    level: z.enum(examLevels),
    state: z.enum(['pending', 'ready', 'failed', 'none']).describe('pending while scoring runs (no partial scores are shown); none: abandoned or still running'),
    estimatedLevel: z.enum(estimatedLevels).nullable().describe('The level reached within the registered pair, or below_A1 … below the pair'),
    outcome: z.enum(['below', 'lower', 'upper']).nullable().describe("Relative to the test's two levels"),
    feedback: z.string().nullable().describe("In the learner's explanation language where it can be"),
    strengths: z.array(z.string()),
    weaknesses: z.array(z.string()),
    raters: z.array(z.enum(scoreRaters)),
    overall: z.array(criterionResultSchema).describe('Per criterion over the scored parts'),
    parts: z.array(
      z.object({
        position: z.number().int(),
        slug: z.string(),
        title: z.string(),
        taskType: z.enum(examTaskTypes),
        mode: z.enum(taskModes),
        scored: z.boolean(),
        criteria: z.array(criterionResultSchema),
        transcript: z.array(examTurnSchema.extend({ audioUrl: z.string().nullable().describe('Kept audio of the turn (voice, when the learner keeps audio)') })),
      }),
    ),
    recommendedLessons: z.array(
      z.object({ slug: z.string(), title: z.string(), level: z.enum(cefrLevels), criterion: z.enum(scoringCriteria).describe('The weak criterion it trains') }),
    ),
    sittingId: z.uuid().nullable().describe('The sitting the exam was taken in (its transcript in the history)'),
  })
  .meta({ id: 'ExamResult' })
