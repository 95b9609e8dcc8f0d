/**
 * Rule-based checks for frequent learner errors in Norwegian Bokmål, used by the offline tutor (no AI
 * available) to correct learners and to list corrected mistakes in sitting summaries.
 *
 * Precision over recall: each rule matches a narrow pattern built from explicit word lists, because telling
 * a learner that a correct sentence is wrong does far more harm than missing an error.
 *
 * Several errors in one sentence are reported independently: each finding's `corrected` is the original
 * sentence with only that finding's error fixed, so each correction can be shown and explained on its own.
 * Within one finding every occurrence of its error in the sentence is fixed ("Norsk og Engelsk" → "norsk og
 * engelsk", "en hus og et bil" → "et hus og en bil").
 */

export type LanguageCheckCategory = 'word_order' | 'verb_form' | 'article' | 'agreement' | 'preposition' | 'capitalization' | 'vocabulary'

export interface LanguageFinding {
  /** Stable rule id, kebab-case, e.g. 'v2-fronted-adverbial'. */
  rule: string
  category: LanguageCheckCategory
  /** The learner's sentence as written (one sentence, trimmed). */
  original: string
  /** The same sentence with this error corrected (other text unchanged, same capitalisation style and final punctuation). */
  corrected: string
  /** One short sentence in English explaining the rule to a learner. */
  explanation: string
  /** The same explanation in simple Bokmål. */
  explanationNb: string
}

export interface LanguageCheckOptions {
  /** Where the text came from. Capitalisation rules apply only to 'typed' text (speech recognisers capitalise unreliably). Default 'typed'. */
  source?: 'typed' | 'browser_speech' | 'speech_engine'
}

interface Word {
  text: string
  lower: string
  /** Spaces and punctuation between this word and the next (or the end of the sentence). */
  after: string
}

interface Sentence {
  text: string
  /** Anything before the first word, such as an opening quote. */
  lead: string
  words: Word[]
  question: boolean
  punctuated: boolean
}

/** The corrected word sequence: each slot names the original word it takes (with new text if changed); words left out are deleted. */
type Rewrite = { from: number; text?: string }[]
type Explanation = { en: string; nb: string }
interface Hit {
  /** Index of the first word involved, to order findings as they appear in the text. */
  at: number
  rewrite: Rewrite
  explanation?: Explanation
}
interface Rule extends Explanation {
  id: string
  category: LanguageCheckCategory
  typedOnly?: boolean
  find: (s: Sentence) => Hit | null
}

const wordSet = (list: string) => new Set(list.trim().split(/\s+/))

const SUBJECT_PRONOUNS = wordSet('jeg du han hun vi dere de den det man')
// Adverbs learners put between subject and verb; when the verb moves they stay after the subject.
const MID_ADVERBS = wordSet('ikke også aldri alltid ofte bare gjerne egentlig vanligvis fortsatt allerede nettopp virkelig nesten sjelden')
// Finite forms of common verbs. An explicit list, because many words ending in -er/-et are nouns (lærer, vinter, laget).
const FINITE_VERBS = wordSet(`
  er har kan vil skal må bør får går kommer bor jobber arbeider snakker liker heter spiser drikker leser skriver lærer forstår
  vet tror synes ser hører tar gir sier gjør blir står sitter ligger sover trenger bruker lager kjøper betaler reiser kjører
  sykler løper svømmer spiller trener begynner slutter husker glemmer venter handler vasker rydder ringer sender møter treffer
  besøker hjelper spør svarer tenker føler mener studerer elsker ønsker trives pleier prøver flytter drar regner snør koster
  passer åpner stenger bestiller skjønner savner lever henter
  var hadde kunne ville skulle måtte burde fikk gikk kom så sa gjorde tok ga ble sto satt lå het dro sov drakk skrev traff fant
  visste forsto jobbet snakket bodde likte spiste kjøpte reiste flyttet begynte lærte leste møtte trodde husket glemte hjalp
  spurte svarte tenkte følte kjørte betalte ringte sendte hørte studerte vasket lagde handlet besøkte syntes trengte brukte
  prøvde pleide elsket ventet åpnet mente sluttet savnet skjønte`)
