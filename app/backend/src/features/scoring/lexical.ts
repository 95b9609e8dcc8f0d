/**
 * Lexical measures of learner speech: a light lemmatiser for Bokmål, the frequency lexicon (the content
 * pack's word list), MTLD. See docs/scoring.md for what each measure means and its limits.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { defaultContentDir, type WordListEntry } from '../curriculum/content-pack.js'
import { FUNCTION_WORDS, type Token } from './tokenize.js'

// ---------------------------------------------------------------------------
// Irregular forms
// ---------------------------------------------------------------------------

/** Irregular inflected forms → lemma (the suffix rules cannot reach these). */
const IRREGULAR: Readonly<Record<string, string>> = (() => {
  const groups: Record<string, string> = {
    være: 'er var vært',
    ha: 'har hadde hatt',
    bli: 'blir ble blitt',
    kunne: 'kan kunnet',
    ville: 'vil villet',
    skulle: 'skal skullet',
    måtte: 'må',
    burde: 'bør',
    vite: 'vet visste visst',
    gå: 'går gikk gått',
    få: 'får fikk fått',
    si: 'sier sa sagt',
    gjøre: 'gjør gjorde gjort',
    komme: 'kom kommet',
    se: 'ser så sett',
    ta: 'tar tok tatt',
    gi: 'gir ga gav gitt',
    stå: 'står sto stod stått',
    sitte: 'satt sittet',
    ligge: 'lå ligget',
    drikke: 'drakk drukket',
    skrive: 'skrev skrevet',
    finne: 'fant funnet',
    treffe: 'traff truffet',
    sove: 'sov sovet',
    forstå: 'forstår forsto forstod forstått',
    selge: 'solgte solgt',
    fortelle: 'fortalte fortalt',
    velge: 'valgte valgt',
    spørre: 'spør spurte spurt',
    legge: 'la lagt',
    sette: 'satte',
    dra: 'drar dro dratt',
    hjelpe: 'hjalp hjulpet',
    bære: 'bar båret',
    synge: 'sang sunget',
    dø: 'dør døde dødd',
    le: 'ler lo ledd',
    bo: 'bor bodde bodd',
    tro: 'tror trodde trodd',
    synes: 'syntes',
    mann: 'menn mennene',
    bok: 'bøker bøkene',
    fot: 'føtter føttene',
    hånd: 'hender hendene',
    tann: 'tenner tennene',
    bror: 'brødre brødrene',
    søster: 'søstre søstrene',
    datter: 'døtre døtrene',
    mor: 'mødre mødrene',
    far: 'fedre fedrene',
    natt: 'netter nettene',
    god: 'bedre best beste godt',
    mye: 'mer mest',
    mange: 'flere flest',
    stor: 'større størst største',
    gammel: 'gamle eldre eldst eldste',
    ung: 'yngre yngst yngste',
    lang: 'lengre lengst lengste',
    liten: 'lille små mindre minst minste lita',
    ille: 'verre verst',
    sulten: 'sultne',
    vakker: 'vakre',
    enkel: 'enkle',
    travel: 'travle',
    sikker: 'sikre',
    åpen: 'åpne',
    egen: 'egne eget',
    voksen: 'voksne',
    min: 'mitt mine',
    din: 'ditt dine',
    sin: 'sitt sine',
    vår: 'vårt våre',
    en: 'ei et',
  }
  const map: Record<string, string> = {}
  for (const [lemma, forms] of Object.entries(groups)) for (const form of forms.split(' ')) map[form] = lemma
  return map
})()

/** Endings stripped by the stemmer, longest first. */
const SUFFIXES = ['ende', 'este', 'ene', 'ane', 'ere', 'ede', 'ete', 'dde', 'est', 'en', 'et', 'er', 'ar', 'te', 'de', 'a', 'e', 't', 'r']
const SECOND_PASS = ['e', 't', 'r']

function strip(word: string, suffixes: readonly string[], minimum: number): string {
  for (const suffix of suffixes) {
    if (word.endsWith(suffix) && word.length - suffix.length >= minimum) return word.slice(0, -suffix.length)
  }
  return word
}

