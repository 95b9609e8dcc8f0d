import { and, eq } from 'drizzle-orm'
import { TokenVerifier } from 'livekit-server-sdk'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Principal } from '../../core/auth/access.js'
import { sittings, tutorSessions } from '../../core/db/schema/index.js'
import { NotFound } from '../../core/errors.js'
import { createVerifiedUser, type TestUser } from '../../test/accounts.js'
import { captureLogs, createTestApp, type TestApp } from '../../test/harness.js'
import { loadSession } from '../sessions/service.js'
import { issueLiveKitToken, roomNameFor } from './service.js'
import { closedPort, livekitEnv, livekitKey, livekitSecret, webhookBody, webhookSignature, type WebhookInit } from './test-support.js'

// Learners sign up through the mail job; on a busy machine (the wire project) that takes a while.
vi.setConfig({ testTimeout: 60_000 })

let harness: TestApp
const logs = captureLogs()
beforeAll(async () => {
  harness = await createTestApp({ env: { ...livekitEnv(await closedPort()), LOG_LEVEL: 'info' }, logStream: logs.stream })
})
afterAll(() => harness.close())

const principalOf = (user: TestUser): Principal => ({ userId: user.id, email: user.email, role: 'learner', emailVerified: true, via: 'session' })

async function learnerWithSession() {
  const user = await createVerifiedUser(harness.app)
  const session = await loadSession(harness.app, user.id)
  return { user, session, room: roomNameFor(session.id) }
}

async function sendWebhook(body: string, authorization?: string | null, contentType = 'application/webhook+json') {
  const signature = authorization === undefined ? await webhookSignature(body) : authorization
  return harness.app.inject({
    method: 'POST',
    url: '/api/v1/livekit/webhook',
    headers: { 'content-type': contentType, ...(signature === null ? {} : { authorization: signature }) },
    payload: body,
  })
}

const deliver = async (init: WebhookInit) => sendWebhook(webhookBody(init))

async function sittingsOf(sessionId: string) {
  return harness.app.db.select().from(sittings).where(eq(sittings.tutorSessionId, sessionId)).orderBy(sittings.startedAt)
}

describe('LiveKit: the room token', () => {
  it('lets the learner into their own session’s room only: join, microphone, subscribe, data; the agent is dispatched; 10 minutes', async () => {
    const { user, session, room } = await learnerWithSession()
    const before = Math.floor(Date.now() / 1000)
    const answer = await issueLiveKitToken(harness.app, principalOf(user), session)
    expect(answer).toMatchObject({ transport: 'livekit', url: harness.app.config.livekit!.url, room: `avaaz-${session.id}` })
    expect(answer.room).toBe(room)

    const claims = await new TokenVerifier(livekitKey, livekitSecret).verify(answer.token)
    expect(claims.sub).toBe(user.id)
    expect(claims.iss).toBe(livekitKey)
    expect(claims.video).toEqual({
      roomJoin: true,
      room,
      canPublish: true,
      canPublishSources: ['microphone'],
      canSubscribe: true,
      canPublishData: true,
    })
    for (const power of ['roomAdmin', 'roomCreate', 'roomList', 'roomRecord', 'ingressAdmin', 'hidden', 'agent'] as const) {
      expect(claims.video?.[power]).toBeUndefined()
    }
    // The SDK writes the whole RoomConfiguration message (defaults included); what matters is the one dispatch.
    expect(claims.roomConfig?.agents).toHaveLength(1)
    expect(claims.roomConfig?.agents[0]).toMatchObject({ agentName: 'avaaz-tutor', metadata: '' })
    // Nothing about the person rides along: no name, metadata or attributes.
    expect(claims.name).toBeUndefined()
    expect(claims.metadata).toBeUndefined()

    expect(claims.exp! - before).toBeGreaterThanOrEqual(600)
    expect(claims.exp! - before).toBeLessThanOrEqual(601)
    expect(Date.parse(answer.expiresAt)).toBe(claims.exp! * 1000)
  })

  it('is refused by another secret, and never issued for someone else’s session', async () => {
    const { user, session } = await learnerWithSession()
    const other = await createVerifiedUser(harness.app)
    const { token } = await issueLiveKitToken(harness.app, principalOf(user), session)
    await expect(new TokenVerifier(livekitKey, 'another-secret-another-secret-another-secret').verify(token)).rejects.toThrow(/signature/)
    await expect(issueLiveKitToken(harness.app, principalOf(other), session)).rejects.toBeInstanceOf(NotFound)
  })
})

