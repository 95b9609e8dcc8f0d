import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { ExamLevel } from '../../core/db/schema/index.js'
import {
  BAND_THRESHOLDS,
  MIN_WORDS,
  estimateCriteria,
  measuredCriteria,
  metricScore,
  overallBand,
  scoreToBand,
  type CriterionEstimate,
  type EstimateOptions,
  type MeasuredCriterion,
  type ThresholdRow,
} from './estimator.js'
import { extractSpeechFeatures, featureMetrics, type ScoringTurn } from './features.js'
import { loadLexicon } from './lexical.js'

const lexicon = loadLexicon()
const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, 0) + ms)
let nextId = 0
const turn = (role: ScoringTurn['role'], text: string, extra: Partial<ScoringTurn> = {}): ScoringTurn => ({ id: `t${(nextId += 1)}`, role, text, ...extra })

function estimate(turns: ScoringTurn[], options: EstimateOptions = {}): Record<MeasuredCriterion, CriterionEstimate> {
  const estimates = estimateCriteria(extractSpeechFeatures(turns, { lexicon }), options)
  return Object.fromEntries(estimates.map((e) => [e.criterion, e])) as Record<MeasuredCriterion, CriterionEstimate>
}
const reasonOf = (e: CriterionEstimate): string => {
  if (e.assessable) throw new Error(`${e.criterion} is assessable: ${e.justification}`)
  return e.reason
}
const scoreOf = (e: CriterionEstimate): number => {
  if (!e.assessable) throw new Error(`${e.criterion} not assessable: ${e.reason}`)
  return e.score
}

// ---------------------------------------------------------------------------
// A seeded generator of learner answers (no dependency): mulberry32.
// ---------------------------------------------------------------------------

function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!
const between = (r: () => number, low: number, high: number) => Math.round(low + r() * (high - low))
const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i * 7919)

/** Main clauses as subject / finite verb / rest, so a fronted connective can invert them (V2). */
const CLAUSES: ReadonlyArray<[string, string, string]> = [
  ['jeg', 'bor', 'i en liten leilighet'],
  ['vi', 'har', 'to barn og en hund'],
  ['jeg', 'jobber', 'på et lager i byen'],
  ['barna', 'går', 'på skolen om morgenen'],
  ['jeg', 'liker', 'å lage mat til familien'],
  ['vi', 'handler', 'mat på lørdag'],
  ['naboen', 'er', 'veldig hyggelig'],
  ['jeg', 'tar', 'bussen til jobben'],
  ['vi', 'ser', 'på TV om kvelden'],
  ['jeg', 'lærer', 'norsk hver dag'],
  ['vi', 'går', 'tur i parken'],
  ['leiligheten', 'har', 'to soverom'],
]
const SUBORDINATE = ['fordi det er billig', 'når jeg har fri', 'selv om det er kaldt', 'hvis været er fint', 'fordi jeg vil lære mer', 'når barna sover', 'mens mannen min jobber', 'dersom vi har tid']
const CONNECTIVES = ['derfor', 'likevel', 'dessuten', 'i tillegg', 'etterpå', 'først', 'til slutt', 'deretter', 'i stedet', 'altså']
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
const sentence = ([subject, verb, rest]: readonly [string, string, string], connective?: string, clause?: string) =>
  `${capitalise(connective ? `${connective} ${verb} ${subject} ${rest}` : `${subject} ${verb} ${rest}`)}${clause ? ` ${clause}` : ''}.`

