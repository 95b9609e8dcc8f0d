import { describe, expect, it } from 'vitest'
import { asUnits, asksQuestion, connectivesIn, repairsIn, subordinateClauses, wordsBySentence } from './discourse.js'

const unitTexts = (text: string) => asUnits(text).map((unit) => unit.map((word) => word.lower).join(' '))
/** Subordinators found in a text (all its units). */
const subordinators = (text: string) => asUnits(text).flatMap((unit) => subordinateClauses(unit).map((clause) => clause.subordinator))
const connectives = (text: string) => asUnits(text).flatMap((unit) => connectivesIn(unit).map((use) => `${use.connective}:${use.category}`))
const repairs = (text: string) => repairsIn(wordsBySentence(text).flat())

describe('AS-units', () => {
  it('splits at sentence ends and at coordinated clauses with their own subject', () => {
    expect(unitTexts('Jeg bor i Bergen og jeg jobber på et sykehjem. Det er fint, men det er langt.')).toEqual([
      'jeg bor i bergen',
      'og jeg jobber på et sykehjem',
      'det er fint',
      'men det er langt',
    ])
  })

  it('keeps coordinated verbs that share a subject in one unit', () => {
    expect(unitTexts('Jeg handler mat og lager middag')).toEqual(['jeg handler mat og lager middag'])
  })

  it('splits "og så gikk vi" and ", så jeg ble" but not "i går så jeg"', () => {
    expect(unitTexts('vi spiste og så gikk vi hjem')).toEqual(['vi spiste', 'og så gikk vi hjem'])
    expect(unitTexts('Jeg var syk, så jeg ble hjemme')).toEqual(['jeg var syk', 'så jeg ble hjemme'])
    expect(unitTexts('I går så jeg en film')).toEqual(['i går så jeg en film'])
  })

  it('drops units of filled pauses only', () => {
    expect(unitTexts('Eh. Ehm. Ja.')).toEqual(['ja'])
  })
})

describe('subordinate clauses', () => {
  it('counts unambiguous subordinators', () => {
    expect(subordinators('Jeg liker Norge fordi naturen er fin')).toEqual(['fordi'])
    expect(subordinators('Hvis det regner, blir jeg hjemme')).toEqual(['hvis'])
    expect(subordinators('Jeg tror at hun kommer')).toEqual(['at'])
    expect(subordinators('Selv om det er kaldt, går jeg tur')).toEqual(['selv om'])
    expect(subordinators('Etter at jeg kom hjem, spiste jeg')).toEqual(['etter at'])
  })

  it('counts "fordi at" once', () => {
    expect(subordinators('Jeg lærer norsk fordi at jeg vil jobbe')).toEqual(['fordi'])
  })

  it('counts "om" only when a clause follows', () => {
    expect(subordinators('Jeg vet ikke om jeg kan komme')).toEqual(['om'])
    expect(subordinators('Jeg lurer på om det er åpent')).toEqual(['om'])
    expect(subordinators('Om morgenen drikker jeg kaffe')).toEqual([])
    expect(subordinators('Vi snakket om det i går')).toEqual([])
    expect(subordinators('Vi snakket om deg')).toEqual([])
  })

  it('counts "da" as "when" but not as "then" or a particle', () => {
    expect(subordinators('Da jeg kom til Norge, kunne jeg ikke norsk')).toEqual(['da'])
    expect(subordinators('Da gikk vi hjem')).toEqual([])
    expect(subordinators('Ja da, det er greit')).toEqual([])
  })

  it('counts "når" as a subordinator but not in a question', () => {
    expect(subordinators('Når jeg er ferdig, ringer jeg deg')).toEqual(['når'])
    expect(subordinators('Når kommer bussen?')).toEqual([])
  })

  it('counts relative "som" but not "som" meaning "as" or in comparisons', () => {
    expect(subordinators('Jeg har en venn som bor i Bergen')).toEqual(['som'])
    expect(subordinators('Boka som jeg leste, var lang')).toEqual(['som'])
    expect(subordinators('Det er noe som ikke fungerer')).toEqual(['som'])
    expect(subordinators('Jeg jobber som lærer')).toEqual([])
    expect(subordinators('Jeg har jobbet som kokk')).toEqual([])
    expect(subordinators('Jeg vil ta en utdanning som sykepleier')).toEqual([])
    expect(subordinators('Han er like høy som meg')).toEqual([])
    expect(subordinators('Som barn bodde jeg i Kabul')).toEqual([])
  })

  it('counts embedded questions, not direct ones', () => {
    expect(subordinators('Jeg vet ikke hva han heter')).toEqual(['hva'])
    expect(subordinators('Jeg vet ikke hva som skjedde')).toEqual(['hva'])
    expect(subordinators('Hva heter du?')).toEqual([])
  })

  it('counts "siden" and "før" only before a clause', () => {
    expect(subordinators('Jeg har bodd her siden jeg var ti år')).toEqual(['siden'])
    expect(subordinators('Jeg kom for to år siden')).toEqual([])
    expect(subordinators('Før jeg kom hit, bodde jeg i Syria')).toEqual(['før'])
    expect(subordinators('Før jul handler vi mye')).toEqual([])
  })
})

