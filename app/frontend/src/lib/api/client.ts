import createClient from 'openapi-fetch'
import type { paths } from './schema'

/**
 * The typed API client. Types come from the backend's OpenAPI document (`npm run api:types`), never
 * by hand. Same origin: the session cookie goes along, and no base URL or CORS is involved.
 */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' })

/** An RFC 9457 problem document, as every API error is. */
export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  requestId: string
  errors?: Array<{ path: string; message: string }>
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title)
    this.name = 'ApiError'
  }

  /** Field messages keyed by field name (`body.email` → `email`), for forms. */
  get fieldErrors(): Record<string, string> {
    return Object.fromEntries((this.problem.errors ?? []).map((error) => [error.path.replace(/^(body|query|querystring|params)\./, ''), error.message]))
  }
}

/** Unwraps an openapi-fetch result: the data, or an ApiError carrying the problem document. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call
  if (error !== undefined || !response.ok) {
    const problem = (error ?? {}) as Partial<Problem>
    throw new ApiError({
      type: problem.type ?? 'about:blank',
      title: problem.title ?? response.statusText,
      status: problem.status ?? response.status,
      requestId: problem.requestId ?? response.headers.get('x-request-id') ?? '',
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(problem.errors ? { errors: problem.errors } : {}),
    })
  }
  return data as T
}
