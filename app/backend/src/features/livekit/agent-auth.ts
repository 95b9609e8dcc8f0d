import { eq } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { errors as joseErrors, jwtVerify } from 'jose'
import type { Principal } from '../../core/auth/access.js'
import { users, type TutorSession } from '../../core/db/schema/index.js'
import { Forbidden, NotFound, Unauthorized } from '../../core/errors.js'
import { loadSession } from '../sessions/service.js'

/**
 * The agent worker's credentials: a short-lived HS256 JWT it signs itself with the secret it shares
 * with the backend (AGENT_SERVICE_SECRET), one per learner:
 *
 *   { iss: 'avaaz-agent', aud: 'avaaz-backend', sub: 'agent', uid: <user id>, sid: <tutor session id>, iat, exp }
 *
 * with exp − iat ≤ 10 minutes. The agent routes accept nothing else (a learner's cookie, session
 * token or better-auth JWT is refused), and a token acts for its own learner only: the path's user id
 * and the learner's session must be the ones it names. The agent's side is app/agent/src/service-token.ts.
 */
export const SERVICE_TOKEN_ISSUER = 'avaaz-agent'
export const SERVICE_TOKEN_AUDIENCE = 'avaaz-backend'
export const SERVICE_TOKEN_SUBJECT = 'agent'
export const SERVICE_TOKEN_MAX_TTL_SECONDS = 10 * 60

export interface AgentCall {
  /** The learner the agent acts for, as the learner's own routes see them. */
  principal: Principal
  session: TutorSession
}

const refused = () => new Unauthorized('This endpoint takes the agent service token only (a valid, unexpired one signed with the agent service secret).')

/** Verifies the service token and that it is for the learner in the path; returns that learner. */
export async function requireAgentFor(request: FastifyRequest, userId: string): Promise<AgentCall> {
  const { config, db } = request.server
  const header = request.headers.authorization
  if (!config.agentServiceSecret || !header?.startsWith('Bearer ')) throw refused()
  let claims: { uid?: unknown; sid?: unknown; iat?: number; exp?: number }
  try {
    ;({ payload: claims } = await jwtVerify(header.slice('Bearer '.length).trim(), new TextEncoder().encode(config.agentServiceSecret), {
      algorithms: ['HS256'],
      issuer: SERVICE_TOKEN_ISSUER,
      audience: SERVICE_TOKEN_AUDIENCE,
      subject: SERVICE_TOKEN_SUBJECT,
      requiredClaims: ['iat', 'exp', 'uid', 'sid'],
      maxTokenAge: SERVICE_TOKEN_MAX_TTL_SECONDS,
      clockTolerance: 5,
    }))
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw refused()
    throw error
  }
  // maxTokenAge bounds the age; this bounds the lifetime, so a leaked token is useless within 10 minutes.
  if (claims.exp! - claims.iat! > SERVICE_TOKEN_MAX_TTL_SECONDS) throw refused()
  if (typeof claims.uid !== 'string' || typeof claims.sid !== 'string') throw refused()
  if (claims.uid !== userId) throw new Forbidden('This service token is for another learner.')

  const [user] = await db.select().from(users).where(eq(users.id, userId))
  if (!user) throw new NotFound('No such learner.')
  if (user.banned) throw new Forbidden('This learner’s account is disabled.')
  const session = await loadSession(request.server, userId)
  if (session.id !== claims.sid) throw new Forbidden('This service token is for another tutor session.')
  return {
    principal: { userId: user.id, email: user.email, role: user.role, emailVerified: user.emailVerified, via: 'jwt' },
    session,
  }
}

/** OpenAPI `security` of the agent routes: a bearer token, which must be the agent service token (see above). */
export const agentServiceToken: Array<Record<string, string[]>> = [{ bearerAuth: [] }]
