import { describe, expect, it } from 'vitest'
import type { ExamConductorState } from '../../core/db/schema/index.js'
import type { PartnerLines } from '../curriculum/content-schema.js'
import { closingLine, conduct, introLines, outsideSpeaking, partnerOpening, stateFor, type PartScript } from './conductor.js'

const examinerScript = ['Oppgave en.', 'Du skal presentere deg selv.', 'Takk. Da går vi videre.']

function individual(overrides: Partial<PartScript> = {}): PartScript {
  return {
    level: 'A1-A2',
    part: { taskType: 'self_presentation', mode: 'individual', examinerScript, followUpQuestions: [], extraQuestion: { level: 'B1', questions: ['Hva synes du om å bo i Norge?'] } },
    prompt: { id: 'deg', text: 'Fortell litt om deg selv.', followUps: ['Hvor bor du?', 'Har du barn?'] },
    followUps: ['Hva liker du å gjøre?'],
    extraQuestion: 'Hva synes du om å bo i Norge?',
    partner: null,
    ...overrides,
  }
}

/** Plays a part: the candidate's answers in turn, the conductor's replies back. */
function play(script: PartScript, answers: string[]) {
  let state: ExamConductorState = stateFor({}, 0)
  const said: string[] = []
  const replies = []
  for (const answer of answers) {
    said.push(answer)
    const reply = conduct(script, state, said)
    replies.push(reply)
    state = reply.state
    if (reply.closesPart) break
  }
  return replies
}

const short = 'Jeg heter Ali.'
const long = 'Jeg heter Ali og jeg kommer fra Syria, men nå bor jeg i Bergen sammen med kona mi og to barn.'

describe('the scripted examiner', () => {
  it("asks the prompt's follow-ups, then the drawn general ones, then closes the part with its last script line", () => {
    const replies = play(individual({ extraQuestion: null }), [short, short, short, short, short])
    expect(replies.map((reply) => reply.text)).toEqual(['Hvor bor du?', 'Har du barn?', 'Hva liker du å gjøre?', 'Takk. Da går vi videre.'])
    expect(replies.map((reply) => reply.role)).toEqual(['examiner', 'examiner', 'examiner', 'examiner'])
    expect(replies.at(-1)!.closesPart).toBe(true)
  })

  it('adds the question from the level above only for a candidate who is doing well', () => {
    expect(play(individual(), [short, short, short, short]).map((reply) => reply.askedExtra)).toEqual([null, null, null, null])
    const strong = play(individual(), [long, long, long, long, long])
    expect(strong[3]).toMatchObject({ text: 'Hva synes du om å bo i Norge?', askedExtra: 'Hva synes du om å bo i Norge?', closesPart: false })
  })

  it('says the last question again when asked to, without moving on', () => {
    const first = conduct(individual(), stateFor({}, 0), [short])
    const again = conduct(individual(), first.state, [short, 'Kan du si det en gang til?'])
    expect(again).toMatchObject({ role: 'examiner', text: first.text, closesPart: false })
    expect(again.state.asked).toBe(first.state.asked)
  })

  it('asks once for more when the first answer of a long-turn task is very short', () => {
    const picture = individual({ part: { ...individual().part, taskType: 'picture_description' } })
    const replies = play(picture, ['Et kjøkken.', 'En mann.'])
    expect(replies[0]!.text).toBe('Kan du si litt mer om det?')
    expect(replies[1]!.text).toBe('Hvor bor du?')
    // A full first answer gets the follow-up straight away.
    expect(play(picture, [long])[0]!.text).toBe('Hvor bor du?')
  })

  it('never corrects: it repeats nothing of a wrong answer and only asks or closes', () => {
    const replies = play(individual({ extraQuestion: null }), ['Jeg komme fra Syria.', 'I Norge jeg bor.', 'Jeg har to barn.', 'Fotball.'])
    for (const reply of replies) expect(['Hvor bor du?', 'Har du barn?', 'Hva liker du å gjøre?', 'Takk. Da går vi videre.']).toContain(reply.text)
  })

  it('reads its script: every line but the last while explaining, the last to close', () => {
    expect(introLines({ examinerScript })).toEqual(['Oppgave en.', 'Du skal presentere deg selv.'])
    expect(closingLine({ examinerScript })).toBe('Takk. Da går vi videre.')
  })

  it('outside the speaking time: begins when the candidate is ready, re-reads the task to a question, waits otherwise', () => {
    expect(outsideSpeaking('instructions', 'Hva skal jeg gjøre?', 'Fortell om deg selv.')).toEqual({ text: 'Fortell om deg selv.', begins: false })
    expect(outsideSpeaking('instructions', 'Ja, jeg er klar.', 'Fortell om deg selv.')).toEqual({ text: 'Da begynner vi.', begins: true })
    expect(outsideSpeaking('instructions', 'Nei, vent litt.', 'x')).toEqual({ text: 'Si fra når du er klar, så begynner vi.', begins: false })
    expect(outsideSpeaking('preparation', 'Jeg er ferdig.', 'x')).toEqual({ text: 'Da kan du begynne.', begins: true })
    expect(outsideSpeaking('preparation', 'Hmm.', 'x')).toMatchObject({ text: expect.stringMatching(/forberede deg/), begins: false })
  })
})