/** A spoken answer as a sequence of sounds: words and filled pauses, each with the silence before it. */
interface Sound {
  word: string
  gapBefore: number
  duration: number
  filler: boolean
}
function spoken(sounds: readonly Sound[], delayMs = 1500): ScoringTurn[] {
  let t = 0
  const wordTimings = sounds.map((sound, index) => {
    t += index === 0 ? 0 : sound.gapBefore
    const timing = { word: sound.word, startMs: t, endMs: t + sound.duration }
    t += sound.duration
    return timing
  })
  return [turn('examiner', 'Fortell om hverdagen din.', { endedAt: at(-delayMs) }), turn('learner', `${sounds.map((s) => s.word).join(' ')}.`, { startedAt: at(0), endedAt: at(t), wordTimings })]
}
function generateSounds(r: () => number): Sound[] {
  const words = Array.from({ length: between(r, 6, 10) }, () => sentence(pick(r, CLAUSES)).replace('.', '').toLowerCase())
    .join(' ')
    .split(' ')
  const sounds: Sound[] = []
  for (const word of words) {
    // A filled pause now and then, close to its neighbours (it is sound, not silence).
    if (r() < 0.12) sounds.push({ word: pick(r, ['eh', 'ehm', 'øh']), gapBefore: 50, duration: between(r, 200, 500), filler: true })
    const pause = r() < 0.25 ? between(r, 300, 2500) : between(r, 30, 200)
    sounds.push({ word, gapBefore: sounds.length === 0 ? 0 : pause, duration: between(r, 180, 450), filler: false })
  }
  return sounds
}

// ---------------------------------------------------------------------------
// The doc and the code agree
// ---------------------------------------------------------------------------

const doc = readFileSync(new URL('../../../../../docs/scoring.md', import.meta.url), 'utf8')

function tableRows(begin: string, end: string): string[][] {
  const start = doc.indexOf(begin)
  const stop = doc.indexOf(end)
  expect(start, `${begin} in docs/scoring.md`).toBeGreaterThan(-1)
  expect(stop, `${end} in docs/scoring.md`).toBeGreaterThan(start)
  return doc
    .slice(start + begin.length, stop)
    .split('\n')
    .filter((line) => line.trim().startsWith('|'))
    .map((line) => line.trim().replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim()))
    .slice(2) // header and alignment rows
}

describe('docs/scoring.md and the estimator', () => {
  it('has the same threshold table as BAND_THRESHOLDS', () => {
    const documented: ThresholdRow[] = tableRows('<!-- thresholds:begin -->', '<!-- thresholds:end -->').map(([criterion, metric, better, ...rest]) => {
      const numbers = rest.slice(0, 6).map(Number)
      return { criterion, metric, better, anchors: numbers.slice(0, 5), weight: numbers[5] } as unknown as ThresholdRow
    })
    expect(documented).toEqual(BAND_THRESHOLDS.map((row) => ({ ...row, anchors: [...row.anchors] })))
  })

  it('has the same minimum evidence as MIN_WORDS', () => {
    const documented = Object.fromEntries(tableRows('<!-- min-words:begin -->', '<!-- min-words:end -->').map(([criterion, words]) => [criterion, words === 'never' ? null : Number(words)]))
    expect(documented).toEqual(MIN_WORDS)
  })

  it('has anchors that climb in the better direction, known metrics, and rows for every measurable criterion', () => {
    for (const row of BAND_THRESHOLDS) {
      const climbing = row.better === 'higher' ? row.anchors : [...row.anchors].map((a) => -a)
      for (let i = 1; i < climbing.length; i += 1) expect(climbing[i]!, `${row.metric} anchor ${i}`).toBeGreaterThanOrEqual(climbing[i - 1]!)
      expect(climbing[4]!, row.metric).toBeGreaterThan(climbing[0]!)
      expect(row.weight).toBeGreaterThan(0)
      expect(row.metric in featureMetrics || ['words_per_expected_minute', 'prompt_keyword_coverage'].includes(row.metric), row.metric).toBe(true)
    }
    for (const criterion of measuredCriteria.filter((c) => c !== 'pronunciation')) {
      expect(BAND_THRESHOLDS.some((row) => row.criterion === criterion), criterion).toBe(true)
    }
    expect(BAND_THRESHOLDS.some((row) => row.criterion === 'pronunciation')).toBe(false)
  })
})

// ---------------------------------------------------------------------------
// Scores and bands
// ---------------------------------------------------------------------------

