import type { CefrLevel, CorrectionStyle, SessionMode } from '../../core/db/schema/index.js'
import type { ExamPartScript, LearnerProfile, LessonScript, RetrievedPassage, TranscriptLine } from './types.js'

/**
 * How the tutor adapts to a level (CEFR). The numbers are targets the instructions state, and the
 * voice pipeline reads `speechRateWpm` for its speech engine; they follow the CEFR global scale:
 * an A1 learner understands short, slow, clearly articulated speech with long pauses, a B2 learner
 * follows standard speech at normal speed.
 */
export interface CefrAdaptation {
  /** Longest sentence the tutor should say, in words. */
  maxSentenceWords: number
  /** Which words to use (the pack's frequency list ranks). */
  vocabularyBand: string
  /** Target speaking rate for speech synthesis, words per minute. */
  speechRateWpm: number
  speechRate: string
  scaffolding: string
  /** When to switch to the learner's explanation language. */
  explanationLanguageUse: string
}

export const cefrAdaptation: Record<CefrLevel, CefrAdaptation> = {
  A1: {
    maxSentenceWords: 8,
    vocabularyBand: 'the 500 most frequent words and the words of the current lesson; present tense only',
    speechRateWpm: 90,
    speechRate: 'slow and clearly articulated, with a short pause between sentences',
    scaffolding:
      'Ask one simple question at a time and offer a model answer with it. Accept one-word answers and say the full sentence back. Repeat a question in the same words before rephrasing it.',
    explanationLanguageUse:
      'Explain a grammar point or an unknown word in the explanation language right away, in one short sentence, then go back to Norwegian.',
  },
  A2: {
    maxSentenceWords: 12,
    vocabularyBand: 'the 1000 most frequent words and the words of the current lesson; present and simple past',
    speechRateWpm: 110,
    speechRate: 'slower than normal, clearly articulated',
    scaffolding:
      'Ask one question at a time. Give a model answer or the first words of one when the learner hesitates or answers very briefly.',
    explanationLanguageUse:
      'Use the explanation language only when the learner is stuck twice on the same thing or asks for it; keep it to one sentence.',
  },
  B1: {
    maxSentenceWords: 18,
    vocabularyBand: 'the 2500 most frequent words plus the topic vocabulary; all common tenses and subordinate clauses',
    speechRateWpm: 130,
    speechRate: 'a little slower than normal conversation',
    scaffolding: 'Give hints only when asked or after a long pause. Ask for reasons and examples so the learner speaks in longer stretches.',
    explanationLanguageUse: 'Use the explanation language only when the learner asks, or to explain a correction they did not understand in Norwegian.',
  },
  B2: {
    maxSentenceWords: 25,
    vocabularyBand: 'a broad everyday and societal vocabulary, including common idioms',
    speechRateWpm: 150,
    speechRate: 'natural conversational speed',
    scaffolding:
      'No scaffolding unless asked. Challenge the learner with follow-up questions, counter-arguments and requests to compare and justify.',
    explanationLanguageUse: 'Use the explanation language only when the learner explicitly asks for it.',
  },
}

const correctionRules: Record<CorrectionStyle, string> = {
  immediate:
    'When the learner makes an error that matters, start your reply by saying the corrected sentence naturally (a recast), then go on. Call record_correction for each error you correct.',
  end_of_turn:
    'Reply to what the learner said first. Then, at the end of your reply, point out at most one error with the corrected sentence. Call record_correction for it.',
  end_of_session:
    'Do not correct the learner during the conversation. Call record_correction silently for errors that matter, so they appear in the summary after the sitting.',
}

export interface TutorInstructionsInput {
  learner: LearnerProfile
  mode: SessionMode
  rollingSummary: string | null
  lesson: LessonScript | null
  stepPosition: number | null
  exam: ExamPartScript | null
  /** Free-conversation topic in Bokmål (e.g. "jobb"). */
  topic: string | null
  recentTurns: TranscriptLine[]
  /** Slot for ad-hoc lessons built from documents. */
  passages: RetrievedPassage[]
}

/** Turns of recent conversation the instructions quote (older ones live in the rolling summary). */
export const RECENT_TURNS_IN_INSTRUCTIONS = 12
const MAX_QUOTED_TURN_CHARS = 400
const MAX_PASSAGE_CHARS = 1_500

/**
 * The tutor's instructions (system prompt) for a language model, text or realtime voice. Pure: the same
 * input always gives the same text, so it is snapshot-tested per level and mode.
 */
