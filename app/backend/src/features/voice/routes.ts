// The websocket route option and handler types come from the plugin's declarations.
import type {} from '@fastify/websocket'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireUser, signedIn } from '../../core/auth/access.js'
import { problemSchema } from '../../core/http/problem.js'
import { issueVoiceAccess, voiceAccessSchema } from './service.js'
import { serveVoiceSocket } from './transport.js'
import { readTurnAudio, TURN_AUDIO_CONTENT_TYPE } from './turn-audio.js'

/** Real-time voice: access (a WebSocket ticket, or a LiveKit token), the WebSocket transport, kept turn audio. */
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

  app.get(
    '/sessions/default/turns/:id/audio',
    {
      schema: {
        tags: ['voice'],
        summary: "A turn's kept audio (Ogg Opus): the learner's words or the spoken reply, when the learner keeps audio",
        description: 'Only the learner whose turn it is gets it; any other turn, or a turn without kept audio, is 404. HEAD is supported.',
        security: signedIn,
        params: z.object({ id: z.uuid() }),
        response: {
          200: { description: 'Ogg Opus, mono', content: { [TURN_AUDIO_CONTENT_TYPE]: { schema: z.string().meta({ format: 'binary' }) } } },
          400: problemSchema,
          401: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const audio = await readTurnAudio(app, await requireUser(request), request.params.id)
      // Private: a shared cache must never keep a learner's voice.
      return reply.header('content-type', TURN_AUDIO_CONTENT_TYPE).header('cache-control', 'private, max-age=3600').send(audio as unknown as string)
    },
  )
}
