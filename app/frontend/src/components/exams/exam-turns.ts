import type { ExamTurnStreamEvent } from '@/lib/turn-stream'
import type { ExamTurn } from './queries'

export type ExamRole = ExamTurn['role']

/** A line of the part shown before the server's copy of the attempt has it. */
export interface LiveEntry {
  /** Stable across the turn's life (sent, stored, then read back with the attempt): the DOM node stays. */
  key: string
  id: string | null
  role: ExamRole
  text: string
  clientTurnId: string | null
  /** A learner turn nobody answered (the connection or the examiner failed). */
  unanswered: boolean
}

export interface PendingTurn {
  clientTurnId: string
  text: string
}

export type ExamTurnFailure =
  | { kind: 'network'; retry: PendingTurn }
  | { kind: 'examiner'; retry: PendingTurn | null }
  | { kind: 'ended' }
  | { kind: 'refused'; message: string }

export interface ExamTurnsState {
  /** This visit's lines not yet in the attempt as last read, oldest first. */
  entries: LiveEntry[]
  /** The reply while it streams (its speaker is known once it is complete). */
  reply: string | null
  /** Lines said after the reply (`line` events), shown once the reply is complete so the order holds. */
  lines: LiveEntry[]
  phase: 'idle' | 'waiting' | 'streaming' | 'reconnecting' | 'error'
  pending: PendingTurn | null
  failure: ExamTurnFailure | null
  /** Stored turn id → the key its entry was first shown with. */
  keys: Record<string, string>
}

export const initialExamTurns: ExamTurnsState = { entries: [], reply: null, lines: [], phase: 'idle', pending: null, failure: null, keys: {} }

export type ExamTurnsAction =
  | { type: 'send'; turn: PendingTurn }
  | { type: 'event'; event: ExamTurnStreamEvent }
  | { type: 'network_failed' }
  | { type: 'refused'; failure: Extract<ExamTurnFailure, { kind: 'ended' | 'refused' }> }
  /** The attempt was read again (or updated) with every stored line: the live copies can go. */
  | { type: 'synced' }
  | { type: 'dismiss' }

export function isBusy(state: ExamTurnsState): boolean {
  return state.phase === 'waiting' || state.phase === 'streaming' || state.phase === 'reconnecting'
}

function lineEntry(turn: { id: string; role: ExamRole; text: string }): LiveEntry {
  return { key: turn.id, id: turn.id, role: turn.role, text: turn.text, clientTurnId: null, unanswered: false }
}

function updateLearner(state: ExamTurnsState, update: (entry: LiveEntry) => LiveEntry): LiveEntry[] {
  const id = state.pending?.clientTurnId
  return state.entries.map((entry) => (entry.role === 'learner' && entry.clientTurnId === id ? update(entry) : entry))
}

/** What the candidate sends and what comes back during a mock exam; no corrections are shown in an exam. */
export function examTurnsReducer(state: ExamTurnsState, action: ExamTurnsAction): ExamTurnsState {
  switch (action.type) {
    case 'send': {
      const next: ExamTurnsState = { ...state, phase: 'waiting', pending: action.turn, failure: null, reply: '', lines: [] }
      if (state.entries.some((entry) => entry.clientTurnId === action.turn.clientTurnId)) {
        return { ...next, entries: updateLearner(next, (entry) => ({ ...entry, unanswered: false })) }
      }
      const key = `local-${action.turn.clientTurnId}`
      return { ...next, entries: [...state.entries, { key, id: null, role: 'learner', text: action.turn.text, clientTurnId: action.turn.clientTurnId, unanswered: false }] }
    }
    case 'event':
      return applyEvent(state, action.event)
    case 'network_failed':
      if (!state.pending) return state
      return {
        ...state,
        entries: [...updateLearner(state, (entry) => ({ ...entry, unanswered: true })), ...state.lines],
        reply: null,
        lines: [],
        phase: 'error',
        pending: null,
        failure: { kind: 'network', retry: state.pending },
      }
    case 'refused': {
      // Refused before the stream: nothing was stored, so the turn leaves the transcript.
      const id = state.pending?.clientTurnId
      return {
        ...state,
        entries: state.entries.filter((entry) => !(entry.clientTurnId === id && entry.id === null)),
        reply: null,
        lines: [],
        phase: 'error',
        pending: null,
        failure: action.failure,
      }
    }
    case 'synced':
      // While a turn is under way its lines stay: the attempt read may be older than them.
      if (state.pending) return state
      return { ...state, entries: state.entries.filter((entry) => entry.unanswered && entry.id === null) }
    case 'dismiss':
      return state.phase === 'error' ? { ...state, phase: 'idle', failure: null } : state
  }
}

function applyEvent(state: ExamTurnsState, event: ExamTurnStreamEvent): ExamTurnsState {
  if (!state.pending) return state
  switch (event.type) {
    case 'turn': {
      const learner = state.entries.find((entry) => entry.role === 'learner' && entry.clientTurnId === state.pending?.clientTurnId)
      return {
        ...state,
        entries: updateLearner(state, (entry) => ({ ...entry, id: event.turn.id })),
        keys: learner ? { ...state.keys, [event.turn.id]: learner.key } : state.keys,
      }
    }
    case 'delta':
      return { ...state, phase: 'streaming', reply: (state.reply ?? '') + event.text }
    case 'line':
      return { ...state, lines: [...state.lines, lineEntry(event.turn)] }
    case 'retry':
      // The server sends the reply again from its start.
      return { ...state, phase: 'reconnecting', reply: '', lines: [] }
    case 'done': {
      const reply = event.turn.text ? lineEntry(event.turn) : { ...lineEntry(event.turn), text: (state.reply ?? '').trim() }
      const known = new Set(state.entries.map((entry) => entry.id))
      const added = [reply, ...state.lines].filter((entry) => !known.has(entry.id))
      return { ...state, entries: [...state.entries, ...added], reply: null, lines: [], phase: 'idle', pending: null, failure: null }
    }
    case 'error': {
      const partial = event.turn ? [lineEntry(event.turn)] : []
      return {
        ...state,
        entries: [...updateLearner(state, (entry) => ({ ...entry, unanswered: true })), ...partial, ...state.lines],
        reply: null,
        lines: [],
        phase: 'error',
        pending: null,
        failure: { kind: 'examiner', retry: event.retryable ? state.pending : null },
      }
    }
    // No corrections or visual aids are shown during an exam; the exam's state changes are read from the attempt.
    case 'correction':
    case 'visual':
    case 'state':
      return state
  }
}
