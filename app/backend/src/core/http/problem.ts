import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AppError, type FieldProblem } from '../errors.js'
import { isDatabaseUnavailableError } from '../db/client.js'

/** Base of problem `type` URIs; each resolves to a short explanation in the API docs. */
export const problemTypeBase = 'https://avaaz.app/problems'

export const problemSchema = z
  .object({
    type: z.string().describe('URI identifying the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional().describe('The request path that failed'),
    requestId: z.string().describe('Quote this when reporting the problem'),
    errors: z
      .array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() }))
      .optional()
      .describe('Field-level details of a validation failure'),
  })
  .loose()
  .meta({ id: 'Problem', description: 'An RFC 9457 problem document' })

export type Problem = z.infer<typeof problemSchema>

interface ProblemInit {
  status: number
  title: string
  slug: string
  detail?: string
  extensions?: Record<string, unknown>
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, init: ProblemInit): FastifyReply {
  const body: Problem = {
    type: `${problemTypeBase}/${init.slug}`,
    title: init.title,
    status: init.status,
    ...(init.detail ? { detail: init.detail } : {}),
    instance: request.url.split('?')[0],
    requestId: request.id,
    ...init.extensions,
  }
  return reply.status(init.status).type('application/problem+json; charset=utf-8').send(body)
}

/** Fastify's own client errors, by code, with the title and detail a client should see. */
const fastifyClientErrors: Record<string, { status: number; title: string; slug: string; detail?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, title: 'Payload too large', slug: 'payload-too-large', detail: 'The request body is larger than this endpoint accepts.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', slug: 'unsupported-media-type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, title: 'Bad request', slug: 'bad-request', detail: 'The Content-Length header does not match the body.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, title: 'Bad request', slug: 'bad-request', detail: 'The body is empty but the content type is application/json.' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, title: 'Invalid JSON', slug: 'invalid-json' },
}

function validationProblems(error: FastifyError): FieldProblem[] {
  const context = (error as { validationContext?: string }).validationContext ?? 'request'
  if (hasZodFastifySchemaValidationErrors(error)) {
    return error.validation.map((issue) => ({
      path: [context, ...issue.instancePath.split('/').filter(Boolean)].join('.'),
      message: issue.message ?? 'is invalid',
      code: issue.keyword,
    }))
  }
  return (error.validation ?? []).map((issue) => ({
    path: [context, ...(issue.instancePath ?? '').split('/').filter(Boolean)].join('.'),
    message: issue.message ?? 'is invalid',
  }))
}

export function registerProblemHandlers(app: FastifyInstance, options: { exposeStack: boolean }): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, error.title)
      return sendProblem(request, reply, {
        status: error.status,
        title: error.title,
        slug: error.slug,
        detail: error.detail,
        extensions: error.extensions,
      })
    }

    if (error.validation) {
      return sendProblem(request, reply, {
        status: 400,
        title: 'Validation failed',
        slug: 'validation-failed',
        detail: 'The request is not valid; see errors for each field.',
        extensions: { errors: validationProblems(error) },
      })
    }

    const known = error.code ? fastifyClientErrors[error.code] : undefined
    if (known) {
      return sendProblem(request, reply, { ...known, detail: known.detail ?? error.message })
    }
    if (error instanceof SyntaxError && error.statusCode === 400) {
      return sendProblem(request, reply, { status: 400, title: 'Invalid JSON', slug: 'invalid-json', detail: error.message })
    }

    if (isDatabaseUnavailableError(error)) {
      request.log.error({ err: error }, 'database unavailable')
      reply.header('retry-after', '5')
      return sendProblem(request, reply, {
        status: 503,
        title: 'Service unavailable',
        slug: 'service-unavailable',
        detail: 'The database is not reachable right now. Please try again shortly.',
      })
    }

    // Other 4xx errors raised by Fastify or its plugins carry a safe message and status.
    const status = error.statusCode ?? 500
    if (status >= 400 && status < 500 && !isResponseSerializationError(error)) {
      return sendProblem(request, reply, {
        status,
        title: httpTitle(status),
        slug: httpTitle(status).toLowerCase().replace(/[^a-z0-9]+/g, '-'),
        detail: error.message,
      })
    }

    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(request, reply, {
      status: 500,
      title: 'Internal server error',
      slug: 'internal-server-error',
      detail: 'Something went wrong on our side. The request id identifies it in our logs.',
      ...(options.exposeStack ? { extensions: { stack: error.stack?.split('\n') } } : {}),
    })
  })
}

const httpTitles: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  409: 'Conflict',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
  431: 'Request header fields too large',
}

function httpTitle(status: number): string {
  return httpTitles[status] ?? 'Client error'
}
