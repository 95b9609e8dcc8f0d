import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { TurnRecording } from '@avaaz/voice'
import { and, eq, isNull } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../core/auth/access.js'
import { turns, users } from '../../core/db/schema/index.js'
import { NotFound } from '../../core/errors.js'
import { audioDir } from '../sessions/retention.js'
import { encodeOggOpus, toOpusRate } from './ogg-opus.js'

/** Kept turn audio on disk: stored for learners who keep audio, served to its owner only. */

export type { TurnRecording }

export const TURN_AUDIO_CONTENT_TYPE = 'audio/ogg; codecs=opus'

/** Where a turn's audio is served (also the exam result's link to a spoken answer). */
export function turnAudioUrl(turnId: string): string {
  return `/api/v1/sessions/default/turns/${turnId}/audio`
}

/** `audio_ref` of a turn's kept audio: relative to audioDir(dataDir). */
export function turnAudioRef(userId: string, turnId: string): string {
  return `${userId}/${turnId}.ogg`
}

/** A learner's kept audio, all of it (removed with the account). */
export function learnerAudioDir(dataDir: string, userId: string): string {
  return path.join(audioDir(dataDir), userId)
}

/**
 * Stores one turn's audio if the learner keeps audio — asked now, since the choice can change during
 * a connection: encoded to Ogg Opus, written privately, then linked from exactly that turn of that
 * learner. A turn that already has audio keeps it (a re-sent turn on a new connection).
 */
export async function storeTurnAudio(app: FastifyInstance, userId: string, recording: TurnRecording): Promise<boolean> {
  const [user] = await app.db.select({ preferences: users.preferences }).from(users).where(eq(users.id, userId))
  if (!user?.preferences.keepAudio) return false
  const { pcm, sampleRate } = toOpusRate(recording.pcm, recording.sampleRate)
  const file = await encodeOggOpus(pcm, sampleRate)
  const ref = turnAudioRef(userId, recording.turnId)
  const target = path.join(audioDir(app.config.dataDir), ref)
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 })
  // Its own name: two stores of one turn at once (an agent's retry) must not remove each other's file.
  const partial = `${target}.${randomUUID()}.partial`
  await writeFile(partial, file, { mode: 0o600 })
  try {
    const linked = await app.db
      .update(turns)
      .set({ audioRef: ref })
      .where(and(eq(turns.id, recording.turnId), eq(turns.userId, userId), isNull(turns.audioRef)))
      .returning({ id: turns.id })
    if (linked.length === 0) {
      await rm(partial, { force: true })
      // The account may have been deleted meanwhile: leave no empty directory behind (a full one stays).
      await rmdir(path.dirname(target)).catch(() => undefined)
      return false
    }
    await rename(partial, target)
    return true
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
}

/**
 * The kept audio of one of the learner's turns. Another learner's turn, a turn without audio and a
 * file already removed (retention ran in between) are all simply not found.
 */
export async function readTurnAudio(app: FastifyInstance, principal: Principal, turnId: string): Promise<Buffer> {
  const [turn] = await app.db
    .select({ audioRef: turns.audioRef })
    .from(turns)
    .where(and(eq(turns.id, turnId), eq(turns.userId, principal.userId)))
  if (!turn?.audioRef) throw new NotFound('This turn has no kept audio.')
  const root = path.resolve(audioDir(app.config.dataDir))
  const file = path.resolve(root, turn.audioRef)
  // A reference can only ever point inside the audio directory.
  if (!file.startsWith(`${root}${path.sep}`)) throw new NotFound('This turn has no kept audio.')
  try {
    return await readFile(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFound('This turn has no kept audio.')
    throw error
  }
}