describe('metric scores and bands', () => {
  const speechRate = { anchors: [30, 50, 70, 95, 120], better: 'higher' } as const
  const pauseRatio = { anchors: [0.5, 0.4, 0.3, 0.2, 0.12], better: 'lower' } as const

  it('interpolates between anchors', () => {
    // 82.5 is half way from A2 (70) to B1 (95): 2 + 12.5 / 25 = 2.5.
    expect(metricScore(82.5, speechRate)).toBe(2.5)
    expect(metricScore(70, speechRate)).toBe(2)
    // Lower is better: 0.25 is half way from A2 (0.3) to B1 (0.2): 2.5.
    expect(metricScore(0.25, pauseRatio)).toBeCloseTo(2.5, 10)
  })

  it('clamps below the first and beyond the last anchor', () => {
    expect(metricScore(10, speechRate)).toBe(0)
    expect(metricScore(30, speechRate)).toBe(0)
    expect(metricScore(250, speechRate)).toBe(4)
    expect(metricScore(0.9, pauseRatio)).toBe(0)
    expect(metricScore(0, pauseRatio)).toBe(4)
  })

  it('gives the higher level where two levels share an anchor', () => {
    // Subordination: no subordinate clauses is typical below A1 and at A1.
    const subordination = { anchors: [0, 0, 0.1, 0.3, 0.55], better: 'higher' } as const
    expect(metricScore(0, subordination)).toBe(1)
    expect(metricScore(0.05, subordination)).toBeCloseTo(1.5, 10)
  })

  it('bands a score to the nearest level', () => {
    expect([0, 0.49, 0.5, 1.49, 2.4, 2.5, 3.49, 3.5, 4].map(scoreToBand)).toEqual(['below_A1', 'below_A1', 'A1', 'A1', 'A2', 'B1', 'B1', 'B2', 'B2'])
  })
})

// ---------------------------------------------------------------------------
// Not assessable
// ---------------------------------------------------------------------------

describe('not assessable, never guessed', () => {
  const long = 'Jeg bor i en liten leilighet i sentrum fordi det er billig. Vi har to barn og en hund. Jeg jobber på et lager, men jeg vil heller jobbe i en barnehage. Derfor lærer jeg norsk hver dag. Om kvelden ser vi på TV eller går tur i parken når det er fint vær.'

  it('never assesses pronunciation, even from a long, fluent answer', () => {
    const e = estimate([turn('learner', long, { speakingMs: 20_000 })], { expectedSpeakingSeconds: 60 })
    expect(e.pronunciation).toMatchObject({ assessable: false, band: null, score: null })
    expect(reasonOf(e.pronunciation)).toMatch(/audio/)
  })

  it('needs timings for fluency, and enough timed words', () => {
    const e = estimate([turn('learner', long)], { expectedSpeakingSeconds: 60 })
    expect(reasonOf(e.fluency)).toMatch(/timing/i)
    expect(e.vocabulary.assessable).toBe(true)
    // Only the short second turn is timed: 4 timed words.
    const partly = estimate([turn('learner', long), turn('learner', 'Det er alt, takk.', { speakingMs: 2000 })])
    expect(reasonOf(partly.fluency)).toMatch(/4 words have timings/)
  })

  it('names the word count when there is too little speech', () => {
    const e = estimate([turn('learner', 'Jeg bor i Oslo og jeg jobber der.', { speakingMs: 3000 })], { expectedSpeakingSeconds: 60 })
    for (const criterion of ['fluency', 'vocabulary', 'grammar', 'coherence'] as const) {
      expect(e[criterion].assessable, criterion).toBe(false)
      expect(reasonOf(e[criterion]), criterion).toMatch(/8 words/)
    }
    expect(e.task_completion.assessable).toBe(true)
  })

  it('does not blame the learner for near silence or nothing at all', () => {
    for (const text of ['', 'eh', 'Ja.']) {
      const estimates = estimateCriteria(extractSpeechFeatures([turn('learner', text, { speakingMs: 1000 })], { lexicon }), { expectedSpeakingSeconds: 60 })
      expect(estimates.every((e) => !e.assessable), text).toBe(true)
      expect(overallBand(estimates, 'A2-B1')).toMatchObject({ assessable: false, estimatedLevel: null, outcome: null })
    }
  })

  it('needs the part speaking time for task completion', () => {
    expect(estimate([turn('learner', long)]).task_completion.assessable).toBe(false)
  })

  it('needs at least three units for grammar complexity', () => {
    const oneSentence = 'Jeg bor i en liten leilighet i sentrum av byen fordi det er billig der og vi har to barn som går på skolen i nærheten av huset vårt hver dag'
    const e = estimate([turn('learner', oneSentence)])
    expect(reasonOf(e.grammar)).toMatch(/units/)
  })

  it('assesses interaction only in a pair task with at least two learner turns', () => {
    expect(reasonOf(estimate([turn('learner', long)]).interaction)).toMatch(/pair/)
    const oneTurn = estimate([turn('partner', 'Hva gjør du i helgene?'), turn('learner', long)])
    expect(reasonOf(oneTurn.interaction)).toMatch(/1 learner turn/)
  })

  it('reports every criterion in order, with evidence even when not assessable', () => {
    const estimates = estimateCriteria(extractSpeechFeatures([turn('learner', 'Hei.')], { lexicon }))
    expect(estimates.map((e) => e.criterion)).toEqual(['task_completion', 'fluency', 'pronunciation', 'vocabulary', 'grammar', 'coherence', 'interaction'])
    expect(estimates.find((e) => e.criterion === 'vocabulary')!.evidence).toContainEqual({ kind: 'measure', metric: 'word_count', value: 1, unit: 'words' })
  })
})