const lines: PartnerLines = {
  opening: 'Jeg liker ris. Hva liker du å spise?',
  statements: ['Jeg spiser brød til frokost.', 'Jeg lager mat hver dag.', 'Min mor lager god suppe.', 'Jeg drikker mye kaffe.'],
  questions: ['Liker du fisk?', 'Hva drikker du?', 'Lager du mat?', 'Spiser du frokost?'],
  reactions: ['Å ja!', 'Så fint.', 'Det liker jeg også.'],
  helpRequests: ['Hva heter det … den man koker suppe i?'],
}

describe('the scripted co-candidate', () => {
  const pair = (): PartScript => individual({ part: { ...individual().part, taskType: 'conversation', mode: 'pair' }, partner: lines, extraQuestion: null })

  it('opens, reacts and asks, needs help with a word once, and answers a question about itself', () => {
    const opening = partnerOpening(lines, stateFor({}, 2))
    expect(opening.text).toBe(lines.opening)
    let state = opening.state
    const answers: string[] = []
    const replies = []
    for (const answer of ['Jeg liker kylling.', 'Jeg drikker te.', 'En kjele!', 'Hva spiser du til middag?', 'Hva spiser du til middag?']) {
      answers.push(answer)
      const reply = conduct(pair(), state, answers)
      replies.push(reply)
      state = reply.state
    }
    expect(replies.map((reply) => reply.role)).toEqual(['partner', 'partner', 'partner', 'partner', 'partner'])
    expect(replies[0]!.text).toBe('Å ja! Liker du fisk?')
    expect(replies[1]!.text).toBe('Jeg spiser brød til frokost. Hva drikker du?')
    expect(replies[2]!.text).toBe(lines.helpRequests[0])
    // Helped: it takes the word and goes on.
    expect(replies[3]!.text).toBe('Så fint. Lager du mat?')
    // Asked a question: it answers with something about itself.
    expect(replies[4]!.text.startsWith('Jeg lager mat hver dag.')).toBe(true)
  })

  it('repeats its last line when the candidate asks, and the examiner closes the task when the partner has run out', () => {
    let state = partnerOpening(lines, stateFor({}, 2)).state
    expect(conduct(pair(), state, ['Unnskyld, kan du gjenta?'])).toMatchObject({ role: 'partner', text: lines.opening })
    const answers: string[] = []
    let reply
    for (let turn = 0; turn < 12; turn++) {
      answers.push('Ja, det gjør jeg.')
      reply = conduct(pair(), state, answers)
      state = reply.state
      if (reply.closesPart) break
    }
    expect(reply).toMatchObject({ role: 'examiner', closesPart: true, text: 'Takk. Da går vi videre.' })
  })
})