describe('LiveKit: the signed webhook', () => {
  it('opens the learner’s sitting when they join and closes it when they leave, however often LiveKit repeats itself', async () => {
    const { user, session, room } = await learnerWithSession()
    const joined = webhookBody({ event: 'participant_joined', room, identity: user.id })
    const first = await sendWebhook(joined)
    expect(first.statusCode).toBe(200)
    expect(first.json()).toEqual({ status: 'handled', event: 'participant_joined' })
    // A retried delivery (same body) continues the same sitting.
    expect((await sendWebhook(joined)).statusCode).toBe(200)
    let rows = await sittingsOf(session.id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ transport: 'livekit', endedAt: null })

    // The learner sees it as their open sitting.
    const view = (await harness.app.inject({ method: 'GET', url: '/api/v1/sessions/default', headers: user.headers })).json()
    expect(view.openSitting).toMatchObject({ id: rows[0]!.id, transport: 'livekit' })

    const left = webhookBody({ event: 'participant_left', room, identity: user.id })
    expect((await sendWebhook(left)).json()).toEqual({ status: 'handled', event: 'participant_left' })
    expect((await sendWebhook(left)).json()).toEqual({ status: 'handled', event: 'participant_left', reason: 'no open sitting' })
    rows = await sittingsOf(session.id)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ endReason: 'disconnect', summaryStatus: 'pending' })
    expect(rows[0]!.endedAt).not.toBeNull()

    // The first join, delivered again after the leave, is a late retry: no new sitting.
    const late = await deliver({ event: 'participant_joined', room, identity: user.id, createdAt: new Date(Date.now() - 60_000) })
    expect(late.json()).toMatchObject({ status: 'handled', reason: expect.stringMatching(/stale/) })
    expect(await sittingsOf(session.id)).toHaveLength(1)

    // Coming back later is a new sitting.
    await deliver({ event: 'participant_joined', room, identity: user.id, createdAt: new Date(Date.now() + 2_000) })
    rows = await sittingsOf(session.id)
    expect(rows).toHaveLength(2)
    expect(rows[1]).toMatchObject({ transport: 'livekit', endedAt: null })
  })

  it('continues a sitting the learner opened by typing, and the room finishing closes it', async () => {
    const { user, session, room } = await learnerWithSession()
    const typed = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/default/turns',
      headers: user.headers,
      payload: { clientTurnId: 'typed-before-voice-1', text: 'Hei! Jeg heter Ola.' },
    })
    expect(typed.statusCode).toBe(200)
    await deliver({ event: 'participant_joined', room, identity: user.id })
    expect(await sittingsOf(session.id)).toHaveLength(1)

    const finished = await deliver({ event: 'room_finished', room })
    expect(finished.json()).toEqual({ status: 'handled', event: 'room_finished' })
    const [sitting] = await sittingsOf(session.id)
    expect(sitting).toMatchObject({ endReason: 'disconnect' })
    expect(sitting!.endedAt).not.toBeNull()
  })

  it('keeps the sitting when the learner is replaced by a newer connection of their own', async () => {
    const { user, session, room } = await learnerWithSession()
    await deliver({ event: 'participant_joined', room, identity: user.id })
    const replaced = await deliver({ event: 'participant_left', room, identity: user.id, disconnectReason: 2 })
    expect(replaced.json()).toMatchObject({ status: 'ignored' })
    expect((await sittingsOf(session.id))[0]!.endedAt).toBeNull()
  })

  it('ignores another learner’s room, the agent, foreign rooms and events it does not use — 200, nothing changed, nothing personal logged', async () => {
    const alice = await learnerWithSession()
    const bob = await learnerWithSession()
    const cases: Array<[WebhookInit, RegExp]> = [
      [{ event: 'participant_joined', room: bob.room, identity: alice.user.id }, /not this participant/],
      [{ event: 'participant_left', room: bob.room, identity: alice.user.id }, /not this participant/],
      [{ event: 'participant_joined', room: alice.room, identity: 'agent-AJ_x1', kind: 4 }, /not a learner/],
      [{ event: 'participant_joined', room: 'somebody-elses-room', identity: alice.user.id }, /not an Avaaz room/],
      [{ event: 'participant_joined', room: alice.room, identity: 'no-such-user' }, /not this participant/],
      [{ event: 'track_published', room: alice.room, identity: alice.user.id }, /not used/],
      [{ event: 'room_started', room: alice.room }, /not used/],
    ]
    const requestIds = new Set<string>()
    for (const [init, reason] of cases) {
      const response = await deliver(init)
      expect(response.statusCode, JSON.stringify(init)).toBe(200)
      expect(response.json()).toMatchObject({ status: 'ignored', event: init.event, reason: expect.stringMatching(reason) })
      requestIds.add(response.headers['x-request-id'] as string)
    }
    expect(await sittingsOf(alice.session.id)).toEqual([])
    expect(await sittingsOf(bob.session.id)).toEqual([])

    const lines = logs.lines().filter((line) => requestIds.has(line.requestId as string))
    expect(lines.filter((line) => line.msg === 'LiveKit webhook')).toHaveLength(cases.length)
    const logged = JSON.stringify(lines)
    for (const personal of [alice.user.id, bob.user.id, alice.session.id, bob.session.id]) expect(logged).not.toContain(personal)
  })

  it('refuses forged, tampered and unsigned calls with 401 problem+json, and changes nothing', async () => {
    const { user, session, room } = await learnerWithSession()
    const body = webhookBody({ event: 'participant_joined', room, identity: user.id })
    const other = webhookBody({ event: 'participant_joined', room, identity: `${user.id}x` })
    const attempts = [
      ['signed with another secret', await webhookSignature(body, 'not-the-livekit-secret-not-the-livekit-secret')],
      ['signed by another key', await webhookSignature(body, livekitSecret, 'another-key')],
      ['signed for another body', await webhookSignature(other)],
      ['no signature', null],
      ['not a JWT', 'Bearer nonsense'],
    ] as const
    for (const [what, authorization] of attempts) {
      const response = await sendWebhook(body, authorization)
      expect(response.statusCode, what).toBe(401)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json()).toMatchObject({ status: 401, title: 'Unauthorized' })
    }
    // A body changed after signing.
    const signature = await webhookSignature(body)
    const tampered = await sendWebhook(body.replace('participant_joined', 'participant_left'), signature)
    expect(tampered.statusCode).toBe(401)
    expect(await sittingsOf(session.id)).toEqual([])
  })

  it('accepts the Bearer form of the signature, and refuses a body parsed as JSON (its bytes are what is signed)', async () => {
    const { user, session, room } = await learnerWithSession()
    const body = webhookBody({ event: 'participant_joined', room, identity: user.id })
    expect((await sendWebhook(body, undefined, 'application/json')).statusCode).toBe(400)
    expect((await sendWebhook(body, `Bearer ${await webhookSignature(body)}`)).statusCode).toBe(200)
    const [sitting] = await harness.app.db
      .select()
      .from(sittings)
      .where(and(eq(sittings.tutorSessionId, session.id), eq(sittings.transport, 'livekit')))
    expect(sitting).toBeDefined()
  })
})

