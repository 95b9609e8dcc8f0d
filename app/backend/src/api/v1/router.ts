import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { docsPrefix, openApiPath } from '../../core/http/openapi.js'
import { accountRoutes } from '../../features/accounts/routes.js'
import { adminRoutes } from '../../features/admin/routes.js'
import { curriculumRoutes } from '../../features/curriculum/routes.js'
import { lessonRoutes } from '../../features/lessons/routes.js'
import { examRoutes } from '../../features/exams/routes.js'
import { livekitRoutes } from '../../features/livekit/routes.js'
import { sessionRoutes } from '../../features/sessions/routes.js'
import { voiceRoutes } from '../../features/voice/routes.js'
import { devOutboxRoutes } from '../../operations/dev-outbox/routes.js'
import { serviceVersion } from '../../core/version.js'

const apiIndexSchema = z
  .object({
    name: z.literal('Avaaz API'),
    version: z.string(),
    openapi: z.string().describe('Path of the OpenAPI 3.1 document'),
    docs: z.string().describe('Path of the interactive documentation'),
  })
  .meta({ id: 'ApiIndex' })

/**
 * Mounts everything under /api/v1. Feature routers (accounts, sessions, curriculum, exams, …) and
 * operation routers (dev outbox, metrics, …) are registered here as they are built.
 */
export const apiV1Router: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/',
    {
      schema: {
        tags: ['meta'],
        summary: 'About this API and where its documentation is',
        response: { 200: apiIndexSchema },
      },
    },
    async () => ({ name: 'Avaaz API' as const, version: serviceVersion, openapi: openApiPath, docs: docsPrefix }),
  )

  await app.register(accountRoutes)
  await app.register(adminRoutes)
  await app.register(curriculumRoutes(app.pictures))
  await app.register(lessonRoutes)
  await app.register(sessionRoutes)
  await app.register(examRoutes)
  if (app.config.livekit) await app.register(livekitRoutes)
  await app.register(voiceRoutes)
  const { mail, isProduction } = app.config
  if (mail.transport === 'outbox' && !isProduction) await app.register(devOutboxRoutes(mail.outboxDir))
}
