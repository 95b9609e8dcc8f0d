import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { defineJob, type JobKind } from '../../core/jobs.js'
import { transcriptRetention, transcriptRetentionJob } from './retention.js'
import { closeIdleSittings } from './service.js'
import { summarizeSittingJob } from './summary.js'

export const closeIdleSittingsKind = {
  name: 'sittings.close-idle',
  schema: z.object({}),
  // A missed sweep is repeated by the next one a minute later.
  retry: { retryLimit: 0, expireInSeconds: 120 },
} satisfies JobKind

function closeIdleSittingsJob(app: FastifyInstance) {
  return defineJob({
    ...closeIdleSittingsKind,
    handler: async (_payload, { log }) => {
      const closed = await closeIdleSittings(app)
      if (closed > 0) log.info({ closed }, 'idle sittings closed')
    },
  })
}

/** The session feature's background work: sitting summaries, the idle-sitting sweep, transcript retention. */
export function registerSessionJobs(app: FastifyInstance): void {
  app.jobs.register(summarizeSittingJob(app))
  app.jobs.register(closeIdleSittingsJob(app))
  app.jobs.register(transcriptRetentionJob(app))
}

export async function scheduleSessionJobs(app: FastifyInstance): Promise<void> {
  await app.jobs.schedule(closeIdleSittingsKind, '* * * * *', {})
  // Daily, at a quiet hour in Europe.
  await app.jobs.schedule(transcriptRetention, '17 2 * * *', {})
}
