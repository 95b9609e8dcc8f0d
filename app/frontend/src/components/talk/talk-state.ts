import type { components } from '@/lib/api/schema'
import type { TurnSource, TurnStreamEvent } from '@/lib/turn-stream'

export type Turn = components['schemas']['Turn']
export type Correction = components['schemas']['Correction']
export type VisualAid = components['schemas']['VisualAid']
export type TutorEvent = components['schemas']['TutorEvent']
export type Greeting = components['schemas']['TutorSession']['greeting']

/** One line of the conversation as shown: a stored turn, one being sent, the greeting or a lesson-complete note. */
export interface TalkEntry {
  key: string
  kind: 'turn' | 'greeting' | 'lesson_complete'
  /** The stored turn's id, once the server has it. */
  id: string | null
  role: Turn['role']
  text: string
  source: Turn['source']
  corrections: Correction[]
  /** With the "end of turn" correction style, corrections wait until the tutor has answered. */
  correctionsRevealed: boolean
  visuals: VisualAid[]
  /** A tutor reply that was cut off. */
  incomplete: boolean
  /** A learner turn the tutor has not answered (yet). */
  unanswered: boolean
  clientTurnId: string | null
  sittingId: string | null
  createdAt: string | null
  greeting?: Pick<Greeting, 'translation' | 'recap'>
  lesson?: { id: string; title: string | null }
}

export interface PendingTurn {
  clientTurnId: string
  text: string
  source: TurnSource
}

export type TalkFailure =
  | { kind: 'network'; retry: PendingTurn }
  | { kind: 'tutor'; code: Extract<TurnStreamEvent, { type: 'error' }>['code']; retry: PendingTurn | null }
  | { kind: 'refused'; message: string; status: number }

export interface TalkState {
  /** This visit's conversation, oldest first (earlier turns come from the transcript pages). */
  entries: TalkEntry[]
  /** The tutor's reply while it streams in. */
  reply: { text: string; visuals: VisualAid[] } | null
  phase: 'idle' | 'waiting' | 'streaming' | 'reconnecting' | 'error'
  pending: PendingTurn | null
  failure: TalkFailure | null
  /** A lesson finished during the reply being streamed; noted once the reply is complete. */
  completedLesson: { id: string; title: string | null } | null
}

export const initialTalkState: TalkState = { entries: [], reply: null, phase: 'idle', pending: null, failure: null, completedLesson: null }

export type TalkAction =
  | { type: 'greet'; greeting: Greeting }
  | { type: 'opening'; turn: Turn | null; events: TutorEvent[] }
  | { type: 'send'; turn: PendingTurn }
  | { type: 'event'; event: TurnStreamEvent; lessonTitle?: string | null }
  /** The connection failed for the pending turn (or, given ids, for these turns: the others are unaffected). */
  | { type: 'network_failed'; clientTurnIds?: string[] }
  | { type: 'refused'; message: string; status: number }
  | { type: 'dismiss' }
  /**
   * A stored turn that came over the voice connection: the learner's (sent from here, or heard by the
   * server's speech-to-text) or a reply, an exam line. Sent from here and pending, it is the stream's
   * `turn` or `done`; otherwise it starts or completes an exchange this page did not begin.
   */
  | { type: 'stored'; turn: Turn }

export function isBusy(state: TalkState): boolean {
  return state.phase === 'waiting' || state.phase === 'streaming' || state.phase === 'reconnecting'
}

/** `streamed`: the visual aids that came with a reply as it streamed, for a turn stored without them. */
function entryOfTurn(turn: Turn, streamed: VisualAid[] = []): TalkEntry {
  return {
    key: turn.id,
    kind: 'turn',
    id: turn.id,
    role: turn.role,
    text: turn.text,
    source: turn.source,
    corrections: turn.corrections,
    correctionsRevealed: true,
    visuals: turn.visualAids.length > 0 ? turn.visualAids : streamed,
    incomplete: turn.incomplete,
    unanswered: false,
    clientTurnId: turn.clientTurnId,
    sittingId: turn.sittingId,
    createdAt: turn.createdAt,
  }
}

/** A stored turn of an earlier page of the transcript. */
export function historyEntry(turn: Turn): TalkEntry {
  return entryOfTurn(turn)
}

const sameCorrection = (a: Correction, b: Correction) => a.original === b.original && a.corrected === b.corrected && a.explanation === b.explanation