describe('connectives', () => {
  it('counts listed connectives by category, multi-word ones as one', () => {
    expect(connectives('På den ene siden er det dyrt. Likevel vil jeg bo der, og dessuten er det fint. Derfor flytter vi. Til slutt, for eksempel i mai.')).toEqual([
      'på den ene siden:contrastive',
      'likevel:contrastive',
      'og:additive',
      'dessuten:additive',
      'derfor:causal',
      'til slutt:temporal',
      'for eksempel:additive',
    ])
  })

  it('counts subordinators that link ideas once, with their category', () => {
    expect(connectives('Jeg ble hjemme fordi jeg var syk')).toEqual(['fordi:causal'])
    expect(connectives('Etter at vi spiste, gikk vi')).toEqual(['etter at:temporal'])
    expect(connectives('Selv om det regnet, gikk vi')).toEqual(['selv om:contrastive'])
  })

  it('reads "så" as "so" or "then" only where it links, not as the verb "saw" or "very"', () => {
    expect(connectives('Jeg var syk, så jeg ble hjemme')).toEqual(['så:causal'])
    expect(connectives('Vi spiste. Så gikk vi hjem')).toEqual(['så:temporal'])
    expect(connectives('Jeg så en film')).toEqual([])
    expect(connectives('Det var så fint')).toEqual([])
  })

  it('reads "for" as "because" only before a clause', () => {
    expect(connectives('Jeg tok bussen, for jeg var trøtt')).toEqual(['for:causal'])
    expect(connectives('Takk for det')).toEqual([])
    expect(connectives('For det første er det billig')).toEqual(['for det første:temporal'])
  })
})

describe('repairs', () => {
  it('counts repetitions of one to three words, across a filled pause', () => {
    expect(repairs('jeg jeg bor i Oslo')).toMatchObject({ repetitions: 1, selfCorrections: 0 })
    expect(repairs('jeg har eh jeg har to barn')).toMatchObject({ repetitions: 1 })
    expect(repairs('det er veldig veldig fint, ja ja')).toMatchObject({ repetitions: 0 })
  })

  it('counts restarts with a changed form and adjacent forms of one word as self-corrections', () => {
    expect(repairs('jeg har jeg hadde en bil')).toMatchObject({ selfCorrections: 1, repetitions: 0 })
    expect(repairs('han går han gikk hjem')).toMatchObject({ selfCorrections: 1 })
    expect(repairs('jeg bor bodde i Syria')).toMatchObject({ selfCorrections: 1 })
  })

  it('does not take ordinary sentences for repairs', () => {
    expect(repairs('jeg tror jeg trenger hjelp')).toEqual({ repetitions: 0, selfCorrections: 0, cutOffs: 0 })
    expect(repairs('det er det jeg liker')).toEqual({ repetitions: 0, selfCorrections: 0, cutOffs: 0 })
  })

  it('counts cut-off words', () => {
    expect(repairs('jeg bo- bor i Oslo og jo- jobber')).toMatchObject({ cutOffs: 2 })
  })
})

describe('questions', () => {
  it('recognises questions with or without a question mark', () => {
    for (const question of ['Hva synes du?', 'hvor bor du', 'Liker du å lage mat', 'Har dere barn?', 'Når begynner kurset', 'Det er fint, ikke sant', 'Jeg liker sommer. Hva med deg?']) {
      expect(asksQuestion(question), question).toBe(true)
    }
  })

  it('does not take statements or requests to repeat for questions', () => {
    for (const statement of ['Jeg bor i Oslo.', 'Når jeg kommer hjem, lager jeg mat', 'Kan du gjenta?', 'Unnskyld, hva sa du?', 'Hvis det regner, blir jeg hjemme']) {
      expect(asksQuestion(statement), statement).toBe(false)
    }
  })
})