describe('LiveKit: readiness and documentation', () => {
  it('marks the backend degraded, not failed, and says LiveKit is unreachable', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.status).toBe('degraded')
    expect(body.checks.database.status).toBe('up')
    expect(body.checks.livekit).toMatchObject({ status: 'down', required: false, error: expect.stringMatching(/^LiveKit is unreachable at ws:\/\/127\.0\.0\.1:\d+ \(/) })
  })

  it('documents the webhook and the agent API in OpenAPI, saying they exist only with LiveKit', async () => {
    const document = (await harness.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
    const webhook = document.paths['/api/v1/livekit/webhook'].post
    expect(webhook.requestBody.content).toHaveProperty('application/webhook+json')
    expect(webhook.description).toMatch(/only when LiveKit is configured/)
    for (const [path, method] of [
      ['/api/v1/agent/sessions/{userId}/context', 'get'],
      ['/api/v1/agent/sessions/{userId}/join', 'post'],
      ['/api/v1/agent/sessions/{userId}/leave', 'post'],
      ['/api/v1/agent/sessions/{userId}/turns', 'post'],
      ['/api/v1/agent/sessions/{userId}/latency', 'post'],
    ] as const) {
      const operation = document.paths[path]?.[method]
      expect(operation, path).toBeDefined()
      expect(operation.description).toMatch(/only when LiveKit is configured/)
      expect(operation.responses).toHaveProperty('401')
    }
  })

  it('has no LiveKit routes or check without LiveKit', async () => {
    const plain = await createTestApp()
    try {
      const body = webhookBody({ event: 'room_finished', room: 'avaaz-x' })
      const response = await plain.app.inject({
        method: 'POST',
        url: '/api/v1/livekit/webhook',
        headers: { 'content-type': 'application/webhook+json', authorization: await webhookSignature(body) },
        payload: body,
      })
      expect(response.statusCode).toBe(404)
      expect((await plain.app.inject({ method: 'GET', url: '/api/v1/agent/sessions/x/context' })).statusCode).toBe(404)
      expect((await plain.app.inject({ method: 'GET', url: '/health/ready' })).json().checks).not.toHaveProperty('livekit')
    } finally {
      await plain.close()
    }
  })
})

describe('LiveKit: the session row is not created by foreign webhooks', () => {
  it('does not create a tutor session for an identity that has none', async () => {
    const user = await createVerifiedUser(harness.app)
    await deliver({ event: 'participant_joined', room: 'avaaz-00000000-0000-4000-8000-000000000000', identity: user.id })
    expect(await harness.app.db.select().from(tutorSessions).where(eq(tutorSessions.userId, user.id))).toEqual([])
  })
})
