import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

// Accept a caller's id only if it is short and plain, so it cannot forge or break log lines.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Uses the caller's `x-request-id` when it is acceptable (a proxy's or client's trace), else a new UUID. */
export function requestIdFrom(request: IncomingMessage): string {
  const header = request.headers['x-request-id']
  const candidate = Array.isArray(header) ? header[0] : header
  return candidate && ACCEPTABLE_REQUEST_ID.test(candidate) ? candidate : randomUUID()
}
