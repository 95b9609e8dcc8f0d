import type { TurnTaking } from '@avaaz/voice'
import type { CefrLevel, SessionMode } from '../../core/db/schema/index.js'

/**
 * Silence after speech before a learner's turn counts as ended: beginners pause to find words, so
 * they get longer (docs/voice-protocol.md §6).
 */
export const endOfTurnSilenceMs: Record<CefrLevel, number> = { A1: 1_600, A2: 1_200, B1: 800, B2: 600 }

/** Turn-taking for a learner: in a mock exam the examiner and the co-candidate never give way to barge-in. */
export function turnTakingFor(level: CefrLevel, mode: SessionMode): TurnTaking {
  return { endOfTurnSilenceMs: endOfTurnSilenceMs[level], allowInterruptions: mode !== 'exam' }
}
