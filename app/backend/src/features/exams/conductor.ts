import type { CefrLevel, ExamConductorState, ExamLevel, ExamPart, ExamPrompt } from '../../core/db/schema/index.js'
import type { PartnerLines } from '../curriculum/content-schema.js'
import { asksToRepeat, isQuestion, wordsOf } from '../tutor/offline/answer.js'

/**
 * The scripted examiner and co-candidate. The examiner is scripted with every provider, as the real
 * test's examiner reads from a script: neutral, no teaching, no correcting, one question at a time,
 * and it never cuts the candidate off — it speaks only after the candidate's turn has ended. The
 * co-candidate of the pair task speaks lines from the pack's bank at its level (a language model
 * words them when a provider is configured).
 */

export type ExamSpeaker = 'examiner' | 'partner'

/** Everything about the current part the conductor decides from. */
export interface PartScript {
  level: ExamLevel
  part: Pick<ExamPart, 'taskType' | 'mode' | 'examinerScript' | 'followUpQuestions' | 'extraQuestion'>
  prompt: ExamPrompt | null
  /** The part's general follow-up questions drawn for this attempt (asked after the prompt's own). */
  followUps: string[]
  /** The question from the level above, when the part has one and the attempt has not used it yet. */
  extraQuestion: string | null
  /** The co-candidate's lines for this prompt at its level (pair parts). */
  partner: PartnerLines | null
}

export interface ConductorReply {
  role: ExamSpeaker
  text: string
  /** The examiner closes the part with this reply: the part ends and the next begins. */
  closesPart: boolean
  /** The extra question was asked with this reply. */
  askedExtra: string | null
  state: ExamConductorState
}

/** The examiner's lines while the part is explained: every script line but the last. */
export function introLines(part: Pick<ExamPart, 'examinerScript'>): string[] {
  return part.examinerScript.length > 1 ? part.examinerScript.slice(0, -1) : []
}

/** The examiner's last line closes the part. */
export function closingLine(part: Pick<ExamPart, 'examinerScript'>): string {
  return part.examinerScript.at(-1) ?? 'Takk.'
}

/** The examiner's questions in this part, in order: the prompt's own follow-ups, then the drawn general ones. */
function questionQueue(script: PartScript): string[] {
  return [...(script.prompt?.followUps ?? []), ...script.followUps]
}

/** Mean words per answer at which the examiner adds the question from the level above. */
const doingWellWords: Record<ExamLevel, number> = { 'A1-A2': 10, 'A2-B1': 15, 'B1-B2': 22 }
/** A first answer shorter than this in a task that asks for talk gets one "say more". */
const sayMoreWords: Record<ExamLevel, number> = { 'A1-A2': 6, 'A2-B1': 12, 'B1-B2': 20 }
/** Tasks where the candidate is expected to talk at length before the questions. */
const longTurnTasks = new Set(['picture_description', 'monologue', 'opinion', 'argue_statement'])
/** The examiner closes a pair task after this many co-candidate turns if time has not ended it. */
const maxPartnerTurns = 10

const fresh = (position: number): ExamConductorState => ({ partPosition: position, asked: 0 })

/** The conductor's state for `position`: kept within a part, fresh when a new part began. */
export function stateFor(state: ExamConductorState, position: number): ExamConductorState {
  return state.partPosition === position ? state : fresh(position)
}

/**
 * The examiner's or co-candidate's answer to the candidate's turn during the speaking time.
 * `answers` are the candidate's turns in this part so far, this one last.
 */
export function conduct(script: PartScript, state: ExamConductorState, answers: string[]): ConductorReply {
  const answer = answers.at(-1) ?? ''
  if (asksToRepeat(answer) && state.lastQuestion) {
    return { role: state.lastQuestion.role, text: state.lastQuestion.text, closesPart: false, askedExtra: null, state }
  }
  return script.part.mode === 'pair' && script.partner ? partnerTurn(script, script.partner, state, answers) : examinerTurn(script, state, answers)
}

function examinerTurn(script: PartScript, state: ExamConductorState, answers: string[]): ConductorReply {
  const ask = (text: string, next: ExamConductorState, askedExtra: string | null = null): ConductorReply => ({
    role: 'examiner',
    text,
    closesPart: false,
    askedExtra,
    state: { ...next, lastQuestion: { role: 'examiner', text } },
  })
  const words = wordsOf(answers.at(-1) ?? '').length
  if (answers.length === 1 && longTurnTasks.has(script.part.taskType) && words < sayMoreWords[script.level] && !state.nudged) {
    return ask('Kan du si litt mer om det?', { ...state, nudged: true })
  }
  const queue = questionQueue(script)
  const asked = state.asked ?? 0
  if (asked < queue.length) return ask(queue[asked]!, { ...state, asked: asked + 1 })
  if (script.extraQuestion && doingWell(script.level, answers)) return ask(script.extraQuestion, state, script.extraQuestion)
  return close(script, state)
}

