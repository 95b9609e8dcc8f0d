/**
 * Errors with meaning. Services throw these; one error handler (core/http/problem.ts) maps every error
 * to an RFC 9457 `application/problem+json` response.
 */

export interface FieldProblem {
  /** Where the problem is, e.g. `body.email` or `query.level`. */
  path: string
  message: string
  code?: string
}

export interface AppErrorOptions {
  detail?: string
  /** Extension members added to the problem document (RFC 9457 §3.2). */
  extensions?: Record<string, unknown>
  cause?: unknown
}

export abstract class AppError extends Error {
  abstract readonly status: number
  abstract readonly title: string
  readonly detail: string | undefined
  readonly extensions: Record<string, unknown>

  constructor(detail?: string, options: Omit<AppErrorOptions, 'detail'> = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.detail = detail
    this.extensions = options.extensions ?? {}
  }

  /** Problem type slug; the document's `type` is `${problemTypeBase}/${slug}`. */
  get slug(): string {
    return this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/(^-|-$)/g, '')
  }
}

export class BadRequest extends AppError {
  readonly status = 400
  readonly title = 'Bad request'
}

export class ValidationFailed extends AppError {
  readonly status = 400
  readonly title = 'Validation failed'
  constructor(readonly errors: FieldProblem[], detail = 'The request is not valid; see errors for each field.') {
    super(detail, { extensions: { errors } })
  }
}

export class Unauthorized extends AppError {
  readonly status = 401
  readonly title = 'Unauthorized'
}

export class PaymentRequired extends AppError {
  readonly status = 402
  readonly title = 'Payment required'
}

export class Forbidden extends AppError {
  readonly status = 403
  readonly title = 'Forbidden'
}

export class NotFound extends AppError {
  readonly status = 404
  readonly title = 'Not found'
}

export class Conflict extends AppError {
  readonly status = 409
  readonly title = 'Conflict'
}

export class PayloadTooLarge extends AppError {
  readonly status = 413
  readonly title = 'Payload too large'
}

export class UnsupportedMediaType extends AppError {
  readonly status = 415
  readonly title = 'Unsupported media type'
}

export class TooManyRequests extends AppError {
  readonly status = 429
  readonly title = 'Too many requests'
}

export class ServiceUnavailable extends AppError {
  readonly status = 503
  readonly title = 'Service unavailable'
}
