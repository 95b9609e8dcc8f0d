import { describe, expect, it } from 'vitest'
import { MAX_RESPONSE_DELAY_MS, MTLD_MIN_TOKENS, extractSpeechFeatures, featureEvidence, featureMetrics, type ScoringTurn } from './features.js'
import { buildLexicon } from './lexical.js'

const at = (ms: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, 0) + ms)
let nextId = 0
const turn = (role: ScoringTurn['role'], text: string, extra: Partial<ScoringTurn> = {}): ScoringTurn => ({ id: `t${(nextId += 1)}`, role, text, ...extra })
const learner = (text: string, extra: Partial<ScoringTurn> = {}) => turn('learner', text, extra)

describe('speech features: amount', () => {
  it('counts words, turns and words per turn, without filled pauses or cut-off fragments', () => {
    const features = extractSpeechFeatures([turn('examiner', 'Hvor bor du?'), learner('Eh jeg bo- bor i Oslo.'), turn('examiner', 'Og jobb?'), learner('Jeg har 2 jobber.')])
    // "jeg bor i oslo" (4) + "jeg har 2 jobber" (4) = 8 words over 2 turns.
    expect(features).toMatchObject({ wordCount: 8, learnerTurnCount: 2, wordsPerTurn: 4, filledPauseCount: 1, cutOffCount: 1 })
  })

  it('measures nothing from nothing: no turns, empty text, punctuation only, only filled pauses', () => {
    for (const turns of [[], [learner('')], [learner('... ?!')], [learner('eh ehm øh')]]) {
      const features = extractSpeechFeatures(turns)
      expect(features).toMatchObject({ wordCount: 0, learnerTurnCount: 0, wordsPerTurn: null, speechRateWpm: null, mtld: null, subordinationRatio: null, meanUnitLength: null, interaction: null })
      expect(features.filledPausesPer100Words).toBeNull()
    }
    expect(extractSpeechFeatures([learner('eh ehm øh')]).filledPauseCount).toBe(3)
  })

  it('handles a single word', () => {
    const features = extractSpeechFeatures([learner('Ja.', { startedAt: at(0), endedAt: at(500) })])
    // 1 word in 0.5 s = 120 words per minute.
    expect(features).toMatchObject({ wordCount: 1, learnerTurnCount: 1, typeCount: 1, mtld: null, asUnitCount: 1, speechRateWpm: 120 })
  })

  it('ignores examiner and partner words in the learner measures', () => {
    const features = extractSpeechFeatures([turn('examiner', 'Fortell om familien din, fordi vi vil høre.'), learner('Jeg har tre barn.')])
    expect(features.wordCount).toBe(4)
    expect(features.subordinateClauseCount).toBe(0)
  })
})