// Finite verbs that are never participles, used to spot a second clause ("Hva du sier er riktig").
const CLAUSE_VERBS = wordSet('er var blir ble har hadde kan vil skal må')
const MODALS = wordSet('kan vil skal må bør kunne ville skulle måtte burde')
// Words that may stand between a modal and its infinitive; not "det", because "det å lære norsk" is a noun phrase.
const MODAL_GAP = wordSet('jeg du han hun vi dere de man ikke også gjerne bare alltid aldri nok virkelig egentlig ofte')
const COORDINATORS = wordSet('og men eller')
const INTERJECTIONS = wordSet('ja nei jo hei unnskyld beklager ok okei vel')
const WEEKDAYS = new Set(['mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag', 'søndag'].flatMap((d) => [d, `${d}er`, `${d}en`, `${d}ene`]))
const UNITS = wordSet('år måned måneder uke uker dag dager time timer minutt minutter')
// Cardinal numbers as words, including compounds such as "tjuefem".
const NUMBER_WORD =
  /^(?:en|ett|et|ei|to|tre|fire|fem|seks|sju|syv|åtte|ni|ti|elleve|tolv|tretten|fjorten|femten|seksten|sytten|atten|nitten|(?:tjue|tretti|førti|femti|seksti|sytti|åtti|nitti)(?:en|to|tre|fire|fem|seks|sju|syv|åtte|ni)?|hundre)$/
const QUANTITY_WORDS = wordSet('noen mange flere halvannet')
// Countries that take "i". Island states ("på Island", "på Cuba", "på Malta") take "på" and are deliberately absent.
const COUNTRIES = wordSet(`norge sverige danmark finland tyskland frankrike spania italia polen russland ukraina england storbritannia
  skottland usa canada kina japan india pakistan afghanistan iran irak syria tyrkia somalia eritrea etiopia sudan marokko egypt
  brasil mexico argentina chile colombia peru thailand vietnam litauen latvia estland romania bulgaria hellas portugal nederland
  belgia sveits østerrike ungarn tsjekkia nigeria kenya bangladesh nepal`)
// Verbs of living and working, the only contexts where "på <country>" is taken for "i <country>" ("tenke på Norge" is correct).
const LOCATION_VERBS = wordSet('bo bor bodde bodd jobbe jobber jobbet arbeide arbeider arbeidet studere studerer studerte studert født leve lever levde levd ferie bosatt')

// Nouns whose gender learners often get wrong; kept to words without a homograph taking the other article
// (no "lys", "dyr", "kort": "en lys leilighet" is correct; no "rom", "kurs", "øre", "vær").
const NEUTER = wordSet(`hus barn land språk år bord eple vindu soverom kjøkken bad navn tog fly brev kontor sykehus menneske ord
  spørsmål problem glass bilde kart hotell møte program egg brød hode hjerte øye fjell hav vann ansikt stykke minutt kvarter døgn
  sted hjem prosjekt svar yrke tak gulv skap teppe speil nummer eksempel teater museum bibliotek universitet apotek firma selskap
  kjøleskap tilbud liv postkontor kjøpesenter skip`)
const MASCULINE = wordSet(`bil dag time jobb venn lege lærer buss stol sykkel gutt mann by butikk kopp tur telefon datamaskin
  familie sønn bror kollega student sjef hund katt film sang plass middag frokost lunsj skole klasse kunde pris billett nøkkel
  kjole genser sko restaurant måned kveld morgen ferie fest`)
// Feminine nouns take "ei" or "en" (both correct); only "et" is wrong.
const FEMININE = wordSet('jente bok dør uke klokke kone mor datter søster seng hytte lampe avis stue side tid natt helg kake gate leilighet kvinne hånd')

const COMPARATIVES = wordSet(`bedre verre større mindre eldre yngre lengre billigere dyrere varmere kaldere lettere tyngre vanskeligere
  enklere raskere høyere lavere penere finere sterkere viktigere flinkere morsommere nyere`)
const SUPERLATIVES = wordSet(`best verst størst minst eldst yngst lengst billigst dyrest varmest kaldest lettest vanskeligst enklest
  raskest høyest lavest penest finest sterkest viktigst flinkest morsomst nyest`)

