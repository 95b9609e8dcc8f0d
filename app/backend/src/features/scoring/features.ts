/**
 * Speech features of the learner in one exam part, measured locally from the transcript and, where the
 * client or speech engine sent them, turn and word timings. Pure: no database, no network, no clock.
 * What each feature means, how it is computed and where it is weak: docs/scoring.md.
 */
import type { ScoreEvidence, WordTiming } from '../../core/db/schema/index.js'
import { asUnits, asksQuestion, connectiveCategories, connectivesIn, repairsIn, subordinateClauses, wordsBySentence, type ConnectiveCategory } from './discourse.js'
import { MATTR_WINDOW, contentStems, isContentToken, mattr, mtld, type Lexicon } from './lexical.js'
import { isFiller, lexicalTokens, tokenize, type Token } from './tokenize.js'

/** One turn of the exam part, as stored in `turns` (only what the features need). */
export interface ScoringTurn {
  id: string
  role: 'learner' | 'examiner' | 'partner'
  text: string
  startedAt?: Date | null
  endedAt?: Date | null
  speakingMs?: number | null
  /** Word timings relative to the start of the turn's audio (`startedAt`). */
  wordTimings?: WordTiming[] | null
}

export interface ExtractOptions {
  /** Frequency lexicon for lexical sophistication; without it the sophistication features are null. */
  lexicon?: Lexicon | null
  /** When the examiner turn before the part's first learner turn is not in `turns`: when it ended. */
  previousTurnEndedAt?: Date | null
}

/** A silent gap between words of at least this long is a pause (De Jong & Bosker 2013; Goldman-Eisler 1968). */
export const PAUSE_THRESHOLD_MS = 250
/** MTLD is computed from this many word tokens on; below it the value is too unstable to report. */
export const MTLD_MIN_TOKENS = 50
/**
 * Gaps between an examiner or partner turn and the learner's answer longer than this are not counted as
 * response delay: they are preparation time or a technical gap, not hesitation.
 */
export const MAX_RESPONSE_DELAY_MS = 20_000

export interface ConnectiveCounts {
  total: number
  /** Distinct connectives used, in order of first use. */
  distinct: string[]
  /** Distinct connectives beyond BASIC_CONNECTIVES ("likevel", "derfor", "selv om" …). */
  advanced: string[]
  byCategory: Record<ConnectiveCategory, { total: number; distinct: string[] }>
  /** Categories with at least one connective (0–4). */
  categoriesUsed: number
}

export interface InteractionFeatures {
  partnerTurnCount: number
  partnerWordCount: number
  /** Learner turns that ask something (requests to repeat excluded). */
  questionCount: number
  /** questionCount / learner turns. */
  questionShare: number | null
  /** Learner turns straight after a partner turn. */
  uptakeOpportunities: number
  /** Of those, turns that reuse a content word (lemma-light) of that partner turn. */
  uptakeTurns: number
  uptakeRatio: number | null
  /** Learner words / (learner + partner words). */
  turnBalance: number | null
  /** 1 when both speak equally, 0 when one speaker has every word: 1 − |turnBalance − 0.5| × 2. */
  balanceIndex: number | null
}

export interface SpeechFeatures {
  // Amount
  /** Learner turns with at least one word. */
  learnerTurnCount: number
  /** Words said (numbers included; filled pauses and cut-off fragments not). */
  wordCount: number
  wordsPerTurn: number | null

  // Timing (null without timings)
  /** Learner turns with a usable duration (word timings, speaking time or start and end). */
  timedTurnCount: number
  /** Learner turns with word timings. */
  wordTimedTurnCount: number
  /** Words in timed turns: what speech rate is computed from. */
  timedWordCount: number
  /** Speaking time including pauses, over timed turns. */
  speakingTimeMs: number | null
  speechRateWpm: number | null
  /** Speaking time minus silent pauses, over word-timed turns. */
  phonationTimeMs: number | null
  articulationRateWpm: number | null
  pauseCount: number | null
  totalPauseMs: number | null
  meanPauseMs: number | null
  /** Share of the word-timed speaking time spent in silent pauses (1 − phonation time ratio). */
  pauseTimeRatio: number | null
  /** Mean words between silent pauses (runs with at least one word). */
  meanLengthOfRun: number | null
  /** Mean ms from the end of an examiner or partner turn to the learner's first word. */
  responseDelayMs: number | null
  responseDelayCount: number

