import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import { AUTH_BASE_PATH, CLIENT_IP_HEADER, type Auth } from './auth.js'

/** Endpoints an attacker would hammer (guessing passwords, spamming mail): limited per client IP. */
const sensitivePaths = [
  'POST /sign-up/email',
  'POST /sign-in/email',
  'POST /request-password-reset',
  'POST /reset-password',
  'POST /send-verification-email',
  'GET /verify-email',
  'POST /change-password',
] as const

function toWebRequest(request: FastifyRequest, publicUrl: string): Request {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === CLIENT_IP_HEADER) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  // better-auth records the client IP on sessions; give it the one Fastify resolved (TRUST_PROXY aware).
  headers.set(CLIENT_IP_HEADER, request.ip)
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && typeof request.body === 'string'
  return new Request(new URL(request.url, publicUrl), {
    method: request.method,
    headers,
    body: hasBody ? (request.body as string) : undefined,
  })
}

async function forward(auth: Auth, config: Config, request: FastifyRequest, reply: FastifyReply) {
  const response = await auth.handler(toWebRequest(request, config.publicUrl))
  reply.status(response.status)
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie' && name !== 'content-length') reply.header(name, value)
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) reply.header('set-cookie', cookies)
  const body = Buffer.from(await response.arrayBuffer())
  return reply.send(body.length > 0 ? body : null)
}

/**
 * Mounts better-auth's stock endpoints at /api/auth/* (so standard better-auth clients work):
 * sign-up, sign-in, sign-out, email verification, password reset and change, session listing and
 * revocation, JWT and JWKS, and the admin plugin's endpoints. Their request and response formats are
 * better-auth's own, documented by better-auth, so they are not part of our OpenAPI document.
 */
export async function authRoutes(app: FastifyInstance, options: { auth: Auth; config: Config }) {
  const { auth, config } = options
  // better-auth parses bodies itself; hand it the raw text.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  )

  const handler = (request: FastifyRequest, reply: FastifyReply) => forward(auth, config, request, reply)
  const limited = { rateLimit: { max: config.authRateLimit.max, timeWindow: config.authRateLimit.windowMs } }
  for (const entry of sensitivePaths) {
    const [method, path] = entry.split(' ') as ['GET' | 'POST', string]
    app.route({ method, url: `${AUTH_BASE_PATH}${path}`, schema: { hide: true }, config: limited, handler })
  }
  app.route({ method: ['GET', 'POST'], url: `${AUTH_BASE_PATH}/*`, schema: { hide: true }, handler })
}
