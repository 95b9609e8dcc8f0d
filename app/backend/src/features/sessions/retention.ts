import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { defineJob, type JobKind } from '../../core/jobs.js'

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
  // Summaries quote and paraphrase the learner: past the limit only their numbers stay.
  const scrubbed = await app.database.executeSql(
    `update sittings s
        set summary = jsonb_build_object('strengths', '[]'::jsonb, 'weaknesses', '[]'::jsonb, 'corrections', '[]'::jsonb, 'nextSteps', '[]'::jsonb)
                      || jsonb_strip_nulls(jsonb_build_object('minutes', s.summary->'minutes', 'wordsSpoken', s.summary->'wordsSpoken', 'writtenBy', s.summary->'writtenBy'))
       from users u
      where s.user_id = u.id
        and s.summary is not null
        and u.preferences->>'transcriptRetentionDays' is not null
        and s.ended_at < $1::timestamptz - make_interval(days => (u.preferences->>'transcriptRetentionDays')::int)
        and (jsonb_array_length(coalesce(s.summary->'corrections', '[]'::jsonb)) > 0
             or jsonb_array_length(coalesce(s.summary->'strengths', '[]'::jsonb)) > 0
             or jsonb_array_length(coalesce(s.summary->'weaknesses', '[]'::jsonb)) > 0
             or jsonb_array_length(coalesce(s.summary->'nextSteps', '[]'::jsonb)) > 0)
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
  const root = path.resolve(audioDir(app.config.dataDir))
  let audioDeleted = 0
  for (const ref of refs) {
    const file = path.resolve(root, ref)
    // A reference can only ever point inside the audio directory.
    if (!file.startsWith(`${root}${path.sep}`)) continue
    try {
      await rm(file)
      audioDeleted += 1
    } catch (error) {
      // Already gone is fine; anything else is reported (the reference is dropped either way).
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') app.log.error({ code: (error as NodeJS.ErrnoException).code }, 'could not delete an audio file')
    }
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