const LANGUAGES = wordSet(`norsk engelsk svensk dansk tysk fransk spansk italiensk russisk arabisk persisk somalisk polsk ukrainsk
  kinesisk japansk tyrkisk portugisisk litauisk rumensk kurdisk vietnamesisk nederlandsk gresk finsk islandsk ungarsk amerikansk
  britisk indisk pakistansk afghansk syrisk iransk eritreisk`)
const NATIONALITIES = wordSet(`nordmann nordmenn svenske svensker danske dansker amerikaner amerikanere tysker tyskere franskmann
  engelskmann polakk polakker syrer syrere afghaner afghanere somalier somaliere eritreer eritreere iraner iranere ukrainer ukrainere
  russer russere kineser kinesere spanjol spanjoler italiener italienere`)
const MONTHS = wordSet('januar februar mars april mai juni juli august september oktober november desember')
// "Mars" is also the planet, "Mai" and "August" are names: lower-case them only right after a time preposition or a date.
const AMBIGUOUS_MONTHS = wordSet('mars mai august')
const MONTH_CONTEXT = wordSet('i fra til siden før etter innen hele')
const LOWER_CASE_NAMES = new Set([...LANGUAGES, ...[...LANGUAGES].map((l) => `${l}e`), ...NATIONALITIES, ...MONTHS, ...WEEKDAYS])

const FRONTED_DAYPARTS = wordSet('morgenen formiddagen ettermiddagen kvelden dagen natten natta sommeren vinteren våren høsten helgen helga helgene')
const FRONTED_PERIODS = new Set([...wordSet('dag uke morgen kveld helg måned år sommer vinter vår høst'), ...WEEKDAYS])
// Fronted time and place expressions after which a main clause must invert. Deliberately absent: words that also
// begin subordinate clauses ("da", "så", "når", "før", "hver gang", "i tilfelle", "etter det") and "kanskje", which allows straight order.
const FRONTED = `i dag|i går|i morgen|i kveld|i natt|i helgen|i helga|i fjor|i år|i sommer|i vinter|i høst|i vår|i forgårs|
  i overmorgen|i tillegg|i går kveld|i morgen tidlig|i <place>|i <year>|på <weekday>|på <place>|på jobb|på jobben|på skolen|
  på kurset|på fritiden|i fritiden|om <daypart>|hver <period>|neste <period>|forrige <period>|for <qty> <unit> siden|
  for et par <unit> siden|etter jobben|etter skolen|etter middagen|nå|derfor|etterpå|ofte|alltid|aldri|vanligvis|noen ganger|
  av og til|dessverre|heldigvis|egentlig|deretter|senere|snart|endelig|plutselig|hjemme|her|til slutt|først`
  .split('|')
  .map((phrase) => phrase.trim().split(' '))
// Words after "i"/"på" that are capitalised by mistake rather than place names ("I Tilfelle du trenger hjelp").
const NOT_PLACES = wordSet('tilfelle fall stedet')
const QUESTION_WORDS = wordSet('hva hvor når hvem hvorfor hvordan hvilken hvilket hvilke')
const HOW_MUCH = wordSet('mye mange lenge gammel gamle ofte langt stor store tidlig sent')
const SUBORDINATORS = wordSet('fordi at som når hvis om mens før da siden dersom ettersom hva hvor hvorfor hvordan hvem')
// These also begin main clauses ("Da går jeg", "Hvorfor er du her?"), so they count as subordinators only mid-sentence.
const SUBORDINATORS_MID_ONLY = wordSet('da hva hvor hvorfor hvordan hvem')
const LEADING_SUBORDINATORS = wordSet('når hvis fordi da mens før om siden dersom ettersom')

const isSpace = (sep: string) => /^\s+$/.test(sep)
const isTitleCase = (text: string) => /^\p{Lu}\p{Ll}+$/u.test(text)
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
const isFiniteVerb = (w: Word | undefined) => w !== undefined && FINITE_VERBS.has(w.lower)
const isSubject = (w: Word | undefined) => w !== undefined && SUBJECT_PRONOUNS.has(w.lower)
const isCount = (w: Word | undefined) => w !== undefined && (/^\d{1,3}$/.test(w.text) || NUMBER_WORD.test(w.lower))
/** Words from..to are separated by spaces only (a comma in between usually means a clause boundary). */
const joined = (words: Word[], from: number, to: number) => words.slice(from, to).every((w) => isSpace(w.after))

