import { describe, expect, it } from 'vitest'
import { catchUp, enterPart, INSTRUCTIONS_SECONDS, nextPhase, phaseDeadline } from './timeline.js'

// Warm-up without preparation, a task with 60 s of preparation, and a last part.
const parts = [
  { preparationSeconds: 0, speakingSeconds: 120 },
  { preparationSeconds: 60, speakingSeconds: 180 },
  { preparationSeconds: 0, speakingSeconds: 150 },
]
const t0 = new Date('2026-11-24T10:00:00.000Z')
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000)

describe('exam timeline', () => {
  it('gives a part its deadlines when it begins: instructions, then preparation, then speaking', () => {
    const first = enterPart(parts, 0, t0)
    expect(first).toMatchObject({ partPosition: 0, phase: 'instructions', instructionsDeadlineAt: at(INSTRUCTIONS_SECONDS), preparationDeadlineAt: null })
    expect(first.partDeadlineAt).toEqual(at(INSTRUCTIONS_SECONDS + 120))
    const second = enterPart(parts, 1, t0)
    expect(second.preparationDeadlineAt).toEqual(at(INSTRUCTIONS_SECONDS + 60))
    expect(second.partDeadlineAt).toEqual(at(INSTRUCTIONS_SECONDS + 60 + 180))
  })

  it('changes nothing before a deadline', () => {
    const timeline = enterPart(parts, 0, t0)
    expect(catchUp(parts, timeline, at(INSTRUCTIONS_SECONDS - 1))).toEqual({ timeline, transitions: [] })
  })

  it('ends each phase at its own deadline, however late the attempt is looked at', () => {
    const { timeline, transitions } = catchUp(parts, enterPart(parts, 0, t0), at(INSTRUCTIONS_SECONDS + 120 + INSTRUCTIONS_SECONDS + 30))
    // instructions → speaking (90 s) → part 2 instructions (210 s) → preparation (300 s); 330 s is within preparation.
    expect(transitions.map((transition) => [transition.from.partPosition, transition.from.phase, transition.to.partPosition, transition.to.phase, transition.at])).toEqual([
      [0, 'instructions', 0, 'speaking', at(90)],
      [0, 'speaking', 1, 'instructions', at(210)],
      [1, 'instructions', 1, 'preparation', at(300)],
    ])
    expect(transitions.every((transition) => transition.cause === 'time')).toBe(true)
    expect(timeline).toMatchObject({ partPosition: 1, phase: 'preparation', partStartedAt: at(210), preparationDeadlineAt: at(360), partDeadlineAt: at(540) })
  })

  it('runs out the whole exam to done, finishing at the last deadline', () => {
    const { timeline, transitions } = catchUp(parts, enterPart(parts, 0, t0), at(24 * 3600))
    const total = 90 + 120 + (90 + 60 + 180) + (90 + 150)
    expect(timeline.phase).toBe('done')
    expect(timeline.finishedAt).toEqual(at(total))
    expect(phaseDeadline(timeline)).toBeNull()
    // Part 1: instructions → speaking → part 2; part 2: → preparation → speaking → part 3; part 3: → speaking → done.
    expect(transitions).toHaveLength(7)
  })

  it('counts the following deadlines from the moment the candidate moves on early', () => {
    const started = nextPhase(parts, enterPart(parts, 1, t0), at(10))
    expect(started).toMatchObject({ phase: 'preparation', instructionsDeadlineAt: null, preparationDeadlineAt: at(70), partDeadlineAt: at(250) })
    const speaking = nextPhase(parts, started, at(20))
    expect(speaking).toMatchObject({ phase: 'speaking', preparationDeadlineAt: null, partDeadlineAt: at(200) })
    const next = nextPhase(parts, speaking, at(100))
    expect(next).toMatchObject({ partPosition: 2, phase: 'instructions', partStartedAt: at(100) })
  })

  it('stays done', () => {
    const done = catchUp(parts, enterPart(parts, 2, t0), at(10_000)).timeline
    expect(nextPhase(parts, done, at(20_000))).toBe(done)
  })
})
