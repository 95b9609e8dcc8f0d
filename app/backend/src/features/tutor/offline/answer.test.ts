import { describe, expect, it } from 'vitest'
import { asksForHelp, asksToRepeat, isQuestion, usedPhrases, usedVocabulary, wordsOf } from './answer.js'

describe('what the scripted tutor can tell about an answer', () => {
  it('splits words with Norwegian letters and keeps hyphenated words together', () => {
    expect(wordsOf('Jeg går på NAV-kontoret, og så til butikken!')).toEqual(['jeg', 'går', 'på', 'nav-kontoret', 'og', 'så', 'til', 'butikken'])
  })

  it('recognises questions with or without a question mark, but not a conditional "hvis"', () => {
    expect(isQuestion('Hvor bor du?')).toBe(true)
    expect(isQuestion('hvor bor du')).toBe(true)
    expect(isQuestion('Bor du i Oslo?')).toBe(true)
    expect(isQuestion('Hvis det regner, blir jeg hjemme.')).toBe(false)
    expect(isQuestion('Jeg bor i Oslo.')).toBe(false)
  })

  it('recognises requests for help and for repetition', () => {
    expect(asksForHelp('Jeg vet ikke')).toBe(true)
    expect(asksForHelp("I don't know")).toBe(true)
    expect(asksForHelp('Jeg vet at han bor her.')).toBe(false)
    expect(asksToRepeat('Kan du si det en gang til?')).toBe(true)
    expect(asksToRepeat('Kan du snakke litt saktere?')).toBe(true)
    expect(asksToRepeat('Jeg snakker litt norsk.')).toBe(false)
    expect(asksToRepeat('Unnskyld, kan du si det en gang til?')).toBe(true)
  })

  it('does not take the same words inside a longer answer for a request', () => {
    expect(asksForHelp('Jeg kan ikke lage mat, men mannen min lager god middag hver dag.')).toBe(false)
    expect(asksToRepeat('Om vinteren kjører jeg saktere fordi veiene er glatte og mørke.')).toBe(false)
  })

  it('finds lesson phrases with their gaps filled in, in order', () => {
    const phrases = [
      { text: 'Jeg kommer fra …', gloss: '' },
      { text: 'Hyggelig å hilse på deg!', gloss: '' },
      { text: 'Jeg har bodd her i … år.', gloss: '' },
    ]
    expect(usedPhrases('Hei, jeg kommer fra Eritrea. Hyggelig å hilse på deg.', phrases)).toEqual(['Jeg kommer fra …', 'Hyggelig å hilse på deg!'])
    expect(usedPhrases('Jeg har bodd her i fem år', phrases)).toEqual(['Jeg har bodd her i … år.'])
    expect(usedPhrases('År her jeg har bodd i', phrases)).toEqual([])
  })

  it('finds lesson words in inflected forms without matching unrelated words', () => {
    const vocabulary = [
      { term: 'et navn', gloss: 'a name' },
      { term: 'å snakke', gloss: 'to speak' },
      { term: 'ha det', gloss: 'goodbye' },
      { term: 'en bil', gloss: 'a car' },
    ]
    expect(usedVocabulary('Navnet mitt er Ali, og jeg snakker litt norsk. Ha det!', vocabulary)).toEqual(['et navn', 'å snakke', 'ha det'])
    expect(usedVocabulary('Jeg kjøper et bilde.', vocabulary)).toEqual([])
    expect(usedVocabulary('Bilen er ny.', vocabulary)).toEqual(['en bil'])
  })
})