/**
 * Lemma-light stem: lower case, irregular forms mapped to their lemma, then one common inflection ending
 * stripped (a second of -e/-t/-r only if three letters remain), a final double consonant collapsed. It
 * conflates the forms of one word ("jobber", "jobbet", "jobben" → "job"; "stort", "store" → "sto") and
 * sometimes two unrelated words; it is meant for matching words between turns, not for dictionaries.
 */
export function stem(word: string): string {
  const lower = word.toLowerCase()
  const base = IRREGULAR[lower] ?? lower
  let result = strip(base, SUFFIXES, 2)
  if (result !== base) result = strip(result, SECOND_PASS, 3)
  return result.replace(/([^aeiouyæøå])\1$/u, '$1')
}

/**
 * Dictionary forms a word form may belong to, most likely first: the form itself, its irregular lemma,
 * then for each matching ending the stem + "e" (verbs: "snakket" → "snakke"), the stem ("huset" → "hus")
 * and the stem with its final consonant doubled or undoubled ("begynte" → "begynne", "grønt" → "grønn").
 */
export function lemmaCandidates(word: string): string[] {
  const lower = word.toLowerCase()
  const candidates = [lower]
  const irregular = IRREGULAR[lower]
  if (irregular) candidates.push(irregular)
  for (const suffix of SUFFIXES) {
    if (!lower.endsWith(suffix) || lower.length - suffix.length < 2) continue
    const base = lower.slice(0, -suffix.length)
    candidates.push(`${base}e`, base)
    const last = base.at(-1) ?? ''
    if (/[^aeiouyæøå]/u.test(last)) {
      if (base.at(-2) === last) candidates.push(base.slice(0, -1))
      else candidates.push(`${base}${last}e`, base + last)
    }
  }
  return [...new Set(candidates)]
}

// ---------------------------------------------------------------------------
// Content words
// ---------------------------------------------------------------------------

/** A word that carries content: not a function word, not a number, not a filled pause or fragment. */
export function isContentWord(lower: string): boolean {
  return lower.length >= 2 && !FUNCTION_WORDS.has(lower) && !/^\p{N}/u.test(lower)
}

export function isContentToken(token: Token): boolean {
  return token.kind === 'word' && isContentWord(token.lower)
}

/** Stems of the content words of a text, for matching words between turns ("uptake") and prompts. */
export function contentStems(tokens: readonly Token[]): Set<string> {
  return new Set(tokens.filter(isContentToken).map((token) => stem(token.lower)))
}

// ---------------------------------------------------------------------------
// Frequency lexicon
// ---------------------------------------------------------------------------

export interface Lexicon {
  /**
   * Rank (1 = most frequent) of the lemma the word form belongs to: the form itself or its irregular
   * lemma if listed, else the most frequent listed candidate lemma; null when none is listed.
   */
  rankOf(word: string): number | null
  /** Number of distinct lemmas. */
  readonly size: number
}

/** A lexicon over the content pack's frequency list (or any entries of the same shape). */
export function buildLexicon(entries: readonly Pick<WordListEntry, 'rank' | 'lemma'>[]): Lexicon {
  const ranks = new Map<string, number>()
  for (const entry of entries) {
    const lemma = entry.lemma.toLowerCase()
    const known = ranks.get(lemma)
    if (known === undefined || entry.rank < known) ranks.set(lemma, entry.rank)
  }
  return {
    size: ranks.size,
    rankOf(word: string): number | null {
      const [form = '', ...others] = lemmaCandidates(word)
      const exact = ranks.get(form) ?? ranks.get(IRREGULAR[form] ?? '')
      if (exact !== undefined) return exact
      // An inflected content word is not a form of a function word ("mener" is not "men", "sitter" not
      // "sitt"); between readings of one form the more frequent wins ("venner": "venn", not "venne"),
      // which errs towards calling a word common rather than rare.
      const found = others.filter((candidate) => !FUNCTION_WORDS.has(candidate)).flatMap((candidate) => ranks.get(candidate) ?? [])
      return found.length > 0 ? Math.min(...found) : null
    },
  }
}

