import type { LearnerTurn, WordTiming } from './types.js'

/** A learner turn as the backend's turn service and its API take it: ISO times, whole milliseconds. */
export interface LearnerTurnRequest {
  clientTurnId: string
  text: string
  source: LearnerTurn['source']
  timing?: { startedAt: string; endedAt: string; speakingMs: number; words?: WordTiming[] }
}

/** The pipeline's learner turn as the backend takes it (in-process over the WebSocket, over HTTP from the agent). */
export function learnerTurnRequest(turn: LearnerTurn): LearnerTurnRequest {
  return {
    clientTurnId: turn.clientTurnId,
    text: turn.text,
    source: turn.source,
    ...(turn.startedAt && turn.endedAt
      ? {
          timing: {
            startedAt: turn.startedAt.toISOString(),
            endedAt: turn.endedAt.toISOString(),
            speakingMs: Math.max(0, turn.endedAt.getTime() - turn.startedAt.getTime()),
            // The backend takes whole milliseconds.
            ...(turn.words?.length ? { words: turn.words.map((word) => ({ ...word, startMs: Math.round(word.startMs), endMs: Math.round(word.endMs) })) } : {}),
          },
        }
      : {}),
  }
}
