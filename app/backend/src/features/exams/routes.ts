import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { requireUser, signedIn } from '../../core/auth/access.js'
import { problemSchema } from '../../core/http/problem.js'
import { attemptAdvanceSchema, attemptIdParamsSchema, attemptStartSchema, examAttemptListSchema, examAttemptSchema, examResultSchema } from './schema.js'
import { abandonAttempt, advanceAttempt, getAttempt, getResult, listAttempts, startAttempt } from './service.js'

const errors = { 400: problemSchema, 401: problemSchema, 404: problemSchema }

/** Mock oral exams: start, follow (server-timed parts and phases), move on, abandon, history. */
export const examRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/exams/attempts',
    {
      schema: {
        tags: ['exams'],
        summary: 'Start a mock oral exam (A1-A2, A2-B1 or B1-B2); the tutor session switches to exam mode',
        description: 'One attempt runs at a time: while one runs, a new start is refused (409) with its `attemptId`, to continue or abandon.',
        security: signedIn,
        body: attemptStartSchema,
        response: { 201: examAttemptSchema, ...errors, 409: problemSchema },
      },
    },
    async (request, reply) => reply.code(201).send(await startAttempt(app, await requireUser(request), request.body)),
  )

  app.get(
    '/exams/attempts',
    {
      schema: {
        tags: ['exams'],
        summary: 'My mock exams, newest first, with their results',
        security: signedIn,
        response: { 200: examAttemptListSchema, 401: problemSchema },
      },
    },
    async (request) => listAttempts(app, await requireUser(request)),
  )

  app.get(
    '/exams/attempts/:id',
    {
      schema: {
        tags: ['exams'],
        summary: 'An attempt as it stands on the server clock: part, phase, deadlines, instructions, task, what was said, result state',
        security: signedIn,
        params: attemptIdParamsSchema,
        response: { 200: examAttemptSchema, ...errors },
      },
    },
    async (request) => getAttempt(app, await requireUser(request), request.params.id),
  )

  app.get(
    '/exams/attempts/:id/result',
    {
      schema: {
        tags: ['exams'],
        summary: 'The scored result: level reached, criteria with bands and evidence, feedback, recommended lessons, transcript per part',
        description: 'While scoring runs the state is `pending` and no scores are included — never a partial result.',
        security: signedIn,
        params: attemptIdParamsSchema,
        response: { 200: examResultSchema, ...errors },
      },
    },
    async (request) => getResult(app, await requireUser(request), request.params.id),
  )

  app.post(
    '/exams/attempts/:id/advance',
    {
      schema: {
        tags: ['exams'],
        summary: 'Move on from the named part and phase (ready to begin, done preparing, done speaking)',
        description: 'Naming a part or phase the attempt has already left is refused (409), so a repeated click never skips ahead.',
        security: signedIn,
        params: attemptIdParamsSchema,
        body: attemptAdvanceSchema,
        response: { 200: examAttemptSchema, ...errors, 409: problemSchema },
      },
    },
    async (request) => advanceAttempt(app, await requireUser(request), request.params.id, request.body),
  )

  app.post(
    '/exams/attempts/:id/abandon',
    {
      schema: {
        tags: ['exams'],
        summary: 'Abandon a running attempt (it is not scored); the tutor session returns to free conversation',
        security: signedIn,
        params: attemptIdParamsSchema,
        body: z.object({}).strict().nullish().describe('No fields; may be omitted'),
        response: { 200: examAttemptSchema, ...errors, 409: problemSchema },
      },
    },
    async (request) => abandonAttempt(app, await requireUser(request), request.params.id),
  )
}
