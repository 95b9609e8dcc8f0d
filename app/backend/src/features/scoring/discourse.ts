/**
 * Clause- and discourse-level measures of learner speech without a parser: AS-units, subordinate clauses,
 * connectives, repairs (repetitions, self-corrections, cut-off words) and questions. Each heuristic is
 * described, with its known misses, in docs/scoring.md ("How the heuristics work").
 */
import { stem } from './lexical.js'
import {
  AUXILIARIES,
  CLAUSE_ADVERBS,
  FINITE_VERBS,
  FUNCTION_WORDS,
  STRONG_SUBJECTS,
  WEAK_SUBJECTS,
  hasVerbSuffix,
  looksFinite,
  splitSentences,
  type Token,
} from './tokenize.js'

const wordSet = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/))

/** A token that is said: a word, a number or a cut-off fragment (filled pauses are dropped). */
export type Word = Token

/** Tokens of a turn by sentence, filled pauses removed; cut-off fragments stay (the repair measures need them). */
export function wordsBySentence(text: string): Word[][] {
  return splitSentences(text)
    .map((sentence) => sentence.tokens.filter((token) => token.kind !== 'filler'))
    .filter((words) => words.length > 0)
}

// ---------------------------------------------------------------------------
// Clause starts and AS-units
// ---------------------------------------------------------------------------

const lowerAt = (words: readonly Word[], i: number): string => words[i]?.lower ?? ''

/**
 * A finite clause starts at `i`: a subject-only pronoun ("jeg", "vi"), or a pronoun that may be an object
 * ("det", "de") directly followed (after sentence adverbs) by a finite verb. Noun subjects are not
 * recognised: without a tagger "om morgenen drikker" and "om mannen drikker" look alike.
 */
export function clauseStartsAt(words: readonly Word[], i: number): boolean {
  const first = lowerAt(words, i)
  if (STRONG_SUBJECTS.has(first)) return true
  if (!WEAK_SUBJECTS.has(first)) return false
  let j = i + 1
  while (CLAUSE_ADVERBS.has(lowerAt(words, j))) j += 1
  return looksFinite(lowerAt(words, j))
}

const COORDINATORS = wordSet('og men eller')
/** Words before "så" that make it the verb "saw" or an adverb, not "so": "da så jeg", "i går så jeg". */
const SAA_BLOCKERS = wordSet('da nå her der dit hit så også ofte aldri alltid går gang plutselig etterpå deretter først endelig senere dag kveld morges helgen fjor tid')

/** "så" meaning "so" (result) or "then" at `i`, with which sense, or null when it is a verb or degree adverb. */
function saaConnective(words: readonly Word[], i: number, unitInitial: boolean): 'causal' | 'temporal' | null {
  if (lowerAt(words, i) !== 'så') return null
  const prev = lowerAt(words, i - 1)
  const linked = unitInitial || words[i]?.commaBefore === true || COORDINATORS.has(prev)
  const next = lowerAt(words, i + 1)
  // "så jeg ble hjemme": result, with main-clause order after it.
  if (clauseStartsAt(words, i + 1) && (linked || (!STRONG_SUBJECTS.has(prev) && !FUNCTION_WORDS.has(prev) && !SAA_BLOCKERS.has(prev) && prev !== ''))) {
    return 'causal'
  }
  // "så gikk vi hjem": then, with the verb right after it.
  if (linked && (FINITE_VERBS.has(next) || hasVerbSuffix(next))) return 'temporal'
  return null
}

/** "for" meaning "because": a clause follows and it is not "for det første". */
function forConnective(words: readonly Word[], i: number, unitInitial: boolean): boolean {
  if (lowerAt(words, i) !== 'for') return false
  const linked = unitInitial || words[i]?.commaBefore === true
  return linked && clauseStartsAt(words, i + 1)
}

/**
 * AS-units (Foster, Tonkyn & Wigglesworth 2000) approximated: each sentence is a unit, split again where a
 * coordinated main clause with its own subject starts ("…, og jeg bor …", "… men det er …", "…, så jeg …",
 * "…, for jeg …", "og så gikk vi …"). Coordinated verbs that share a subject stay in one unit.
 */