function withCorrections(existing: Correction[], added: Correction[]): Correction[] {
  const merged = [...existing]
  for (const correction of added) if (!merged.some((known) => sameCorrection(known, correction))) merged.push(correction)
  return merged
}

function updateLearner(state: TalkState, update: (entry: TalkEntry) => TalkEntry): TalkEntry[] {
  const id = state.pending?.clientTurnId
  if (!id) return state.entries
  return state.entries.map((entry) => (entry.kind === 'turn' && entry.role === 'learner' && entry.clientTurnId === id ? update(entry) : entry))
}

function finishReply(state: TalkState, tutor: TalkEntry | null, answered: boolean): TalkEntry[] {
  const entries = [...updateLearner(state, (entry) => ({ ...entry, correctionsRevealed: true, unanswered: !answered }))]
  if (tutor && !entries.some((entry) => entry.id === tutor.id)) entries.push(tutor)
  if (state.completedLesson) {
    entries.push({
      ...emptyEntry(`lesson-complete-${state.completedLesson.id}-${entries.length}`),
      kind: 'lesson_complete',
      lesson: state.completedLesson,
    })
  }
  return entries
}

function emptyEntry(key: string): TalkEntry {
  return {
    key,
    kind: 'turn',
    id: null,
    role: 'tutor',
    text: '',
    source: null,
    corrections: [],
    correctionsRevealed: true,
    visuals: [],
    incomplete: false,
    unanswered: false,
    clientTurnId: null,
    sittingId: null,
    createdAt: null,
  }
}

export function talkReducer(state: TalkState, action: TalkAction): TalkState {
  switch (action.type) {
    case 'greet':
      if (state.entries.some((entry) => entry.kind === 'greeting')) return state
      return {
        ...state,
        entries: [
          { ...emptyEntry('greeting'), kind: 'greeting', text: action.greeting.text, greeting: { translation: action.greeting.translation, recap: action.greeting.recap } },
          ...state.entries,
        ],
      }
    case 'opening': {
      if (!action.turn || state.entries.some((entry) => entry.id === action.turn!.id)) return state
      const visuals = action.events.flatMap((event) => (event.type === 'visual' ? [event.aid] : []))
      return { ...state, entries: [...state.entries, entryOfTurn(action.turn, visuals)] }
    }
    case 'send': {
      const retrying = state.entries.some((entry) => entry.role === 'learner' && entry.clientTurnId === action.turn.clientTurnId)
      const next: TalkState = { ...state, phase: 'waiting', pending: action.turn, failure: null, reply: { text: '', visuals: [] }, completedLesson: null }
      if (retrying) return { ...next, entries: updateLearner(next, (entry) => ({ ...entry, unanswered: false })) }
      return {
        ...next,
        entries: [
          ...state.entries,
          {
            ...emptyEntry(`local-${action.turn.clientTurnId}`),
            role: 'learner',
            text: action.turn.text,
            source: action.turn.source,
            correctionsRevealed: false,
            clientTurnId: action.turn.clientTurnId,
          },
        ],
      }
    }
    case 'event':
      return applyStreamEvent(state, action.event, action.lessonTitle ?? null)
    case 'network_failed':
      if (!state.pending) return state
      if (action.clientTurnIds && !action.clientTurnIds.includes(state.pending.clientTurnId)) return state
      return {
        ...state,
        entries: updateLearner(state, (entry) => ({ ...entry, unanswered: true, correctionsRevealed: true })),
        reply: null,
        phase: 'error',
        pending: null,
        failure: { kind: 'network', retry: state.pending },
      }
    case 'refused': {
      // Refused before the stream: nothing was stored, so the turn leaves the transcript (its text goes back to the input).
      const id = state.pending?.clientTurnId
      return {
        ...state,
        entries: state.entries.filter((entry) => !(entry.role === 'learner' && entry.clientTurnId === id && entry.id === null)),
        reply: null,
        phase: 'error',
        pending: null,
        failure: { kind: 'refused', message: action.message, status: action.status },
      }
    }
    case 'dismiss':
      return state.phase === 'error' ? { ...state, phase: 'idle', failure: null } : state
    case 'stored':
      return applyStoredTurn(state, action.turn)
  }
}

/** The part of a reply shown so far, kept when the learner spoke over it and the stored reply has not come. */
const cutKey = (clientTurnId: string) => `cut-${clientTurnId}`

