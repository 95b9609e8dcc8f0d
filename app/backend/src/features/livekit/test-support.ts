import { createHash } from 'node:crypto'
import { createServer } from 'node:net'
import { SignJWT } from 'jose'
import { AccessToken, ParticipantInfo, Room, WebhookEvent } from 'livekit-server-sdk'
import { SERVICE_TOKEN_AUDIENCE, SERVICE_TOKEN_ISSUER, SERVICE_TOKEN_SUBJECT } from './agent-auth.js'

/** Test helpers for the LiveKit feature: configuration, signed webhooks and agent service tokens. */

export const livekitKey = 'avaaz-test-key'
export const livekitSecret = 'livekit-test-secret-livekit-test-secret-0123'
export const agentSecret = 'agent-service-secret-agent-service-secret-42'

/** A local port nothing listens on (opened, then closed), so LiveKit there is unreachable. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export function livekitEnv(port: number): Record<string, string> {
  return {
    LIVEKIT_URL: `ws://127.0.0.1:${port}`,
    LIVEKIT_API_KEY: livekitKey,
    LIVEKIT_API_SECRET: livekitSecret,
    AGENT_SERVICE_SECRET: agentSecret,
  }
}

export interface WebhookInit {
  event: string
  room?: string
  identity?: string
  /** ParticipantInfo.Kind: 0 standard (a learner), 4 agent. */
  kind?: number
  /** DisconnectReason: 2 duplicate identity. */
  disconnectReason?: number
  createdAt?: Date
  id?: string
}

let counter = 0

/** A webhook body as LiveKit serialises it (protobuf JSON). */
export function webhookBody(init: WebhookInit): string {
  counter += 1
  const event = new WebhookEvent({
    id: init.id ?? `EV_test${counter}`,
    createdAt: BigInt(Math.floor((init.createdAt ?? new Date()).getTime() / 1000)),
    ...(init.room ? { room: new Room({ name: init.room, sid: 'RM_test' }) } : {}),
    ...(init.identity
      ? {
          participant: new ParticipantInfo({
            identity: init.identity,
            sid: 'PA_test',
            kind: init.kind ?? 0,
            ...(init.disconnectReason ? { disconnectReason: init.disconnectReason } : {}),
          }),
        }
      : {}),
  })
  // The SDK's WebhookEvent sets `event` after its constructor has applied the fields given.
  event.event = init.event as WebhookEvent['event']
  return event.toJsonString()
}

/** The Authorization header LiveKit sends with a body: a JWT whose sha256 claim is the body's hash. */
export async function webhookSignature(body: string, secret = livekitSecret, key = livekitKey): Promise<string> {
  const token = new AccessToken(key, secret, { ttl: '5m' })
  token.sha256 = createHash('sha256').update(body).digest('base64')
  return token.toJwt()
}

export interface ServiceTokenClaims {
  uid: string
  sid: string
  sub?: string
  iss?: string
  aud?: string
  /** Seconds from now (default 300). */
  expiresIn?: number
  /** Seconds from now the token says it was issued (default 0). */
  issuedAt?: number
  secret?: string
}

/** An agent service token as the agent signs it. */
export async function serviceToken(claims: ServiceTokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const iat = now + (claims.issuedAt ?? 0)
  return new SignJWT({ uid: claims.uid, sid: claims.sid })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(claims.iss ?? SERVICE_TOKEN_ISSUER)
    .setAudience(claims.aud ?? SERVICE_TOKEN_AUDIENCE)
    .setSubject(claims.sub ?? SERVICE_TOKEN_SUBJECT)
    .setIssuedAt(iat)
    .setExpirationTime(now + (claims.expiresIn ?? 300))
    .sign(new TextEncoder().encode(claims.secret ?? agentSecret))
}
