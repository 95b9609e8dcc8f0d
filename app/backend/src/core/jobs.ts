import PgBoss from 'pg-boss'
import type { FastifyBaseLogger } from 'fastify'
import type { z } from 'zod'
import type { Database } from './db/client.js'
import { safeErrorSummary } from './logger.js'

/**
 * Durable background jobs on pg-boss, stored in the same PostgreSQL as everything else (schema
 * `pgboss`). Delivery is at least once, so every handler must be idempotent.
 *
 * A feature declares a job with `defineJob`, registers it with `jobs.register` while the app is being
 * built, and enqueues it with `jobs.enqueue(definition, payload)`; both ends are typed by the job's
 * zod schema. Failed jobs are retried with exponential backoff; a job that exhausts its retries is
 * moved to the queue's dead-letter queue (`<name>.dead-letter`) where it stays for inspection.
 */

export interface JobRetryOptions {
  /** Retries after the first failure. */
  retryLimit: number
  /** Seconds before the first retry; doubled on each following one (with jitter) when `retryBackoff`. */
  retryDelaySeconds: number
  retryBackoff: boolean
  /** A running job not finished in this time counts as failed (and is retried). */
  expireInSeconds: number
}

export const defaultJobRetryOptions: JobRetryOptions = {
  retryLimit: 5,
  retryDelaySeconds: 10,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
}

export interface JobContext {
  jobId: string
  /** 0 on the first run, then 1, 2, … on retries. */
  retryCount: number
  log: FastifyBaseLogger
}

export interface JobDefinition<TSchema extends z.ZodType = z.ZodType> {
  /** Queue name: letters, digits, `-`, `_`, `.`; stable, because stored jobs refer to it. */
  name: string
  schema: TSchema
  retry?: Partial<JobRetryOptions>
  handler(payload: z.output<TSchema>, context: JobContext): Promise<void>
}

/** A job's name, payload schema and retry settings: all that is needed to enqueue it. */
export type JobKind<TSchema extends z.ZodType = z.ZodType> = Pick<JobDefinition<TSchema>, 'name' | 'schema' | 'retry'>

export function defineJob<TSchema extends z.ZodType>(definition: JobDefinition<TSchema>): JobDefinition<TSchema> {
  if (!/^[A-Za-z0-9_.-]+$/.test(definition.name)) {
    throw new Error(`Job name "${definition.name}" may only contain letters, digits, "-", "_" and "."`)
  }
  return definition
}

export interface EnqueueOptions {
  /** Run no earlier than this many seconds from now. */
  startAfterSeconds?: number
  /**
   * With `singletonSeconds`: at most one job per key in each window of that many seconds (pg-boss
   * throttling). On its own a key does not deduplicate on our (standard) queues.
   */
  singletonKey?: string
  singletonSeconds?: number
}

export interface JobQueueOptions {
  database: Database
  log: FastifyBaseLogger
  /** When false, jobs can be enqueued but this process works none (e.g. a web-only instance). */
  workersEnabled: boolean
  pollingIntervalSeconds: number
}

export function deadLetterQueueName(name: string): string {
  return `${name}.dead-letter`
}

export class JobQueue {
  readonly #boss: PgBoss
  readonly #definitions = new Map<string, JobDefinition>()
  readonly #options: JobQueueOptions
  #workersStarted = false