export function asUnits(text: string): Word[][] {
  const units: Word[][] = []
  for (const words of wordsBySentence(text)) {
    let start = 0
    for (let i = 1; i < words.length; i += 1) {
      const lower = lowerAt(words, i)
      let split = false
      if (COORDINATORS.has(lower)) {
        split =
          clauseStartsAt(words, i + 1) ||
          // "og så gikk vi", "men i dag jobber jeg": one or two words, a finite verb, a subject.
          [1, 2].some((gap) => FINITE_VERBS.has(lowerAt(words, i + 1 + gap)) && STRONG_SUBJECTS.has(lowerAt(words, i + 2 + gap)))
      } else if (lower === 'så') {
        split = saaConnective(words, i, false) === 'causal'
      } else if (lower === 'for') {
        split = forConnective(words, i, false)
      }
      if (split && i > start) {
        units.push(words.slice(start, i))
        start = i
      }
    }
    units.push(words.slice(start))
  }
  return units.filter((unit) => unit.some((word) => word.kind === 'word' || word.kind === 'number'))
}

// ---------------------------------------------------------------------------
// Subordinate clauses
// ---------------------------------------------------------------------------

export type ConnectiveCategory = 'additive' | 'contrastive' | 'causal' | 'temporal'
export const connectiveCategories: readonly ConnectiveCategory[] = ['additive', 'contrastive', 'causal', 'temporal']

interface Subordinator {
  words: string[]
  /** Counted only when a clause follows ("om jeg kommer", not "om morgenen"). */
  checked?: boolean
  /** When the subordinator also links ideas, its connective category. */
  category?: ConnectiveCategory
}

/** Longest first, so "selv om" wins over "om" and "etter at" over "at". */
const SUBORDINATORS: readonly Subordinator[] = (
  [
    { words: ['til', 'tross', 'for', 'at'], category: 'contrastive' },
    { words: ['på', 'grunn', 'av', 'at'], category: 'causal' },
    { words: ['selv', 'om'], category: 'contrastive' },
    { words: ['etter', 'at'], category: 'temporal' },
    { words: ['for', 'at'], category: 'causal' },
    { words: ['slik', 'at'], category: 'causal' },
    { words: ['sånn', 'at'], category: 'causal' },
    { words: ['så', 'at'], category: 'causal' },
    { words: ['uten', 'at'] },
    { words: ['som', 'om'] },
    { words: ['med', 'mindre'], category: 'causal' },
    { words: ['så', 'snart'], category: 'temporal' },
    { words: ['i', 'tilfelle'], category: 'causal' },
    { words: ['fordi'], category: 'causal' },
    { words: ['hvis'], category: 'causal' },
    { words: ['dersom'], category: 'causal' },
    { words: ['ettersom'], category: 'causal' },
    { words: ['mens'], category: 'temporal' },
    { words: ['skjønt'], category: 'contrastive' },
    { words: ['hvorvidt'] },
    { words: ['at'] },
    { words: ['når'], checked: true, category: 'temporal' },
    { words: ['da'], checked: true, category: 'temporal' },
    { words: ['før'], checked: true, category: 'temporal' },
    { words: ['siden'], checked: true, category: 'temporal' },
    { words: ['inntil'], checked: true, category: 'temporal' },
    { words: ['enda'], checked: true, category: 'contrastive' },
    { words: ['om'], checked: true },
  ] satisfies Subordinator[]
).sort((a, b) => b.words.length - a.words.length)

/** Before "da", these make it a particle ("ja da", "nei da"), not "when". */
const PARTICLE_LEADS = wordSet('ja nei jo okei ok javel')
const WH_WORDS = wordSet('hva hvem hvor hvorfor hvordan hvilken hvilket hvilke')
/** Before "som", these make it comparative ("like stor som", "samme som"), not relative. */
const COMPARATIVE_CUES = wordSet('like så samme akkurat slik sånn både lik liksom')

function matchesAt(words: readonly Word[], i: number, phrase: readonly string[]): boolean {
  return phrase.every((part, k) => lowerAt(words, i + k) === part)
}