function applyStoredTurn(state: TalkState, turn: Turn): TalkState {
  if (turn.role === 'learner') {
    if (state.pending && turn.clientTurnId === state.pending.clientTurnId) return applyStreamEvent(state, { type: 'turn', turn }, null)
    if (state.entries.some((entry) => entry.id === turn.id)) return state
    // A turn heard by the server. A reply still coming is over: the learner spoke over it.
    let entries = state.entries
    if (state.pending) {
      const cut = state.reply?.text.trim() ? { ...emptyEntry(cutKey(state.pending.clientTurnId)), text: state.reply.text.trim(), visuals: state.reply.visuals, incomplete: true } : null
      entries = finishReply(state, cut, true)
    }
    const pending: PendingTurn = { clientTurnId: turn.clientTurnId ?? turn.id, text: turn.text, source: turn.source === 'browser_speech' ? 'browser_speech' : 'typed' }
    return {
      ...state,
      entries: [...entries, { ...entryOfTurn(turn), clientTurnId: pending.clientTurnId, correctionsRevealed: false }],
      phase: 'waiting',
      pending,
      failure: null,
      reply: { text: '', visuals: [] },
      completedLesson: null,
    }
  }
  if (state.entries.some((entry) => entry.id === turn.id)) return state
  if (state.pending) {
    const pendingId = state.entries.find((entry) => entry.role === 'learner' && entry.clientTurnId === state.pending!.clientTurnId)?.id ?? null
    // The reply to the turn in progress completes it; the stored rest of a reply the learner spoke over does not.
    if (!turn.replyToTurnId || turn.replyToTurnId === pendingId) return applyStreamEvent(state, { type: 'done', turn, replayed: false }, null)
  }
  // A reply or line outside an exchange in progress: after a reconnect, or the rest of a reply spoken over.
  const answered = turn.replyToTurnId ? state.entries.find((entry) => entry.role === 'learner' && entry.id === turn.replyToTurnId) : undefined
  const placeholder = answered?.clientTurnId ? cutKey(answered.clientTurnId) : null
  const entry = entryOfTurn(turn)
  const replaced = placeholder !== null && state.entries.some((candidate) => candidate.key === placeholder)
  const entries = replaced ? state.entries.map((candidate) => (candidate.key === placeholder ? entry : candidate)) : [...state.entries, entry]
  return { ...state, entries: entries.map((candidate) => (answered && candidate === answered ? { ...candidate, unanswered: false, correctionsRevealed: true } : candidate)) }
}

function applyStreamEvent(state: TalkState, event: TurnStreamEvent, lessonTitle: string | null): TalkState {
  if (!state.pending) return state
  switch (event.type) {
    case 'turn':
      return {
        ...state,
        entries: updateLearner(state, (entry) => ({
          ...entry,
          id: event.turn.id,
          sittingId: event.turn.sittingId,
          createdAt: event.turn.createdAt,
          corrections: withCorrections(entry.corrections, event.turn.corrections),
        })),
      }
    case 'correction':
      return { ...state, entries: updateLearner(state, (entry) => ({ ...entry, corrections: withCorrections(entry.corrections, [event.correction]) })) }
    case 'delta':
      return { ...state, phase: 'streaming', reply: { text: (state.reply?.text ?? '') + event.text, visuals: state.reply?.visuals ?? [] } }
    case 'visual':
      return { ...state, reply: { text: state.reply?.text ?? '', visuals: [...(state.reply?.visuals ?? []), event.aid] } }
    case 'state':
      if (event.change.kind !== 'lesson_complete') return state
      return { ...state, completedLesson: { id: event.change.lessonId, title: lessonTitle } }
    case 'retry':
      // The server sends the reply again from its start.
      return { ...state, phase: 'reconnecting', reply: { text: '', visuals: [] }, completedLesson: null }
    case 'done': {
      const tutor = entryOfTurn(event.turn, state.reply?.visuals ?? [])
      if (!tutor.text && state.reply?.text) tutor.text = state.reply.text.trim()
      return { ...state, entries: finishReply(state, tutor, true), reply: null, phase: 'idle', pending: null, failure: null, completedLesson: null }
    }
    case 'error': {
      const partial = event.turn ? entryOfTurn(event.turn, state.reply?.visuals ?? []) : null
      return {
        ...state,
        entries: finishReply({ ...state, completedLesson: null }, partial, false),
        reply: null,
        phase: 'error',
        pending: null,
        failure: { kind: 'tutor', code: event.code, retry: event.retryable ? state.pending : null },
        completedLesson: null,
      }
    }
  }
}
