import { describe, expect, it } from 'vitest'
import { checkNorwegian, type LanguageCheckCategory } from './language-checks.js'

/** The single finding for `rule` in `text`, failing when there is none or more than one. */
function correctionBy(rule: string, text: string, options?: Parameters<typeof checkNorwegian>[1]): string {
  const findings = checkNorwegian(text, options).filter((finding) => finding.rule === rule)
  expect(findings, `findings for ${rule} in "${text}"`).toHaveLength(1)
  return findings[0]!.corrected
}

function categoryOf(rule: string, text: string): LanguageCheckCategory | undefined {
  return checkNorwegian(text).find((finding) => finding.rule === rule)?.category
}

describe('v2-fronted-adverbial', () => {
  it.each([
    ['I dag jeg går på jobb.', 'I dag går jeg på jobb.'],
    ['i dag jeg går på jobb', 'i dag går jeg på jobb'],
    ['I går jeg var syk.', 'I går var jeg syk.'],
    ['Nå jeg bor i Oslo.', 'Nå bor jeg i Oslo.'],
    ['Derfor jeg lærer norsk!', 'Derfor lærer jeg norsk!'],
    ['På mandag vi har norskkurs.', 'På mandag har vi norskkurs.'],
    ['Om kvelden jeg ser på TV.', 'Om kvelden ser jeg på TV.'],
    ['I Norge det er kaldt om vinteren.', 'I Norge er det kaldt om vinteren.'],
    ['i norge det er kaldt', 'i norge er det kaldt'],
    ['For to år siden jeg kom til Norge.', 'For to år siden kom jeg til Norge.'],
    ['I 2019 jeg flyttet til Bergen.', 'I 2019 flyttet jeg til Bergen.'],
    ['Hver dag jeg sykler til jobben.', 'Hver dag sykler jeg til jobben.'],
    ['Noen ganger jeg ikke forstår.', 'Noen ganger forstår jeg ikke.'],
    ['I morgen vi skal reise til Trondheim.', 'I morgen skal vi reise til Trondheim.'],
    ['Men i dag jeg er syk.', 'Men i dag er jeg syk.'],
    ['Ja, nå jeg forstår.', 'Ja, nå forstår jeg.'],
  ])('moves the verb before the subject after a fronted element: %s', (text, expected) => {
    expect(correctionBy('v2-fronted-adverbial', text)).toBe(expected)
  })

  it('is a word order finding', () => {
    expect(categoryOf('v2-fronted-adverbial', 'I dag jeg går på jobb.')).toBe('word_order')
  })
})

describe('v2-after-subordinate-clause', () => {
  it.each([
    ['Når jeg kommer hjem, jeg spiser middag.', 'Når jeg kommer hjem, spiser jeg middag.'],
    ['Hvis du vil, vi kan gå på kino.', 'Hvis du vil, kan vi gå på kino.'],
    ['Da jeg var ung, jeg bodde i Iran.', 'Da jeg var ung, bodde jeg i Iran.'],
    ['Selv om det regner, vi går på tur.', 'Selv om det regner, går vi på tur.'],
    ['Fordi jeg var syk, jeg ikke kom på jobb.', 'Fordi jeg var syk, kom jeg ikke på jobb.'],
  ])('starts the main clause with the verb after a leading subordinate clause: %s', (text, expected) => {
    expect(correctionBy('v2-after-subordinate-clause', text)).toBe(expected)
  })

  it('is a word order finding', () => {
    expect(categoryOf('v2-after-subordinate-clause', 'Hvis du vil, vi kan gå.')).toBe('word_order')
  })
})