/**
 * The rows of a pack's `wordlist/frequency.tsv` in the content pack's WordListEntry shape. Validation is
 * readContentPack's job (run by `npm run content:check` and the loader); this reads the list alone, so
 * scoring keeps working while an unrelated part of the pack is being edited. Comment lines, the header
 * and rows without a numeric rank and a lemma are skipped.
 */
export function readFrequencyList(file: string): WordListEntry[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.replace(/\r$/, '').split('\t'))
    .filter(([rank, lemma]) => /^\d+$/.test(rank ?? '') && Boolean(lemma))
    .map(([rank, lemma, pos, cefr, gloss]) => ({ rank: Number(rank), lemma: lemma ?? '', pos: pos ?? '', cefr: cefr ?? '', gloss: gloss ?? '' }))
}

const loaded = new Map<string, Lexicon>()

/** The frequency lexicon of a content pack (default: the shipped Bokmål pack), read once per directory. */
export function loadLexicon(contentDir: string = defaultContentDir): Lexicon {
  let lexicon = loaded.get(contentDir)
  if (!lexicon) {
    lexicon = buildLexicon(readFrequencyList(path.join(contentDir, 'wordlist', 'frequency.tsv')))
    loaded.set(contentDir, lexicon)
  }
  return lexicon
}

// ---------------------------------------------------------------------------
// MTLD
// ---------------------------------------------------------------------------

/** McCarthy & Jarvis (2010): a factor ends when the running type–token ratio falls to this value. */
export const MTLD_TTR_THRESHOLD = 0.72

function mtldOneWay(tokens: readonly string[], threshold: number): number {
  let factors = 0
  let types = new Set<string>()
  let count = 0
  let ttr = 1
  for (const token of tokens) {
    count += 1
    types.add(token)
    ttr = types.size / count
    if (ttr <= threshold) {
      factors += 1
      types = new Set()
      count = 0
      ttr = 1
    }
  }
  // The unfinished last factor counts in proportion to how far its TTR fell towards the threshold.
  if (count > 0) factors += (1 - ttr) / (1 - threshold)
  // Never reaching the threshold (every token new) would divide by zero: count the text as one factor,
  // which makes MTLD the token count, a lower bound of the true value.
  return tokens.length / (factors > 0 ? factors : 1)
}

/**
 * Measure of Textual Lexical Diversity: the mean length of stretches of text whose type–token ratio stays
 * above 0.72, computed forwards and backwards and averaged (McCarthy & Jarvis 2010). 0 for no tokens.
 */
export function mtld(tokens: readonly string[], threshold: number = MTLD_TTR_THRESHOLD): number {
  if (tokens.length === 0) return 0
  return (mtldOneWay(tokens, threshold) + mtldOneWay([...tokens].reverse(), threshold)) / 2
}

/** Window of the moving-average type–token ratio, in tokens. */
export const MATTR_WINDOW = 50

/**
 * Moving-average type–token ratio (Covington & McFall 2010): the mean TTR of every window of `window`
 * consecutive tokens; the plain TTR when the text is shorter than one window, 0 for no tokens. Unlike
 * MTLD it cannot fall when a repeated word is replaced by a new one: every window's TTR stays or rises.
 */
export function mattr(tokens: readonly string[], window: number = MATTR_WINDOW): number {
  if (tokens.length === 0) return 0
  if (tokens.length <= window) return new Set(tokens).size / tokens.length
  const counts = new Map<string, number>()
  for (const token of tokens.slice(0, window)) counts.set(token, (counts.get(token) ?? 0) + 1)
  let total = counts.size / window
  for (let end = window; end < tokens.length; end += 1) {
    const leaving = tokens[end - window]!
    const left = (counts.get(leaving) ?? 0) - 1
    if (left === 0) counts.delete(leaving)
    else counts.set(leaving, left)
    const entering = tokens[end]!
    counts.set(entering, (counts.get(entering) ?? 0) + 1)
    total += counts.size / window
  }
  return total / (tokens.length - window + 1)
}
