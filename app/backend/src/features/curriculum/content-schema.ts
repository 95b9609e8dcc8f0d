import { z } from 'zod'
import {
  cefrLevels,
  examLevels,
  examTaskTypes,
  lessonTypes,
  scenarioKinds,
  scoringCriteria,
  skills,
  taskModes,
} from '../../core/db/schema/index.js'

/**
 * The shape of the Norwegian content pack (`app/backend/content/nb/`). Every file is validated
 * against these schemas before anything is written to the database.
 */

export const slugSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case: a-z, 0-9 and single hyphens')
const text = z.string().trim().min(1)

/** Daily-life domains the lessons cover (SPEC C3). */
export const lessonTopics = [
  'self_and_family',
  'housing',
  'work',
  'health',
  'public_services',
  'school_and_kindergarten',
  'shopping',
  'transport',
  'weather_and_seasons',
  'food',
  'leisure',
  'society_and_traditions',
  'news_and_opinions',
] as const
export type LessonTopic = (typeof lessonTopics)[number]

/** Exam tags on lessons: which oral-test task a lesson trains, and for which test level. */
export const examTags = [...examTaskTypes, ...examLevels] as const

export const vocabularyItemSchema = z.object({ term: text, gloss: text }).strict()
export const phraseItemSchema = z.object({ text, gloss: text }).strict()

export const objectivesFileSchema = z
  .object({
    level: z.enum(cefrLevels),
    objectives: z
      .array(
        z
          .object({
            slug: slugSchema,
            skill: z.enum(skills),
            descriptorEn: text.describe('Can-do statement in English, our own wording'),
            descriptorNb: text.describe('The same statement in Bokmål'),
          })
          .strict(),
      )
      .min(16),
  })
  .strict()

export const scenarioStepSchema = z
  .object({
    tutorPrompt: text.describe('What the tutor says (Bokmål, at the lesson level)'),
    expectedLearnerMove: text.describe('What the learner should do (English, for the tutor)'),
    hints: z.array(text).default([]).describe('Scaffolding offered when the learner is stuck (Bokmål)'),
    followUpQuestions: z.array(text).default([]),
    preparationSeconds: z.number().int().min(0).max(600).default(0),
    speakingSeconds: z.number().int().min(10).max(900).nullable().default(null),
    mode: z.enum(taskModes).default('individual'),
    picture: slugSchema.optional().describe('Slug of a pack picture shown with this step'),
  })
  .strict()

export const lessonSchema = z
  .object({
    slug: slugSchema,
    title: text.describe('Lesson title in Bokmål'),
    description: text.describe('One or two sentences in English telling the learner what they will practise'),
    type: z.enum(lessonTypes),
    topic: z.enum(lessonTopics),
    context: text.describe('The situation, for the tutor (English)'),
    estimatedMinutes: z.number().int().min(3).max(60),
    examTags: z.array(z.enum(examTags)).default([]),
    objectives: z.array(slugSchema).min(1),
    goals: z.array(text).min(2),
    vocabulary: z.array(vocabularyItemSchema).min(6),
    phrases: z.array(phraseItemSchema).min(3),
    scenario: z
      .object({
        kind: z.enum(scenarioKinds),
        title: text,
        description: text,
        mode: z.enum(taskModes).default('individual'),
        steps: z.array(scenarioStepSchema).min(3),
      })
      .strict(),
  })
  .strict()

export const lessonsFileSchema = z.object({ level: z.enum(cefrLevels), lessons: z.array(lessonSchema).min(12) }).strict()

export const examPromptSchema = z
  .object({
    id: slugSchema,
    text,
    textEn: text.optional(),
    topic: text.optional(),
    picture: slugSchema.optional(),
    followUps: z.array(text).optional(),
  })
  .strict()

export const examPartSchema = z
  .object({
    slug: slugSchema,
    title: text,
    taskType: z.enum(examTaskTypes),
    mode: z.enum(taskModes),
    scored: z.boolean(),
    preparationSeconds: z.number().int().min(0).max(900),
    speakingSeconds: z.number().int().min(30).max(1200),
    instructionsEn: text,
    instructionsNb: text,
    examinerScript: z.array(text).min(1),
    promptBank: z.array(examPromptSchema).default([]),
    followUpQuestions: z.array(text).default([]),
    extraQuestion: z.object({ level: z.enum(cefrLevels), questions: z.array(text).min(1) }).strict().optional(),
    criteria: z.array(z.enum(scoringCriteria)).default([]),
  })
  .strict()
  .refine((part) => !part.scored || part.criteria.length > 0, { message: 'a scored part needs criteria', path: ['criteria'] })

export const examTemplateFileSchema = z
  .object({
    slug: slugSchema,
    level: z.enum(examLevels),
    title: text,
    description: text,
    totalMinutes: z.number().int().min(5).max(60),
    parts: z.array(examPartSchema).min(3),
  })
  .strict()

/** What the scripted co-candidate says in one pair-task prompt, at one level. */
export const partnerLinesSchema = z
  .object({
    opening: text.describe('First turn: something about themself on the topic and a question to the candidate'),
    statements: z.array(text).min(4),
    questions: z.array(text).min(4),
    reactions: z.array(text).min(3),
    helpRequests: z.array(text).min(1),
  })
  .strict()