function close(script: PartScript, state: ExamConductorState): ConductorReply {
  return { role: 'examiner', text: closingLine(script.part), closesPart: true, askedExtra: null, state }
}

function doingWell(level: ExamLevel, answers: string[]): boolean {
  if (answers.length < 2) return false
  const mean = answers.reduce((sum, answer) => sum + wordsOf(answer).length, 0) / answers.length
  return mean >= doingWellWords[level]
}

/**
 * A fellow candidate: opens, then alternates telling something about themself with asking the
 * candidate; answers a question with something about themself; reacts to what was said; and once,
 * early on, needs the candidate's help with a word — as a real partner sometimes does.
 */
function partnerTurn(script: PartScript, lines: PartnerLines, state: ExamConductorState, answers: string[]): ConductorReply {
  const used = state.partner ?? { statements: 0, questions: 0, reactions: 0, helpRequests: 0, turns: 0 }
  if (used.turns >= maxPartnerTurns || used.statements >= lines.statements.length || used.questions >= lines.questions.length) {
    return close(script, state)
  }
  const answer = answers.at(-1) ?? ''
  const next = { ...used, turns: used.turns + 1 }
  const pick = (kind: 'statements' | 'questions' | 'reactions' | 'helpRequests') => {
    const list = lines[kind]
    const line = list[next[kind] % list.length]!
    next[kind] += 1
    return line
  }
  let parts: string[]
  if (used.turns === 2 && used.helpRequests < lines.helpRequests.length) {
    parts = [pick('helpRequests')]
  } else if (used.turns === 3 && used.helpRequests > 0) {
    // Helped with the word: a thank-you kind of reaction, and the talk goes on.
    parts = [pick('reactions'), pick('questions')]
  } else if (isQuestion(answer)) {
    // Asked something: answer it about themself, and now and then ask back.
    parts = used.turns % 2 === 0 ? [pick('statements'), pick('questions')] : [pick('statements')]
  } else {
    parts = used.turns % 2 === 0 ? [pick('reactions'), pick('questions')] : [pick('statements'), pick('questions')]
  }
  const text = parts.join(' ')
  return {
    role: 'partner',
    text,
    closesPart: false,
    askedExtra: null,
    state: { ...state, partner: next, lastQuestion: { role: 'partner', text } },
  }
}

/** The co-candidate's first turn, after the examiner has given the pair their topic. */
export function partnerOpening(lines: PartnerLines, state: ExamConductorState): { text: string; state: ExamConductorState } {
  return {
    text: lines.opening,
    state: { ...state, partner: { statements: 0, questions: 0, reactions: 0, helpRequests: 0, turns: 0 }, lastQuestion: { role: 'partner', text: lines.opening } },
  }
}

const readyWords = /\b(?:klar|ferdig|begynn\w*|start\w*|ready|ok(?:ay)?|ja)\b/i
const notYet = /\b(?:nei|vent|ikke|vente)\b/i
/** "Jeg er klar", "Ja, vi kan begynne", "OK": the candidate says they are ready (not "nei, vent litt"). */
export function saysReady(answer: string): boolean {
  return readyWords.test(answer) && !notYet.test(answer) && !isQuestion(answer)
}

/**
 * What the examiner does when the candidate speaks while the part is explained or prepared: begins
 * when they say they are ready, reads the task again when they ask, and otherwise waits for them.
 */
export function outsideSpeaking(phase: 'instructions' | 'preparation', answer: string, instructionsNb: string): { text: string; begins: boolean } {
  if (saysReady(answer)) return { text: phase === 'preparation' ? 'Da kan du begynne.' : 'Da begynner vi.', begins: true }
  if (phase === 'instructions' && (asksToRepeat(answer) || isQuestion(answer))) return { text: instructionsNb, begins: false }
  return {
    text: phase === 'preparation' ? 'Du har fortsatt litt tid til å forberede deg. Si fra når du er klar.' : 'Si fra når du er klar, så begynner vi.',
    begins: false,
  }
}

/** The co-candidate plays one of the two levels of the test. */
export function coCandidateLevels(level: ExamLevel): [CefrLevel, CefrLevel] {
  return level.split('-') as [CefrLevel, CefrLevel]
}
