import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { deadLetterQueueName, defineJob, type JobDefinition } from './jobs.js'
import { captureLogs, createTestApp, createTestDatabase, type TestApp, type TestDatabase } from '../test/harness.js'

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function appWith(jobs: JobDefinition[], options: { testDatabase?: TestDatabase; env?: Record<string, string> } = {}): Promise<TestApp> {
  const harness = await createTestApp({ ...options, extend: (app) => jobs.forEach((job) => app.jobs.register(job)) })
  cleanups.push(() => harness.close())
  return harness
}

const greetingSchema = z.object({ learner: z.string().min(1), times: z.number().int().positive() })

describe('jobs', () => {
  it('works an enqueued job with its typed payload', async () => {
    const seen: Array<z.infer<typeof greetingSchema>> = []
    const job = defineJob({ name: 'test.greet', schema: greetingSchema, handler: async (payload) => void seen.push(payload) })
    const { app } = await appWith([job])
    const id = await app.jobs.enqueue(job, { learner: 'Amina', times: 2 })
    await waitFor(async () => ((await app.jobs.getJob(job.name, id!))?.state === 'completed' ? true : undefined))
    expect(seen).toEqual([{ learner: 'Amina', times: 2 }])
  })

  it('refuses to enqueue a payload that does not match the job schema', async () => {
    const job = defineJob({ name: 'test.strict', schema: greetingSchema, handler: async () => {} })
    const { app } = await appWith([job])
    // @ts-expect-error — the payload type is checked at compile time too
    await expect(app.jobs.enqueue(job, { learner: '', times: 'many' })).rejects.toThrow(/learner|times/)
  })

  it('retries a failing job with backoff, then moves it to the dead-letter queue', async () => {
    const attempts: number[] = []
    const job = defineJob({
      name: 'test.flaky',
      schema: z.object({ n: z.number() }),
      retry: { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true },
      handler: async (_payload, context) => {
        attempts.push(context.retryCount)
        throw new Error('provider unavailable')
      },
    })
    const { app } = await appWith([job])
    const id = await app.jobs.enqueue(job, { n: 1 })
    const failed = await waitFor(async () => {
      const state = await app.jobs.getJob(job.name, id!)
      return state?.state === 'failed' ? state : undefined
    }, 20_000)
    expect(attempts).toEqual([0, 1, 2])
    expect(failed.retryCount).toBe(2)
    expect(await app.jobs.queueSize(deadLetterQueueName(job.name))).toBe(1)
  })

  it('keeps what a failure carries (a prompt, a transcript) out of the log and the job tables', async () => {
    const secret = 'Jeg heter Amina og bor i Drammen'
    const logs = captureLogs()
    const job = defineJob({
      name: 'test.leaky',
      schema: z.object({}),
      retry: { retryLimit: 0 },
      handler: async () => {
        throw Object.assign(new Error(`request failed: ${secret}`), { name: 'AI_APICallError', statusCode: 503, requestBodyValues: { prompt: secret } })
      },
    })
    const harness = await createTestApp({ logStream: logs.stream, env: { LOG_LEVEL: 'warn' }, extend: (app) => app.jobs.register(job) })
    cleanups.push(() => harness.close())
    const id = await harness.app.jobs.enqueue(job, {})
    const failed = await waitFor(async () => {
      const state = await harness.app.jobs.getJob(job.name, id!)
      return state?.state === 'failed' ? state : undefined
    })
    expect(JSON.stringify(failed)).not.toContain(secret)
    expect(JSON.stringify(failed)).toContain('AI_APICallError')
    const failures = logs.lines().filter((line) => line.msg === 'job failed')
    expect(failures).toHaveLength(1)
    expect(JSON.stringify(logs.lines())).not.toContain(secret)
  })

  it('works a job enqueued before a restart after the restart', async () => {
    const testDatabase = await createTestDatabase()
    cleanups.push(() => testDatabase.close())
    const seen: string[] = []
    const job = defineJob({ name: 'test.durable', schema: z.object({ sittingId: z.string() }), handler: async (payload) => void seen.push(payload.sittingId) })

    // First life: the job is enqueued but this process works no jobs, then it stops.
    const first = await createTestApp({ testDatabase, env: { JOBS_ENABLED: 'false' }, extend: (app) => app.jobs.register(job) })
    const id = await first.app.jobs.enqueue(job, { sittingId: 'sitting-1' })
    await first.close()
    expect(seen).toEqual([])

    // Second life on the same database: the job is still there and gets worked.
    const second = await appWith([job], { testDatabase })
    await waitFor(async () => ((await second.app.jobs.getJob(job.name, id!))?.state === 'completed' ? true : undefined))
    expect(seen).toEqual(['sitting-1'])
  })

  it('rejects job names that cannot be queue names', () => {
    expect(() => defineJob({ name: 'bad name!', schema: z.object({}), handler: async () => {} })).toThrow(/may only contain/)
  })
})
