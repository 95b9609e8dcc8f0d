/**
 * Tokens, sentences and AS-units of Norwegian Bokmål learner speech, for the measured speech features
 * (docs/scoring.md). Transcripts come from speech recognisers (often without punctuation or reliable
 * capitals) or from typing, so nothing here depends on punctuation being present; it only helps.
 */

export type TokenKind = 'word' | 'number' | 'filler' | 'cutoff'

export interface Token {
  /** As written (after abbreviation expansion), without a cut-off hyphen. */
  text: string
  /** Lower-cased `text`. */
  lower: string
  kind: TokenKind
  /** Starts with a capital letter (speech recognisers capitalise names, and sentence starts). */
  capitalised: boolean
  /** First token of its sentence. */
  sentenceInitial: boolean
  /** A comma, semicolon, colon or dash stands between this token and the one before. */
  commaBefore: boolean
}

export interface Sentence {
  tokens: Token[]
  /** Ends with a question mark. */
  question: boolean
}

const wordSet = (list: string): ReadonlySet<string> => new Set(list.trim().split(/\s+/))

/**
 * Abbreviations expanded before tokenising, so their full stops do not end sentences and the words count
 * as what is said ("f.eks." is said "for eksempel").
 */
const ABBREVIATIONS: ReadonlyArray<[RegExp, string]> = [
  [/\bf\.\s?eks\.?/giu, 'for eksempel'],
  [/\bbl\.\s?a\.?/giu, 'blant annet'],
  [/\bosv\.?(?=\s|$|[,;:!?])/giu, 'og så videre'],
  [/\bdvs\.?(?=\s|$|[,;:!?])/giu, 'det vil si'],
  [/\bkl\.(?=\s)/giu, 'klokka'],
  [/\bca\.(?=\s)/giu, 'cirka'],
  [/\bnr\.(?=\s)/giu, 'nummer'],
]

/**
 * Filled pauses as recognisers and typists write them: eh, ehm, eeh, em, øh, øhm, æh, hm, hmm, mm, mhm,
 * uh, um. Bare "e", "ø" and "æ" are left alone: they are words in some dialects and in Bokmål ("ø" = island).
 */
const FILLER = /^(?:e+h+m*|e+m+|e{2,}|ø+h+m*|æ+h+m*|h+m+|m{2,}|mhm|u+h+m*|u+m+)$/u

export function isFiller(lower: string): boolean {
  return FILLER.test(lower)
}