  // Vocabulary
  /** Distinct word forms (lower case). */
  typeCount: number
  /** Null below MTLD_MIN_TOKENS word tokens. */
  mtld: number | null
  /** Moving-average TTR over windows of MATTR_WINDOW tokens; null below one window. */
  mattr: number | null
  contentWordCount: number
  /** Share of content words (likely names excluded) whose lemma is not among the 1000 most frequent. */
  beyond1000Share: number | null
  beyond2000Share: number | null
  /** Content words whose lemma is not in the list at all (rare words, names in lower case, English, misrecognitions). */
  offListCount: number | null
  /** Up to 20 distinct off-list words, for a human or the LLM rater to look at. */
  offListWords: string[]
  /** Distinct lemma-light stems of the content words, sorted. */
  contentStems: string[]

  // Grammar complexity
  asUnitCount: number
  /** Words per AS-unit. */
  meanUnitLength: number | null
  subordinateClauseCount: number
  /** Subordinate clauses per AS-unit. */
  subordinationRatio: number | null
  /** Distinct subordinators used. */
  subordinators: string[]

  // Coherence
  connectives: ConnectiveCounts

  // Disfluency
  filledPauseCount: number
  filledPausesPer100Words: number | null
  repetitionCount: number
  selfCorrectionCount: number
  cutOffCount: number
  /** (repetitions + self-corrections + cut-offs) per 100 words. */
  repairsPer100Words: number | null

  /** Pair tasks only: null when the part has no partner turn. */
  interaction: InteractionFeatures | null
}

// ---------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------

interface TurnTiming {
  words: number
  spanMs: number
  /** Word-timed turns only. */
  pauses?: number[]
  runs?: number[]
}

/** Duration and pauses of one learner turn, or null when it has no usable timing. */
function timeTurn(turn: ScoringTurn, textWords: number): TurnTiming | null {
  const timed = (turn.wordTimings ?? [])
    .map((timing) => {
      const tokens = tokenize(timing.word)
      return { startMs: timing.startMs, endMs: Math.max(timing.endMs, timing.startMs), words: lexicalTokens(tokens).length, filler: tokens.length > 0 && tokens.every((t) => t.kind === 'filler') }
    })
    .filter((timing) => timing.words > 0 || timing.filler)
    .sort((a, b) => a.startMs - b.startMs)
  const first = timed[0]
  if (first) {
    const spanMs = Math.max(...timed.map((t) => t.endMs)) - first.startMs
    if (spanMs > 0) {
      const pauses: number[] = []
      const runs: number[] = []
      let run = 0
      let soundEnd = first.startMs
      for (const timing of timed) {
        const gap = timing.startMs - soundEnd
        if (gap >= PAUSE_THRESHOLD_MS) {
          pauses.push(gap)
          if (run > 0) runs.push(run)
          run = 0
        }
        run += timing.words
        soundEnd = Math.max(soundEnd, timing.endMs)
      }
      if (run > 0) runs.push(run)
      const words = timed.reduce((sum, t) => sum + t.words, 0)
      return { words, spanMs, pauses, runs }
    }
  }
  if (turn.speakingMs != null && turn.speakingMs > 0) return { words: textWords, spanMs: turn.speakingMs }
  if (turn.startedAt && turn.endedAt && turn.endedAt.getTime() > turn.startedAt.getTime()) {
    return { words: textWords, spanMs: turn.endedAt.getTime() - turn.startedAt.getTime() }
  }
  return null
}

/** When the learner's first word was said: the turn start plus the first word's offset. */
function speechStart(turn: ScoringTurn): number | null {
  if (!turn.startedAt) return null
  const offsets = (turn.wordTimings ?? []).map((timing) => timing.startMs)
  return turn.startedAt.getTime() + (offsets.length > 0 ? Math.min(...offsets) : 0)
}

