/**
 * The offline ("measured") band estimator: maps the speech features of one exam part to a CEFR band per
 * criterion, for the criteria that measured features can honestly speak to, and the part's criteria to
 * the level the test would report. Thresholds, their sources and the reasoning behind every choice:
 * docs/scoring.md. BAND_THRESHOLDS and MIN_WORDS below are the tables of that document; a test fails
 * when the two disagree.
 */
import { estimatedLevels, type EstimatedLevel, type ExamLevel, type ExamResult, type ScoreEvidence, type ScoringCriterion } from '../../core/db/schema/index.js'
import { featureMetrics, metricEvidence, roundTo, type FeatureMetric, type SpeechFeatures } from './features.js'
import { contentStems } from './lexical.js'
import { tokenize } from './tokenize.js'

export type MeasuredCriterion = Exclude<ScoringCriterion, 'overall'>

/** The criteria the estimator reports, in the order of `scoringCriteria`. */
export const measuredCriteria: readonly MeasuredCriterion[] = ['task_completion', 'fluency', 'pronunciation', 'vocabulary', 'grammar', 'coherence', 'interaction']

/** Metrics the estimator derives from the features and the part (not features themselves). */
export type PartMetric = 'words_per_expected_minute' | 'prompt_keyword_coverage'
export type EstimatorMetric = FeatureMetric | PartMetric

export interface ThresholdRow {
  criterion: MeasuredCriterion
  metric: EstimatorMetric
  /** Which direction is the stronger performance. */
  better: 'higher' | 'lower'
  /** Typical value of a speaker below A1, at A1, A2, B1 and B2 (metric scores 0, 1, 2, 3, 4). */
  anchors: readonly [number, number, number, number, number]
  /** Weight in the criterion's score. */
  weight: number
}

/**
 * Thresholds — docs/scoring.md, section "Thresholds" (same rows, same order). Anchors are typical values
 * at each level; a value between two anchors scores in proportion, beyond the ends it is clamped.
 */
export const BAND_THRESHOLDS: readonly ThresholdRow[] = [
  { criterion: 'task_completion', metric: 'words_per_expected_minute', better: 'higher', anchors: [10, 25, 45, 70, 95], weight: 2 },
  { criterion: 'task_completion', metric: 'prompt_keyword_coverage', better: 'higher', anchors: [0, 0.1, 0.25, 0.4, 0.6], weight: 1 },
  { criterion: 'fluency', metric: 'speech_rate_wpm', better: 'higher', anchors: [30, 50, 70, 95, 120], weight: 3 },
  { criterion: 'fluency', metric: 'mean_length_of_run', better: 'higher', anchors: [1.5, 2.5, 4, 6, 8], weight: 2 },
  { criterion: 'fluency', metric: 'pause_time_ratio', better: 'lower', anchors: [0.5, 0.4, 0.3, 0.2, 0.12], weight: 1 },
  { criterion: 'fluency', metric: 'filled_pauses_per_100_words', better: 'lower', anchors: [15, 10, 7, 5, 3], weight: 0.5 },
  { criterion: 'fluency', metric: 'response_delay_ms', better: 'lower', anchors: [5000, 3500, 2000, 1200, 800], weight: 0.5 },
  { criterion: 'vocabulary', metric: 'mattr', better: 'higher', anchors: [0.5, 0.58, 0.66, 0.74, 0.82], weight: 2 },
  { criterion: 'vocabulary', metric: 'beyond_1000_share', better: 'higher', anchors: [0, 0.02, 0.07, 0.14, 0.22], weight: 1 },
  { criterion: 'vocabulary', metric: 'beyond_2000_share', better: 'higher', anchors: [0, 0, 0.02, 0.06, 0.12], weight: 1 },
  { criterion: 'vocabulary', metric: 'type_count', better: 'higher', anchors: [10, 20, 40, 65, 90], weight: 0.5 },
  { criterion: 'grammar', metric: 'subordination_ratio', better: 'higher', anchors: [0, 0, 0.1, 0.3, 0.55], weight: 2 },
  { criterion: 'grammar', metric: 'mean_unit_length', better: 'higher', anchors: [2, 3.5, 6, 9, 13], weight: 1 },
  { criterion: 'coherence', metric: 'connectives_distinct', better: 'higher', anchors: [0, 1, 3, 6, 9], weight: 2 },
  { criterion: 'coherence', metric: 'connectives_advanced', better: 'higher', anchors: [0, 0, 0.5, 2, 4], weight: 1 },
  { criterion: 'coherence', metric: 'words_per_turn', better: 'higher', anchors: [2, 5, 12, 25, 40], weight: 0.5 },
  { criterion: 'interaction', metric: 'question_share', better: 'higher', anchors: [0, 0.05, 0.1, 0.2, 0.3], weight: 1 },
  { criterion: 'interaction', metric: 'uptake_ratio', better: 'higher', anchors: [0, 0.15, 0.3, 0.5, 0.65], weight: 1.5 },
  { criterion: 'interaction', metric: 'balance_index', better: 'higher', anchors: [0, 0.2, 0.4, 0.6, 0.8], weight: 1 },
]

