import type { ExamLevel } from '../../core/db/schema/index.js'
import { criterionNames, type AssessedCriterion, type CriterionEstimate, type MeasuredCriterion, type OverallEstimate } from './estimator.js'

/**
 * Feedback on a scored exam in the learner's explanation language (English or Norwegian; other
 * languages get English until the texts are translated). Written from the measured result when no
 * language model rated the exam; the rater's own feedback is used when it did.
 */

type Language = 'en' | 'nb'

const names: Record<Language, Record<MeasuredCriterion, string>> = {
  en: criterionNames,
  nb: {
    task_completion: 'Oppgaveløsning',
    fluency: 'Flyt',
    pronunciation: 'Uttale',
    vocabulary: 'Ordforråd',
    grammar: 'Grammatikk',
    coherence: 'Sammenheng',
    interaction: 'Samhandling',
  },
}

const below: Record<Language, string> = { en: 'below A1', nb: 'under A1' }
const pair = (examLevel: ExamLevel) => examLevel.replace('-', '–')

const texts = {
  en: {
    upper: (reached: string, test: string) => `You reached ${reached}, the upper level of the ${test} test.`,
    lower: (reached: string, test: string) => `You reached ${reached}, the lower level of the ${test} test.`,
    below: (reached: string, test: string, lower: string) => `Your answers were below ${lower}, the lower level of the ${test} test: the estimate is ${reached}.`,
    none: (reason: string) => `There was too little speech to estimate a level. ${reason}`,
    measured:
      'This result was measured from your answers: how much you said, how fast and how evenly, your vocabulary and how you built and linked your sentences. It cannot judge your pronunciation or whether each sentence was correct.',
    criterion: (name: string, band: string) => `${name}: ${band}`,
    next: (best: string, weakest: string) => `Your strongest side was ${best}; work next on ${weakest}.`,
  },
  nb: {
    upper: (reached: string, test: string) => `Du nådde ${reached}, det høyeste nivået på ${test}-prøven.`,
    lower: (reached: string, test: string) => `Du nådde ${reached}, det laveste nivået på ${test}-prøven.`,
    below: (reached: string, test: string, lower: string) => `Svarene dine lå under ${lower}, det laveste nivået på ${test}-prøven. Vi anslår nivået ditt til ${reached}.`,
    // The estimator's reason is English; in Norwegian the sentence says it all.
    none: () => 'Du sa for lite til at vi kunne anslå et nivå.',
    measured:
      'Resultatet er målt ut fra svarene dine: hvor mye du sa, hvor raskt og jevnt du snakket, ordforrådet ditt og hvordan du bygde opp setningene og bandt dem sammen. Målingen kan ikke vurdere uttalen din eller om hver setning var grammatisk riktig.',
    criterion: (name: string, band: string) => `${name}: ${band}`,
    next: (best: string, weakest: string) => `Du var sterkest på ${best}. Øv mer på ${weakest}.`,
  },
}

export function writeFeedback(input: {
  language: string
  examLevel: ExamLevel
  overall: OverallEstimate
  criteria: CriterionEstimate[]
  /** The rubric rater's feedback text, when its judgement was used. */
  languageModel: string | null
}): { text: string; strengths: string[]; weaknesses: string[] } {
  const language: Language = input.language === 'nb' || input.language === 'no' || input.language === 'nn' ? 'nb' : 'en'
  const say = texts[language]
  const level = (value: string) => (value === 'below_A1' ? below[language] : value)
  const test = pair(input.examLevel)
  const [lower] = input.examLevel.split('-') as [string]
  const { estimatedLevel, outcome } = input.overall
  const headline =
    estimatedLevel === null || outcome === null
      ? say.none(input.overall.reason ?? '')
      : outcome === 'upper'
        ? say.upper(level(estimatedLevel), test)
        : outcome === 'lower'
          ? say.lower(level(estimatedLevel), test)
          : say.below(level(estimatedLevel), test, lower)
  const assessed = input.criteria
    .filter((estimate): estimate is AssessedCriterion => estimate.assessable && estimate.scope === 'full')
    .toSorted((a, b) => b.score - a.score)
  // The two best criteria are strengths; the weakest of the rest (lowest first) are what to work on.
  const describe = (estimate: AssessedCriterion) => say.criterion(names[language][estimate.criterion], level(estimate.band))
  // With two criteria or fewer only the best is a strength, so none is both.
  const strengths = assessed.slice(0, assessed.length > 2 ? 2 : 1).map(describe)
  const rest = assessed.length > 2 ? assessed.slice(2) : assessed.slice(1).filter((estimate) => estimate.score < assessed[0]!.score)
  const inSentence = (estimate: AssessedCriterion) => `${names[language][estimate.criterion].toLowerCase()} (${level(estimate.band)})`
  const advice = rest.length > 0 ? ` ${say.next(inSentence(assessed[0]!), inSentence(rest.at(-1)!))}` : ''
  // Strengths and weaknesses always follow the stored bands, whoever rated them.
  const weaknesses = rest.toReversed().slice(0, 2).map(describe)
  if (input.languageModel) return { text: `${headline} ${input.languageModel}`.trim(), strengths, weaknesses }
  return { text: `${headline}${advice} ${say.measured}`, strengths, weaknesses }
}