function responseDelays(turns: readonly ScoringTurn[], previousTurnEndedAt: Date | null | undefined): number[] {
  const delays: number[] = []
  turns.forEach((turn, index) => {
    if (turn.role !== 'learner') return
    const previous = turns[index - 1]
    let endedAt: Date | null | undefined
    if (previous) endedAt = previous.role === 'learner' ? null : previous.endedAt
    else endedAt = previousTurnEndedAt
    const start = speechStart(turn)
    if (!endedAt || start === null) return
    // Overlap (starting before the other stopped) is a latched answer: no delay.
    const delay = Math.max(0, start - endedAt.getTime())
    if (delay <= MAX_RESPONSE_DELAY_MS) delays.push(delay)
  })
  return delays
}

// ---------------------------------------------------------------------------
// Features
// ---------------------------------------------------------------------------

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0)
const ratio = (numerator: number, denominator: number): number | null => (denominator > 0 ? numerator / denominator : null)

/**
 * The links the CEFR expects from A1–A2 speakers ("and", "but", "because", "then": CEFR coherence
 * descriptors); the range beyond them is what sets B1 and B2 apart.
 */
export const BASIC_CONNECTIVES: ReadonlySet<string> = new Set(['og', 'men', 'så', 'eller', 'fordi', 'også', 'da', 'når', 'først'])

function countConnectives(used: ReadonlyArray<{ connective: string; category: ConnectiveCategory }>): ConnectiveCounts {
  const byCategory = Object.fromEntries(connectiveCategories.map((category) => [category, { total: 0, distinct: [] as string[] }])) as ConnectiveCounts['byCategory']
  const distinct: string[] = []
  for (const { connective, category } of used) {
    const entry = byCategory[category]
    entry.total += 1
    if (!entry.distinct.includes(connective)) entry.distinct.push(connective)
    if (!distinct.includes(connective)) distinct.push(connective)
  }
  return {
    total: used.length,
    distinct,
    advanced: distinct.filter((connective) => !BASIC_CONNECTIVES.has(connective)),
    byCategory,
    categoriesUsed: connectiveCategories.filter((category) => byCategory[category].total > 0).length,
  }
}

function interactionFeatures(turns: readonly ScoringTurn[], tokensOf: (turn: ScoringTurn) => Token[], learnerTurnCount: number, learnerWords: number): InteractionFeatures | null {
  const partnerTurns = turns.filter((turn) => turn.role === 'partner')
  if (partnerTurns.length === 0) return null
  const partnerWordCount = sum(partnerTurns.map((turn) => lexicalTokens(tokensOf(turn)).length))
  const learnerTurns = turns.filter((turn) => turn.role === 'learner' && lexicalTokens(tokensOf(turn)).length > 0)
  const questionCount = learnerTurns.filter((turn) => asksQuestion(turn.text)).length
  let uptakeOpportunities = 0
  let uptakeTurns = 0
  turns.forEach((turn, index) => {
    const previous = turns[index - 1]
    if (turn.role !== 'learner' || previous?.role !== 'partner' || lexicalTokens(tokensOf(turn)).length === 0) return
    uptakeOpportunities += 1
    const offered = contentStems(tokensOf(previous))
    if ([...contentStems(tokensOf(turn))].some((s) => offered.has(s))) uptakeTurns += 1
  })
  const turnBalance = ratio(learnerWords, learnerWords + partnerWordCount)
  return {
    partnerTurnCount: partnerTurns.length,
    partnerWordCount,
    questionCount,
    questionShare: ratio(questionCount, learnerTurnCount),
    uptakeOpportunities,
    uptakeTurns,
    uptakeRatio: ratio(uptakeTurns, uptakeOpportunities),
    turnBalance,
    balanceIndex: turnBalance === null ? null : 1 - Math.abs(turnBalance - 0.5) * 2,
  }
}