/** A verb form at `i - 1`: listed, or any word after a subject pronoun, an auxiliary or "å" ("jeg jobber som", "har jobbet som"). */
function verbBefore(words: readonly Word[], i: number): boolean {
  const prev = lowerAt(words, i - 1)
  if (FINITE_VERBS.has(prev)) return true
  const before = lowerAt(words, i - 2)
  return !FUNCTION_WORDS.has(prev) && (STRONG_SUBJECTS.has(before) || AUXILIARIES.has(before) || before === 'å')
}

/** Nouns for people and jobs end like present-tense verbs ("som lærer", "som sykepleier"): not a verb after "som". */
const AGENT_NOUN_ENDINGS = ['lærer', 'pleier', 'leder', 'arbeider', 'snekker', 'baker', 'maler', 'elektriker', 'legger', 'giver', 'forsker', 'holder', 'sjåfør']

/** Relative "som" ("mannen som bor der", "boka som jeg leste"), not "som lærer" or "like stor som meg". */
function relativeSomAt(words: readonly Word[], i: number): boolean {
  if (i === 0 || lowerAt(words, i) !== 'som') return false
  for (let k = Math.max(0, i - 3); k < i; k += 1) if (COMPARATIVE_CUES.has(lowerAt(words, k))) return false
  if (WH_WORDS.has(lowerAt(words, i - 1)) || verbBefore(words, i)) return false
  let j = i + 1
  while (CLAUSE_ADVERBS.has(lowerAt(words, j))) j += 1
  const next = lowerAt(words, j)
  if (AGENT_NOUN_ENDINGS.some((ending) => next.endsWith(ending))) return false
  return looksFinite(next) || clauseStartsAt(words, j)
}

export interface SubordinateClause {
  /** The subordinator as said ("fordi", "selv om", "som", "hva"). */
  subordinator: string
  category?: ConnectiveCategory
  /** Position of its first word in the unit, and its number of words. */
  at: number
  length: number
}

/** Subordinate clauses of one AS-unit, one per subordinator found. */
export function subordinateClauses(unit: readonly Word[]): SubordinateClause[] {
  const found: SubordinateClause[] = []
  for (let i = 0; i < unit.length; i += 1) {
    const lower = lowerAt(unit, i)
    const match = SUBORDINATORS.find((candidate) => matchesAt(unit, i, candidate.words))
    if (match) {
      const after = i + match.words.length
      // "fordi at" (colloquial): the "at" belongs to the clause "fordi" already opened.
      const doubled = lower === 'at' && found.length > 0 && SUBORDINATORS.some((s) => s.words.length === 1 && s.words[0] === lowerAt(unit, i - 1))
      // A checked subordinator needs its clause right after it: "ja da, det er greit" is a particle.
      const clauseFollows = clauseStartsAt(unit, after) && !unit[after]?.commaBefore && !PARTICLE_LEADS.has(lowerAt(unit, i - 1))
      if (!doubled && (!match.checked || clauseFollows)) {
        found.push({ subordinator: match.words.join(' '), at: i, length: match.words.length, ...(match.category ? { category: match.category } : {}) })
        i = after - 1
        continue
      }
    }
    if (WH_WORDS.has(lower) && i > 0) {
      // Embedded question or free relative: "jeg vet ikke hva han heter", "hva som skjedde".
      if (lowerAt(unit, i + 1) === 'som') {
        found.push({ subordinator: lower, at: i, length: 2 })
        i += 1
        continue
      }
      if (clauseStartsAt(unit, i + 1)) found.push({ subordinator: lower, at: i, length: 1 })
      continue
    }
    if (relativeSomAt(unit, i)) found.push({ subordinator: 'som', at: i, length: 1 })
  }
  return found
}

// ---------------------------------------------------------------------------
// Connectives
// ---------------------------------------------------------------------------

interface Connective {
  words: string[]
  category: ConnectiveCategory
}