/**
 * Fewest learner words for a criterion to be assessable — docs/scoring.md, section "Minimum evidence".
 * Pronunciation has none: it is never assessable here.
 */
export const MIN_WORDS: Readonly<Record<MeasuredCriterion, number | null>> = {
  task_completion: 5,
  fluency: 20,
  pronunciation: null,
  vocabulary: 40,
  grammar: 30,
  coherence: 30,
  interaction: 15,
}
/** Grammar complexity needs at least this many AS-units: one long unit says little about subordination. */
export const MIN_AS_UNITS = 3
/** Interaction needs at least this many learner turns. */
export const MIN_INTERACTION_TURNS = 2
/** Of all the learner's words, the share a pair task expects from them (the partner speaks the rest). */
export const PAIR_SPEAKING_SHARE = 0.5

export interface EstimateOptions {
  /** The part's speaking time (exam_parts.speaking_seconds); without it task completion is not assessable. */
  expectedSpeakingSeconds?: number | null
  /** Key words of the prompt ("bolig", "nabolag"); the share the learner used counts towards task completion. */
  promptKeywords?: readonly string[] | null
}

interface EstimateBase {
  criterion: MeasuredCriterion
  /** The measured figures behind the estimate (or, when not assessable, what could be measured). */
  evidence: ScoreEvidence[]
}

export interface AssessedCriterion extends EstimateBase {
  assessable: true
  band: EstimatedLevel
  /** 0–4, continuous: 0 below A1, 1 A1, 2 A2, 3 B1, 4 B2 (2.4 = between A2 and B1, nearer A2). */
  score: number
  /** One English sentence naming the figures. */
  justification: string
  /**
   * 'complexity_only' for grammar: measured features see complexity, not accuracy, so the band is a
   * complexity reading and overallBand leaves it out.
   */
  scope: 'full' | 'complexity_only'
}

export interface NotAssessedCriterion extends EstimateBase {
  assessable: false
  band: null
  score: null
  reason: string
}

export type CriterionEstimate = AssessedCriterion | NotAssessedCriterion

// ---------------------------------------------------------------------------
// Scores
// ---------------------------------------------------------------------------

/**
 * A metric value on the 0–4 scale: below the first anchor 0; otherwise the last level whose anchor the
 * value reaches, plus the fraction of the way to the next anchor; 4 at or beyond the last. Equal anchors
 * are allowed (a value typical of two levels, such as no rare words at all below A1 and at A1) and give the
 * higher level. Lower-is-better rows are mirrored, so the score never falls as performance improves.
 */
export function metricScore(value: number, row: Pick<ThresholdRow, 'anchors' | 'better'>): number {
  const sign = row.better === 'higher' ? 1 : -1
  const anchors = row.anchors.map((anchor) => anchor * sign)
  const v = value * sign
  if (v < anchors[0]!) return 0
  let level = 0
  while (level + 1 < anchors.length && anchors[level + 1]! <= v) level += 1
  if (level === anchors.length - 1) return level
  const low = anchors[level]!
  const high = anchors[level + 1]!
  return level + (v - low) / (high - low)
}

