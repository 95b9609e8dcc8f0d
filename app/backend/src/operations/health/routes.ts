import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { Database } from '../../core/db/client.js'
import { getMigrationStatus } from '../../core/db/migrate.js'
import type { HealthCheck } from '../../core/health.js'
import { trustedResponse } from '../../core/http/serializer.js'
import { serviceVersion } from '../../core/version.js'

const dependencySchema = z
  .object({
    status: z.enum(['up', 'down']),
    required: z.boolean(),
    latencyMs: z.number().describe('How long the check took'),
    details: z.record(z.string(), z.unknown()).optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'DependencyStatus' })

const readinessSchema = z
  .object({
    status: z.enum(['ok', 'degraded', 'fail']).describe('fail: a required dependency is down (HTTP 503)'),
    checks: z.record(z.string(), dependencySchema),
  })
  .meta({ id: 'Readiness' })

const summarySchema = readinessSchema
  .extend({
    service: z.literal('avaaz-backend'),
    version: z.string(),
    uptimeSeconds: z.number(),
  })
  .meta({ id: 'HealthSummary' })

// Always the constant below, and probed every few seconds: serialised without a zod pass (see trustedResponse).
const liveSchema = trustedResponse(z.object({ status: z.literal('ok') }).meta({ id: 'Liveness' }))

/** The database is up when it answers and every committed migration has been applied. */
export function databaseHealthCheck(database: Database): HealthCheck {
  return {
    name: 'database',
    required: true,
    async check() {
      await database.ping()
      const migrations = await getMigrationStatus(database)
      if (!migrations.upToDate) {
        throw new Error(`${migrations.applied} of ${migrations.expected} migrations applied`)
      }
      return { driver: database.kind, migrations: { applied: migrations.applied, expected: migrations.expected } }
    },
  }
}

// Orchestrators probe these every few seconds: log only problems, and never rate limit them.
const probeConfig = { logLevel: 'warn', config: { rateLimit: false } } as const

export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/health/live',
    {
      ...probeConfig,
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process is up and serving requests',
        response: { 200: liveSchema },
      },
    },
    async () => ({ status: 'ok' as const }),
  )

  app.get(
    '/health/ready',
    {
      ...probeConfig,
      schema: {
        tags: ['health'],
        summary: 'Readiness: every required dependency is reachable (database migrated; LiveKit and AI provider where configured)',
        response: { 200: readinessSchema, 503: readinessSchema },
      },
    },
    async (_request, reply) => {
      const report = await app.health.run()
      return reply.status(report.status === 'fail' ? 503 : 200).send(report)
    },
  )

  app.get(
    '/health',
    {
      ...probeConfig,
      schema: {
        tags: ['health'],
        summary: 'Summary: version, uptime and the status of each dependency',
        response: { 200: summarySchema, 503: summarySchema },
      },
    },
    async (_request, reply) => {
      const report = await app.health.run()
      return reply.status(report.status === 'fail' ? 503 : 200).send({
        service: 'avaaz-backend' as const,
        version: serviceVersion,
        uptimeSeconds: Math.round(process.uptime()),
        ...report,
      })
    },
  )
}