// ---------------------------------------------------------------------------
// Estimates
// ---------------------------------------------------------------------------

describe('criterion estimates', () => {
  const answer = spoken(generateSounds(random(7)))

  it('gives a band, a 0–4 score, a justification naming the figures and measured evidence', () => {
    const fluency = estimate(answer).fluency
    expect(fluency.assessable).toBe(true)
    if (!fluency.assessable) return
    expect(fluency.score).toBeGreaterThanOrEqual(0)
    expect(fluency.score).toBeLessThanOrEqual(4)
    expect(fluency.band).toBe(scoreToBand(fluency.score))
    expect(fluency.justification).toMatch(/^Fluency (below A1|A1|A2|B1|B2) \(\d\.\d\): .*words per minute/)
    expect(fluency.evidence.map((e) => e.metric)).toEqual(expect.arrayContaining(['speech_rate_wpm', 'mean_length_of_run', 'pause_time_ratio', 'response_delay_ms']))
    expect(fluency.evidence.every((e) => e.kind === 'measure')).toBe(true)
  })

  it('marks grammar as a complexity reading and says so', () => {
    const grammar = estimate([turn('learner', 'Jeg bor i Oslo fordi jeg jobber der. Vi har to barn som går på skolen. Om kvelden lager jeg mat, og mannen min rydder. Det er fint når vi er sammen.')]).grammar
    expect(grammar).toMatchObject({ assessable: true, scope: 'complexity_only' })
    expect(grammar.assessable && grammar.justification).toMatch(/complexity only, accuracy not measured/)
  })

  it('says what task completion does not measure', () => {
    const task = estimate(answer, { expectedSpeakingSeconds: 60 }).task_completion
    expect(task.assessable && task.justification).toMatch(/not whether the message got across/)
  })

  it('expects half the words from a learner in a pair task', () => {
    const words = 'Jeg liker å gå tur i skogen om høsten'
    const alone = estimate([turn('learner', words)], { expectedSpeakingSeconds: 60 }).task_completion
    const pair = estimate([turn('partner', 'Hva liker du?'), turn('learner', words)], { expectedSpeakingSeconds: 60 }).task_completion
    expect(alone.evidence).toContainEqual(expect.objectContaining({ metric: 'words_per_expected_minute', value: 9 }))
    expect(pair.evidence).toContainEqual(expect.objectContaining({ metric: 'words_per_expected_minute', value: 18 }))
  })

  it('counts the prompt key words the learner used, lemma-light', () => {
    const task = estimate([turn('learner', 'Jeg jobber på et sykehjem og barna går i barnehagen.')], { expectedSpeakingSeconds: 60, promptKeywords: ['jobb', 'barnehage', 'fritid', 'bolig'] }).task_completion
    expect(task.evidence).toContainEqual({ kind: 'measure', metric: 'prompt_keyword_coverage', value: 0.5, unit: 'share of prompt key words' })
  })
})