describe('speech features: timing', () => {
  // Word timings of "jeg bor i Oslo eh og jobber" (ms):
  //   jeg 0–200 · bor 250–500 · i 1300–1400 · Oslo 1500–1900 · eh 2400–2600 · og 2650–2800 · jobber 3100–3500
  // Gaps: 50, 800 (pause), 100, 500 (pause), 50, 300 (pause). The filled pause "eh" is sound, not silence.
  const timed = learner('jeg bor i Oslo eh og jobber', {
    startedAt: at(0),
    endedAt: at(4000),
    wordTimings: [
      { word: 'jeg', startMs: 0, endMs: 200 },
      { word: 'bor', startMs: 250, endMs: 500 },
      { word: 'i', startMs: 1300, endMs: 1400 },
      { word: 'Oslo', startMs: 1500, endMs: 1900 },
      { word: 'eh', startMs: 2400, endMs: 2600 },
      { word: 'og', startMs: 2650, endMs: 2800 },
      { word: 'jobber', startMs: 3100, endMs: 3500 },
    ],
  })

  it('finds silent pauses of 250 ms and more between words', () => {
    const features = extractSpeechFeatures([timed])
    // Pauses 800 + 500 + 300 = 1600 ms in 3; mean 533.3 ms.
    expect(features.pauseCount).toBe(3)
    expect(features.totalPauseMs).toBe(1600)
    expect(features.meanPauseMs).toBeCloseTo(533.33, 2)
    // 1600 of the 3500 ms from first to last word: 0.457.
    expect(features.pauseTimeRatio).toBeCloseTo(1600 / 3500, 10)
  })

  it('computes speech rate over the time from first to last word, pauses included', () => {
    // 6 words (the filled pause not counted) in 3500 ms: 6 / 3500 × 60 000 = 102.857 words per minute.
    expect(extractSpeechFeatures([timed]).speechRateWpm).toBeCloseTo(102.857, 3)
  })

  it('computes articulation rate over phonation time (pauses taken out)', () => {
    // Phonation 3500 − 1600 = 1900 ms: 6 / 1900 × 60 000 = 189.47 words per minute.
    const features = extractSpeechFeatures([timed])
    expect(features.phonationTimeMs).toBe(1900)
    expect(features.articulationRateWpm).toBeCloseTo(189.474, 3)
  })

  it('computes mean length of run between pauses', () => {
    // Runs: [jeg bor] 2 · [i Oslo] 2 · [eh og] 1 · [jobber] 1 → 6 words / 4 runs = 1.5.
    expect(extractSpeechFeatures([timed]).meanLengthOfRun).toBe(1.5)
  })

  it('does not count a gap just under the threshold as a pause', () => {
    const features = extractSpeechFeatures([
      learner('jeg bor her', { wordTimings: [{ word: 'jeg', startMs: 0, endMs: 200 }, { word: 'bor', startMs: 449, endMs: 600 }, { word: 'her', startMs: 850, endMs: 1000 }] }),
    ])
    // Gaps 249 (no) and 250 (yes).
    expect(features.pauseCount).toBe(1)
    expect(features.meanLengthOfRun).toBe(1.5)
  })

  it('uses the speaking time, else start and end, when there are no word timings', () => {
    // 4 words in 2400 ms of speaking time = 100 words per minute; in 3000 ms from start to end = 80.
    expect(extractSpeechFeatures([learner('Jeg bor i Oslo', { startedAt: at(0), endedAt: at(3000), speakingMs: 2400 })]).speechRateWpm).toBe(100)
    expect(extractSpeechFeatures([learner('Jeg bor i Oslo', { startedAt: at(0), endedAt: at(3000) })]).speechRateWpm).toBe(80)
  })

  it('leaves pause and run measures null without word timings, and every timing measure null without any timing', () => {
    const turnTimed = extractSpeechFeatures([learner('Jeg bor i Oslo', { startedAt: at(0), endedAt: at(3000) })])
    expect(turnTimed).toMatchObject({ pauseCount: null, meanPauseMs: null, meanLengthOfRun: null, articulationRateWpm: null, wordTimedTurnCount: 0, timedTurnCount: 1 })
    const typed = extractSpeechFeatures([learner('Jeg bor i Oslo')])
    expect(typed).toMatchObject({ speechRateWpm: null, speakingTimeMs: null, timedTurnCount: 0, responseDelayMs: null })
  })

  it('adds up several turns, timed each its own way', () => {
    // 6 words over 3500 ms + 4 words over 2400 ms = 10 words in 5900 ms = 101.69 words per minute.
    const features = extractSpeechFeatures([timed, learner('Jeg liker det her', { speakingMs: 2400 }), learner('Ja')])
    expect(features.speechRateWpm).toBeCloseTo(101.695, 3)
    expect(features.timedTurnCount).toBe(2)
    expect(features.wordTimedTurnCount).toBe(1)
    expect(features.timedWordCount).toBe(10)
  })

  it('measures response delay from the end of the other turn to the first word', () => {
    const features = extractSpeechFeatures([
      turn('examiner', 'Hvor bor du?', { endedAt: at(0) }),
      // Starts 1500 ms later; the first word comes 500 ms into the turn: 2000 ms.
      learner('Jeg bor i Oslo', { startedAt: at(1500), wordTimings: [{ word: 'Jeg', startMs: 500, endMs: 700 }] }),
      // A second learner turn in a row is not an answer.
      learner('Og jeg liker det', { startedAt: at(9000) }),
      turn('partner', 'Jeg også!', { endedAt: at(10_000) }),
      // Overlap: starts before the partner stopped, counted as 0.
      learner('Så fint', { startedAt: at(9800) }),
    ])
    // (2000 + 0) / 2 = 1000 ms.
    expect(features.responseDelayMs).toBe(1000)
    expect(features.responseDelayCount).toBe(2)
  })

  it('takes the end of an earlier examiner turn for the first answer, and leaves out preparation-length gaps', () => {
    const first = learner('Jeg bor i Oslo', { startedAt: at(3000) })
    expect(extractSpeechFeatures([first], { previousTurnEndedAt: at(0) }).responseDelayMs).toBe(3000)
    expect(extractSpeechFeatures([first], { previousTurnEndedAt: at(3000 - MAX_RESPONSE_DELAY_MS - 1) }).responseDelayMs).toBeNull()
  })
})

