import { eq } from 'drizzle-orm'
import type { FastifyRequest } from 'fastify'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose'
import { users, type UserRole } from '../db/schema/index.js'
import { Forbidden, NotFound, Unauthorized } from '../errors.js'

/**
 * The one access helper every feature uses. A route handler starts with
 * `const principal = await requireUser(request)` (or `requireRole(request, 'admin')`), and a service
 * that loads a resource owned by someone calls `requireOwnership(principal, resource.ownerId)`.
 *
 * Accepted credentials: the browser's session cookie, `Authorization: Bearer <session token>` for API
 * clients, and `Authorization: Bearer <JWT>` (from /api/auth/token, verified against our JWKS) for
 * services such as the voice agent.
 */
export interface Principal {
  userId: string
  email: string
  role: UserRole
  emailVerified: boolean
  via: 'session' | 'jwt'
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolved once per request by requireUser; null when not yet resolved. */
    principal: Principal | null
  }
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (!header?.startsWith('Bearer ')) return undefined
  return header.slice('Bearer '.length).trim()
}

function webHeaders(request: FastifyRequest): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item)
  }
  return headers
}

// The public keys change only when better-auth rotates them; re-read them at most once a minute, and
// at once when a token names a key we have not seen (right after a rotation).
const JWKS_TTL_MS = 60_000
const jwksCache = new WeakMap<object, { keys: ReturnType<typeof createLocalJWKSet>; kids: Set<string>; at: number }>()

async function verificationKeys(request: FastifyRequest, kid: string | undefined) {
  const { auth } = request.server
  const cached = jwksCache.get(auth)
  if (cached && Date.now() - cached.at < JWKS_TTL_MS && (!kid || cached.kids.has(kid))) return cached.keys
  const set = (await auth.api.getJwks()) as JSONWebKeySet
  const fresh = { keys: createLocalJWKSet(set), kids: new Set(set.keys.map((key) => key.kid ?? '')), at: Date.now() }
  jwksCache.set(auth, fresh)
  return fresh.keys
}

function tokenKeyId(token: string): string | undefined {
  try {
    return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid?: string }).kid
  } catch {
    return undefined
  }
}

async function principalFromJwt(request: FastifyRequest, token: string): Promise<Principal> {
  const { config, db } = request.server
  const jwks = await verificationKeys(request, tokenKeyId(token))
  let subject: string | undefined
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer: config.publicUrl, audience: config.publicUrl })
    subject = payload.sub
  } catch {
    throw new Unauthorized('The token is invalid or has expired.')
  }
  const [user] = subject ? await db.select().from(users).where(eq(users.id, subject)).limit(1) : []
  if (!user || user.banned) throw new Unauthorized('The token is invalid or has expired.')
  return { userId: user.id, email: user.email, role: user.role, emailVerified: user.emailVerified, via: 'jwt' }
}

async function resolvePrincipal(request: FastifyRequest): Promise<Principal | null> {
  const token = bearerToken(request)
  if (token && JWT_SHAPE.test(token)) return principalFromJwt(request, token)
  const session = await request.server.auth.api.getSession({ headers: webHeaders(request) })
  if (!session) return null
  const user = session.user as typeof session.user & { role?: UserRole; banned?: boolean | null }
  if (user.banned) return null
  return { userId: user.id, email: user.email, role: user.role ?? 'learner', emailVerified: user.emailVerified, via: 'session' }
}

/** The signed-in user; 401 when there is no valid session, bearer token or JWT. */
export async function requireUser(request: FastifyRequest): Promise<Principal> {
  request.principal ??= await resolvePrincipal(request)
  if (!request.principal) throw new Unauthorized('Sign in to use this endpoint.')
  return request.principal
}

/** The signed-in user, or null for anonymous readers of public resources (bad credentials count as none). */
export async function optionalUser(request: FastifyRequest): Promise<Principal | null> {
  try {
    return await requireUser(request)
  } catch (error) {
    if (error instanceof Unauthorized) return null
    throw error
  }
}

/** The signed-in user if their role is one of `roles`; 403 otherwise. */
export async function requireRole(request: FastifyRequest, ...roles: UserRole[]): Promise<Principal> {
  const principal = await requireUser(request)
  if (!roles.includes(principal.role)) throw new Forbidden(`This needs the ${roles.join(' or ')} role.`)
  return principal
}

/**
 * Someone else's resource answers 404, exactly like one that does not exist, so ids cannot be probed.
 * Admins may pass `allowAdmin` for administrative reads.
 */
export function requireOwnership(principal: Principal, ownerId: string | null | undefined, options: { allowAdmin?: boolean } = {}): void {
  if (ownerId === principal.userId) return
  if (options.allowAdmin && principal.role === 'admin') return
  throw new NotFound('Not found.')
}

/** OpenAPI `security` of routes that need a signed-in user: a bearer token or the session cookie. */
export const signedIn: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cookieAuth: [] }]