// A number (10, 10.30, 2,5, 1990-tallet) or a word with inner hyphens or apostrophes (e-post, IT-jobben).
const TOKEN = /\p{N}+(?:[.,:]\p{N}+)*(?:-[\p{L}\p{N}]+)*|\p{L}[\p{L}\p{M}\p{N}]*(?:['’-][\p{L}\p{M}\p{N}]+)*/gu
const SENTENCE_END = /[.!?…]+|\n+/gu

export function normaliseText(text: string): string {
  let result = text.normalize('NFC')
  for (const [pattern, replacement] of ABBREVIATIONS) result = result.replace(pattern, replacement)
  return result
}

function tokensOf(segment: string): Token[] {
  const tokens: Token[] = []
  let previousEnd = 0
  for (const match of segment.matchAll(TOKEN)) {
    const raw = match[0]
    const end = match.index + raw.length
    const between = segment.slice(previousEnd, match.index)
    previousEnd = end
    // "bo- bor": a hyphen right after a word and before a space, punctuation or the end marks a word cut off.
    const cut = segment[end] === '-' && !/[\p{L}\p{N}]/u.test(segment[end + 1] ?? '')
    const lower = raw.toLowerCase()
    let kind: TokenKind = 'word'
    if (cut) kind = 'cutoff'
    else if (/^\p{N}+(?:[.,:]\p{N}+)*$/u.test(raw)) kind = 'number'
    else if (isFiller(lower)) kind = 'filler'
    const commaBefore = tokens.length > 0 && /[,;:–—]|\s-\s/u.test(between)
    tokens.push({ text: raw, lower, kind, capitalised: /^\p{Lu}/u.test(raw), sentenceInitial: false, commaBefore })
  }
  const first = tokens.find((token) => token.kind !== 'filler')
  if (first) first.sentenceInitial = true
  return tokens
}

/** Sentences of one turn, split at . ! ? … and line breaks; unpunctuated speech is one sentence. */
export function splitSentences(text: string): Sentence[] {
  const normalised = normaliseText(text)
  const sentences: Sentence[] = []
  let start = 0
  const push = (segment: string, question: boolean) => {
    const tokens = tokensOf(segment)
    if (tokens.length > 0) sentences.push({ tokens, question })
  }
  for (const match of normalised.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length
    // A full stop inside a number ("10.30") or a word is not a sentence end.
    if (/^[.]/.test(match[0]) && /\p{N}/u.test(normalised[end] ?? '')) continue
    push(normalised.slice(start, end), match[0].includes('?'))
    start = end
  }
  push(normalised.slice(start), false)
  return sentences
}

/** All tokens of a text in order. */
export function tokenize(text: string): Token[] {
  return splitSentences(text).flatMap((sentence) => sentence.tokens)
}

/** Tokens that count as words said: words and numbers (not filled pauses, not cut-off fragments). */
export function lexicalTokens(tokens: readonly Token[]): Token[] {
  return tokens.filter((token) => token.kind === 'word' || token.kind === 'number')
}

// ---------------------------------------------------------------------------
// Closed word classes the heuristics need
// ---------------------------------------------------------------------------

/** Pronouns that can only be subjects: after a subordinator they start a clause. */
export const STRONG_SUBJECTS = wordSet('jeg du han hun vi dere man')
/** Words that are subjects only when a finite verb follows ("om det er" vs "om det i går"). */
export const WEAK_SUBJECTS = wordSet('det den de dette disse noen alle ingen der folk')

/** Adverbs that stand between subject and verb in a subordinate clause ("om han ikke kommer"). */
export const CLAUSE_ADVERBS = wordSet(
  'ikke aldri alltid også bare kanskje ofte egentlig virkelig jo nok vel fortsatt allerede sjelden gjerne heller faktisk sikkert nettopp vanligvis nesten ennå endelig plutselig',
)

/** Auxiliaries and modals, all forms: a verb form after them is a verb ("har jobbet som"). */
export const AUXILIARIES = wordSet(
  'er var vært være har hadde hatt ha blir ble blitt bli kan kunne vil ville skal skulle må måtte bør burde får fikk fått',
)

/**
 * Finite forms of frequent verbs, irregular or too short for the suffix rule. Many words ending in -er,
 * -et or -te are nouns (lærer, huset, søster), so the suffix rule alone is used only where the context
 * also points to a verb.
 */
export const FINITE_VERBS = wordSet(`
  er var har hadde kan kunne vil ville skal skulle må måtte bør burde får fikk går gikk kommer kom blir ble
  gjør gjorde sier sa vet visste tar tok ser så står sto stod gir ga gav bor bodde tror trodde synes syntes
  liker likte heter het jobber jobbet snakker snakket spiser spiste drikker drakk leser leste skriver skrev
  forstår forsto sitter satt ligger lå sover sov drar dro finner fant treffer traff hjelper hjalp spør spurte
  betyr betydde dør døde
`)

/** Verb-like endings of finite (and participle) forms: -er, -te, -de, -dde, -et. */
export function hasVerbSuffix(lower: string): boolean {
  return lower.length >= 4 && /(?:er|te|de|et)$/u.test(lower) && !FUNCTION_WORDS.has(lower)
}

/** A finite verb: a listed form, or a verb-suffixed word (the caller decides whether the context allows it). */
export function looksFinite(lower: string): boolean {
  return FINITE_VERBS.has(lower) || hasVerbSuffix(lower)
}

/**
 * Function words (pronouns, determiners, prepositions, conjunctions, subjunctions, auxiliaries, grammatical
 * adverbs, interjections, number words). Everything else that is a word counts as a content word.
 */
export const FUNCTION_WORDS = wordSet(`
  jeg meg min mitt mine du deg din ditt dine han ham hans hun henne hennes den det dens vi oss vår vårt våre
  dere deres de dem seg sin sitt sine man en ei et ett denne dette disse hva hvem hvor hvilken hvilket hvilke
  hvordan hvorfor hvorvidt noe noen ingen ingenting intet alle all alt hver hvert enhver samme selv annen annet
  andre ene begge mange mye flere flest få færre lite litt slik slikt slike sånn sånt sånne
  i på til for med av om fra etter over under mot ved hos mellom uten gjennom rundt før blant langs innen
  ifølge bak foran utenfor innenfor per via tross angående unntatt oppå siden inntil
  og men eller så for både verken enten samt enn
  at som om fordi hvis dersom når da mens ettersom skjønt enda idet
  er var vært være har hadde hatt ha blir ble blitt bli kan kunne vil ville skal skulle må måtte bør burde
  ikke også bare jo nok vel da nå her der dit hit heller
  ja nei jo takk hei ok okei hallo unnskyld ha å
  null to tre fire fem seks sju syv åtte ni ti elleve tolv
`)