function sameCase(original: string, replacement: string): string {
  if (original.length > 1 && original === original.toUpperCase()) return replacement.toUpperCase()
  return original.charAt(0) === original.charAt(0).toUpperCase() ? capitalise(replacement) : replacement
}

/** Sentence boundaries: "!" and "?" always, "." only before a capital letter or the end, so "kl. 8" stays whole. */
function splitSentences(text: string): string[] {
  const sentences: string[] = []
  let start = 0
  for (const match of text.matchAll(/[.!?…]+["»”')]*(?=\s|$)|\n/gu)) {
    const end = match.index + match[0].length
    if (match[0] !== '\n' && !/[!?]/.test(match[0]) && !/^\s*(?:$|[\p{Lu}«"“])/u.test(text.slice(end))) continue
    sentences.push(text.slice(start, end).trim())
    start = end
  }
  sentences.push(text.slice(start).trim())
  return sentences.filter((s) => s.length > 0)
}

function parseSentence(text: string): Sentence {
  const matches = [...text.matchAll(/[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu)]
  const words = matches.map((m, i) => {
    const end = m.index + m[0].length
    const next = matches[i + 1]
    return { text: m[0], lower: m[0].toLowerCase(), after: text.slice(end, next ? next.index : undefined) }
  })
  const ending = text.replace(/["»”')\s]+$/u, '').slice(-1)
  return { text, lead: text.slice(0, matches[0]?.index ?? 0), words, question: ending === '?', punctuated: /[.!?…]/.test(ending) }
}

/**
 * The sentence with the rewrite applied. Spaces and punctuation stay in their places; a word that becomes first
 * takes the capital of a capitalised sentence, and a pronoun that stops being first loses it ("Jeg" → "jeg").
 */
function rebuild(s: Sentence, rewrite: Rewrite): string {
  const kept = new Set(rewrite.map((slot) => slot.from))
  const separators = s.words.filter((_, i) => kept.has(i)).map((w) => w.after)
  const firstCapitalised = /^\p{Lu}/u.test(s.words[0]?.text ?? '')
  const texts = rewrite.map((slot, position) => {
    const text = slot.text ?? s.words[slot.from]!.text
    if (!firstCapitalised) return text
    if (position === 0 && slot.from !== 0) return capitalise(text)
    if (position !== 0 && slot.from === 0 && SUBJECT_PRONOUNS.has(text.toLowerCase())) return text.toLowerCase()
    return text
  })
  return s.lead + texts.map((text, i) => text + (separators[i] ?? '')).join('')
}

const identity = (n: number): Rewrite => Array.from({ length: n }, (_, from) => ({ from }))

/** Replaces (string) or deletes (null) the given words. */
function substitute(n: number, changes: Map<number, string | null>): Rewrite {
  return identity(n)
    .filter((slot) => changes.get(slot.from) !== null)
    .map((slot) => (changes.has(slot.from) ? { from: slot.from, text: changes.get(slot.from)! } : slot))
}

function moveWord(n: number, from: number, to: number): Rewrite {
  const order = identity(n).filter((slot) => slot.from !== from)
  order.splice(to, 0, { from })
  return order
}

/** A hit that replaces or deletes single words: `change` returns the new text, null to delete, undefined to keep. */
function changeWords(s: Sentence, change: (w: Word, i: number) => string | null | undefined): Hit | null {
  const changes = new Map<number, string | null>()
  s.words.forEach((w, i) => {
    const changed = change(w, i)
    if (changed !== undefined) changes.set(i, changed)
  })
  return changes.size === 0 ? null : { at: Math.min(...changes.keys()), rewrite: substitute(s.words.length, changes) }
}

/** Where the main clause begins, after a leading "Ja,"/"Nei," and a leading "og"/"men". */
function clauseStart(words: Word[]): number {
  let i = 0
  if (INTERJECTIONS.has(words[0]?.lower ?? '') && words[0]!.after.trim() === ',') i = 1
  if (COORDINATORS.has(words[i]?.lower ?? '') && isSpace(words[i]!.after)) i++
  return i
}

// Placeholders in the FRONTED patterns; any other pattern element matches that word literally.
const SLOTS: Record<string, (w: Word) => boolean> = {
  '<place>': (w) => (isTitleCase(w.text) && !NOT_PLACES.has(w.lower)) || COUNTRIES.has(w.lower),
  '<year>': (w) => /^\d{4}$/.test(w.text),
  '<weekday>': (w) => WEEKDAYS.has(w.lower),
  '<daypart>': (w) => FRONTED_DAYPARTS.has(w.lower),
  '<period>': (w) => FRONTED_PERIODS.has(w.lower),
  '<qty>': (w) => isCount(w) || QUANTITY_WORDS.has(w.lower),
  '<unit>': (w) => UNITS.has(w.lower),
}
const matchesSlot = (w: Word | undefined, slot: string) => w !== undefined && (SLOTS[slot]?.(w) ?? w.lower === slot)

/** The end (exclusive) of the longest pattern matching at `start`, or -1. */
function matchLongest(words: Word[], start: number, patterns: string[][]): number {
  let end = -1
  for (const pattern of patterns) {
    if (pattern.every((slot, k) => matchesSlot(words[start + k], slot)) && joined(words, start, start + pattern.length - 1)) {
      end = Math.max(end, start + pattern.length)
    }
  }
  return end
}

/** "jeg [ikke] går" at `at` → the verb moved before the subject ("går jeg [ikke]"). */
function invertSubjectAndVerb(words: Word[], at: number): { verb: number; rewrite: Rewrite } | null {
  if (!isSubject(words[at])) return null
  const verb = MID_ADVERBS.has(words[at + 1]?.lower ?? '') ? at + 2 : at + 1
  if (!isFiniteVerb(words[verb]) || !joined(words, at, verb)) return null
  return { verb, rewrite: moveWord(words.length, verb, at) }
}

/** An inverted main clause later on ("…, spiser jeg" or "… ser jeg") means the start was a subordinate clause. */
function mainClauseFollows(words: Word[], from: number): boolean {
  return words.slice(from).some((w, k) => {
    const i = from + k
    return isFiniteVerb(w) && (words[i - 1]!.after.includes(',') || (isSubject(words[i + 1]) && isSpace(w.after)))
  })
}

function findV2Fronted(s: Sentence): Hit | null {
  if (s.question) return null
  const start = clauseStart(s.words)
  const end = matchLongest(s.words, start, FRONTED)
  if (end < 0 || !isSpace(s.words[end - 1]!.after)) return null
  const inversion = invertSubjectAndVerb(s.words, end)
  if (!inversion || mainClauseFollows(s.words, inversion.verb + 1)) return null
  return { at: end, rewrite: inversion.rewrite }
}

function findV2AfterSubordinateClause(s: Sentence): Hit | null {
  const { words } = s
  const start = clauseStart(words)
  const first = words[start]?.lower ?? ''
  const compound = (first === 'selv' && words[start + 1]?.lower === 'om') || (first === 'etter' && words[start + 1]?.lower === 'at')
  if (s.question || (!LEADING_SUBORDINATORS.has(first) && !compound)) return null
  const comma = words.findIndex((w, i) => i > start && w.after.trim() === ',')
  // A subordinate clause needs at least a subject and a verb before the comma.
  if (comma < start + 2) return null
  const inversion = invertSubjectAndVerb(words, comma + 1)
  return inversion && { at: comma + 1, rewrite: inversion.rewrite }
}

/** "Hvor mange barn", "hva slags mat", "hvilken film": where a question phrase ends, or -1. */
function questionPhraseEnd(words: Word[], start: number): number {
  const first = words[start]?.lower ?? ''
  if (!QUESTION_WORDS.has(first)) return -1
  const next = words[start + 1]
  const isNounLike = (w: Word | undefined) => w !== undefined && !isSubject(w) && !isFiniteVerb(w) && !MID_ADVERBS.has(w.lower)
  let end = start + 1
  if (first === 'hvor' && next && HOW_MUCH.has(next.lower)) {
    end = start + 2
    if ((next.lower === 'mange' || next.lower === 'mye') && isNounLike(words[end])) end++
  } else if (first === 'hva' && next?.lower === 'slags' && isNounLike(words[start + 2])) end = start + 3
  else if (first.startsWith('hvilk') && isNounLike(next)) end = start + 2
  return joined(words, start, end) ? end : -1
}

function findV2QuestionWord(s: Sentence): Hit | null {
  const start = clauseStart(s.words)
  const end = questionPhraseEnd(s.words, start)
  // Without a question mark, "når" usually begins a subordinate clause ("når du kommer hjem, spiser vi").
  if (end < 0 || !(s.question || (!s.punctuated && s.words[start]!.lower !== 'når'))) return null
  const inversion = invertSubjectAndVerb(s.words, end)
  if (!inversion) return null
  // "Hva du sier er riktig": the question word starts a clause that is itself the subject.
  // Unpunctuated speech gets the stricter check, at the cost of "hvor lenge du har jobbet her".
  const secondClause = s.words.slice(inversion.verb + 1).some((w) => CLAUSE_VERBS.has(w.lower) || (!s.question && isFiniteVerb(w)))
  if (secondClause || s.words.slice(start, -1).some((w) => w.after.includes(','))) return null
  return { at: end, rewrite: inversion.rewrite }
}

function findNegationMainClause(s: Sentence): Hit | null {
  const { words } = s
  const at = clauseStart(words)
  const negation = words[at + 1]?.lower
  if (!isSubject(words[at]) || (negation !== 'ikke' && negation !== 'aldri') || !isFiniteVerb(words[at + 2]) || !joined(words, at, at + 2)) return null
  return { at, rewrite: moveWord(words.length, at + 2, at + 1) }
}

function findNegationSubordinateClause(s: Sentence): Hit | null {
  const { words } = s
  const start = clauseStart(words)
  const order = identity(words.length)
  let at = -1
  words.forEach((w, i) => {
    if (!SUBORDINATORS.has(w.lower) || (i <= start && (SUBORDINATORS_MID_ONLY.has(w.lower) || s.question))) return
    // "om det" can be "about it" ("vi snakket om det"), so "om" needs an unambiguous subject pronoun.
    if (!isSubject(words[i + 1]) || (w.lower === 'om' && ['det', 'den', 'de'].includes(words[i + 1]!.lower))) return
    // "ikke bare …, men også" and "ikke minst" negate a phrase; "ikke sant" is a tag question after an unpunctuated clause.
    if (!isFiniteVerb(words[i + 2]) || words[i + 3]?.lower !== 'ikke' || ['bare', 'minst', 'sant'].includes(words[i + 4]?.lower ?? '')) return
    if (!joined(words, i, i + 3)) return
    ;[order[i + 2], order[i + 3]] = [order[i + 3]!, order[i + 2]!]
    if (at < 0) at = i
  })
  return at < 0 ? null : { at, rewrite: order }
}

function findAgeWithHave(s: Sentence): Hit | null {
  const { words } = s
  return changeWords(s, (w, i) => {
    if (w.lower !== 'har') return
    const inverted = isSubject(words[i + 1])
    const before = words[i - 1]
    const subjectBefore = before !== undefined && (isSubject(before) || isTitleCase(before.text) || /^(min|mitt|din|ditt|hans|hennes|vår|vårt|deres)$/.test(before.lower))
    if (!inverted && !subjectBefore) return
    const count = inverted ? i + 2 : i + 1
    if (!isCount(words[count]) || ['en', 'et', 'ei'].includes(words[count]!.lower) || words[count + 1]?.lower !== 'år') return
    let end = count + 1
    if (/^(gammel|gamle)$/.test(words[end + 1]?.lower ?? '') && isSpace(words[end]!.after)) end++
    // "to år igjen", "30 år erfaring" are amounts of time, not an age.
    const next = words[end + 1]
    if (next && isSpace(words[end]!.after) && !['og', 'men', 'nå'].includes(next.lower)) return
    return joined(words, i, end) ? sameCase(w.text, 'er') : undefined
  })
}

function findModalInfinitiveMarker(s: Sentence): Hit | null {
  const { words } = s
  // Deletes the "å": the modal is found by looking back from it.
  return changeWords(s, (w, j) => {
    if (w.lower !== 'å' || !words[j + 1]) return
    let i = j - 1
    while (i > j - 3 && MODAL_GAP.has(words[i]?.lower ?? '')) i--
    return MODALS.has(words[i]?.lower ?? '') && joined(words, i, j + 1) ? null : undefined
  })
}

function findArticleGender(s: Sentence): Hit | null {
  const { words } = s
  let explanation: Explanation | undefined
  const hit = changeWords(s, (w, i) => {
    const noun = words[i + 1]?.lower ?? ''
    // After "mer", "bedre" and the like, "en" is usually a misspelt "enn" ("mer en år"); leave it alone.
    const before = words[i - 1]?.lower ?? ''
    if (!isSpace(w.after) || COMPARATIVES.has(before) || ['mer', 'flere', 'færre'].includes(before)) return
    let right: 'et' | 'en' | undefined
    if ((w.lower === 'en' || w.lower === 'ei') && NEUTER.has(noun)) right = 'et'
    else if ((w.lower === 'et' || w.lower === 'ei') && MASCULINE.has(noun)) right = 'en'
    else if (w.lower === 'et' && FEMININE.has(noun)) right = 'en'
    if (!right) return
    explanation ??=
      right === 'et'
        ? { en: `"${noun}" is a neuter noun, so it takes "et": et ${noun}.`, nb: `«${noun}» er et intetkjønnsord, så vi sier «et ${noun}».` }
        : { en: `"${noun}" is not a neuter noun, so it takes "en": en ${noun}.`, nb: `«${noun}» er ikke et intetkjønnsord, så vi sier «en ${noun}».` }
    return sameCase(w.text, right)
  })
  return hit && { ...hit, explanation }
}

function findComparativeMer(s: Sentence): Hit | null {
  const { words } = s
  let explanation: Explanation | undefined
  const hit = changeWords(s, (w, i) => {
    const next = words[i + 1]?.lower ?? ''
    const superlative = w.lower === 'mest' && SUPERLATIVES.has(next)
    if (!isSpace(w.after) || !((w.lower === 'mer' && COMPARATIVES.has(next)) || superlative)) return
    explanation ??= superlative
      ? { en: `"${next}" is already a superlative, so do not add "mest".`, nb: `«${next}» er allerede superlativ, så vi bruker ikke «mest».` }
      : { en: `"${next}" is already a comparative, so do not add "mer".`, nb: `«${next}» er allerede komparativ, så vi bruker ikke «mer».` }
    return null
  })
  return hit && { ...hit, explanation }
}

function findCapitalisedNames(s: Sentence): Hit | null {
  const { words } = s
  const unknownName = (w: Word | undefined) => w !== undefined && isTitleCase(w.text) && !LOWER_CASE_NAMES.has(w.lower)
  return changeWords(s, (w, i) => {
    const before = words[i - 1]
    // Never the first word of a sentence or of a quotation; never part of a multi-word name ("Norsk Hydro").
    if (!before || !isTitleCase(w.text) || !LOWER_CASE_NAMES.has(w.lower) || /[«"“'‘:(–—-]/.test(before.after)) return
    if (unknownName(words[i + 1]) || (i > 1 && unknownName(before))) return
    if (AMBIGUOUS_MONTHS.has(w.lower) && !MONTH_CONTEXT.has(before.lower) && !/^\d+$/.test(before.text)) return
    return w.lower
  })
}

function findDurationWithSiden(s: Sentence): Hit | null {
  const { words } = s
  return changeWords(s, (w, i) => {
    const end = matchLongest(words, i, [['siden', '<qty>', '<unit>'], ['siden', 'et', 'par', '<unit>']])
    // "siden en dag i mai" and "siden to år etter krigen" name a point in time.
    if (end < 0 || ['i', 'på', 'da', 'som', 'der', 'hvor', 'med', 'etter', 'før'].includes(words[end]?.lower ?? '')) return
    return sameCase(w.text, 'i')
  })
}

function findCountryPreposition(s: Sentence): Hit | null {
  const { words } = s
  return changeWords(s, (w, i) => {
    const country = words[i + 1]
    if (w.lower !== 'på' || !country || !COUNTRIES.has(country.lower) || !isSpace(w.after)) return
    const before = words[i - 1]
    const verb = before && MID_ADVERBS.has(before.lower) ? words[i - 2] : before
    return verb && LOCATION_VERBS.has(verb.lower) ? sameCase(w.text, 'i') : undefined
  })
}

const RULES: Rule[] = [
  {
    id: 'v2-fronted-adverbial', category: 'word_order', find: findV2Fronted,
    en: 'When a sentence starts with a time or place expression, the verb comes second, before the subject.',
    nb: 'Når setningen begynner med et tidsuttrykk eller et sted, kommer verbet på plass nummer to, før subjektet.',
  },
  {
    id: 'v2-after-subordinate-clause', category: 'word_order', find: findV2AfterSubordinateClause,
    en: 'When a sentence starts with a subordinate clause, the main clause after the comma starts with the verb.',
    nb: 'Når setningen begynner med en leddsetning, kommer verbet først etter kommaet.',
  },
  {
    id: 'v2-question-word', category: 'word_order', find: findV2QuestionWord,
    en: 'In a question with a question word, the verb comes right after the question word, before the subject.',
    nb: 'I spørsmål med spørreord kommer verbet rett etter spørreordet, før subjektet.',
  },
  {
    id: 'negation-main-clause', category: 'word_order', find: findNegationMainClause,
    en: 'In a main clause, "ikke" comes after the verb.',
    nb: 'I en hovedsetning står «ikke» etter verbet.',
  },
  {
    id: 'negation-subordinate-clause', category: 'word_order', find: findNegationSubordinateClause,
    en: 'In a subordinate clause (after fordi, at, som, når, hvis …), "ikke" comes before the verb.',
    nb: 'I en leddsetning (etter fordi, at, som, når, hvis …) står «ikke» foran verbet.',
  },
  {
    id: 'age-with-vaere', category: 'verb_form', find: findAgeWithHave,
    en: 'Norwegian uses "er", not "har", for age: "Jeg er 25 år".',
    nb: 'Vi bruker «er» om alder: «Jeg er 25 år».',
  },
  {
    id: 'modal-infinitive-marker', category: 'verb_form', find: findModalInfinitiveMarker,
    en: 'After kan, vil, skal, må and bør, the verb comes without "å".',
    nb: 'Etter kan, vil, skal, må og bør kommer verbet uten «å».',
  },
  {
    id: 'article-gender', category: 'article', find: findArticleGender,
    en: 'The article must match the gender of the noun.',
    nb: 'Artikkelen må passe til kjønnet på substantivet.',
  },
  {
    id: 'comparative-mer', category: 'agreement', find: findComparativeMer,
    en: 'Do not add "mer" or "mest" to a word that is already compared.',
    nb: 'Vi bruker ikke «mer» eller «mest» foran bedre, størst og lignende.',
  },
  {
    id: 'capitalization-language-nationality', category: 'capitalization', find: findCapitalisedNames, typedOnly: true,
    en: 'Languages, nationalities, weekdays and months are written with a small letter in Norwegian.',
    nb: 'Språk, nasjonaliteter, ukedager og måneder skriver vi med liten forbokstav.',
  },
  {
    id: 'duration-i-not-siden', category: 'preposition', find: findDurationWithSiden,
    en: 'For a length of time use "i" (i to år); "siden" gives a starting point (siden 2019).',
    nb: 'Om hvor lenge noe varer, bruker vi «i» (i to år); «siden» sier når noe begynte (siden 2019).',
  },
  {
    id: 'country-preposition', category: 'preposition', find: findCountryPreposition,
    en: 'Use "i" with countries: "Jeg bor i Norge".',
    nb: 'Vi bruker «i» med land: «Jeg bor i Norge».',
  },
]

/** Splits the text into sentences and returns findings, at most one per rule per sentence, in text order. */
export function checkNorwegian(text: string, options: LanguageCheckOptions = {}): LanguageFinding[] {
  const typed = (options.source ?? 'typed') === 'typed'
  return splitSentences(text).flatMap((sentenceText) => {
    const sentence = parseSentence(sentenceText)
    if (sentence.words.length === 0) return []
    const findings: (LanguageFinding & { at: number })[] = []
    for (const rule of RULES) {
      if (rule.typedOnly && !typed) continue
      const hit = rule.find(sentence)
      if (!hit) continue
      const corrected = rebuild(sentence, hit.rewrite)
      if (corrected === sentence.text) continue
      const { en, nb } = hit.explanation ?? rule
      findings.push({ rule: rule.id, category: rule.category, original: sentence.text, corrected, explanation: en, explanationNb: nb, at: hit.at })
    }
    // Stable sort: findings at the same word keep the rule order above.
    return findings.sort((a, b) => a.at - b.at).map(({ at: _at, ...finding }) => finding)
  })
}