describe('overall band within the registered pair', () => {
  const assessed = (criterion: MeasuredCriterion, score: number, scope: 'full' | 'complexity_only' = 'full'): CriterionEstimate => ({
    criterion,
    assessable: true,
    band: scoreToBand(score),
    score,
    justification: '',
    evidence: [],
    scope,
  })
  const notAssessed = (criterion: MeasuredCriterion): CriterionEstimate => ({ criterion, assessable: false, band: null, score: null, reason: 'x', evidence: [] })
  const overall = (scores: number[], level: ExamLevel) =>
    overallBand(
      scores.map((score, i) => assessed((['fluency', 'vocabulary', 'coherence', 'task_completion', 'interaction'] as const)[i]!, score)),
      level,
    )

  it('reports the lower level, the upper level, or below the pair', () => {
    expect(overall([2.2, 2.0], 'A2-B1')).toMatchObject({ estimatedLevel: 'A2', outcome: 'lower', score: 2.1 })
    expect(overall([2.6, 2.8], 'A2-B1')).toMatchObject({ estimatedLevel: 'B1', outcome: 'upper' })
    expect(overall([1.2, 1.0], 'A2-B1')).toMatchObject({ estimatedLevel: 'A1', outcome: 'below' })
    expect(overall([0.2, 0.4], 'A1-A2')).toMatchObject({ estimatedLevel: 'below_A1', outcome: 'below' })
    expect(overall([2.4, 2.2], 'B1-B2')).toMatchObject({ estimatedLevel: 'A2', outcome: 'below' })
  })

  it('is capped at the top of the pair', () => {
    expect(overall([4, 3.9], 'A2-B1')).toMatchObject({ estimatedLevel: 'B1', outcome: 'upper', score: 3.95 })
    expect(overall([3.5, 3.8], 'A1-A2')).toMatchObject({ estimatedLevel: 'A2', outcome: 'upper' })
  })

  it('leaves out criteria that are not assessable and grammar complexity', () => {
    const result = overallBand([assessed('fluency', 2), assessed('vocabulary', 2), assessed('grammar', 4, 'complexity_only'), notAssessed('pronunciation'), notAssessed('interaction')], 'A2-B1')
    expect(result).toMatchObject({ estimatedLevel: 'A2', score: 2, criteria: ['fluency', 'vocabulary'] })
  })

  it('is not assessable on fewer than two criteria', () => {
    expect(overallBand([assessed('fluency', 3), assessed('grammar', 3, 'complexity_only')], 'A2-B1')).toMatchObject({ assessable: false, estimatedLevel: null, outcome: null })
  })
})

// ---------------------------------------------------------------------------
// Monotonicity: a stronger answer never scores lower on the criterion it improves
// ---------------------------------------------------------------------------

/** Asserts that the scores never fall along the chain of ever stronger answers. */
function expectNonDecreasing(scores: number[], label: string) {
  for (let i = 1; i < scores.length; i += 1) expect(scores[i]!, `${label}: step ${i} of ${scores.join(' → ')}`).toBeGreaterThanOrEqual(scores[i - 1]! - 1e-9)
}

/** …and that the chain, when it changed the answer at all, ends higher than it started (the test is not vacuous). */
function expectStronger(scores: number[], label: string) {
  expectNonDecreasing(scores, label)
  if (scores.length > 1) expect(scores.at(-1)!, `${label}: ${scores.join(' → ')}`).toBeGreaterThan(scores[0]!)
}

