import { describe, expect, it } from 'vitest'
import { isFiller, lexicalTokens, splitSentences, tokenize } from './tokenize.js'

const kinds = (text: string) => tokenize(text).map((token) => `${token.lower}:${token.kind}`)

describe('tokenising learner speech', () => {
  it('keeps Norwegian letters, inner hyphens and numbers whole', () => {
    expect(tokenize('Jeg går på NAV-kontoret kl. 10.30, og kjøper 2,5 kilo blåbær på 1990-tallet!').map((t) => t.lower)).toEqual([
      'jeg', 'går', 'på', 'nav-kontoret', 'klokka', '10.30', 'og', 'kjøper', '2,5', 'kilo', 'blåbær', 'på', '1990-tallet',
    ])
  })

  it('tells words, numbers, filled pauses and cut-off words apart', () => {
    expect(kinds('Eh jeg bo- bor i ehm 3 år, øh hmm mm')).toEqual([
      'eh:filler', 'jeg:word', 'bo:cutoff', 'bor:word', 'i:word', 'ehm:filler', '3:number', 'år:word', 'øh:filler', 'hmm:filler', 'mm:filler',
    ])
  })

  it('does not take words for filled pauses', () => {
    for (const word of ['e', 'ø', 'æ', 'meg', 'hei', 'her', 'hun', 'ham', 'em-', 'hme']) expect(isFiller(word)).toBe(false)
    for (const filler of ['eh', 'ehm', 'eeh', 'em', 'øh', 'øhm', 'æh', 'hm', 'hmm', 'mm', 'mhm', 'uh', 'um']) expect(isFiller(filler)).toBe(true)
  })

  it('expands abbreviations, so "f.eks." is two words and ends no sentence', () => {
    const sentences = splitSentences('Jeg liker frukt, f.eks. epler og bananer. Det er sunt.')
    expect(sentences).toHaveLength(2)
    expect(sentences[0]!.tokens.map((t) => t.lower)).toEqual(['jeg', 'liker', 'frukt', 'for', 'eksempel', 'epler', 'og', 'bananer'])
  })

  it('splits sentences at . ! ? … and line breaks, and marks questions', () => {
    const sentences = splitSentences('Jeg bor i Bergen. Hvor bor du? Det regner… Hei!\nHade')
    expect(sentences.map((s) => s.tokens.map((t) => t.lower).join(' '))).toEqual(['jeg bor i bergen', 'hvor bor du', 'det regner', 'hei', 'hade'])
    expect(sentences.map((s) => s.question)).toEqual([false, true, false, false, false])
  })

  it('treats unpunctuated speech as one sentence', () => {
    expect(splitSentences('jeg bor i bergen og jeg jobber på et sykehjem')).toHaveLength(1)
  })

  it('marks sentence starts, capitals and commas before a word', () => {
    const [first, second] = splitSentences('Eh, jeg bor i Oslo, så jeg. Ahmed bor der.')
    expect(first!.tokens.find((t) => t.lower === 'jeg')).toMatchObject({ sentenceInitial: true, capitalised: false })
    expect(first!.tokens.find((t) => t.lower === 'oslo')).toMatchObject({ sentenceInitial: false, capitalised: true })
    expect(first!.tokens.find((t) => t.lower === 'så')).toMatchObject({ commaBefore: true })
    expect(first!.tokens.find((t) => t.lower === 'bor')).toMatchObject({ commaBefore: false })
    expect(second!.tokens[0]).toMatchObject({ lower: 'ahmed', sentenceInitial: true, capitalised: true })
  })

  it('finds nothing in empty or punctuation-only text', () => {
    expect(tokenize('')).toEqual([])
    expect(tokenize('  ... ?! – , ')).toEqual([])
    expect(splitSentences('...')).toEqual([])
  })

  it('counts words and numbers as said, not filled pauses or fragments', () => {
    expect(lexicalTokens(tokenize('eh jeg ha- har 2 barn ehm')).map((t) => t.lower)).toEqual(['jeg', 'har', '2', 'barn'])
  })

  it('normalises decomposed letters, so "å" typed as a + ring is one letter', () => {
    expect(tokenize('pa\u030A skolen').map((t) => t.lower)).toEqual(['på', 'skolen'])
  })
})
