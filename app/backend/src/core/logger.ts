import type { FastifyServerOptions } from 'fastify'
import type { DestinationStream, LoggerOptions } from 'pino'
import type { Config } from './config.js'

/** Query parameters whose values are credentials (verification links, OAuth callbacks, signed URLs). */
const SECRET_QUERY_PARAMS = /^(token|access_token|refresh_token|code|key|api_key|secret|password|signature|sig)$/i

/** Paths that carry a credential as a segment (better-auth's emailed reset link). */
const SECRET_PATH_SEGMENTS = /(\/reset-password\/)[^/?#]+/g

/** Strips credential values from a URL (query parameters and token path segments) before it is logged. */
export function redactUrl(url: string): string {
  url = url.replace(SECRET_PATH_SEGMENTS, '$1[redacted]')
  const queryStart = url.indexOf('?')
  if (queryStart === -1) return url
  const params = new URLSearchParams(url.slice(queryStart + 1))
  let changed = false
  for (const key of new Set(params.keys())) {
    if (SECRET_QUERY_PARAMS.test(key)) {
      params.set(key, '[redacted]')
      changed = true
    }
  }
  return changed ? `${url.slice(0, queryStart)}?${params.toString()}` : url
}

/**
 * Paths redacted from every log line. Request and response bodies are never logged (they can hold
 * passwords and transcripts); these paths catch credentials that reach a log through objects.
 */
export const redactedLogPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  '*.authSecret',
  '*.apiKey',
  'password',
  'token',
  'secret',
]

export function loggerOptions(config: Config, stream?: DestinationStream): FastifyServerOptions['logger'] {
  const options: LoggerOptions = {
    level: config.logLevel,
    base: { service: 'avaaz-backend' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: redactedLogPaths, censor: '[redacted]' },
    serializers: {
      req(request: { method: string; url: string; ip?: string; headers: Record<string, unknown> }) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          remoteAddress: request.ip,
          userAgent: request.headers['user-agent'],
        }
      },
    },
  }
  return stream ? { ...options, stream } : options
}

/**
 * What may be logged about an error from a provider or the database: its kind, never its message or
 * fields. AI SDK errors carry the whole prompt (`requestBodyValues`) and the model's output; database
 * errors quote query parameters; both can contain a learner's words.
 */
export function safeErrorSummary(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error }
  const fields = error as Error & { statusCode?: unknown; code?: unknown; isRetryable?: unknown; cause?: unknown }
  const cause = fields.cause instanceof Error ? (fields.cause as Error & { code?: unknown }) : undefined
  return {
    type: error.name,
    ...(typeof fields.statusCode === 'number' ? { statusCode: fields.statusCode } : {}),
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.isRetryable === 'boolean' ? { retryable: fields.isRetryable } : {}),
    ...(cause ? { cause: cause.name, ...(typeof cause.code === 'string' ? { causeCode: cause.code } : {}) } : {}),
  }
}