/** `exams/partners/<test level>.yaml`: the scripted co-candidate's lines for a template's pair part, per prompt and level. */
export const partnerFileSchema = z
  .object({
    template: slugSchema,
    part: slugSchema,
    prompts: z.record(slugSchema, z.partialRecord(z.enum(cefrLevels), partnerLinesSchema)),
  })
  .strict()

export const pictureSchema = z
  .object({
    slug: slugSchema,
    file: z.string().regex(/^[a-z0-9-]+\.svg$/),
    titleNb: text,
    titleEn: text,
    altEn: text.describe('What the picture shows, for screen readers'),
    altNb: text,
    levels: z.array(z.enum(cefrLevels)).min(1),
    vocabulary: z.array(vocabularyItemSchema).min(8),
  })
  .strict()

export const picturesFileSchema = z.object({ pictures: z.array(pictureSchema).min(12) }).strict()

export type ObjectivesFile = z.infer<typeof objectivesFileSchema>
export type LessonsFile = z.infer<typeof lessonsFileSchema>
export type PackLesson = z.infer<typeof lessonSchema>
export type ExamTemplateFile = z.infer<typeof examTemplateFileSchema>
export type PackExamPart = z.infer<typeof examPartSchema>
export type PartnerFile = z.infer<typeof partnerFileSchema>
export type PartnerLines = z.infer<typeof partnerLinesSchema>
export type PackPicture = z.infer<typeof pictureSchema>

// --- offline tutor conversation bank (content/nb/tutor/) ---------------------------------------------

/**
 * A line the offline tutor says. Placeholders in braces are filled in by the tutor: {name} (learner's
 * first name), {hint} (a model answer), {phrase} (a phrase the learner used), {lesson} (lesson title),
 * {topic} (topic name in Bokmål). A line may use only the placeholders its list allows.
 */
function templateLine(placeholders: readonly string[]) {
  return text.superRefine((line, context) => {
    for (const match of line.matchAll(/\{(\w+)\}/g)) {
      if (!placeholders.includes(match[1]!)) {
        const allowed = placeholders.length ? placeholders.map((name) => `{${name}}`).join(', ') : 'none'
        context.addIssue({ code: 'custom', message: `unknown placeholder {${match[1]}}; allowed here: ${allowed}` })
      }
    }
    if (placeholders.length === 1 && !line.includes(`{${placeholders[0]}}`)) {
      context.addIssue({ code: 'custom', message: `must contain {${placeholders[0]}}` })
    }
  })
}

function lines(min: number, placeholders: readonly string[] = []) {
  return z
    .array(templateLine(placeholders))
    .min(min)
    .refine((items) => new Set(items).size === items.length, 'duplicate lines')
}

/** A greeting in Bokmål with its English translation (shown to beginners who explain in English). */
const greetingLine = (placeholders: readonly string[]) =>
  z.object({ nb: templateLine(placeholders), en: templateLine(placeholders) }).strict()

export const conversationLevelFileSchema = z
  .object({
    level: z.enum(cefrLevels),
    /** Neutral, honest reactions to an answer: they never claim to have understood its content. */
    acknowledgements: lines(8),
    /** Praise for a lesson phrase or word the learner used. */
    praiseForPhrase: lines(4, ['phrase']),
    /** The answer was very short: invite the learner to say more. */
    askForMore: lines(5),
    /** The answer was empty: a gentle nudge with a model answer. */
    emptyAnswer: lines(3, ['hint']),
    /** The learner asked something: the offline tutor says honestly that it cannot answer and goes on. */
    cannotAnswer: lines(3),
    /** Between steps or questions. */
    transitions: lines(4),
    /** Starting a conversation topic. */
    topicIntro: lines(3, ['topic']),
    /** A lesson is finished. */
    lessonComplete: lines(3, ['lesson']),
    greetings: z
      .object({
        /** The very first sitting. */
        first: z.array(greetingLine(['name'])).min(2),
        /** Back after a short while (same or previous day). */
        returning: z.array(greetingLine(['name'])).min(2),
        /** Back after a week or more. */
        afterBreak: z.array(greetingLine(['name'])).min(2),
        /** A lesson was left unfinished. */
        resumeLesson: z.array(greetingLine(['lesson'])).min(2),
      })
      .strict(),
    /** Free-conversation questions per topic, at this level's difficulty. */
    topics: z.record(z.enum(lessonTopics), lines(8)),
  })
  .strict()
  .superRefine((file, context) => {
    for (const topic of lessonTopics) {
      if (!file.topics[topic]) context.addIssue({ code: 'custom', path: ['topics', topic], message: 'missing topic' })
    }
  })

export const conversationTopicsFileSchema = z
  .object({
    /** Per topic: its name in Bokmål and words that show a learner is talking about it (lower case, lemma or stem). */
    topics: z.record(z.enum(lessonTopics), z.object({ name: text, keywords: z.array(text).min(6) }).strict()),
  })
  .strict()
  .superRefine((file, context) => {
    for (const topic of lessonTopics) {
      if (!file.topics[topic]) context.addIssue({ code: 'custom', path: ['topics', topic], message: 'missing topic' })
    }
  })

export type ConversationLevelFile = z.output<typeof conversationLevelFileSchema>
export type ConversationTopicsFile = z.output<typeof conversationTopicsFileSchema>
