import type { CefrLevel, PhraseItem, VocabularyItem } from '../../../core/db/schema/index.js'

/**
 * What the scripted tutor can tell about an answer without understanding it: how long it is, whether
 * it is a question or a request for help, and which of the lesson's phrases and words it contains.
 */

/** Lower-cased words (letters, digits, apostrophes and hyphens inside words). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu) ?? []
}

const questionWords = new Set(['hva', 'hvor', 'hvem', 'hvorfor', 'hvordan', 'når', 'hvilken', 'hvilket', 'hvilke', 'hvis'])

/** Speech recognition often drops the question mark, so a leading question word counts too ("hvis" excepted). */
export function isQuestion(text: string): boolean {
  if (/\?\s*$/.test(text)) return true
  const first = wordsOf(text)[0]
  return first !== undefined && first !== 'hvis' && questionWords.has(first)
}

const helpPatterns = [
  /\bjeg (?:vet|skjønner|forstår|kan) ikke\b/i,
  /\bhjelp\b/i,
  /\b(?:i )?(?:don'?t|do not) (?:know|understand)\b/i,
  /^\s*(?:help|hint)\s*[.!?]*\s*$/i,
]
/**
 * Requests are short: inside a longer answer the same words are content ("Jeg kan ikke lage mat, men
 * mannen min …"), not a request.
 */
const MAX_REQUEST_WORDS = 8

/** "Jeg vet ikke", "hjelp", "I don't know": the learner wants a model answer. */
export function asksForHelp(text: string): boolean {
  return wordsOf(text).length <= MAX_REQUEST_WORDS && helpPatterns.some((pattern) => pattern.test(text))
}

const repeatPatterns = [/\ben gang til\b/i, /\bgjenta\b/i, /\bhva sa du\b/i, /\bsaktere\b/i, /\b(?:repeat|again|slower)\b/i]
/** "Kan du si det en gang til?", "Kan du snakke saktere?": say the last question again. */
export function asksToRepeat(text: string): boolean {
  return wordsOf(text).length <= MAX_REQUEST_WORDS && repeatPatterns.some((pattern) => pattern.test(text))
}

/** Fewer words than this is "very short" at a level: the tutor invites the learner to say more. */
export const shortAnswerWords: Record<CefrLevel, number> = { A1: 2, A2: 3, B1: 5, B2: 8 }

function normalise(text: string): string {
  return wordsOf(text).join(' ')
}

/** Phrase text split at its gaps ("Jeg kommer fra …" → ["jeg kommer fra"]); parts of one word are dropped. */
function phraseParts(phrase: string): string[] {
  return phrase
    .split(/…|\.\.\./)
    .map(normalise)
    .filter((part) => part.split(' ').length >= 2)
}

/** Lesson phrases the answer contains: every fixed part of the phrase, in order. */
export function usedPhrases(answer: string, phrases: PhraseItem[]): string[] {
  const text = ` ${normalise(answer)} `
  return phrases
    .filter((phrase) => {
      const parts = phraseParts(phrase.text)
      if (parts.length === 0) return false
      let from = 0
      for (const part of parts) {
        const at = text.indexOf(` ${part} `, from)
        if (at < 0) return false
        from = at + part.length
      }
      return true
    })
    .map((phrase) => phrase.text)
}

const articles = new Set(['en', 'ei', 'et', 'å'])

/** Inflection endings of Bokmål nouns and adjectives (bil → bilen, bilene, bils) and verbs on their stem (snakk → snakker, snakket). */
const nounEndings = ['', 'en', 'et', 'a', 'er', 'ene', 'ne', 'e', 's', 'ens', 'ets']
const verbEndings = ['e', 'er', 'et', 'te', 'de', 'es', 'ende', 'r', 't']

/**
 * Lesson words the answer contains, inflected forms included: "et navn" matches "navnet", "å snakke"
 * matches "snakker". A word matches only as its lemma plus a regular ending, so "bil" never matches
 * "bilde". Irregular forms (gikk, sa) are not recognised.
 */
export function usedVocabulary(answer: string, vocabulary: VocabularyItem[]): string[] {
  const words = new Set(wordsOf(answer))
  const ordered = ` ${wordsOf(answer).join(' ')} `
  return vocabulary
    .filter((item) => {
      const termWords = wordsOf(item.term)
      const isVerb = termWords[0] === 'å'
      const lemma = termWords.filter((word, index) => index > 0 || !articles.has(word))
      if (lemma.length === 0) return false
      if (lemma.length > 1) return ordered.includes(` ${lemma.join(' ')} `)
      const word = lemma[0]!
      if (isVerb) {
        const stem = word.endsWith('e') && word.length > 3 ? word.slice(0, -1) : word
        return words.has(word) || verbEndings.some((ending) => words.has(stem + ending))
      }
      return nounEndings.some((ending) => words.has(word + ending))
    })
    .map((item) => item.term)
}