describe('v2-question-word', () => {
  it.each([
    ['Hvor du bor?', 'Hvor bor du?'],
    ['Hva du heter?', 'Hva heter du?'],
    ['Når du kommer?', 'Når kommer du?'],
    ['Hvor mange barn du har?', 'Hvor mange barn har du?'],
    ['Hva slags mat du liker?', 'Hva slags mat liker du?'],
    ['Hvor lenge du har bodd i Norge?', 'Hvor lenge har du bodd i Norge?'],
    ['Hvorfor du ikke kommer?', 'Hvorfor kommer du ikke?'],
    ['Unnskyld, hvor du bor?', 'Unnskyld, hvor bor du?'],
    ['hvor du bor', 'hvor bor du'],
  ])('puts the verb right after the question word: %s', (text, expected) => {
    expect(correctionBy('v2-question-word', text)).toBe(expected)
  })

  it('is a word order finding', () => {
    expect(categoryOf('v2-question-word', 'Hvor du bor?')).toBe('word_order')
  })
})

describe('negation-main-clause', () => {
  it.each([
    ['Jeg ikke forstår.', 'Jeg forstår ikke.'],
    ['Jeg ikke kan snakke norsk.', 'Jeg kan ikke snakke norsk.'],
    ['Han aldri drikker kaffe.', 'Han drikker aldri kaffe.'],
    ['jeg ikke vet', 'jeg vet ikke'],
    ['Nei, jeg ikke liker fisk.', 'Nei, jeg liker ikke fisk.'],
    ['Men vi ikke har tid.', 'Men vi har ikke tid.'],
  ])('puts ikke after the verb in a main clause: %s', (text, expected) => {
    expect(correctionBy('negation-main-clause', text)).toBe(expected)
  })

  it('is a word order finding', () => {
    expect(categoryOf('negation-main-clause', 'Jeg ikke forstår.')).toBe('word_order')
  })
})

describe('negation-subordinate-clause', () => {
  it.each([
    ['Jeg kommer ikke fordi jeg har ikke tid.', 'Jeg kommer ikke fordi jeg ikke har tid.'],
    ['Han sier at han kan ikke komme.', 'Han sier at han ikke kan komme.'],
    ['Hvis du forstår ikke, kan du spørre.', 'Hvis du ikke forstår, kan du spørre.'],
    ['Jeg vet ikke hvorfor han kom ikke.', 'Jeg vet ikke hvorfor han ikke kom.'],
    ['Det er en film som jeg liker ikke.', 'Det er en film som jeg ikke liker.'],
    ['Jeg er glad fordi det er ikke kaldt i dag', 'Jeg er glad fordi det ikke er kaldt i dag'],
  ])('puts ikke before the verb in a subordinate clause: %s', (text, expected) => {
    expect(correctionBy('negation-subordinate-clause', text)).toBe(expected)
  })

  it('fixes every subordinate clause of the sentence in one finding', () => {
    expect(correctionBy('negation-subordinate-clause', 'Jeg sa at jeg kan ikke komme fordi jeg har ikke tid.')).toBe(
      'Jeg sa at jeg ikke kan komme fordi jeg ikke har tid.',
    )
  })

  it('is a word order finding', () => {
    expect(categoryOf('negation-subordinate-clause', 'Han sier at han kan ikke komme.')).toBe('word_order')
  })
})

describe('age-with-vaere', () => {
  it.each([
    ['Jeg har 25 år.', 'Jeg er 25 år.'],
    ['Han har 30 år gammel.', 'Han er 30 år gammel.'],
    ['Datteren min har fem år.', 'Datteren min er fem år.'],
    ['Har du 18 år?', 'Er du 18 år?'],
    ['Nå har jeg tjuefem år og bor i Oslo.', 'Nå er jeg tjuefem år og bor i Oslo.'],
    ['Anna har 40 år', 'Anna er 40 år'],
  ])('uses er for age: %s', (text, expected) => {
    expect(correctionBy('age-with-vaere', text)).toBe(expected)
  })

  it('is a verb form finding', () => {
    expect(categoryOf('age-with-vaere', 'Jeg har 25 år.')).toBe('verb_form')
  })
})

