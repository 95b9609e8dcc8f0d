import { eq } from 'drizzle-orm'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { users, type UserRole } from '../core/db/schema/index.js'

/** Test helpers that go through the real HTTP endpoints: sign up, read the outbox, verify, sign in. */

export interface TestUser {
  id: string
  email: string
  password: string
  /** Session token for `Authorization: Bearer`. */
  token: string
  /** The session cookie as a browser would send it. */
  cookie: string
  headers: { authorization: string }
}

let counter = 0
export function uniqueEmail(prefix = 'learner'): string {
  counter += 1
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.test`
}

export const strongPassword = 'Fjordkaffe-og-brunost-42'

export async function signUp(app: FastifyInstance, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: body })
}

export interface OutboxMessageView {
  to: string
  subject: string
  text: string
  links: string[]
}

/** Waits for the mail job to deliver a message to `to` whose subject matches, newest first. */
export async function waitForMail(app: FastifyInstance, to: string, subject: RegExp, options: { after?: number; timeoutMs?: number } = {}): Promise<OutboxMessageView> {
  // Generous: over the wire project every query queues behind the others, and CI machines are busy.
  const deadline = Date.now() + (options.timeoutMs ?? 30_000)
  for (;;) {
    const response = await app.inject({ method: 'GET', url: `/api/v1/dev/outbox?to=${encodeURIComponent(to)}` })
    const messages = (response.json() as { messages: Array<OutboxMessageView & { createdAt: string }> }).messages
    const found = messages.find((message) => subject.test(message.subject) && Date.parse(message.createdAt) >= (options.after ?? 0))
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no mail to ${to} matching ${subject} (have: ${messages.map((m) => m.subject).join(', ')})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The path and query of a link in a mail, to inject it into the app. */
export function linkPath(link: string): string {
  const url = new URL(link)
  return `${url.pathname}${url.search}`
}

export function sessionCookie(response: LightMyRequestResponse): string {
  const cookies = [response.headers['set-cookie'] ?? []].flat()
  const session = cookies.find((cookie) => cookie.startsWith('avaaz.session_token='))
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`)
  return session.split(';')[0]!
}

export async function signIn(app: FastifyInstance, email: string, password: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email, password } })
}

/** A user who signed up, verified through the emailed link and signed in. */
export async function createVerifiedUser(
  app: FastifyInstance,
  options: { email?: string; name?: string; locale?: 'en' | 'nb'; role?: UserRole } = {},
): Promise<TestUser> {
  const email = options.email ?? uniqueEmail()
  const signedUp = await signUp(app, { email, password: strongPassword, name: options.name ?? 'Test Learner', ...(options.locale ? { locale: options.locale } : {}) })
  if (signedUp.statusCode !== 200) throw new Error(`sign-up failed: ${signedUp.statusCode} ${signedUp.body}`)
  const mail = await waitForMail(app, email, /./)
  const verified = await app.inject({ method: 'GET', url: linkPath(mail.links[0]!) })
  if (verified.statusCode >= 400) throw new Error(`verification failed: ${verified.statusCode} ${verified.body}`)
  if (options.role && options.role !== 'learner') await app.db.update(users).set({ role: options.role }).where(eq(users.email, email))
  const signedIn = await signIn(app, email, strongPassword)
  if (signedIn.statusCode !== 200) throw new Error(`sign-in failed: ${signedIn.statusCode} ${signedIn.body}`)
  const body = signedIn.json() as { token: string; user: { id: string } }
  return {
    id: body.user.id,
    email,
    password: strongPassword,
    token: body.token,
    cookie: sessionCookie(signedIn),
    headers: { authorization: `Bearer ${body.token}` },
  }
}
