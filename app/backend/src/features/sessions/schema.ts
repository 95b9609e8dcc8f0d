import { z } from 'zod'
import { aiProviders } from '../../core/config.js'
import {
  cefrLevels,
  examAttemptStatuses,
  examLevels,
  examPhases,
  sessionModes,
  sittingEndReasons,
  sittingTransports,
  summaryStatuses,
  turnRoles,
  turnSources,
} from '../../core/db/schema/index.js'
import { idOrSlugSchema, learnerProgressSchema, lessonSummarySchema } from '../curriculum/schema.js'
import { lessonTopics } from '../curriculum/content-schema.js'

export const correctionSchema = z
  .object({
    original: z.string(),
    corrected: z.string(),
    explanation: z.string(),
    source: z.enum(['rules', 'llm']).optional(),
    rule: z.string().optional(),
    category: z.string().optional(),
  })
  .meta({ id: 'Correction' })

export const visualAidSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('picture'), slug: z.string(), title: z.string(), url: z.string() }),
    z.object({ kind: z.literal('table'), title: z.string(), columns: z.array(z.string()), rows: z.array(z.array(z.string())) }),
    z.object({ kind: z.literal('word_list'), title: z.string(), items: z.array(z.object({ term: z.string(), gloss: z.string() })) }),
  ])
  .meta({ id: 'VisualAid' })

export const wordTimingSchema = z
  .object({
    word: z.string().min(1).max(100),
    startMs: z.number().int().min(0),
    endMs: z.number().int().min(0),
    confidence: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((timing) => timing.endMs >= timing.startMs, { message: 'endMs must not be before startMs', path: ['endMs'] })

export const turnSchema = z
  .object({
    id: z.uuid(),
    sittingId: z.uuid(),
    sequence: z.number().int(),
    role: z.enum(turnRoles),
    text: z.string(),
    source: z.enum(turnSources).nullable(),
    clientTurnId: z.string().nullable(),
    replyToTurnId: z.uuid().nullable(),
    incomplete: z.boolean().describe('A tutor reply cut off by a provider failure; the text is what had arrived'),
    startedAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime().nullable(),
    speakingMs: z.number().int().nullable(),
    wordTimings: z.array(z.object({ word: z.string(), startMs: z.number(), endMs: z.number(), confidence: z.number().optional() })).nullable(),
    corrections: z.array(correctionSchema),
    visualAids: z.array(visualAidSchema).describe('Tutor turns: the pictures, tables and word lists shown with the reply, so a reloaded transcript shows them again'),
    cefr: z.record(z.string(), z.unknown()).nullable().describe('CEFR difficulty metadata: word count, speech rate, target level, lesson phrases used'),
    latencyMs: z.number().int().nullable(),
    audioUrl: z.string().nullable().describe("The turn's kept audio (Ogg Opus), when the learner keeps audio and it was spoken"),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Turn' })

const sittingSummarySchema = z
  .object({
    strengths: z.array(z.string()),
    weaknesses: z.array(z.string()),
    corrections: z.array(correctionSchema),
    nextSteps: z.array(z.string()),
    recommendedLessons: z.array(z.string()).optional(),
    writtenBy: z.enum(['llm', 'measured']).optional(),
    minutes: z.number().optional(),
    wordsSpoken: z.number().int().optional(),
  })
  .meta({ id: 'SittingSummary' })

export const sittingSchema = z
  .object({
    id: z.uuid(),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime().nullable(),
    endReason: z.enum(sittingEndReasons).nullable(),
    transport: z.enum(sittingTransports),
    mode: z.enum(sessionModes),
    lessonId: z.uuid().nullable(),
    summaryStatus: z.enum(summaryStatuses),
    summary: sittingSummarySchema.nullable(),
    metrics: z.record(z.string(), z.number().optional()),
  })
  .meta({ id: 'Sitting' })

export const capabilitiesSchema = z
  .object({
    tutor: z.object({ engine: z.enum(aiProviders), model: z.string().nullable() }),
    speechToText: z.object({
      engine: z.enum(['browser', 'openai', 'none']).describe("browser: the browser's own recognition sends text; openai: the server transcribes the audio"),
      note: z.string(),
    }),
    speech: z.object({ engine: z.enum(['espeak', 'openai', 'browser', 'none']).describe("How the tutor's replies are spoken"), note: z.string() }),
    realtime: z
      .object({ engine: z.enum(['openai-realtime', 'gemini-live']), model: z.string(), note: z.string() })
      .nullable()
      .describe('A realtime model that hears the learner and answers aloud in free conversation; lessons and mock exams use the engines above'),
    transport: z
      .enum(['text', 'websocket', 'livekit'])
      .describe('Real-time voice: over the backend\'s WebSocket or LiveKit; text: typed turns only (always available, over HTTP with Server-Sent Events)'),
    offline: z.boolean(),
    limitations: z.array(z.string()).describe('What this deployment cannot do, in plain words for the learner'),
  })
  .meta({ id: 'SessionCapabilities' })

export const sessionSchema = z
  .object({
    id: z.uuid(),
    mode: z.enum(sessionModes),
    lesson: z
      .object({
        lesson: lessonSummarySchema,
        step: z.object({
          position: z.number().int(),
          total: z.number().int(),
          tutorPrompt: z.string(),
          pictureSlug: z.string().nullable(),
        }),
      })
      .nullable(),
    exam: z
      .object({ attemptId: z.uuid(), level: z.enum(examLevels), status: z.enum(examAttemptStatuses), partSlug: z.string().nullable() })
      .nullable(),
    topic: z.enum(lessonTopics).nullable(),
    level: z.enum(cefrLevels).describe('The level the tutor speaks at'),
    rollingSummary: z.string().nullable(),
    summaryUpdatedAt: z.iso.datetime().nullable(),
    greeting: z.object({
      kind: z.enum(['first', 'returning', 'after_break', 'resume_lesson']),
      text: z.string().describe('What the tutor says, in Bokmål'),
      translation: z.string().nullable().describe('English translation, for beginners whose explanation language is English'),
      recap: z.string().nullable().describe('What happened last time (detailed greetings only)'),
    }),
    progress: learnerProgressSchema,
    openSitting: sittingSchema.nullable(),
    lastSitting: sittingSchema.nullable().describe('The most recent closed sitting, with its summary'),
    capabilities: capabilitiesSchema,
    lastActivityAt: z.iso.datetime(),
  })
  .meta({ id: 'TutorSession' })

export const modeChangeSchema = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('free'), topic: z.enum(lessonTopics).optional() }).strict(),
    z
      .object({
        mode: z.literal('lesson'),
        lesson: idOrSlugSchema.describe('Lesson id or slug'),
        step: z.number().int().min(0).max(1000).optional().describe('0-based step to start at; default: where the learner left off'),
      })
      .strict(),
  ], { error: 'mode must be "free" or "lesson" (mock exams are started from the exams API)' })