/** The learner's speech features in one exam part. `turns` in the order they were said. */
export function extractSpeechFeatures(turns: readonly ScoringTurn[], options: ExtractOptions = {}): SpeechFeatures {
  const tokenCache = new Map<ScoringTurn, Token[]>()
  const tokensOf = (turn: ScoringTurn): Token[] => {
    let tokens = tokenCache.get(turn)
    if (!tokens) {
      tokens = tokenize(turn.text)
      tokenCache.set(turn, tokens)
    }
    return tokens
  }
  const learnerTurns = turns.filter((turn) => turn.role === 'learner')
  const learnerTokens = learnerTurns.flatMap(tokensOf)
  const words = lexicalTokens(learnerTokens)
  const wordCount = words.length
  const learnerTurnCount = learnerTurns.filter((turn) => lexicalTokens(tokensOf(turn)).length > 0).length

  // Timing
  const timings = learnerTurns.map((turn) => timeTurn(turn, lexicalTokens(tokensOf(turn)).length)).filter((t): t is TurnTiming => t !== null)
  const wordTimed = timings.filter((t) => t.pauses !== undefined)
  const speakingTimeMs = timings.length > 0 ? sum(timings.map((t) => t.spanMs)) : null
  const pauses = wordTimed.flatMap((t) => t.pauses ?? [])
  const runs = wordTimed.flatMap((t) => t.runs ?? [])
  const totalPauseMs = wordTimed.length > 0 ? sum(pauses) : null
  const phonationTimeMs = wordTimed.length > 0 ? sum(wordTimed.map((t) => t.spanMs)) - (totalPauseMs ?? 0) : null
  const delays = responseDelays(turns, options.previousTurnEndedAt)

  // Vocabulary
  const wordForms = words.filter((token) => token.kind === 'word').map((token) => token.lower)
  const content = learnerTokens.filter(isContentToken)
  // A capital inside a sentence marks a name (Oslo, Ahmed): not evidence of vocabulary range.
  const rated = content.filter((token) => !(token.capitalised && !token.sentenceInitial))
  let beyond1000Share: number | null = null
  let beyond2000Share: number | null = null
  let offListCount: number | null = null
  const offListWords: string[] = []
  if (options.lexicon && rated.length > 0) {
    const ranks = rated.map((token) => options.lexicon!.rankOf(token.lower))
    beyond1000Share = ranks.filter((rank) => rank === null || rank > 1000).length / rated.length
    beyond2000Share = ranks.filter((rank) => rank === null || rank > 2000).length / rated.length
    offListCount = ranks.filter((rank) => rank === null).length
    rated.forEach((token, index) => {
      if (ranks[index] === null && !offListWords.includes(token.lower) && offListWords.length < 20) offListWords.push(token.lower)
    })
  } else if (options.lexicon) {
    offListCount = 0
  }

  // Grammar complexity and coherence
  const units = learnerTurns.flatMap((turn) => asUnits(turn.text))
  const clausesByUnit = units.map((unit) => subordinateClauses(unit))
  const clauses = clausesByUnit.flat()
  const unitWords = sum(units.map((unit) => unit.filter((token) => token.kind === 'word' || token.kind === 'number').length))
  const connectives = countConnectives(units.flatMap((unit, index) => connectivesIn(unit, clausesByUnit[index])))

  // Disfluency
  const textFillers = learnerTurns.map((turn) => tokensOf(turn).filter((token) => token.kind === 'filler').length)
  const timingFillers = learnerTurns.map((turn) => (turn.wordTimings ?? []).filter((timing) => isFiller(timing.word.trim().toLowerCase())).length)
  // Some recognisers keep filled pauses in the word timings but drop them from the text.
  const filledPauseCount = sum(textFillers.map((count, index) => Math.max(count, timingFillers[index] ?? 0)))
  // Within sentences: "… lærer norsk. Norsk er …" is not a repetition.
  const repairs = learnerTurns.flatMap((turn) => wordsBySentence(turn.text).map((sentence) => repairsIn(sentence)))
  const repetitionCount = sum(repairs.map((r) => r.repetitions))
  const selfCorrectionCount = sum(repairs.map((r) => r.selfCorrections))
  const cutOffCount = sum(repairs.map((r) => r.cutOffs))
  const per100 = (count: number) => (wordCount > 0 ? (count / wordCount) * 100 : null)

  return {
    learnerTurnCount,
    wordCount,
    wordsPerTurn: ratio(wordCount, learnerTurnCount),

    timedTurnCount: timings.length,
    wordTimedTurnCount: wordTimed.length,
    timedWordCount: sum(timings.map((t) => t.words)),
    speakingTimeMs,
    speechRateWpm: speakingTimeMs ? (sum(timings.map((t) => t.words)) / speakingTimeMs) * 60_000 : null,
    phonationTimeMs,
    articulationRateWpm: phonationTimeMs ? (sum(wordTimed.map((t) => t.words)) / phonationTimeMs) * 60_000 : null,
    pauseCount: wordTimed.length > 0 ? pauses.length : null,
    totalPauseMs,
    meanPauseMs: pauses.length > 0 ? sum(pauses) / pauses.length : wordTimed.length > 0 ? 0 : null,
    pauseTimeRatio: wordTimed.length > 0 ? ratio(totalPauseMs ?? 0, sum(wordTimed.map((t) => t.spanMs))) : null,
    meanLengthOfRun: runs.length > 0 ? sum(runs) / runs.length : null,
    responseDelayMs: delays.length > 0 ? sum(delays) / delays.length : null,
    responseDelayCount: delays.length,

    typeCount: new Set(wordForms).size,
    mtld: wordForms.length >= MTLD_MIN_TOKENS ? mtld(wordForms) : null,
    mattr: wordForms.length >= MATTR_WINDOW ? mattr(wordForms) : null,
    contentWordCount: content.length,
    beyond1000Share,
    beyond2000Share,
    offListCount,
    offListWords,
    contentStems: [...contentStems(learnerTokens)].sort(),

    asUnitCount: units.length,
    meanUnitLength: ratio(unitWords, units.length),
    subordinateClauseCount: clauses.length,
    subordinationRatio: ratio(clauses.length, units.length),
    subordinators: [...new Set(clauses.map((clause) => clause.subordinator))],

    connectives,

    filledPauseCount,
    filledPausesPer100Words: per100(filledPauseCount),
    repetitionCount,
    selfCorrectionCount,
    cutOffCount,
    repairsPer100Words: per100(repetitionCount + selfCorrectionCount + cutOffCount),

    interaction: interactionFeatures(turns, tokensOf, learnerTurnCount, wordCount),
  }
}

