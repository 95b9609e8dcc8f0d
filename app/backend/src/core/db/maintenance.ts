import { z } from 'zod'
import { defineJob, type JobKind, type JobQueue } from '../jobs.js'
import type { Database } from './client.js'

/**
 * Planner statistics for the embedded database. A PostgreSQL server refreshes them by autovacuum;
 * PGlite has no autovacuum, so without this job the planner keeps estimating the row counts of the
 * first start and picks plans that read whole tables (a transcript page went from 0.3 ms to 28 ms at
 * 10,000 turns). ANALYZE samples each table; on an embedded database it takes well under a second.
 */
export const analyzeDatabase = { name: 'database.analyze', schema: z.object({}), retry: { retryLimit: 1 } } satisfies JobKind

export function analyzeDatabaseJob(database: Database) {
  return defineJob({
    ...analyzeDatabase,
    handler: async () => {
      await database.executeSql('analyze')
    },
  })
}

/** Registers the job for an embedded database (a server has autovacuum). */
export function registerEmbeddedMaintenance(jobs: JobQueue, database: Database): { schedule(): Promise<void> } {
  jobs.register(analyzeDatabaseJob(database))
  return {
    async schedule() {
      await jobs.schedule(analyzeDatabase, '41 * * * *', {})
      // Once at start too: the hourly schedule may be up to an hour away.
      await jobs.enqueue(analyzeDatabase, {}, { singletonKey: 'start' })
    },
  }
}
