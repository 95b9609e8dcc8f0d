// The websocket route option and handler types come from the plugin's declarations.
import type {} from '@fastify/websocket'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireUser, signedIn } from '../../core/auth/access.js'
import { problemSchema } from '../../core/http/problem.js'
import { issueVoiceAccess, voiceAccessSchema } from './service.js'
import { serveVoiceSocket } from './transport.js'

/** Real-time voice: access (a WebSocket ticket, or a LiveKit token) and the WebSocket transport. */
export const voiceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/sessions/default/token',
    {
      schema: {
        tags: ['voice'],
        summary: 'Access for real-time voice: a LiveKit token when LiveKit is configured, otherwise a single-use WebSocket ticket',
        description: 'See docs/voice-protocol.md. A ticket is valid for 60 seconds and one connection.',
        security: signedIn,
        body: z
          .object({ transport: z.enum(['auto', 'websocket']).default('auto').describe('websocket: the backend\'s own transport even when LiveKit is configured') })
          .strict()
          .nullish()
          .describe('May be omitted'),
        response: { 200: voiceAccessSchema, 401: problemSchema, 402: problemSchema, 503: problemSchema },
      },
    },
    async (request) => issueVoiceAccess(app, await requireUser(request), request.body?.transport ?? 'auto'),
  )

  app.get(
    '/voice/ws',
    {
      websocket: true,
      schema: {
        tags: ['voice'],
        summary: 'The voice WebSocket (docs/voice-protocol.md); authenticated by a ticket from POST /sessions/default/token',
        querystring: z.object({ ticket: z.string().max(200).optional() }),
        // An upgrade, not a request/response: docs/voice-protocol.md is its documentation.
        hide: true,
      },
    },
    (socket, request) => serveVoiceSocket(app, socket, (request.query as { ticket?: string }).ticket),
  )
}
