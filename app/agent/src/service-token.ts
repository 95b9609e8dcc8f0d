import { SignJWT } from 'jose'

/**
 * The agent's credentials towards the backend: a short-lived HS256 JWT per learner, signed with the
 * secret both share (AGENT_SERVICE_SECRET). The backend checks it in
 * app/backend/src/features/livekit/agent-auth.ts; the claims below must match what it expects.
 */
export const SERVICE_TOKEN_ISSUER = 'avaaz-agent'
export const SERVICE_TOKEN_AUDIENCE = 'avaaz-backend'
export const SERVICE_TOKEN_SUBJECT = 'agent'
/** The backend refuses tokens that live longer than 10 minutes; these live 5. */
export const SERVICE_TOKEN_TTL_SECONDS = 5 * 60

export interface ServiceTokenFor {
  /** The learner (their LiveKit identity). */
  userId: string
  /** The learner's tutor session (from the room name). */
  sessionId: string
}

export async function signServiceToken(secret: string, { userId, sessionId }: ServiceTokenFor, now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000)
  return new SignJWT({ uid: userId, sid: sessionId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(SERVICE_TOKEN_ISSUER)
    .setAudience(SERVICE_TOKEN_AUDIENCE)
    .setSubject(SERVICE_TOKEN_SUBJECT)
    .setIssuedAt(iat)
    .setExpirationTime(iat + SERVICE_TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(secret))
}