export function buildTutorInstructions(input: TutorInstructionsInput): string {
  const { learner, mode } = input
  const adaptation = cefrAdaptation[learner.level]
  const sections: string[] = []

  sections.push(
    mode === 'exam'
      ? 'You are the examiner in a simulated oral Norskprøven (the Norwegian oral language test). Speak Norwegian Bokmål only.'
      : 'You are Avaaz, a warm and patient speaking tutor for adults learning Norwegian Bokmål. You speak with the learner in real time; your words are spoken aloud.',
  )

  sections.push(
    section('The learner', [
      `Name: ${learner.name}.`,
      `Level: ${learner.level} (CEFR).`,
      learner.nativeLanguage ? `First language: ${learner.nativeLanguage}.` : null,
      `Explanation language: ${languageName(learner.explanationLanguage)}.`,
      learner.examGoal ? `Preparing for the oral Norskprøven ${learner.examGoal}.` : null,
    ]),
  )

  if (input.rollingSummary) sections.push(section('What you know from earlier sittings', [input.rollingSummary]))

  sections.push(
    section(`Speak at level ${learner.level}`, [
      `Sentences of at most ${adaptation.maxSentenceWords} words.`,
      `Vocabulary: ${adaptation.vocabularyBand}.`,
      `Speaking rate: ${adaptation.speechRate} (about ${adaptation.speechRateWpm} words per minute).`,
      mode === 'exam' ? null : `Support: ${adaptation.scaffolding}`,
      mode === 'exam' ? null : `Explanation language: ${adaptation.explanationLanguageUse}`,
    ]),
  )

  if (mode === 'lesson' && input.lesson) sections.push(lessonSection(input.lesson, input.stepPosition))
  if (mode === 'free') sections.push(freeSection(input.topic))
  if (mode === 'exam') sections.push(examSection(input.exam))

  if (mode !== 'exam') sections.push(section('Corrections', [correctionRules[learner.correctionStyle]]))

  if (input.passages.length > 0) {
    sections.push(
      section(
        'Material for this lesson (from documents; use it as the content of the conversation, do not read it out)',
        input.passages.map((passage) => `[${passage.source}] ${clip(passage.text, MAX_PASSAGE_CHARS)}`),
      ),
    )
  }

  const recent = input.recentTurns.slice(-RECENT_TURNS_IN_INSTRUCTIONS)
  if (recent.length > 0) {
    sections.push(section('The conversation so far (most recent last)', recent.map((turn) => `${turn.role}: ${clip(turn.text, MAX_QUOTED_TURN_CHARS)}`)))
  }

  sections.push(
    section('Always', [
      'Reply in Norwegian Bokmål, except for a short explanation in the explanation language when the rules above allow it.',
      'Plain sentences only: no lists, no markdown, no emoji, because your reply is spoken.',
      mode === 'exam'
        ? 'Keep your turns short: the candidate should do almost all the talking. Never interrupt.'
        : 'Keep your turns short (one to three sentences) so the learner does most of the talking. End with a question or a clear task unless the lesson is finished.',
      'Never claim to know something about the learner that they have not told you.',
    ]),
  )

  return sections.join('\n\n')
}

function lessonSection(lesson: LessonScript, stepPosition: number | null): string {
  const position = stepPosition ?? 0
  const step = lesson.steps[position]
  const next = lesson.steps[position + 1]
  return section(`Lesson: ${lesson.title} (${lesson.level})`, [
    lesson.context ? `Situation: ${lesson.context}` : null,
    `Goals: ${lesson.goals.join('; ')}.`,
    lesson.objectives.length ? `Can-do objectives: ${lesson.objectives.join('; ')}.` : null,
    lesson.vocabulary.length ? `Vocabulary to practise: ${lesson.vocabulary.map((item) => `${item.term} (${item.gloss})`).join(', ')}.` : null,
    lesson.phrases.length ? `Phrases to practise: ${lesson.phrases.map((item) => `«${item.text}»`).join(', ')}.` : null,
    step
      ? [
          `Current step ${position + 1} of ${lesson.steps.length}: you asked «${step.tutorPrompt}».`,
          step.expectedLearnerMove ? `The learner should: ${step.expectedLearnerMove}` : null,
          step.hints.length ? `Hints you may offer: ${step.hints.map((hint) => `«${hint}»`).join(', ')}.` : null,
          step.followUpQuestions.length ? `Follow-up questions: ${step.followUpQuestions.map((q) => `«${q}»`).join(', ')}.` : null,
          step.pictureSlug ? `The learner sees the picture "${step.pictureSlug}".` : null,
        ]
          .filter(Boolean)
          .join(' ')
      : null,
    next
      ? `When the learner has done the current step (or tried twice), call advance_step and go on with the next step: «${next.tutorPrompt}».`
      : 'This is the last step. When the learner has done it, call advance_step, praise what they did well and say the lesson is finished.',
    'Stay in the lesson situation; if the learner drifts away, answer briefly and bring them back.',
  ])
}

function freeSection(topic: string | null): string {
  return section('Free conversation', [
    topic ? `Talk about: ${topic}, unless the learner brings up something else.` : 'Talk about what the learner wants to talk about; suggest everyday topics if they have none.',
    'Ask about their own life, experiences and opinions, one question at a time, and react to what they actually said.',
  ])
}

function examSection(exam: ExamPartScript | null): string {
  if (!exam) return section('Exam', ['The exam part is not set; ask the candidate to wait.'])
  return section(`Exam part: ${exam.title} (test level ${exam.level})`, [
    `Task: ${exam.instructionsEn}`,
    `Follow this script: ${exam.examinerScript.map((line) => `«${line}»`).join(' ')}`,
    exam.prompt ? `The candidate's task card: «${exam.prompt}»` : null,
    'Do not teach, correct, praise or help. Neutral, friendly acknowledgements only. Give the candidate time; silence is allowed.',
  ])
}

function section(title: string, lines: Array<string | null | undefined>): string {
  return `## ${title}\n${lines.filter(Boolean).join('\n')}`
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** English name of an ISO 639-1 code when the runtime knows it (the instructions are in English). */
function languageName(code: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code
  } catch {
    return code
  }
}