  constructor(options: JobQueueOptions) {
    this.#options = options
    this.#boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => options.database.executeSql(text, values) },
      schema: 'pgboss',
      // pg-boss's own maintenance (expiring, archiving, deleting old jobs) runs in every instance.
      supervise: true,
      // Cron schedules (idle sittings, retention) fire only where jobs are worked.
      schedule: options.workersEnabled,
    })
    this.#boss.on('error', (error) => options.log.error({ err: error }, 'job queue error'))
  }

  /** Creates or migrates pg-boss's tables. Called once at start, after the app's migrations. */
  async start(): Promise<void> {
    await this.#boss.start()
  }

  register(definition: JobDefinition): void {
    if (this.#definitions.has(definition.name)) throw new Error(`Job "${definition.name}" is registered twice`)
    if (this.#workersStarted) throw new Error(`Job "${definition.name}" registered after workers started`)
    this.#definitions.set(definition.name, definition)
  }

  /** Creates the queues of every registered job and starts working them. */
  async startWorkers(): Promise<void> {
    for (const definition of this.#definitions.values()) await this.#ensureQueue(definition)
    this.#workersStarted = true
    if (!this.#options.workersEnabled) return
    for (const definition of this.#definitions.values()) {
      await this.#boss.work(
        definition.name,
        { pollingIntervalSeconds: this.#options.pollingIntervalSeconds, batchSize: 1, includeMetadata: true },
        async ([job]) => {
          if (!job) return
          const log = this.#options.log.child({ job: definition.name, jobId: job.id })
          const payload = definition.schema.safeParse(job.data)
          if (!payload.success) {
            // Retrying cannot fix a malformed payload; fail it so it goes to the dead-letter queue.
            log.error({ issues: payload.error.issues.map((issue) => issue.path.join('.')) }, 'job payload is invalid')
            throw new Error(`Invalid payload for job ${definition.name}`)
          }
          try {
            await definition.handler(payload.data, { jobId: job.id, retryCount: job.retryCount, log })
          } catch (error) {
            // Provider and database errors carry prompts and query parameters (transcripts): only the
            // error's kind goes to the log and, as the job's failure, into pg-boss's tables.
            const summary = safeErrorSummary(error)
            log.warn({ error: summary, retryCount: job.retryCount }, 'job failed')
            throw new Error(`${definition.name} failed: ${[summary.type, summary.statusCode, summary.code].filter(Boolean).join(' ')}`)
          }
        },
      )
    }
  }

  async enqueue<TSchema extends z.ZodType>(
    definition: JobKind<TSchema>,
    payload: z.input<TSchema>,
    options: EnqueueOptions = {},
  ): Promise<string | null> {
    const data = definition.schema.parse(payload)
    await this.#ensureQueue(definition)
    return this.#boss.send(definition.name, data as object, {
      startAfter: options.startAfterSeconds,
      singletonKey: options.singletonKey,
      singletonSeconds: options.singletonSeconds,
    })
  }

  /**
   * Runs a registered job on a cron schedule (UTC). pg-boss keeps one schedule per queue in the
   * database, so several instances never fire it twice.
   */
  async schedule<TSchema extends z.ZodType>(definition: JobKind<TSchema>, cron: string, payload: z.input<TSchema>): Promise<void> {
    if (!this.#options.workersEnabled) return
    const data = definition.schema.parse(payload)
    await this.#ensureQueue(definition)
    await this.#boss.schedule(definition.name, cron, data as object, { tz: 'UTC' })
  }

  /** Read access for operations and tests. */
  async getJob(name: string, id: string): Promise<{ state: string; retryCount: number; output: unknown } | null> {
    const job = await this.#boss.getJobById(name, id)
    return job ? { state: job.state, retryCount: job.retryCount, output: job.output } : null
  }

  async queueSize(name: string): Promise<number> {
    return this.#boss.getQueueSize(name)
  }

  async stop(): Promise<void> {
    await this.#boss.stop({ graceful: true, wait: true, timeout: 10_000, close: false })
  }

  readonly #ensuredQueues = new Set<string>()

  async #ensureQueue(definition: JobKind): Promise<void> {
    if (this.#ensuredQueues.has(definition.name)) return
    const retry = { ...defaultJobRetryOptions, ...definition.retry }
    const deadLetter = deadLetterQueueName(definition.name)
    // createQueue is idempotent; updateQueue applies changed retry settings to an existing queue.
    await this.#boss.createQueue(deadLetter, { name: deadLetter, retentionMinutes: 60 * 24 * 30 })
    const queue = {
      name: definition.name,
      retryLimit: retry.retryLimit,
      retryDelay: retry.retryDelaySeconds,
      retryBackoff: retry.retryBackoff,
      expireInSeconds: retry.expireInSeconds,
      deadLetter,
    }
    await this.#boss.createQueue(definition.name, queue)
    await this.#boss.updateQueue(definition.name, queue)
    this.#ensuredQueues.add(definition.name)
  }
}