/** Connectives that are not subordinators (those are counted from the subordinate clauses found). */
const CONNECTIVES: readonly Connective[] = (
  [
    { words: ['på', 'den', 'ene', 'siden'], category: 'contrastive' },
    { words: ['på', 'den', 'andre', 'siden'], category: 'contrastive' },
    { words: ['først', 'og', 'fremst'], category: 'additive' },
    { words: ['for', 'det', 'første'], category: 'temporal' },
    { words: ['for', 'det', 'andre'], category: 'temporal' },
    { words: ['for', 'det', 'tredje'], category: 'temporal' },
    { words: ['på', 'grunn', 'av'], category: 'causal' },
    { words: ['av', 'den', 'grunn'], category: 'causal' },
    { words: ['i', 'tillegg'], category: 'additive' },
    { words: ['for', 'eksempel'], category: 'additive' },
    { words: ['blant', 'annet'], category: 'additive' },
    { words: ['i', 'stedet'], category: 'contrastive' },
    { words: ['tvert', 'imot'], category: 'contrastive' },
    { words: ['til', 'slutt'], category: 'temporal' },
    { words: ['til', 'sist'], category: 'temporal' },
    { words: ['etter', 'det'], category: 'temporal' },
    { words: ['og'], category: 'additive' },
    { words: ['også'], category: 'additive' },
    { words: ['eller'], category: 'additive' },
    { words: ['dessuten'], category: 'additive' },
    { words: ['forresten'], category: 'additive' },
    { words: ['men'], category: 'contrastive' },
    { words: ['likevel'], category: 'contrastive' },
    { words: ['allikevel'], category: 'contrastive' },
    { words: ['derimot'], category: 'contrastive' },
    { words: ['imidlertid'], category: 'contrastive' },
    { words: ['uansett'], category: 'contrastive' },
    { words: ['derfor'], category: 'causal' },
    { words: ['dermed'], category: 'causal' },
    { words: ['altså'], category: 'causal' },
    { words: ['følgelig'], category: 'causal' },
    { words: ['først'], category: 'temporal' },
    { words: ['deretter'], category: 'temporal' },
    { words: ['etterpå'], category: 'temporal' },
    { words: ['senere'], category: 'temporal' },
    { words: ['endelig'], category: 'temporal' },
  ] satisfies Connective[]
).sort((a, b) => b.words.length - a.words.length)

export interface ConnectiveUse {
  /** Canonical form ("og", "selv om", "så"). */
  connective: string
  category: ConnectiveCategory
}

/**
 * Connectives of one AS-unit: the subordinators with a category, the listed adverbials and conjunctions,
 * "så" as "so"/"then", "for" as "because" and "da" as "then" ("da gikk vi") only where the context says so.
 */
export function connectivesIn(unit: readonly Word[], clauses: readonly SubordinateClause[] = subordinateClauses(unit)): ConnectiveUse[] {
  const used: ConnectiveUse[] = clauses.flatMap((clause) => (clause.category ? [{ connective: clause.subordinator, category: clause.category }] : []))
  // Words of a subordinator are not counted again ("etter at" is not also "etter det", "for at" not "for").
  const taken = new Set(clauses.flatMap((clause) => Array.from({ length: clause.length }, (_, k) => clause.at + k)))
  for (let i = 0; i < unit.length; i += 1) {
    if (taken.has(i)) continue
    const lower = lowerAt(unit, i)
    const match = CONNECTIVES.find((candidate) => matchesAt(unit, i, candidate.words) && candidate.words.every((_, k) => !taken.has(i + k)))
    // Phrases first: "for det første" is not "for" + a clause.
    if (match && match.words.length > 1) {
      used.push({ connective: match.words.join(' '), category: match.category })
      i += match.words.length - 1
      continue
    }
    const saa = saaConnective(unit, i, i === 0)
    if (saa) {
      used.push({ connective: 'så', category: saa })
      continue
    }
    if (forConnective(unit, i, i === 0)) {
      used.push({ connective: 'for', category: 'causal' })
      continue
    }
    // "Da gikk vi hjem": "then" at the start of a unit, the verb right after it.
    if (lower === 'da' && i === 0 && FINITE_VERBS.has(lowerAt(unit, 1))) {
      used.push({ connective: 'da', category: 'temporal' })
      continue
    }
    if (match) used.push({ connective: lower, category: match.category })
  }
  return used
}

// ---------------------------------------------------------------------------
// Repairs
// ---------------------------------------------------------------------------

