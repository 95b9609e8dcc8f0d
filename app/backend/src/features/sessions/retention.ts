import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { defineJob, type JobKind } from '../../core/jobs.js'
import { closeIdleSittings } from './service.js'

/**
 * Transcript retention (SPEC C4, C12). Each learner chooses how many days transcripts are kept
 * (`preferences.transcriptRetentionDays`, null = forever) and whether audio is kept at all. A daily
 * job deletes older turns (text, word timings, audio) and the learner quotes in older sitting
 * summaries; what remains are anonymous aggregates: sitting times, minutes, word and turn counts.
 */

export const transcriptRetention = {
  name: 'transcripts.retention',
  schema: z.object({}),
} satisfies JobKind

export const closeIdleSittingsKind = {
  name: 'sittings.close-idle',
  schema: z.object({}),
  // A missed sweep is repeated by the next one a minute later.
  retry: { retryLimit: 0, expireInSeconds: 120 },
} satisfies JobKind

export interface RetentionResult {
  turnsDeleted: number
  summariesScrubbed: number
  audioDeleted: number
}

/** Where kept audio lives: `audio_ref` is a path relative to this directory. */
export function audioDir(dataDir: string): string {
  return path.join(dataDir, 'audio')
}

export async function applyRetention(app: FastifyInstance, now = new Date()): Promise<RetentionResult> {
  const at = now.toISOString()
  const expired = await app.database.executeSql(
    `delete from turns t using users u
      where t.user_id = u.id
        and u.preferences->>'transcriptRetentionDays' is not null
        and t.created_at < $1::timestamptz - make_interval(days => (u.preferences->>'transcriptRetentionDays')::int)
      returning t.audio_ref`,
    [at],
  )
  const scrubbed = await app.database.executeSql(
    `update sittings s set summary = jsonb_set(s.summary, '{corrections}', '[]'::jsonb)
       from users u
      where s.user_id = u.id
        and u.preferences->>'transcriptRetentionDays' is not null
        and s.ended_at < $1::timestamptz - make_interval(days => (u.preferences->>'transcriptRetentionDays')::int)
        and jsonb_array_length(coalesce(s.summary->'corrections', '[]'::jsonb)) > 0
      returning s.id`,
    [at],
  )
  // "Don't keep audio" applies to audio already stored too.
  const unkept = await app.database.executeSql(
    `with unkept as (
       select t.id, t.audio_ref from turns t join users u on u.id = t.user_id
        where t.audio_ref is not null and coalesce((u.preferences->>'keepAudio')::boolean, false) = false
     )
     update turns set audio_ref = null from unkept where turns.id = unkept.id
     returning unkept.audio_ref`,
    [],
  )
  const refs = [...expired.rows, ...unkept.rows]
    .map((row) => (row as { audio_ref: string | null }).audio_ref)
    .filter((ref): ref is string => Boolean(ref))
  const root = audioDir(app.config.dataDir)
  let audioDeleted = 0
  for (const ref of refs) {
    const file = path.resolve(root, ref)
    // A reference can only ever point inside the audio directory.
    if (!file.startsWith(`${root}${path.sep}`)) continue
    await rm(file, { force: true })
    audioDeleted += 1
  }
  return { turnsDeleted: expired.rows.length, summariesScrubbed: scrubbed.rows.length, audioDeleted }
}

export function transcriptRetentionJob(app: FastifyInstance) {
  return defineJob({
    ...transcriptRetention,
    handler: async (_payload, { log }) => {
      const result = await applyRetention(app)
      log.info(result, 'transcript retention applied')
    },
  })
}

export function closeIdleSittingsJob(app: FastifyInstance) {
  return defineJob({
    ...closeIdleSittingsKind,
    handler: async (_payload, { log }) => {
      const closed = await closeIdleSittings(app)
      if (closed > 0) log.info({ closed }, 'idle sittings closed')
    },
  })
}
