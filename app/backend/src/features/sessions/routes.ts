import { PassThrough } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireUser, signedIn } from '../../core/auth/access.js'
import { problemSchema } from '../../core/http/problem.js'
import { safeErrorSummary } from '../../core/logger.js'
import { refuseWhileExamRuns } from '../exams/service.js'
import {
  modeChangeResultSchema,
  modeChangeSchema,
  sessionSchema,
  sittingPageQuerySchema,
  sittingSchema,
  turnPageQuerySchema,
  turnPageSchema,
  turnRequestSchema,
} from './schema.js'
import { changeMode, endOpenSitting, getSessionView, getSitting, listSittings, listTurns } from './service.js'
import type { TurnRun, TurnStreamEvent } from './turn-records.js'
import { beginLearnerTurn } from './turns.js'

const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema }

const turnStreamDescription = [
  'Server-Sent Events, in this order:',
  '`turn` {turn}: the stored learner turn;',
  '`correction` {correction}, `delta` {text}, `visual` {aid}, `state` {change}: as the tutor replies;',
  'then `done` {turn, replayed}: the stored tutor turn (replayed: a retry of a turn already answered),',
  'or `error` {code, message, retryable, turn}: the reply failed; the learner turn is kept, a partial reply is stored as incomplete.',
].join(' ')

export function formatServerSentEvent(event: TurnStreamEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`
}

/**
 * Streams a turn's reply as Server-Sent Events. The reply runs to the end even when the client goes
 * away, so the turn and its reply are stored and a retry with the same client turn id gets them.
 */
export function sendTurnStream(request: FastifyRequest, reply: FastifyReply, run: TurnRun): FastifyReply {
  const stream = new PassThrough()
  run((event) => {
    if (!stream.writableEnded && !stream.destroyed) stream.write(formatServerSentEvent(event))
  })
    .catch((error: unknown) => request.log.error({ error: safeErrorSummary(error) }, 'turn stream failed'))
    .finally(() => stream.end())
  return (
    reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache, no-transform')
      .header('x-accel-buffering', 'no')
      // A stream is piped as is; the response schema only documents the event format.
      .send(stream as unknown as string)
  )
}

/** The learner's one continuous tutor session: state, mode, turns (streamed replies), sittings. */
export const sessionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/sessions/default',
    {
      schema: {
        tags: ['sessions'],
        summary: 'My tutor session (created on first use): mode, lesson step, summary, progress, greeting, capabilities',
        security: signedIn,
        response: { 200: sessionSchema, 401: problemSchema },
      },
    },
    async (request) => getSessionView(app, await requireUser(request)),
  )

  app.patch(
    '/sessions/default',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Switch mode: free conversation (optionally on a topic) or a lesson at a step',
        security: signedIn,
        body: modeChangeSchema,
        response: { 200: modeChangeResultSchema, ...errors, 409: problemSchema },
      },
    },
    async (request) => {
      const user = await requireUser(request)
      await refuseWhileExamRuns(app, user)
      return changeMode(app, user, request.body)
    },
  )

  app.post(
    '/sessions/default/end',
    {
      schema: {
        tags: ['sessions'],
        summary: 'End the open sitting (its summary is written in the background)',
        security: signedIn,
        body: z.object({}).strict().nullish().describe('No fields; may be omitted'),
        response: { 200: z.object({ ended: z.boolean(), sitting: sittingSchema.nullable() }), 401: problemSchema },
      },
    },
    async (request) => endOpenSitting(app, await requireUser(request)),
  )

  app.post(
    '/sessions/default/turns',
    {
      schema: {
        tags: ['sessions'],
        summary: "Send a learner turn; the tutor's reply streams back as Server-Sent Events",
        description: turnStreamDescription,
        security: signedIn,
        body: turnRequestSchema,
        produces: ['text/event-stream'],
        response: { 200: z.string().describe(turnStreamDescription), ...errors, 409: problemSchema },
      },
    },
    async (request, reply) => sendTurnStream(request, reply, await beginLearnerTurn(app, await requireUser(request), request.body)),
  )

  app.get(
    '/sessions/default/turns',
    {
      schema: {
        tags: ['sessions'],
        summary: 'My transcript, a page at a time (newest page first, turns oldest first within it)',
        security: signedIn,
        querystring: turnPageQuerySchema,
        response: { 200: turnPageSchema, ...errors },
      },
    },
    async (request) => listTurns(app, await requireUser(request), request.query),
  )

  app.get(
    '/sessions/default/sittings',
    {
      schema: {
        tags: ['sessions'],
        summary: 'My sittings, newest first, with their summaries',
        security: signedIn,
        querystring: sittingPageQuerySchema,
        response: { 200: z.object({ items: z.array(sittingSchema), nextBefore: z.uuid().nullable() }), ...errors },
      },
    },
    async (request) => listSittings(app, await requireUser(request), request.query),
  )

  app.get(
    '/sessions/default/sittings/:sittingId',
    {
      schema: {
        tags: ['sessions'],
        summary: 'One of my sittings with its summary',
        security: signedIn,
        params: z.object({ sittingId: z.uuid() }),
        response: { 200: sittingSchema, ...errors },
      },
    },
    async (request) => getSitting(app, await requireUser(request), request.params.sittingId),
  )
}