describe('monotonicity (seeded generated answers)', () => {
  it('adding subordinate clauses never lowers grammar complexity', () => {
    for (const seed of SEEDS) {
      const r = random(seed)
      const clauses = Array.from({ length: between(r, 6, 9) }, () => pick(r, CLAUSES))
      const subordinate = clauses.map(() => pick(r, SUBORDINATE))
      const chain = clauses.map((_, k) => clauses.map((c, i) => sentence(c, undefined, i < k ? subordinate[i] : undefined)).join(' '))
      expectStronger(
        chain.map((text) => scoreOf(estimate([turn('learner', text)]).grammar)),
        `seed ${seed}`,
      )
    }
  })

  it('shorter or fewer pauses never lower fluency', () => {
    for (const seed of SEEDS) {
      const r = random(seed)
      const sounds = generateSounds(r)
      const scores = [scoreOf(estimate(spoken(sounds)).fluency)]
      for (let step = 0; step < 8; step += 1) {
        const pauses = sounds.map((s, i) => ({ s, i })).filter(({ s, i }) => i > 0 && s.gapBefore >= 250)
        if (pauses.length === 0) break
        const { s } = pick(r, pauses)
        // Shorter, sometimes below the threshold (the pause disappears).
        s.gapBefore = between(r, 0, s.gapBefore - 1)
        scores.push(scoreOf(estimate(spoken(sounds)).fluency))
      }
      expectStronger(scores, `seed ${seed}`)
    }
  })

  it('fewer filled pauses never lower fluency', () => {
    for (const seed of SEEDS) {
      const r = random(seed)
      const sounds = generateSounds(r)
      const scores = [scoreOf(estimate(spoken(sounds)).fluency)]
      for (let index = sounds.findIndex((s) => s.filler); index >= 0; index = sounds.findIndex((s) => s.filler)) {
        // The filled pause and the short gap before it go; the next word keeps its own gap.
        sounds.splice(index, 1)
        scores.push(scoreOf(estimate(spoken(sounds)).fluency))
      }
      expectStronger(scores, `seed ${seed}`)
    }
  })

  it('answering sooner never lowers fluency', () => {
    for (const seed of SEEDS.slice(0, 10)) {
      const sounds = generateSounds(random(seed))
      expectStronger(
        [8000, 5000, 3000, 1500, 800, 200].map((delay) => scoreOf(estimate(spoken(sounds, delay)).fluency)),
        `seed ${seed}`,
      )
    }
  })

  it('more diverse vocabulary never lowers vocabulary', () => {
    const rare = ['bærekraft', 'velferdsstaten', 'arbeidsledighet', 'integrering', 'solcellepaneler', 'fellesskapet', 'ansvarsfølelse', 'lokalsamfunnet', 'utdanningssystemet', 'folkehelse', 'klimaendringer', 'likestilling']
    for (const seed of SEEDS) {
      const r = random(seed)
      const words = Array.from({ length: between(r, 9, 13) }, () => sentence(pick(r, CLAUSES.slice(0, 6))).replace('.', '').toLowerCase()).join(' ').split(' ')
      const scores = [scoreOf(estimate([turn('learner', words.join(' '))]).vocabulary)]
      for (const replacement of rare) {
        // Replace one occurrence of a repeated content word with a new, rarer word.
        const counts = new Map<string, number>()
        for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1)
        const repeated = words.map((w, i) => ({ w, i })).filter(({ w }) => (counts.get(w) ?? 0) > 1 && !['jeg', 'vi', 'i', 'på', 'en', 'et', 'og', 'å', 'har', 'er', 'om', 'til', 'to'].includes(w))
        if (repeated.length === 0) break
        words[pick(r, repeated).i] = replacement
        scores.push(scoreOf(estimate([turn('learner', words.join(' '))]).vocabulary))
      }
      expectStronger(scores, `seed ${seed}`)
    }
  })

  it('more and more varied connectives never lower coherence', () => {
    for (const seed of SEEDS) {
      const r = random(seed)
      const clauses = Array.from({ length: between(r, 6, 9) }, () => pick(r, CLAUSES))
      const connectives = clauses.map(() => pick(r, CONNECTIVES))
      const chain = clauses.map((_, k) => clauses.map((c, i) => sentence(c, i < k ? connectives[i] : undefined)).join(' '))
      expectStronger(
        chain.map((text) => scoreOf(estimate([turn('learner', text)]).coherence)),
        `seed ${seed}`,
      )
    }
  })

  it('asking the partner questions and taking up their words never lowers interaction', () => {
    // The partner's line, then the learner's three answers of the same length (so the balance of words
    // does not move): a statement that takes up nothing, a question that takes up nothing, a question
    // that takes up the partner's words.
    const exchanges: ReadonlyArray<readonly [string, string, string, string]> = [
      ['Jeg liker å lage mat.', 'Det er bra.', 'Spiller du fotball?', 'Lager du mat?'],
      ['Vi bor i sentrum.', 'Det høres fint.', 'Jobber du mye?', 'Bor du sentralt?'],
      ['Jeg jobber på lageret.', 'Det var spennende.', 'Trener du ofte?', 'Jobber du mye?'],
      ['Vi går tur i helgene.', 'Det er koselig.', 'Reiser du ofte?', 'Går du tur?'],
    ]
    for (const seed of SEEDS.slice(0, 20)) {
      const r = random(seed)
      const rounds = Array.from({ length: between(r, 5, 7) }, () => pick(r, exchanges))
      const forms: Array<1 | 2 | 3> = rounds.map(() => 1)
      const conversation = () => rounds.flatMap((exchange, i) => [turn('partner', exchange[0]), turn('learner', exchange[forms[i]!])])
      const scores = [scoreOf(estimate(conversation()).interaction)]
      for (let i = 0; i < rounds.length; i += 1) {
        forms[i] = 2 // a question
        scores.push(scoreOf(estimate(conversation()).interaction))
        forms[i] = 3 // a question that takes up the partner's words
        scores.push(scoreOf(estimate(conversation()).interaction))
      }
      expectStronger(scores, `seed ${seed}`)
    }
  })

  it('saying more on the topic never lowers task completion', () => {
    for (const seed of SEEDS.slice(0, 20)) {
      const r = random(seed)
      const sentences: string[] = [sentence(pick(r, CLAUSES))]
      const scores: number[] = []
      for (let step = 0; step < 8; step += 1) {
        sentences.push(sentence(pick(r, CLAUSES)))
        scores.push(scoreOf(estimate([turn('learner', sentences.join(' '))], { expectedSpeakingSeconds: 90, promptKeywords: ['leilighet', 'barn', 'jobb', 'mat', 'skole'] }).task_completion))
      }
      expectStronger(scores, `seed ${seed}`)
    }
  })
})