describe('modal-infinitive-marker', () => {
  it.each([
    ['Jeg kan å snakke norsk.', 'Jeg kan snakke norsk.'],
    ['Vi må å jobbe i morgen.', 'Vi må jobbe i morgen.'],
    ['Jeg vil ikke å gå.', 'Jeg vil ikke gå.'],
    ['Kan du å hjelpe meg?', 'Kan du hjelpe meg?'],
    ['Hun skulle å reise til Bergen', 'Hun skulle reise til Bergen'],
    ['Du bør å lese mer, og du må å øve hver dag.', 'Du bør lese mer, og du må øve hver dag.'],
  ])('drops å after a modal verb: %s', (text, expected) => {
    expect(correctionBy('modal-infinitive-marker', text)).toBe(expected)
  })

  it('is a verb form finding', () => {
    expect(categoryOf('modal-infinitive-marker', 'Jeg kan å svømme.')).toBe('verb_form')
  })
})

describe('article-gender', () => {
  it.each([
    ['Jeg har en hus.', 'Jeg har et hus.'],
    ['Det er et bil.', 'Det er en bil.'],
    ['En barn leker ute.', 'Et barn leker ute.'],
    ['Jeg leser et bok.', 'Jeg leser en bok.'],
    ['Hun har ei hus', 'Hun har et hus'],
    ['Jeg har en hus og et bil.', 'Jeg har et hus og en bil.'],
    ['Jeg trenger en spørsmål.', 'Jeg trenger et spørsmål.'],
  ])('uses the article of the noun’s gender: %s', (text, expected) => {
    expect(correctionBy('article-gender', text)).toBe(expected)
  })

  it('names the noun and its article in the explanation', () => {
    const [finding] = checkNorwegian('Jeg har en hus.')
    expect(finding).toMatchObject({ rule: 'article-gender', category: 'article' })
    expect(finding!.explanation).toContain('et hus')
    expect(finding!.explanationNb).toContain('«et hus»')
  })
})

describe('comparative-mer', () => {
  it.each([
    ['Denne er mer bedre.', 'Denne er bedre.'],
    ['Oslo er mer større enn Bergen.', 'Oslo er større enn Bergen.'],
    ['Hun er mest best i klassen.', 'Hun er best i klassen.'],
    ['Mer bedre er ikke alltid bra.', 'Bedre er ikke alltid bra.'],
  ])('drops mer or mest before an already compared adjective: %s', (text, expected) => {
    expect(correctionBy('comparative-mer', text)).toBe(expected)
  })

  it('is an agreement finding', () => {
    expect(categoryOf('comparative-mer', 'Denne er mer bedre.')).toBe('agreement')
  })
})

describe('capitalization-language-nationality', () => {
  it.each([
    ['Jeg snakker Norsk og Engelsk.', 'Jeg snakker norsk og engelsk.'],
    ['Vi har kurs på Mandag.', 'Vi har kurs på mandag.'],
    ['Jeg kom hit i Januar', 'Jeg kom hit i januar'],
    ['Han er Nordmann.', 'Han er nordmann.'],
    ['Vi reiser i Mai.', 'Vi reiser i mai.'],
    ['Jeg bor i Norge og snakker Norsk.', 'Jeg bor i Norge og snakker norsk.'],
  ])('writes languages, nationalities, weekdays and months in lower case: %s', (text, expected) => {
    expect(correctionBy('capitalization-language-nationality', text)).toBe(expected)
  })

  it('is a capitalization finding', () => {
    expect(categoryOf('capitalization-language-nationality', 'Jeg snakker Norsk.')).toBe('capitalization')
  })

  it('does not check capitalisation of recognised speech', () => {
    expect(checkNorwegian('Jeg snakker Norsk og Engelsk.', { source: 'browser_speech' })).toEqual([])
    expect(checkNorwegian('Vi har kurs på Mandag.', { source: 'speech_engine' })).toEqual([])
  })

  it('still applies the other rules to recognised speech', () => {
    expect(correctionBy('v2-fronted-adverbial', 'I dag jeg snakker Norsk', { source: 'browser_speech' })).toBe('I dag snakker jeg Norsk')
  })

  it('leaves the first word of a sentence capitalised', () => {
    expect(checkNorwegian('Norsk er vanskelig. Mandag er en fin dag.')).toEqual([])
  })
})

