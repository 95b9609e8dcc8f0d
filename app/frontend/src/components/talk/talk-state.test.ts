import { describe, expect, it } from 'vitest'
import { initialTalkState, talkReducer, type TalkAction, type TalkState } from './talk-state'
import { makeTurn } from './testing'

const run = (actions: TalkAction[], state: TalkState = initialTalkState) => actions.reduce(talkReducer, state)
const shown = (state: TalkState) => state.entries.map((entry) => `${entry.role}${entry.incomplete ? ' (cut off)' : ''}${entry.unanswered ? ' (unanswered)' : ''}: ${entry.text}`)

describe('talk reducer: turns over the voice connection', () => {
  it('gives a typed turn sent over voice the same entries as the turn stream does', () => {
    const learner = makeTurn({ role: 'learner', text: 'Hei', clientTurnId: 'turn-0001' })
    const reply = makeTurn({ text: 'Hallo!', replyToTurnId: learner.id })
    const state = run([
      { type: 'send', turn: { clientTurnId: 'turn-0001', text: 'Hei', source: 'typed' } },
      { type: 'stored', turn: learner },
      { type: 'event', event: { type: 'delta', text: 'Hallo!' } },
      { type: 'stored', turn: reply },
    ])
    const streamed = run([
      { type: 'send', turn: { clientTurnId: 'turn-0001', text: 'Hei', source: 'typed' } },
      { type: 'event', event: { type: 'turn', turn: learner } },
      { type: 'event', event: { type: 'delta', text: 'Hallo!' } },
      { type: 'event', event: { type: 'done', turn: reply, replayed: false } },
    ])
    expect(state).toEqual(streamed)
    expect(shown(state)).toEqual(['learner: Hei', 'tutor: Hallo!'])
    expect(state.entries[0]!.id).toBe(learner.id)
    expect(state.phase).toBe('idle')
  })

  it('starts an exchange for a turn heard by the server, and ends it with the reply', () => {
    const learner = makeTurn({ role: 'learner', text: 'Jeg heter Ali', source: 'speech_engine', clientTurnId: 'srv-1-turn' })
    let state = run([{ type: 'stored', turn: learner }])
    expect(state.phase).toBe('waiting')
    expect(state.pending?.clientTurnId).toBe('srv-1-turn')
    state = run([{ type: 'event', event: { type: 'delta', text: 'Hyggelig!' } }, { type: 'stored', turn: makeTurn({ text: 'Hyggelig!', replyToTurnId: learner.id }) }], state)
    expect(shown(state)).toEqual(['learner: Jeg heter Ali', 'tutor: Hyggelig!'])
    expect(state.entries[0]!.source).toBe('speech_engine')
    expect(state.phase).toBe('idle')
  })

  it('does not show a turn twice when the server sends it again after a reconnect', () => {
    const learner = makeTurn({ role: 'learner', text: 'Hei', clientTurnId: 'turn-0002' })
    const reply = makeTurn({ text: 'Hallo!', replyToTurnId: learner.id })
    const once = run([{ type: 'stored', turn: learner }, { type: 'stored', turn: reply }])
    expect(run([{ type: 'stored', turn: learner }, { type: 'stored', turn: reply }], once)).toEqual(once)
  })

  it('ends a reply where the learner spoke over it, and puts the stored reply in its place when it comes', () => {
    const first = makeTurn({ role: 'learner', text: 'Fortell om Oslo', clientTurnId: 'turn-0003' })
    const second = makeTurn({ role: 'learner', text: 'Vent litt', source: 'speech_engine', clientTurnId: 'srv-2-turn' })
    let state = run([
      { type: 'send', turn: { clientTurnId: 'turn-0003', text: 'Fortell om Oslo', source: 'typed' } },
      { type: 'stored', turn: first },
      { type: 'event', event: { type: 'delta', text: 'Oslo er hovedstaden' } },
      { type: 'stored', turn: second },
    ])
    expect(shown(state)).toEqual(['learner: Fortell om Oslo', 'tutor (cut off): Oslo er hovedstaden', 'learner: Vent litt'])
    expect(state.pending?.clientTurnId).toBe('srv-2-turn')

    state = run([{ type: 'stored', turn: makeTurn({ role: 'tutor', text: 'Oslo er hovedstaden i Norge.', replyToTurnId: first.id, incomplete: true }) }], state)
    // The stored reply to the first turn takes the place of what was shown of it; the second turn is still waiting.
    expect(shown(state)).toEqual(['learner: Fortell om Oslo', 'tutor (cut off): Oslo er hovedstaden i Norge.', 'learner: Vent litt'])
    expect(state.pending?.clientTurnId).toBe('srv-2-turn')
    expect(state.phase).toBe('waiting')
  })

  it('adds a reply that arrives outside an exchange (after a reconnect) once, and marks its turn answered', () => {
    const learner = makeTurn({ role: 'learner', text: 'Hei', clientTurnId: 'turn-0004' })
    let state = run([
      { type: 'send', turn: { clientTurnId: 'turn-0004', text: 'Hei', source: 'typed' } },
      { type: 'stored', turn: learner },
      { type: 'network_failed' },
    ])
    expect(shown(state)).toEqual(['learner (unanswered): Hei'])
    const reply = makeTurn({ text: 'Hallo!', replyToTurnId: learner.id })
    state = run([{ type: 'stored', turn: reply }, { type: 'stored', turn: reply }], state)
    expect(shown(state)).toEqual(['learner: Hei', 'tutor: Hallo!'])
  })

  it('fails only the turns the connection names', () => {
    const state = run([{ type: 'send', turn: { clientTurnId: 'turn-0005', text: 'Hei', source: 'typed' } }])
    expect(run([{ type: 'network_failed', clientTurnIds: ['turn-9999'] }], state)).toBe(state)
    expect(run([{ type: 'network_failed', clientTurnIds: ['turn-0005'] }], state).failure).toMatchObject({ kind: 'network' })
  })
})