// ---------------------------------------------------------------------------
// Evidence
// ---------------------------------------------------------------------------

interface MetricDefinition {
  unit: string
  /** Decimals kept in evidence. */
  decimals: number
  value: (features: SpeechFeatures) => number | null
}

/**
 * Every measured feature as a named metric (snake_case), the names evidence and the estimator's threshold
 * table use. Order: amount, timing, vocabulary, grammar, coherence, disfluency, interaction.
 */
export const featureMetrics = {
  learner_turns: { unit: 'turns', decimals: 0, value: (f) => f.learnerTurnCount },
  word_count: { unit: 'words', decimals: 0, value: (f) => f.wordCount },
  words_per_turn: { unit: 'words/turn', decimals: 1, value: (f) => f.wordsPerTurn },
  timed_words: { unit: 'words', decimals: 0, value: (f) => f.timedWordCount },
  speaking_time_ms: { unit: 'ms', decimals: 0, value: (f) => f.speakingTimeMs },
  speech_rate_wpm: { unit: 'words/min', decimals: 1, value: (f) => f.speechRateWpm },
  articulation_rate_wpm: { unit: 'words/min', decimals: 1, value: (f) => f.articulationRateWpm },
  pause_count: { unit: 'pauses', decimals: 0, value: (f) => f.pauseCount },
  total_pause_ms: { unit: 'ms', decimals: 0, value: (f) => f.totalPauseMs },
  mean_pause_ms: { unit: 'ms', decimals: 0, value: (f) => f.meanPauseMs },
  pause_time_ratio: { unit: 'share of speaking time', decimals: 3, value: (f) => f.pauseTimeRatio },
  mean_length_of_run: { unit: 'words/run', decimals: 1, value: (f) => f.meanLengthOfRun },
  response_delay_ms: { unit: 'ms', decimals: 0, value: (f) => f.responseDelayMs },
  type_count: { unit: 'types', decimals: 0, value: (f) => f.typeCount },
  mtld: { unit: 'tokens/factor', decimals: 1, value: (f) => f.mtld },
  mattr: { unit: `TTR, ${MATTR_WINDOW}-token windows`, decimals: 3, value: (f) => f.mattr },
  content_words: { unit: 'words', decimals: 0, value: (f) => f.contentWordCount },
  beyond_1000_share: { unit: 'share of content words', decimals: 3, value: (f) => f.beyond1000Share },
  beyond_2000_share: { unit: 'share of content words', decimals: 3, value: (f) => f.beyond2000Share },
  off_list_words: { unit: 'words', decimals: 0, value: (f) => f.offListCount },
  as_units: { unit: 'units', decimals: 0, value: (f) => f.asUnitCount },
  mean_unit_length: { unit: 'words/unit', decimals: 1, value: (f) => f.meanUnitLength },
  subordinate_clauses: { unit: 'clauses', decimals: 0, value: (f) => f.subordinateClauseCount },
  subordination_ratio: { unit: 'clauses/unit', decimals: 2, value: (f) => f.subordinationRatio },
  subordinator_types: { unit: 'types', decimals: 0, value: (f) => f.subordinators.length },
  connectives_total: { unit: 'connectives', decimals: 0, value: (f) => f.connectives.total },
  connectives_distinct: { unit: 'types', decimals: 0, value: (f) => f.connectives.distinct.length },
  connectives_advanced: { unit: 'types', decimals: 0, value: (f) => f.connectives.advanced.length },
  connective_categories: { unit: 'categories of 4', decimals: 0, value: (f) => f.connectives.categoriesUsed },
  filled_pauses: { unit: 'filled pauses', decimals: 0, value: (f) => f.filledPauseCount },
  filled_pauses_per_100_words: { unit: 'per 100 words', decimals: 1, value: (f) => f.filledPausesPer100Words },
  repetitions: { unit: 'repetitions', decimals: 0, value: (f) => f.repetitionCount },
  self_corrections: { unit: 'self-corrections', decimals: 0, value: (f) => f.selfCorrectionCount },
  cut_off_words: { unit: 'words', decimals: 0, value: (f) => f.cutOffCount },
  repairs_per_100_words: { unit: 'per 100 words', decimals: 1, value: (f) => f.repairsPer100Words },
  partner_turns: { unit: 'turns', decimals: 0, value: (f) => f.interaction?.partnerTurnCount ?? null },
  partner_words: { unit: 'words', decimals: 0, value: (f) => f.interaction?.partnerWordCount ?? null },
  questions_to_partner: { unit: 'turns', decimals: 0, value: (f) => f.interaction?.questionCount ?? null },
  question_share: { unit: 'share of learner turns', decimals: 2, value: (f) => f.interaction?.questionShare ?? null },
  uptake_ratio: { unit: 'share of answers to the partner', decimals: 2, value: (f) => f.interaction?.uptakeRatio ?? null },
  turn_balance: { unit: 'learner share of words', decimals: 2, value: (f) => f.interaction?.turnBalance ?? null },
  balance_index: { unit: '0–1 (1 = equal share)', decimals: 2, value: (f) => f.interaction?.balanceIndex ?? null },
} satisfies Record<string, MetricDefinition>

export type FeatureMetric = keyof typeof featureMetrics

export function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals
  return Math.round(value * factor) / factor
}

/** One measured feature as evidence, or null when it was not measured. */
export function metricEvidence(features: SpeechFeatures, metric: FeatureMetric): ScoreEvidence | null {
  const definition: MetricDefinition = featureMetrics[metric]
  const value = definition.value(features)
  if (value === null || !Number.isFinite(value)) return null
  return { kind: 'measure', metric, value: roundTo(value, definition.decimals), unit: definition.unit }
}

/** Every measured feature as `measure` evidence (features that could not be measured are left out). */
export function featureEvidence(features: SpeechFeatures): ScoreEvidence[] {
  return (Object.keys(featureMetrics) as FeatureMetric[]).flatMap((metric) => metricEvidence(features, metric) ?? [])
}