describe('duration-i-not-siden', () => {
  it.each([
    ['Jeg har bodd i Norge siden to år.', 'Jeg har bodd i Norge i to år.'],
    ['Hun har jobbet her siden 5 måneder.', 'Hun har jobbet her i 5 måneder.'],
    ['Vi har ventet siden en uke', 'Vi har ventet i en uke'],
    ['Jeg har lært norsk siden et par år.', 'Jeg har lært norsk i et par år.'],
  ])('uses i for a length of time: %s', (text, expected) => {
    expect(correctionBy('duration-i-not-siden', text)).toBe(expected)
  })

  it('is a preposition finding', () => {
    expect(categoryOf('duration-i-not-siden', 'Jeg har bodd her siden to år.')).toBe('preposition')
  })
})

describe('country-preposition', () => {
  it.each([
    ['Jeg bor på Norge.', 'Jeg bor i Norge.'],
    ['Hun jobbet på Sverige i to år.', 'Hun jobbet i Sverige i to år.'],
    ['jeg bor på norge', 'jeg bor i norge'],
    ['Vi bor fortsatt på Tyskland.', 'Vi bor fortsatt i Tyskland.'],
  ])('uses i with countries: %s', (text, expected) => {
    expect(correctionBy('country-preposition', text)).toBe(expected)
  })

  it('is a preposition finding', () => {
    expect(categoryOf('country-preposition', 'Jeg bor på Norge.')).toBe('preposition')
  })
})

describe('several errors and sentences', () => {
  it('reports each error of a sentence separately, each correction fixing only its own error', () => {
    expect(checkNorwegian('I dag jeg har 25 år.')).toEqual([
      expect.objectContaining({ rule: 'v2-fronted-adverbial', original: 'I dag jeg har 25 år.', corrected: 'I dag har jeg 25 år.' }),
      expect.objectContaining({ rule: 'age-with-vaere', original: 'I dag jeg har 25 år.', corrected: 'I dag jeg er 25 år.' }),
    ])
  })

  it('lists findings in text order, each with its own sentence as the original', () => {
    const findings = checkNorwegian('Jeg har en hus.  Hvor du bor? Jeg kan å snakke Norsk')
    expect(findings.map(({ rule, original, corrected }) => ({ rule, original, corrected }))).toEqual([
      { rule: 'article-gender', original: 'Jeg har en hus.', corrected: 'Jeg har et hus.' },
      { rule: 'v2-question-word', original: 'Hvor du bor?', corrected: 'Hvor bor du?' },
      { rule: 'modal-infinitive-marker', original: 'Jeg kan å snakke Norsk', corrected: 'Jeg kan snakke Norsk' },
      { rule: 'capitalization-language-nationality', original: 'Jeg kan å snakke Norsk', corrected: 'Jeg kan å snakke norsk' },
    ])
  })

  it('splits sentences on lines and on a full stop before a capital, not inside "kl. 8"', () => {
    expect(checkNorwegian('Jeg står opp kl. 8 hver dag\ni dag jeg er trøtt')).toEqual([
      expect.objectContaining({ original: 'i dag jeg er trøtt', corrected: 'i dag er jeg trøtt' }),
    ])
  })

  it('keeps commas, quotes and extra spaces of the original', () => {
    expect(correctionBy('negation-subordinate-clause', '«Jeg vet at  du kan ikke komme», sa hun.')).toBe('«Jeg vet at  du ikke kan komme», sa hun.')
  })

  it('gives an English and a Bokmål explanation for every finding', () => {
    const findings = checkNorwegian('Jeg ikke forstår. Jeg har 30 år. Jeg bor på Norge siden to år.')
    expect(findings.map((finding) => finding.rule)).toEqual(['negation-main-clause', 'age-with-vaere', 'country-preposition', 'duration-i-not-siden'])
    for (const finding of findings) {
      expect(finding.explanation).toMatch(/^[A-Z].*\.$/)
      expect(finding.explanationNb).toMatch(/^[A-ZÆØÅ].*\.$/)
    }
  })

  it('returns nothing for empty text or text without words', () => {
    expect(checkNorwegian('')).toEqual([])
    expect(checkNorwegian('  ?! ... ')).toEqual([])
  })
})