export const tutorStateChangeSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('step'), lessonId: z.uuid(), position: z.number().int(), total: z.number().int() }),
    z.object({ kind: z.literal('lesson_complete'), lessonId: z.uuid() }),
    z.object({ kind: z.literal('topic'), topic: z.enum(lessonTopics) }),
    z
      .object({
        kind: z.literal('exam'),
        attemptId: z.uuid(),
        status: z.enum(examAttemptStatuses),
        phase: z.enum(examPhases),
        partPosition: z.number().int(),
      })
      .describe('A mock exam moved on (a part began or ended, or the exam is over): read the attempt again'),
  ])
  .meta({ id: 'TutorStateChange' })

/** What the tutor sends beside its words (also the Server-Sent Events of a turn, one per event name). */
export const tutorEventSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('delta'), text: z.string() }),
    z.object({ type: z.literal('correction'), correction: correctionSchema }),
    z.object({ type: z.literal('visual'), aid: visualAidSchema }),
    z.object({ type: z.literal('state'), change: tutorStateChangeSchema }),
  ])
  .meta({ id: 'TutorEvent' })

export const tutorReplySchema = z.object({
  turn: turnSchema.nullable().describe("The tutor's stored turn"),
  events: z.array(tutorEventSchema),
})

export const modeChangeResultSchema = z.object({ session: sessionSchema, opening: tutorReplySchema })

export const turnRequestSchema = z
  .object({
    clientTurnId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 letters, digits, "-" or "_" (a UUID works)')
      .describe('Chosen by the client; a retried request with the same id never stores the turn twice'),
    text: z.string().describe("The learner's words"),
    source: z.enum(turnSources.filter((source) => source !== 'speech_engine') as ['typed', 'browser_speech']).default('typed'),
    examAttemptId: z
      .uuid()
      .optional()
      .describe('Sent by the exam screen: an answer for this mock exam, refused (409) once it is no longer running'),
    timing: z
      .object({
        startedAt: z.iso.datetime({ offset: true }),
        endedAt: z.iso.datetime({ offset: true }),
        speakingMs: z.number().int().min(0).max(3_600_000).optional(),
        words: z.array(wordTimingSchema).max(2_000).optional(),
      })
      .strict()
      .refine((timing) => Date.parse(timing.endedAt) >= Date.parse(timing.startedAt), { message: 'endedAt must not be before startedAt', path: ['endedAt'] })
      .refine((timing) => Date.parse(timing.endedAt) - Date.parse(timing.startedAt) <= 3_600_000, {
        message: 'a turn lasts at most an hour',
        path: ['endedAt'],
      })
      .optional(),
  })
  .strict()

export const turnPageQuerySchema = z
  .object({
    before: z.uuid().optional().describe('A turn id: return the turns before it (older)'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()

export const turnPageSchema = z.object({
  items: z.array(turnSchema).describe('Oldest first'),
  nextBefore: z.uuid().nullable().describe('Pass as `before` for the previous (older) page; null when there is none'),
})

export const sittingPageQuerySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(100).default(20), before: z.uuid().optional().describe('A sitting id: return older sittings') })
  .strict()