describe('speech features: vocabulary', () => {
  it('computes MTLD from the minimum number of tokens on, not below', () => {
    const words = Array.from({ length: MTLD_MIN_TOKENS - 1 }, (_, i) => ['jeg', 'liker', 'å', 'lage', 'mat', 'og', 'spise'][i % 7]).join(' ')
    expect(extractSpeechFeatures([learner(words)]).mtld).toBeNull()
    expect(extractSpeechFeatures([learner(`${words} sammen`)]).mtld).toBeGreaterThan(0)
  })

  it('measures the share of content words beyond the 1000 and 2000 most frequent lemmas', () => {
    const lexicon = buildLexicon([
      { rank: 10, lemma: 'bo' },
      { rank: 30, lemma: 'gi' },
      { rank: 50, lemma: 'by' },
      { rank: 1500, lemma: 'nabolag' },
      { rank: 2400, lemma: 'tilhørighet' },
    ])
    // Content words: bor (bo, 10), byen (by, 50), nabolaget (1500), gir (gi, 30), tilhørighet (2400),
    // fellesskap (not listed). "Bergen" is a name (capital inside the sentence) and is left out.
    const features = extractSpeechFeatures([learner('Jeg bor i byen Bergen, nabolaget gir tilhørighet og fellesskap.')], { lexicon })
    // Beyond 1000: nabolaget, tilhørighet, fellesskap = 3/6; beyond 2000: tilhørighet, fellesskap = 2/6.
    expect(features.contentWordCount).toBe(7)
    expect(features.beyond1000Share).toBeCloseTo(3 / 6, 10)
    expect(features.beyond2000Share).toBeCloseTo(2 / 6, 10)
    expect(features.offListCount).toBe(1)
    expect(features.offListWords).toEqual(['fellesskap'])
  })

  it('leaves sophistication null without a lexicon', () => {
    expect(extractSpeechFeatures([learner('Jeg bor i byen')])).toMatchObject({ beyond1000Share: null, beyond2000Share: null, offListCount: null })
  })
})