/** The band a 0–4 score stands for: the nearest level (2.4 → A2, 2.5 → B1). */
export function scoreToBand(score: number): EstimatedLevel {
  const index = Math.min(estimatedLevels.length - 1, Math.max(0, Math.floor(score + 0.5)))
  return estimatedLevels[index]!
}

function levelIndex(level: EstimatedLevel): number {
  return estimatedLevels.indexOf(level)
}

// ---------------------------------------------------------------------------
// Criteria
// ---------------------------------------------------------------------------

/** The criteria's English names (justifications, feedback). */
export const criterionNames: Record<MeasuredCriterion, string> = {
  task_completion: 'Task completion',
  fluency: 'Fluency',
  pronunciation: 'Pronunciation',
  vocabulary: 'Vocabulary',
  grammar: 'Grammar',
  coherence: 'Coherence',
  interaction: 'Interaction',
}

/** How a metric reads in a justification. */
const metricText: Record<EstimatorMetric, (value: number) => string> = {
  ...(Object.fromEntries(
    (Object.keys(featureMetrics) as FeatureMetric[]).map((metric) => [metric, (value: number) => `${metric.replaceAll('_', ' ')} ${value} ${featureMetrics[metric].unit}`]),
  ) as Record<FeatureMetric, (value: number) => string>),
  speech_rate_wpm: (v) => `${v} words per minute`,
  mean_length_of_run: (v) => `${v} ${v === 1 ? 'word' : 'words'} between pauses`,
  mean_pause_ms: (v) => `mean pause ${v} ms`,
  pause_time_ratio: (v) => `${Math.round(v * 100)}% of the time in silent pauses`,
  filled_pauses_per_100_words: (v) => `${v} filled pauses per 100 words`,
  response_delay_ms: (v) => `${roundTo(v / 1000, 1)} s before answering`,
  mtld: (v) => `MTLD ${v}`,
  mattr: (v) => `MATTR ${v}`,
  beyond_1000_share: (v) => `${Math.round(v * 100)}% of content words beyond the 1000 most frequent`,
  beyond_2000_share: (v) => `${Math.round(v * 100)}% beyond the 2000 most frequent`,
  type_count: (v) => `${v} different ${v === 1 ? 'word' : 'words'}`,
  subordination_ratio: (v) => `${v} subordinate clauses per unit`,
  mean_unit_length: (v) => `${v} words per unit`,
  connectives_distinct: (v) => `${v} different ${v === 1 ? 'connective' : 'connectives'}`,
  connectives_advanced: (v) => `${v} beyond the basic ones (og, men, så, fordi …)`,
  connective_categories: (v) => `${v} of 4 kinds of link (adding, contrasting, cause, time)`,
  words_per_turn: (v) => `${v} words per turn`,
  question_share: (v) => `questions in ${Math.round(v * 100)}% of turns`,
  uptake_ratio: (v) => `${Math.round(v * 100)}% of answers taking up the partner's words`,
  balance_index: (v) => `balance ${v} (1 = equal share of words)`,
  words_per_expected_minute: (v) => `${v} words per minute of speaking time`,
  prompt_keyword_coverage: (v) => `${Math.round(v * 100)}% of the prompt's key words`,
}

interface PartContext {
  features: SpeechFeatures
  options: EstimateOptions
}

function promptKeywordCoverage(features: SpeechFeatures, keywords: readonly string[] | null | undefined): number | null {
  if (!keywords || keywords.length === 0) return null
  const wanted = contentStems(keywords.flatMap((keyword) => tokenize(keyword)))
  if (wanted.size === 0) return null
  const said = new Set(features.contentStems)
  return [...wanted].filter((s) => said.has(s)).length / wanted.size
}

function wordsPerExpectedMinute({ features, options }: PartContext): number | null {
  const seconds = options.expectedSpeakingSeconds
  if (!seconds || seconds <= 0) return null
  const share = features.interaction ? PAIR_SPEAKING_SHARE : 1
  return features.wordCount / ((seconds / 60) * share)
}

