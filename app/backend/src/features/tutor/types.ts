import type {
  CefrLevel,
  Correction,
  CorrectionStyle,
  ExamAttemptStatus,
  ExamLevel,
  ExamPhase,
  PhraseItem,
  SessionMode,
  TurnRole,
  TurnSource,
  VocabularyItem,
} from '../../core/db/schema/index.js'
import type { LessonTopic } from '../curriculum/content-schema.js'

/**
 * The tutor is transport-agnostic: text in, events out. The HTTP API streams these events as
 * Server-Sent Events; the voice pipeline speaks the deltas and shows the rest.
 */

export type VisualAid =
  | { kind: 'picture'; slug: string; title: string; url: string }
  | { kind: 'table'; title: string; columns: string[]; rows: string[][] }
  | { kind: 'word_list'; title: string; items: Array<{ term: string; gloss: string }> }

export type TutorStateChange =
  /** The lesson moved on to this step (0-based position across the lesson's steps). */
  | { kind: 'step'; lessonId: string; position: number; total: number }
  | { kind: 'lesson_complete'; lessonId: string }
  /** Free conversation moved to another topic. */
  | { kind: 'topic'; topic: LessonTopic }
  /** A mock exam moved on: a part began or ended, or the exam is over. */
  | { kind: 'exam'; attemptId: string; status: ExamAttemptStatus; phase: ExamPhase; partPosition: number }

export type TutorEvent =
  | { type: 'delta'; text: string }
  | { type: 'correction'; correction: Correction }
  | { type: 'visual'; aid: VisualAid }
  | { type: 'state'; change: TutorStateChange }
  /** Engine memory to keep for the next turn (stored in the session's state, never shown). */
  | { type: 'memory'; memory: Record<string, unknown> }

/** One scenario step of a lesson, flattened across the lesson's scenarios. */
export interface LessonStepScript {
  position: number
  tutorPrompt: string
  expectedLearnerMove: string | null
  hints: string[]
  followUpQuestions: string[]
  pictureSlug: string | null
}

export interface LessonScript {
  id: string
  slug: string | null
  title: string
  level: CefrLevel
  topic: string | null
  context: string | null
  goals: string[]
  /** Can-do descriptors (English) of the lesson's objectives. */
  objectives: string[]
  vocabulary: VocabularyItem[]
  phrases: PhraseItem[]
  steps: LessonStepScript[]
}

export interface LearnerProfile {
  /** First name, as the tutor addresses them. */
  name: string
  level: CefrLevel
  nativeLanguage: string | null
  explanationLanguage: string
  correctionStyle: CorrectionStyle
  examGoal: ExamLevel | null
}

/** An exam part as the examiner sees it (filled in by the mock-exam feature). */
export interface ExamPartScript {
  level: ExamLevel
  title: string
  taskType: string
  instructionsEn: string
  examinerScript: string[]
  prompt: string | null
}

export interface TranscriptLine {
  role: TurnRole
  text: string
}

/** A passage retrieved from the learner's or instructor's documents (ad-hoc lessons). */
export interface RetrievedPassage {
  source: string
  text: string
}

export interface LearnerAnswer {
  /** Empty when the learner said nothing (silence in voice). */
  text: string
  source: TurnSource
}

/** Everything an engine needs to produce one reply. */
export interface TutorTurnContext {
  learner: LearnerProfile
  mode: SessionMode
  lesson: LessonScript | null
  /** Current step position in `lesson`. */
  stepPosition: number | null
  exam: ExamPartScript | null
  topic: LessonTopic | null
  answer: LearnerAnswer
  /** The conversation before this answer, oldest first (language models get it as messages). */
  history: TranscriptLine[]
  /** Rule-based findings on this answer (already stored on the learner's turn). */
  corrections: Correction[]
  /** Built by buildTutorInstructions (language-model engines use it; the scripted tutor does not). */
  instructions: string
  /** This engine's memory from the previous turn. */
  memory: Record<string, unknown>
  /** Aborts the reply (timeout). */
  signal: AbortSignal
}

export interface TutorEngine {
  /** 'offline' or the provider name. */
  readonly name: string
  /** Streams one reply to the learner's answer. Throws (or the iterator rejects) on provider failure. */
  reply(context: TutorTurnContext): AsyncIterable<TutorEvent>
}