describe('speech features: complexity and coherence', () => {
  it('counts AS-units, words per unit and subordinate clauses per unit', () => {
    const features = extractSpeechFeatures([learner('Jeg bor i Oslo fordi jeg jobber der. Det er fint, men det er dyrt.')])
    // Units: "jeg bor i oslo fordi jeg jobber der" (8) · "det er fint" (3) · "men det er dyrt" (4): 15 / 3 = 5.
    expect(features.asUnitCount).toBe(3)
    expect(features.meanUnitLength).toBe(5)
    expect(features.subordinateClauseCount).toBe(1)
    expect(features.subordinationRatio).toBeCloseTo(1 / 3, 10)
    expect(features.subordinators).toEqual(['fordi'])
  })

  it('counts connectives, distinct and by category, and the ones beyond the basics', () => {
    const features = extractSpeechFeatures([learner('Jeg liker Oslo og Bergen. Men det regner mye, og derfor flytter vi. Likevel er det fint.')])
    expect(features.connectives).toMatchObject({
      total: 5,
      distinct: ['og', 'men', 'derfor', 'likevel'],
      advanced: ['derfor', 'likevel'],
      categoriesUsed: 3,
    })
    expect(features.connectives.byCategory.additive).toEqual({ total: 2, distinct: ['og'] })
    expect(features.connectives.byCategory.temporal).toEqual({ total: 0, distinct: [] })
  })

  it('counts repairs within sentences only', () => {
    const features = extractSpeechFeatures([learner('Jeg lærer norsk. Norsk er vanskelig. Jeg jeg har jeg hadde en bil.')])
    expect(features).toMatchObject({ repetitionCount: 1, selfCorrectionCount: 1 })
    // 2 repairs per 13 words.
    expect(features.repairsPer100Words).toBeCloseTo((2 / 13) * 100, 10)
  })
})

describe('speech features: interaction', () => {
  const conversation = [
    turn('examiner', 'Snakk sammen om fritid.'),
    turn('partner', 'Jeg liker å gå på ski om vinteren.'),
    learner('Ski er gøy! Går du ofte på ski?'),
    turn('partner', 'Ja, hver helg. Hva gjør du i helgene?'),
    learner('Jeg spiller fotball med barna mine.'),
    turn('partner', 'Det høres fint ut.'),
    learner('Ja.'),
  ]

  it('is null without partner turns', () => {
    expect(extractSpeechFeatures([turn('examiner', 'Hei'), learner('Hei')]).interaction).toBeNull()
  })

  it('counts questions, uptake and balance', () => {
    const interaction = extractSpeechFeatures(conversation).interaction!
    // Learner: 8 + 6 + 1 = 15 words, 1 question in 3 turns. Partner: 8 + 8 + 4 = 20 words.
    expect(interaction).toMatchObject({ partnerTurnCount: 3, partnerWordCount: 20, questionCount: 1, uptakeOpportunities: 3 })
    expect(interaction.questionShare).toBeCloseTo(1 / 3, 10)
    // Uptake: "ski" taken up in turn 1; "helgene" not reused in turn 2; "fint" not in "Ja": 1 of 3.
    expect(interaction.uptakeTurns).toBe(1)
    expect(interaction.turnBalance).toBeCloseTo(15 / 35, 10)
    // 1 − |15/35 − 0.5| × 2 = 0.857.
    expect(interaction.balanceIndex).toBeCloseTo(6 / 7, 10)
  })
})

describe('feature evidence', () => {
  it('names every metric in snake_case with a unit, and leaves out what was not measured', () => {
    const evidence = featureEvidence(extractSpeechFeatures([learner('Jeg bor i Oslo og jeg liker det.', { speakingMs: 3000 })]))
    for (const entry of evidence) {
      expect(entry.kind).toBe('measure')
      expect(entry.metric).toMatch(/^[a-z0-9]+(?:_[a-z0-9]+)*$/)
      expect(entry.unit).toBeTruthy()
      expect(Number.isFinite(entry.value)).toBe(true)
    }
    const metrics = evidence.map((entry) => entry.metric)
    expect(metrics).toContain('speech_rate_wpm')
    expect(metrics).toContain('subordination_ratio')
    expect(metrics).not.toContain('mean_pause_ms')
    expect(metrics).not.toContain('mtld')
    expect(metrics).not.toContain('uptake_ratio')
    expect(evidence.find((entry) => entry.metric === 'speech_rate_wpm')).toEqual({ kind: 'measure', metric: 'speech_rate_wpm', value: 160, unit: 'words/min' })
  })

  it('has a definition for every metric name it can produce', () => {
    for (const name of Object.keys(featureMetrics)) expect(name).toMatch(/^[a-z0-9]+(?:_[a-z0-9]+)*$/)
  })
})