function metricValue(metric: EstimatorMetric, context: PartContext): number | null {
  if (metric === 'words_per_expected_minute') return wordsPerExpectedMinute(context)
  if (metric === 'prompt_keyword_coverage') return promptKeywordCoverage(context.features, context.options.promptKeywords)
  // One turn (a monologue) has as many words per turn as words in all: amount, not extended discourse.
  if (metric === 'words_per_turn' && context.features.learnerTurnCount < 2) return null
  return featureMetrics[metric].value(context.features)
}

const partMetricUnits: Record<PartMetric, { unit: string; decimals: number }> = {
  words_per_expected_minute: { unit: 'words/min of speaking time', decimals: 1 },
  prompt_keyword_coverage: { unit: 'share of prompt key words', decimals: 2 },
}

function evidenceFor(metric: EstimatorMetric, context: PartContext): ScoreEvidence | null {
  if (metric === 'words_per_expected_minute' || metric === 'prompt_keyword_coverage') {
    const value = metricValue(metric, context)
    if (value === null) return null
    const { unit, decimals } = partMetricUnits[metric]
    return { kind: 'measure', metric, value: roundTo(value, decimals), unit }
  }
  return metricEvidence(context.features, metric)
}

function notAssessable(criterion: MeasuredCriterion, reason: string, evidence: ScoreEvidence[]): NotAssessedCriterion {
  return { criterion, assessable: false, band: null, score: null, reason, evidence }
}

/** Why a criterion cannot be assessed from these features, or null when it can. */
function missingEvidence(criterion: MeasuredCriterion, { features, options }: PartContext): string | null {
  const words = features.wordCount
  const minimum = MIN_WORDS[criterion]
  if (criterion === 'pronunciation' || minimum === null) {
    return 'Pronunciation needs an audio-capable assessor; the measured estimator reads only the transcript and its timings.'
  }
  if (criterion === 'interaction' && !features.interaction) return 'Not a pair task: there is no partner turn to interact with.'
  if (criterion === 'task_completion' && !(options.expectedSpeakingSeconds && options.expectedSpeakingSeconds > 0)) {
    return "The part's speaking time is unknown, so the amount said cannot be compared with what the task asks for."
  }
  if (criterion === 'fluency' && words >= minimum) {
    if (features.speechRateWpm === null) return 'No timings: speech rate and pauses need the timing of spoken turns (a typed answer has none).'
    // Speech rate rests on the timed turns only.
    if (features.timedWordCount < minimum) {
      return `Too little timed speech: ${features.timedWordCount} ${features.timedWordCount === 1 ? 'word has' : 'words have'} timings, and fluency needs at least ${minimum}.`
    }
  }
  if (words < minimum) {
    return `Too little speech: ${words} ${words === 1 ? 'word' : 'words'}, and ${criterionNames[criterion].toLowerCase()} needs at least ${minimum}.`
  }
  if (criterion === 'grammar' && features.asUnitCount < MIN_AS_UNITS) {
    return `Too few utterances: ${features.asUnitCount} ${features.asUnitCount === 1 ? 'unit' : 'units'}, and complexity needs at least ${MIN_AS_UNITS}.`
  }
  if (criterion === 'interaction' && features.learnerTurnCount < MIN_INTERACTION_TURNS) {
    return `Too few turns: ${features.learnerTurnCount} learner ${features.learnerTurnCount === 1 ? 'turn' : 'turns'}, and interaction needs at least ${MIN_INTERACTION_TURNS}.`
  }
  return null
}

