import type { ExamPhase } from '../../core/db/schema/index.js'

/**
 * The clock of a mock exam, as pure functions. The server owns time: every phase has a deadline,
 * computed when the phase begins, and a phase whose deadline has passed ends at that deadline — not
 * when someone next looks — so an attempt read after a reconnect or a restart is exactly where the
 * real test would be. The candidate (or the examiner) may end a phase early; the following deadlines
 * then count from that moment.
 */

/** How long the examiner's explanation of a part lasts at most before the part begins by itself. */
export const INSTRUCTIONS_SECONDS = 90

export interface PartTiming {
  preparationSeconds: number
  speakingSeconds: number
}

export interface Timeline {
  partPosition: number
  phase: ExamPhase
  /** When the current part began (its instructions). */
  partStartedAt: Date
  /** End of the instructions: the part begins by itself then. */
  instructionsDeadlineAt: Date | null
  preparationDeadlineAt: Date | null
  /** End of the speaking time: the examiner closes the part then. */
  partDeadlineAt: Date | null
  finishedAt: Date | null
}

/** Why a phase ended: its time ran out, the candidate moved on, or the examiner closed the part. */
export type TransitionCause = 'time' | 'candidate' | 'examiner'

export interface Transition {
  from: { partPosition: number; phase: ExamPhase }
  to: { partPosition: number; phase: ExamPhase }
  at: Date
  cause: TransitionCause
}

const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000)

/** The timeline of a part whose instructions begin at `at`. */
export function enterPart(parts: readonly PartTiming[], position: number, at: Date): Timeline {
  const part = parts[position]
  if (!part) throw new RangeError(`no part at position ${position}`)
  const instructionsDeadlineAt = plus(at, INSTRUCTIONS_SECONDS)
  return { partPosition: position, phase: 'instructions', partStartedAt: at, ...deadlinesFrom(part, instructionsDeadlineAt), instructionsDeadlineAt, finishedAt: null }
}

function deadlinesFrom(part: PartTiming, start: Date): { preparationDeadlineAt: Date | null; partDeadlineAt: Date } {
  const preparationDeadlineAt = part.preparationSeconds > 0 ? plus(start, part.preparationSeconds) : null
  return { preparationDeadlineAt, partDeadlineAt: plus(preparationDeadlineAt ?? start, part.speakingSeconds) }
}

/** When the current phase ends by itself; null once the attempt is done. */
export function phaseDeadline(timeline: Timeline): Date | null {
  switch (timeline.phase) {
    case 'instructions':
      return timeline.instructionsDeadlineAt
    case 'preparation':
      return timeline.preparationDeadlineAt
    case 'speaking':
      return timeline.partDeadlineAt
    case 'done':
      return null
  }
}

/** The next phase, beginning at `at`: instructions → (preparation →) speaking → the next part's instructions, or done. */
export function nextPhase(parts: readonly PartTiming[], timeline: Timeline, at: Date): Timeline {
  const part = parts[timeline.partPosition]!
  switch (timeline.phase) {
    case 'instructions': {
      const deadlines = deadlinesFrom(part, at)
      return { ...timeline, ...deadlines, instructionsDeadlineAt: null, phase: deadlines.preparationDeadlineAt ? 'preparation' : 'speaking' }
    }
    case 'preparation':
      return { ...timeline, phase: 'speaking', preparationDeadlineAt: null, partDeadlineAt: plus(at, part.speakingSeconds) }
    case 'speaking':
      if (timeline.partPosition + 1 < parts.length) return enterPart(parts, timeline.partPosition + 1, at)
      return { ...timeline, phase: 'done', instructionsDeadlineAt: null, preparationDeadlineAt: null, partDeadlineAt: null, finishedAt: at }
    case 'done':
      return timeline
  }
}

/** Every phase whose deadline has passed by `now` ends at its deadline, in order. */
export function catchUp(parts: readonly PartTiming[], timeline: Timeline, now: Date): { timeline: Timeline; transitions: Transition[] } {
  const transitions: Transition[] = []
  let current = timeline
  for (let deadline = phaseDeadline(current); deadline && deadline.getTime() <= now.getTime(); deadline = phaseDeadline(current)) {
    const next = nextPhase(parts, current, deadline)
    transitions.push(transitionOf(current, next, deadline, 'time'))
    current = next
  }
  return { timeline: current, transitions }
}

export function transitionOf(from: Timeline, to: Timeline, at: Date, cause: TransitionCause): Transition {
  return { from: { partPosition: from.partPosition, phase: from.phase }, to: { partPosition: to.partPosition, phase: to.phase }, at, cause }
}