// ---------------------------------------------------------------------------
// Sample answers at A1, A2, B1 and B2
// ---------------------------------------------------------------------------

/**
 * Plausible answers written for this test (not transcripts of real learners) to prompts of their level
 * (A1 present yourself, A2 an ordinary day, B1 your life in Norway, B2 "should language courses be free
 * for everyone?"), each with the prompt's key words and synthetic timings typical of the level: word
 * length, how often a pause comes, how long it is, how soon the answer starts.
 */
const SAMPLES = {
  A1: {
    promptKeywords: ['heter', 'kommer fra', 'bor', 'familie', 'jobb'],
    text: 'Jeg heter Amina. Jeg kommer fra Somalia. Jeg bor i Drammen. Eh jeg har tre barn og en mann. Jeg liker å lage mat. Eh jeg jobber ikke. Jeg lærer norsk. Norsk er vanskelig. Eh jeg liker Norge. Det er fint.',
    timing: { wordMs: 430, pauseEvery: 2, pauseMs: 1300, delayMs: 3000 },
  },
  A2: {
    promptKeywords: ['morgen', 'jobb', 'skole', 'middag', 'helg'],
    text: 'Jeg heter Amina og jeg kommer fra Somalia. Jeg har bodd i Norge i tre år. Nå bor jeg i Drammen med mannen min og tre barn. Om morgenen går barna på skolen og jeg går på norskkurs. Eh, jeg liker kurset fordi læreren er snill. Etter kurset handler jeg mat og lager middag. I helgen går vi tur i skogen eller besøker venner. Jeg vil gjerne jobbe i barnehage, men først må jeg lære mer norsk.',
    timing: { wordMs: 390, pauseEvery: 3, pauseMs: 950, delayMs: 2000 },
  },
  B1: {
    promptKeywords: ['Norge', 'språk', 'jobb', 'familie', 'framtid'],
    text: 'Jeg har bodd i Norge i fem år, og jeg synes det har vært en spennende tid. Da jeg kom hit, kunne jeg nesten ikke snakke norsk, så det var vanskelig å få kontakt med folk. Etter hvert begynte jeg på norskkurs, og der fikk jeg venner som også var nye i landet. Nå jobber jeg som assistent i en barnehage, noe som jeg trives veldig godt med. Jeg tror det er viktig å lære språket fordi det gjør det lettere å forstå kulturen. Likevel savner jeg familien min, og derfor prøver jeg å besøke dem hvert år. Hvis jeg får muligheten, vil jeg gjerne ta en utdanning som barnehagelærer.',
    timing: { wordMs: 350, pauseEvery: 5, pauseMs: 750, delayMs: 1300 },
  },
  B2: {
    promptKeywords: ['norskkurs', 'gratis', 'språk', 'arbeid', 'samfunn'],
    text: 'Etter min mening er det viktig at alle som flytter til Norge, får muligheten til å lære seg norsk så raskt som mulig. På den ene siden handler det om praktiske ting, for eksempel å kunne kommunisere med legen eller forstå informasjon fra skolen. På den andre siden handler det om tilhørighet: Selv om man kan klare seg på engelsk, blir det vanskeligere å delta i samfunnet og bygge nettverk dersom man ikke behersker språket. Dessuten viser erfaringer at arbeidsgivere ofte foretrekker søkere som snakker godt norsk, ettersom kommunikasjon med kolleger og kunder er avgjørende. Derfor mener jeg at kommunene burde tilby gratis kurs til alle, uavhengig av oppholdsgrunnlag. Det er likevel ikke nok å sitte i et klasserom; man må også bruke språket i hverdagen, og det krever at nordmenn er åpne og inkluderende.',
    timing: { wordMs: 310, pauseEvery: 8, pauseMs: 600, delayMs: 900 },
  },
} as const
const LEVELS = ['A1', 'A2', 'B1', 'B2'] as const