function estimateCriterion(criterion: MeasuredCriterion, context: PartContext): CriterionEstimate {
  const rows = BAND_THRESHOLDS.filter((row) => row.criterion === criterion)
  const evidence = [
    metricEvidence(context.features, 'word_count'),
    ...(criterion === 'fluency' ? [metricEvidence(context.features, 'timed_words'), metricEvidence(context.features, 'speaking_time_ms')] : []),
    ...rows.map((row) => evidenceFor(row.metric, context)),
  ].filter((entry): entry is ScoreEvidence => entry !== null)
  const missing = missingEvidence(criterion, context)
  if (missing) return notAssessable(criterion, missing, evidence)

  const scored = rows.flatMap((row) => {
    const value = metricValue(row.metric, context)
    return value === null || !Number.isFinite(value) ? [] : [{ row, value, score: metricScore(value, row) }]
  })
  const totalWeight = scored.reduce((sum, entry) => sum + entry.row.weight, 0)
  if (scored.length === 0 || totalWeight === 0) return notAssessable(criterion, 'None of the measures for this criterion could be taken.', evidence)

  const score = roundTo(scored.reduce((sum, entry) => sum + entry.score * entry.row.weight, 0) / totalWeight, 2)
  const band = scoreToBand(score)
  const figures = scored.map(({ row, value }) => {
    const decimals = row.metric in featureMetrics ? featureMetrics[row.metric as FeatureMetric].decimals : partMetricUnits[row.metric as PartMetric].decimals
    return metricText[row.metric](roundTo(value, decimals))
  })
  const scope = criterion === 'grammar' ? 'complexity_only' : 'full'
  const caveat =
    criterion === 'grammar'
      ? 'complexity only, accuracy not measured'
      : criterion === 'task_completion'
        ? 'amount and topic only, not whether the message got across'
        : null
  const justification = `${criterionNames[criterion]} ${band.replace('_', ' ')} (${score.toFixed(1)})${caveat ? `, ${caveat}` : ''}: ${figures.join(', ')}.`
  return { criterion, assessable: true, band, score, justification, evidence, scope }
}

/** Measured estimates for every criterion of a part (pronunciation always not assessable). */
export function estimateCriteria(features: SpeechFeatures, options: EstimateOptions = {}): CriterionEstimate[] {
  const context: PartContext = { features, options }
  return measuredCriteria.map((criterion) => estimateCriterion(criterion, context))
}

// ---------------------------------------------------------------------------
// Overall
// ---------------------------------------------------------------------------

export interface OverallEstimate {
  assessable: boolean
  /** The level reached within the registered pair, or the level below it; null when not assessable. */
  estimatedLevel: EstimatedLevel | null
  outcome: ExamResult['outcome'] | null
  /** Mean score (0–4) of the criteria used, before clamping to the pair. */
  score: number | null
  /** The criteria the estimate rests on. */
  criteria: MeasuredCriterion[]
  /** Why there is no estimate. */
  reason?: string
}

/** Fewest fully assessable criteria an overall level rests on. */
export const MIN_OVERALL_CRITERIA = 2

/**
 * The level the test would report for a registered pair: the mean of the assessable criteria (grammar's
 * complexity-only reading left out), rounded to the nearest level, then read against the pair. At or above
 * the pair's top level → top level, 'upper' (the pair is the ceiling); at its lower level → 'lower'; below
 * it → the level reached (A1 or below A1), 'below'.
 */
export function overallBand(criteria: readonly CriterionEstimate[], examLevel: ExamLevel): OverallEstimate {
  const used = criteria.filter((estimate): estimate is AssessedCriterion => estimate.assessable && estimate.scope === 'full')
  if (used.length < MIN_OVERALL_CRITERIA) {
    return {
      assessable: false,
      estimatedLevel: null,
      outcome: null,
      score: null,
      criteria: used.map((estimate) => estimate.criterion),
      reason: `Only ${used.length} ${used.length === 1 ? 'criterion was' : 'criteria were'} assessable; an overall level needs at least ${MIN_OVERALL_CRITERIA}.`,
    }
  }
  const score = roundTo(used.reduce((sum, estimate) => sum + estimate.score, 0) / used.length, 2)
  const [lower, upper] = examLevel.split('-') as [EstimatedLevel, EstimatedLevel]
  const reached = levelIndex(scoreToBand(score))
  let estimatedLevel: EstimatedLevel
  let outcome: ExamResult['outcome']
  if (reached >= levelIndex(upper)) {
    estimatedLevel = upper
    outcome = 'upper'
  } else if (reached === levelIndex(lower)) {
    estimatedLevel = lower
    outcome = 'lower'
  } else {
    estimatedLevel = estimatedLevels[reached]!
    outcome = 'below'
  }
  return { assessable: true, estimatedLevel, outcome, score, criteria: used.map((estimate) => estimate.criterion) }
}