/** Words whose immediate repetition is emphasis or backchannel, not disfluency ("veldig veldig", "ja ja"). */
const LEGITIMATE_DOUBLES = wordSet('ja nei veldig mye hei ha takk bra jo nå')

export interface Repairs {
  /** Immediate repetitions of a word or of two or three words ("jeg jeg", "jeg har jeg har"). */
  repetitions: number
  /** Restarts with a changed form ("jeg har … jeg hadde", "han går han gikk", "bor bodde"). */
  selfCorrections: number
  /** Words broken off, written with a final hyphen ("bo- bor"). */
  cutOffs: number
}

/** Two forms of one word: different, with the same stem ("har"/"hadde", "bor"/"bodde", "stor"/"store"). */
function formsOfOneWord(a: string, b: string): boolean {
  return a !== b && stem(a) === stem(b)
}

/** Repairs in one turn's words (filled pauses already removed, so "jeg eh jeg" is a repetition). */
export function repairsIn(words: readonly Word[]): Repairs {
  const result: Repairs = { repetitions: 0, selfCorrections: 0, cutOffs: 0 }
  const lower = words.map((word) => word.lower)
  let i = 0
  while (i < words.length) {
    if (words[i]?.kind === 'cutoff') {
      result.cutOffs += 1
      i += 1
      continue
    }
    const repeated = [3, 2, 1].find(
      (k) => i + 2 * k <= lower.length && lower.slice(i, i + k).every((w, m) => w === lower[i + k + m]) && !(k === 1 && LEGITIMATE_DOUBLES.has(lower[i] ?? '')),
    )
    if (repeated) {
      result.repetitions += 1
      i += repeated
      continue
    }
    // Retrace: the same first word again after one or two words, then a changed form of the word after it.
    const retrace = [2, 3].find((k) => {
      const first = lower[i]
      const changedFrom = lower[i + 1]
      const changedTo = lower[i + k + 1]
      return first !== undefined && lower[i + k] === first && changedFrom !== undefined && changedTo !== undefined && formsOfOneWord(changedFrom, changedTo)
    })
    if (retrace) {
      result.selfCorrections += 1
      i += retrace
      continue
    }
    // Adjacent forms of one word: "jeg bor bodde", "en stor store hus".
    const next = lower[i + 1]
    if (next !== undefined && words[i + 1]?.kind === 'word' && formsOfOneWord(lower[i] ?? '', next) && !FUNCTION_WORDS.has(next)) {
      result.selfCorrections += 1
      i += 1
      continue
    }
    i += 1
  }
  return result
}

// ---------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------

const QUESTION_WORDS = wordSet('hva hvem hvor hvorfor hvordan når hvilken hvilket hvilke')
const ADDRESSEES = wordSet('du dere')
const QUESTION_TAGS = [/\bikke sant\s*[?.!]*\s*$/iu, /\beller hva\s*[?.!]*\s*$/iu, /\bhva med deg\b/iu, /\bhva synes du\b/iu, /\bhva tenker du\b/iu]
/** Requests to the examiner, not questions to the partner. */
const REPEAT_REQUESTS = /\b(?:gjenta|en gang til|hva sa du|saktere|jeg forstår ikke|jeg skjønner ikke)\b/iu

/**
 * A turn that asks something: a question mark, a question word first ("hva", "hvorfor", "når" before a
 * verb), a verb first with "du"/"dere" after it ("Liker du …?", "Har dere …?"), or a tag ("ikke sant",
 * "hva med deg"). Requests to repeat are not questions here.
 */
export function asksQuestion(text: string): boolean {
  if (REPEAT_REQUESTS.test(text)) return false
  if (QUESTION_TAGS.some((pattern) => pattern.test(text))) return true
  for (const sentence of splitSentences(text)) {
    if (sentence.question) return true
    const words = sentence.tokens.filter((token) => token.kind === 'word').map((token) => token.lower)
    const [first = '', second = ''] = words
    if (QUESTION_WORDS.has(first) && (first !== 'når' || looksFinite(second))) return true
    if (ADDRESSEES.has(second) && (FINITE_VERBS.has(first) || hasVerbSuffix(first))) return true
  }
  return false
}
