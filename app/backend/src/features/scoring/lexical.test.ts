import { describe, expect, it } from 'vitest'
import { buildLexicon, contentStems, isContentWord, lemmaCandidates, loadLexicon, mattr, mtld, stem } from './lexical.js'
import { tokenize } from './tokenize.js'

describe('lemma-light stems', () => {
  it('gives the forms of one word one stem', () => {
    const groups = [
      ['jobb', 'jobben', 'jobber', 'jobbe', 'jobbet', 'jobbene'],
      ['hus', 'huset', 'husene'],
      ['bil', 'bilen', 'biler', 'bilene'],
      ['stor', 'store', 'stort'],
      ['interessant', 'interessante'],
      ['bor', 'bodde', 'bo', 'bodd'],
      ['har', 'hadde', 'hatt', 'ha'],
      ['gikk', 'går', 'gått', 'gå'],
      ['gammel', 'gamle'],
    ]
    for (const group of groups) expect(new Set(group.map(stem)), group.join(', ')).toHaveProperty('size', 1)
  })

  it('keeps different words apart', () => {
    expect(stem('bil')).not.toBe(stem('by'))
    expect(stem('tror')).not.toBe(stem('trenger'))
  })
})

describe('the frequency lexicon', () => {
  const lexicon = buildLexicon([
    { rank: 1, lemma: 'og' },
    { rank: 5, lemma: 'snakke' },
    { rank: 7, lemma: 'hus' },
    { rank: 9, lemma: 'mene' },
    { rank: 12, lemma: 'begynne' },
    { rank: 15, lemma: 'grønn' },
    { rank: 20, lemma: 'ha' },
    { rank: 30, lemma: 'men' },
  ])

  it('finds the lemma of inflected forms', () => {
    expect(lexicon.rankOf('snakket')).toBe(5)
    expect(lexicon.rankOf('huset')).toBe(7)
    expect(lexicon.rankOf('husene')).toBe(7)
    expect(lexicon.rankOf('begynte')).toBe(12)
    expect(lexicon.rankOf('grønt')).toBe(15)
    expect(lexicon.rankOf('hadde')).toBe(20)
  })

  it('never reads an inflected word as a function word ("mener" is "mene", not "men")', () => {
    expect(lemmaCandidates('mener')).toContain('men')
    expect(lexicon.rankOf('mener')).toBe(9)
  })

  it('takes the more frequent of two readings ("venner": "venn", not "venne")', () => {
    const friends = buildLexicon([
      { rank: 200, lemma: 'venn' },
      { rank: 2055, lemma: 'venne' },
    ])
    expect(friends.rankOf('venner')).toBe(200)
  })

  it('returns null for words not in the list', () => {
    expect(lexicon.rankOf('oppholdsgrunnlag')).toBeNull()
  })

  it('reads the shipped word list', () => {
    const shipped = loadLexicon()
    expect(shipped.size).toBeGreaterThan(2000)
    expect(shipped.rankOf('og')).toBe(1)
    // Common inflected forms of A1–A2 words are found, not counted as rare.
    for (const form of ['jobber', 'barna', 'snakket', 'kjøpte', 'spiste', 'dagen', 'venner', 'gikk', 'bedre']) {
      expect(shipped.rankOf(form), form).not.toBeNull()
      expect(shipped.rankOf(form)!, form).toBeLessThanOrEqual(1000)
    }
  })
})

describe('content words', () => {
  it('leaves out function words, numbers and filled pauses', () => {
    expect(['jeg', 'og', 'i', 'har', 'ikke', 'som', 'å', '12'].filter(isContentWord)).toEqual([])
    expect(['bor', 'bergen', 'liker', 'fint', 'jobb'].every(isContentWord)).toBe(true)
    expect([...contentStems(tokenize('Eh, jeg jobber og jobbet i et hus'))].sort()).toEqual(['hus', 'job'])
  })
})

describe('MTLD', () => {
  it('is the token count per factor, forwards and backwards, on a repeated pair', () => {
    // Forward over "jeg liker jeg liker": TTR 1/1, 2/2, then 2/3 = 0.667 ≤ 0.72 closes factor 1; "liker"
    // starts a new factor that ends at TTR 1 (partial factor (1 − 1) / (1 − 0.72) = 0), so 4 / 1 = 4.
    // Backwards is the same sequence shape, also 4. MTLD = (4 + 4) / 2 = 4.
    expect(mtld(['jeg', 'liker', 'jeg', 'liker'])).toBe(4)
  })

  it('counts an unfinished factor in proportion', () => {
    // "jeg bor i jeg har": TTR 1, 1, 1, 3/4 = 0.75, 4/5 = 0.8 — never ≤ 0.72, so only a partial factor:
    // (1 − 0.8) / (1 − 0.72) = 0.7143, and 5 / 0.7143 = 7.0. Backwards ("har jeg i bor jeg") ends at
    // 4/5 = 0.8 too: 7.0. MTLD = 7.0.
    expect(mtld(['jeg', 'bor', 'i', 'jeg', 'har'])).toBeCloseTo(7, 10)
  })

  it('averages different forward and backward values', () => {
    // Forward "hei hei du der": 1/1, then 1/2 = 0.5 closes factor 1; "du der" ends at TTR 1 (partial 0):
    // 4 / 1 = 4. Backward "der du hei hei": 1, 1, 1, 3/4 = 0.75 (partial (1 − 0.75) / 0.28 = 0.8929):
    // 4 / 0.8929 = 4.48. MTLD = (4 + 4.48) / 2 = 4.24.
    expect(mtld(['hei', 'hei', 'du', 'der'])).toBeCloseTo(4.24, 10)
  })

  it('is the token count when the text never repeats a word (a lower bound), and 0 for nothing', () => {
    expect(mtld(['en', 'to', 'tre'])).toBe(3)
    expect(mtld([])).toBe(0)
  })

  it('rises with more diverse vocabulary', () => {
    const repetitive = Array.from({ length: 60 }, (_, i) => ['jeg', 'liker', 'mat', 'og', 'jeg', 'liker', 'te'][i % 7]!)
    const diverse = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 'og' : `ord${i}`))
    expect(mtld(diverse)).toBeGreaterThan(mtld(repetitive))
  })
})

describe('MATTR', () => {
  it('averages the TTR of every window', () => {
    // Window 3 over "jeg bor jeg har": [jeg bor jeg] 2/3, [bor jeg har] 3/3 → (0.667 + 1) / 2 = 0.8333.
    expect(mattr(['jeg', 'bor', 'jeg', 'har'], 3)).toBeCloseTo(5 / 6, 10)
  })

  it('is the plain TTR of a text shorter than a window, and 0 for nothing', () => {
    expect(mattr(['ja', 'ja', 'nei'], 50)).toBeCloseTo(2 / 3, 10)
    expect(mattr([])).toBe(0)
  })

  it('never falls when a repeated word is replaced by a new one (MTLD can)', () => {
    const tokens = Array.from({ length: 80 }, (_, i) => ['jeg', 'liker', 'mat', 'og', 'vi', 'har', 'barn', 'hus'][(i * 5) % 8]!)
    let previous = mattr(tokens)
    for (let i = 0; i < tokens.length; i += 7) {
      tokens[i] = `nytt${i}`
      const next = mattr(tokens)
      expect(next).toBeGreaterThanOrEqual(previous)
      previous = next
    }
  })
})
