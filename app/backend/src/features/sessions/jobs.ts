import type { FastifyInstance } from 'fastify'
import { closeIdleSittingsJob, closeIdleSittingsKind, transcriptRetention, transcriptRetentionJob } from './retention.js'
import { summarizeSittingJob } from './summary.js'

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
