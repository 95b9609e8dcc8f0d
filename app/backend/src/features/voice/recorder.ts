import { TurnAudioRecorder } from '@avaaz/voice'
import type { FastifyInstance } from 'fastify'
import { safeErrorSummary } from '../../core/logger.js'
import { storeTurnAudio } from './turn-audio.js'

/**
 * Keeps the audio of voice turns, for learners who chose to keep audio (SPEC C4): the learner's own
 * words cut from a bounded ring of their recent microphone input, and the tutor's spoken reply as it
 * was sent. Each becomes an Ogg Opus file beside the turn (`turns.audio_ref`), served only to its
 * owner and deleted by retention and with the account.
 */

/**
 * The recorder of one connection, saving through storeTurnAudio one recording at a time (encoding is
 * CPU work: a queue keeps a burst of turns from competing with the conversation). Failures are
 * logged without anything personal and never reach the learner.
 */
export function connectionRecorder(
  app: FastifyInstance,
  userId: string,
  options: { inputSampleRate: number; outputSampleRate: number; realtime?: boolean },
): TurnAudioRecorder & { saved: () => Promise<void> } {
  let queue = Promise.resolve()
  const recorder = new TurnAudioRecorder({
    ...options,
    save: (recording) => {
      queue = queue
        .then(() => storeTurnAudio(app, userId, recording))
        .then(
          () => undefined,
          (error: unknown) => app.log.warn({ error: safeErrorSummary(error) }, 'could not keep a turn\'s audio'),
        )
    },
  })
  return Object.assign(recorder, { saved: () => queue })
}
