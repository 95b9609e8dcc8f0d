import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { serviceVersion } from '../version.js'

export const openApiPath = '/api/v1/openapi.json'
export const docsPrefix = '/api/v1/docs'

/** OpenAPI 3.1 generated from the routes' zod schemas, and Swagger UI to try it. Register before routes. */
export async function registerOpenApi(
  app: FastifyInstance,
  options: { publicUrl: string; production: boolean; htmlHeaders: Record<string, string> },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Avaaz API',
        version: serviceVersion,
        description:
          'The Avaaz backend: accounts, tutor sessions, curriculum, exams, documents, progress and billing. ' +
          'Errors are RFC 9457 problem documents (`application/problem+json`).',
      },
      servers: [{ url: options.publicUrl }],
      tags: [
        { name: 'health', description: 'Liveness and readiness for operators and orchestrators' },
        { name: 'meta', description: 'About this API' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A session token for API clients' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'avaaz.session_token', description: 'The browser session cookie' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })

  // The docs are an HTML app: in their own scope they get the browser security headers, not the API ones.
  await app.register(async (docs) => {
    docs.addHook('onRequest', (_request, reply, done) => {
      reply.headers(options.htmlHeaders)
      done()
    })
    await docs.register(swaggerUi, {
      routePrefix: docsPrefix,
      uiConfig: { deepLinking: true, tryItOutEnabled: true },
      staticCSP: true,
      // Over plain http on a laptop, "upgrade-insecure-requests" would send the UI's own requests to https.
      transformStaticCSP: (header) => (options.production ? header : header.replace(/\s*upgrade-insecure-requests;?/, '')),
    })
  })

  app.get(openApiPath, { schema: { hide: true }, config: { rateLimit: false } }, async () => app.swagger())
}
