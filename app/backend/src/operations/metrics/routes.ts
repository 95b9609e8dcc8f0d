import { timingSafeEqual } from 'node:crypto'
import type { FastifyPluginAsync } from 'fastify'
import { NotFound, Unauthorized } from '../../core/errors.js'

/**
 * `GET /metrics` in Prometheus's text format, for a scraper holding METRICS_TOKEN (sent as a bearer
 * token). Without METRICS_TOKEN the endpoint does not exist: metrics say how the product is used.
 */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const token = app.config.metricsToken
    if (!token) throw new NotFound('No route GET /metrics.')
    const given = Buffer.from(request.headers.authorization?.replace(/^Bearer /i, '') ?? '')
    const expected = Buffer.from(token)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Unauthorized('A metrics token is required.')
    return reply.header('content-type', app.metrics.registry.contentType).send(await app.metrics.registry.metrics())
  })
}