function sampleEstimates(level: (typeof LEVELS)[number]): CriterionEstimate[] {
  const { text, timing, promptKeywords } = SAMPLES[level]
  let t = 0
  const wordTimings = text.split(/\s+/).map((word, i) => {
    t += i === 0 ? 0 : i % timing.pauseEvery === 0 ? timing.pauseMs : 80
    const entry = { word, startMs: t, endMs: t + timing.wordMs }
    t += timing.wordMs
    return entry
  })
  const turns = [turn('examiner', 'Fortell.', { endedAt: at(-timing.delayMs) }), turn('learner', text, { startedAt: at(0), endedAt: at(t), wordTimings })]
  return estimateCriteria(extractSpeechFeatures(turns, { lexicon }), { expectedSpeakingSeconds: 60, promptKeywords: [...promptKeywords] })
}

describe('sample answers at A1, A2, B1 and B2', () => {
  const estimates = Object.fromEntries(LEVELS.map((level) => [level, sampleEstimates(level)])) as Record<(typeof LEVELS)[number], CriterionEstimate[]>
  const criterionScore = (level: (typeof LEVELS)[number], criterion: MeasuredCriterion) => {
    const e = estimates[level].find((x) => x.criterion === criterion)!
    return e.assessable ? e.score : null
  }

  it('score higher level by level on every measured criterion', () => {
    for (const criterion of ['fluency', 'grammar', 'coherence', 'task_completion'] as const) {
      expectNonDecreasing(LEVELS.map((level) => criterionScore(level, criterion)!), criterion)
    }
    // The A1 answer is too short for vocabulary (38 words).
    expect(criterionScore('A1', 'vocabulary')).toBeNull()
    expectNonDecreasing((['A2', 'B1', 'B2'] as const).map((level) => criterionScore(level, 'vocabulary')!), 'vocabulary')
  })

  it('land in increasing overall levels, each at its own level on the test of its pair', () => {
    const scores = LEVELS.map((level) => overallBand(estimates[level], 'A2-B1').score!)
    for (let i = 1; i < scores.length; i += 1) expect(scores[i]!).toBeGreaterThan(scores[i - 1]!)
    expect(overallBand(estimates.A1, 'A1-A2')).toMatchObject({ estimatedLevel: 'A1', outcome: 'lower' })
    expect(overallBand(estimates.A2, 'A2-B1')).toMatchObject({ estimatedLevel: 'A2', outcome: 'lower' })
    expect(overallBand(estimates.B1, 'A2-B1')).toMatchObject({ estimatedLevel: 'B1', outcome: 'upper' })
    expect(overallBand(estimates.B2, 'B1-B2')).toMatchObject({ estimatedLevel: 'B2', outcome: 'upper' })
    expect(overallBand(estimates.A1, 'A2-B1')).toMatchObject({ estimatedLevel: 'A1', outcome: 'below' })
  })
})