// Correct sentences across A1–B2, typed and as speech recognisers return them: none may be "corrected".
const CORRECT_SENTENCES = [
  // A1
  'Jeg heter Anna.',
  'Hva heter du?',
  'Hvor bor du?',
  'Jeg bor i Oslo.',
  'Jeg kommer fra Iran.',
  'Jeg er 25 år gammel.',
  'Hun har to barn.',
  'Vi har et hus og en bil.',
  'Jeg har ei bok.',
  'Jeg har en bok.',
  'Det er en jente og et barn.',
  'Jeg snakker norsk og engelsk.',
  'I dag går jeg på jobb.',
  'I morgen skal vi reise til Bergen.',
  'På mandag har jeg norskkurs.',
  'Om kvelden ser vi på TV.',
  'Nå bor jeg i Norge.',
  'Jeg forstår ikke.',
  'Jeg kan snakke litt norsk.',
  'Jeg liker å lese bøker.',
  'Jeg har lyst til å lære norsk.',
  'Jeg prøver å snakke norsk hver dag.',
  'Kan du hjelpe meg?',
  'Hvor mye koster det?',
  'Hvor gammel er du?',
  'Hva slags mat liker du?',
  'Hvor mange barn har du?',
  'Når kommer bussen?',
  'Hvordan har du det?',
  'Ja, jeg forstår.',
  'Nei, jeg vet ikke.',
  // A2
  'Jeg har bodd i Norge siden 2019.',
  'Jeg har bodd i Norge i to år.',
  'For to år siden kom jeg til Norge.',
  'Jeg kom til Norge for tre år siden.',
  'Jeg vet ikke hvor du bor.',
  'Kan du si meg hvor stasjonen er?',
  'Jeg lurer på hva han heter.',
  'Han sier at han ikke kan komme.',
  'Jeg kommer ikke fordi jeg ikke har tid.',
  'Hvis du ikke forstår, kan du spørre.',
  'Når jeg kommer hjem, spiser jeg middag.',
  'Da jeg kom hjem, var det ingen der.',
  'Derfor lærer jeg norsk.',
  'Etterpå drakk vi kaffe.',
  'Noen ganger går jeg på tur i skogen.',
  'Hver dag sykler jeg til jobben.',
  'I Norge er det kaldt om vinteren.',
  'Jeg er gift med en nordmann.',
  'Min bror er eldre enn meg.',
  'Denne leiligheten er mye bedre.',
  'Hun er den beste i klassen.',
  'Vi skal på ferie i juli.',
  'Han begynte på skolen i august.',
  'Jeg har en søster og ei tante.',
  'Det var ei fin uke.',
  'Jeg har en leilighet og ei seng.',
  'Kanskje jeg kommer i morgen.',
  'Så jeg deg på butikken i går?',
  'Jeg var trøtt, så jeg gikk hjem.',
  'Da går vi.',
  'Vi skal til Sverige i helgen.',
  'Jeg bor på Grünerløkka.',
  'Kommer du fra Polen?',
  'Hvorfor kommer du ikke?',
  'Vet du hvorfor han ikke kom?',
  'Jeg kan ikke komme i dag.',
  'Du må ikke glemme nøklene!',
  // B1
  'Selv om jeg ikke liker kaffe, drikker jeg det hver morgen.',
  'Boka som jeg leste i går, var veldig spennende.',
  'Hun sa at hun ikke ville komme på festen.',
  'Jeg tror at det er viktig å lære språket.',
  'Det er viktig å kunne snakke norsk på jobben.',
  'Kan det å bo i Norge være dyrt?',
  'Hva du sier er riktig.',
  'Hver gang jeg ser ham, blir jeg glad.',
  'Neste gang jeg kommer, skal jeg ta med kake.',
  'Hver dag jeg går til skolen, ser jeg en katt.',
  'I tilfelle du trenger hjelp, kan du ringe meg.',
  'Nå som jeg bor i Oslo, tar jeg trikken.',
  'Nå du er her, kan vi begynne.',
  'Etter at jeg flyttet til Norge, begynte jeg på norskkurs.',
  'Mens jeg venter, leser jeg avisen.',
  'Om morgenen drikker jeg kaffe, og om kvelden drikker jeg te.',
  'Jeg tenker ofte på Norge.',
  'Vi var på ferie på Island.',
  'Jeg vil ikke gå ut fordi det regner.',
  'De har to år igjen av studiet.',
  'Han har 30 år erfaring som lærer.',
  'Jeg har jobbet her i fem år.',
  'Det tok meg ett år å lære språket.',
  'Jeg har ikke sett ham siden en dag i mai.',
  'Vi leste en bok om livet på Mars.',
  'Jeg heter August og kommer fra Tyskland.',
  'Han jobber i Norsk Hydro.',
  'Jeg er glad fordi det ikke bare er sol, men også varmt.',
  'Jeg liker ikke at det er så mørkt om vinteren.',
  'Dette huset er mer enn hundre år gammelt.',
  // B2
  'Dersom regjeringen ikke gjør noe, vil problemet bli større.',
  'Det er mange som mener at man ikke bør jobbe mer enn åtte timer.',
  'Uansett hva du velger, støtter jeg deg.',
  'Etter min mening bør alle lære minst to språk.',
  'Det er ikke lett å finne en leilighet i Oslo.',
  'Ifølge forskerne blir det varmere i framtiden.',
  'Ikke bare har hun studert medisin, men hun har også jobbet som lege.',
  'Jo mer jeg øver, desto bedre blir jeg.',
  'Dette er mer interessant enn jeg trodde.',
  'Det var mest vanskelig i begynnelsen.',
  'Han påstår at han aldri har vært i Spania.',
  'Den Norske Opera ligger i Bjørvika.',
  'Hvem av dere kommer?',
  'Hva du enn gjør, må du være ærlig.',
  'Jeg tror ikke det er sant.',
  'Vi snakket om det var lurt å flytte.',
  'Jeg drømmer om Norge.',
  'Vil du ha mer vann?',
  'Det er tre år siden jeg så ham.',
  'Jeg har tre barn på 5, 7 og 10 år.',
  'Han er født 3. august.',
  'Det er en lys leilighet.',
  'Vi tok en kort tur.',
  'Han er mer enn et år eldre.',
  'Barna som ikke har matpakke, får mat på skolen.',
  'Hun spurte hvorfor jeg ikke kom.',
  'Alltid når jeg kommer hjem, er hunden glad.',
  'Hun sa: «Engelsk er lettere.»',
  // Speech recognition: no capitals, no punctuation
  'jeg bor i oslo og jobber som lærer',
  'hva heter du',
  'når du kommer hjem skal vi spise',
  'hvor lenge har du bodd i norge',
  'jeg vet ikke hvor han bor',
  'i går var jeg på kino',
  'hvor du bor spiller ingen rolle',
  'hvis du vil kan vi gå nå',
  'det er fint at du kom ikke sant',
  'jeg har ikke vært der siden to år etter krigen',
]

describe('correct Norwegian', () => {
  it('has a corpus of at least 60 sentences', () => {
    expect(CORRECT_SENTENCES.length).toBeGreaterThanOrEqual(60)
  })

  it.each(CORRECT_SENTENCES)('finds nothing to correct in "%s"', (sentence) => {
    expect(checkNorwegian(sentence)).toEqual([])
  })

  it('finds nothing to correct when the punctuated sentences are one text', () => {
    expect(checkNorwegian(CORRECT_SENTENCES.filter((s) => /[.!?]$/.test(s)).join(' '))).toEqual([])
  })
})
