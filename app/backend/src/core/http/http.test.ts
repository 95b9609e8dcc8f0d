import { sql } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { Conflict, Forbidden, Unauthorized } from '../errors.js'
import { captureLogs, createTestApp, type TestApp } from '../../test/harness.js'

/** Routes that exist only in these tests, to drive the error mapping and the database paths. */
const probeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/api/v1/test/echo',
    {
      schema: {
        body: z.object({ name: z.string().min(1), level: z.enum(['A1', 'A2', 'B1', 'B2']), password: z.string().optional() }),
        response: { 200: z.object({ name: z.string() }) },
      },
    },
    async (request) => {
      request.log.info({ body: request.body }, 'echo called')
      return { name: request.body.name }
    },
  )
  app.get('/api/v1/test/quiet', { logLevel: 'warn', schema: { response: { 200: z.object({}) } } }, async (request) => {
    request.log.info('not written at warn level')
    request.log.warn('written with the request id')
    return {}
  })
  app.get('/api/v1/test/unauthorized', { schema: { response: { 200: z.object({}) } } }, async () => {
    throw new Unauthorized('Sign in first.')
  })
  app.get('/api/v1/test/forbidden', { schema: { response: { 200: z.object({}) } } }, async () => {
    throw new Forbidden('Only instructors can do this.')
  })
  app.get('/api/v1/test/conflict', { schema: { response: { 200: z.object({}) } } }, async () => {
    throw new Conflict('That email is already registered.')
  })
  app.get('/api/v1/test/crash', { schema: { response: { 200: z.object({}) } } }, async () => {
    throw new Error('secret internal detail')
  })
  app.get('/api/v1/test/count', { schema: { response: { 200: z.object({ count: z.number() }) } } }, async () => {
    const rows = await app.db.execute<{ count: number }>(sql`select count(*)::int as count from users`)
    const first = Array.isArray(rows) ? rows[0] : (rows as { rows: Array<{ count: number }> }).rows[0]
    return { count: Number(first?.count ?? 0) }
  })
}

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number) {
  expect(response.statusCode).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const body = response.json() as Record<string, unknown>
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/avaaz\.app\/problems\//), title: expect.any(String) })
  expect(body.requestId).toBe(response.headers['x-request-id'])
  return body
}

describe('HTTP middleware and problem documents', () => {
  let harness: TestApp
  let app: FastifyInstance
  const logs = captureLogs()

  beforeAll(async () => {
    harness = await createTestApp({
      env: { LOG_LEVEL: 'info', BODY_LIMIT_BYTES: '2048', CORS_ORIGINS: 'https://app.avaaz.example' },
      logStream: logs.stream,
      extend: (instance) => instance.register(probeRoutes),
    })
    app = harness.app
  })
  afterAll(() => harness.close())

  it('generates a request id, echoes it and puts it in every log line of the request', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'Ola', level: 'A2' } })
    expect(response.statusCode).toBe(200)
    const id = response.headers['x-request-id']
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const requestLines = logs.lines().filter((line) => line.requestId === id)
    expect(requestLines.map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'echo called', 'request completed']))
  })

  it('logs a route with a warn log level (as the health probes have) only at warn, with the request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/test/quiet' })
    const requestLines = logs.lines().filter((line) => line.requestId === response.headers['x-request-id'])
    expect(requestLines.map((line) => [line.level, line.msg])).toEqual([[40, 'written with the request id']])
  })

  it('answers health probes with the security headers and the request id, and logs nothing for them', async () => {
    const response = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'probe-1' } })
    expect(response.statusCode).toBe(200)
    expect(response.body).toBe('{"status":"ok"}')
    expect(response.headers).toMatchObject({ 'x-request-id': 'probe-1', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' })
    expect(logs.lines().filter((line) => line.requestId === 'probe-1')).toEqual([])
  })

  it('accepts a caller-supplied request id but replaces one that could forge log lines', async () => {
    const kept = await app.inject({ method: 'GET', url: '/api/v1', headers: { 'x-request-id': 'trace-abc.123' } })
    expect(kept.headers['x-request-id']).toBe('trace-abc.123')
    const replaced = await app.inject({ method: 'GET', url: '/api/v1', headers: { 'x-request-id': 'bad id\n{"level":60}' } })
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('redacts credentials from logs: authorization, cookies, passwords and token query parameters', async () => {
    await app.inject({
      method: 'POST',
      url: '/api/v1/test/echo?token=abc123secret&lang=nb',
      headers: { authorization: 'Bearer sk-live-secret', cookie: 'session=cookie-secret' },
      payload: { name: 'Kari', level: 'B1', password: 'hunter2-password' },
    })
    const text = JSON.stringify(logs.lines())
    for (const secret of ['abc123secret', 'sk-live-secret', 'cookie-secret', 'hunter2-password']) {
      expect(text).not.toContain(secret)
    }
    expect(text).toContain('token=%5Bredacted%5D&lang=nb')
  })

  it('sets the OWASP REST security headers on API responses', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1' })
    expect(response.headers).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    })
    expect(response.headers['strict-transport-security']).toBeUndefined()
    expect(response.headers['x-powered-by']).toBeUndefined()
  })

  it('sets browser security headers on the HTML documentation', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/docs/' })
    expect(response.headers['content-security-policy']).toContain("default-src 'self'")
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests')
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin')
  })

  it('allows CORS only from configured origins', async () => {
    const allowed = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1',
      headers: { origin: 'https://app.avaaz.example', 'access-control-request-method': 'GET' },
    })
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.avaaz.example')
    expect(allowed.headers['access-control-allow-credentials']).toBe('true')
    const denied = await app.inject({ method: 'GET', url: '/api/v1', headers: { origin: 'https://evil.example' } })
    expect(denied.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('answers invalid JSON with 400', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "Ola",',
    })
    expect(expectProblem(response, 400).title).toBe('Invalid JSON')
  })

  it('answers a failed validation with 400 and a problem per field', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: '', level: 'C2' } })
    const body = expectProblem(response, 400)
    expect(body.title).toBe('Validation failed')
    const errors = body.errors as Array<{ path: string; message: string }>
    expect(errors.map((error) => error.path).sort()).toEqual(['body.level', 'body.name'])
    expect(errors.every((error) => error.message.length > 0)).toBe(true)
  })

  it('answers a wrong content type with 415', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/test/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<name>Ola</name>',
    })
    expectProblem(response, 415)
  })

  it('answers an oversized body with 413', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/test/echo', payload: { name: 'x'.repeat(4096), level: 'A1' } })
    expectProblem(response, 413)
  })

  it('answers an unknown route with 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/no-such-thing?x=1' })
    const body = expectProblem(response, 404)
    expect(body.detail).toBe('No route GET /api/v1/no-such-thing.')
    expect(body.instance).toBe('/api/v1/no-such-thing')
  })

  it.each([
    ['/api/v1/test/unauthorized', 401, 'Sign in first.'],
    ['/api/v1/test/forbidden', 403, 'Only instructors can do this.'],
    ['/api/v1/test/conflict', 409, 'That email is already registered.'],
  ])('maps a domain error thrown by %s to %i', async (url, status, detail) => {
    const body = expectProblem(await app.inject({ method: 'GET', url }), status)
    expect(body.detail).toBe(detail)
  })

  it('answers an unexpected error with 500 without the stack or the message outside development', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/test/crash' })
    const body = expectProblem(response, 500)
    expect(JSON.stringify(body)).not.toContain('secret internal detail')
    expect(body.stack).toBeUndefined()
    expect(logs.lines().some((line) => line.msg === 'unhandled error' && line.requestId === body.requestId)).toBe(true)
  })
})

describe('a development server', () => {
  it('includes the stack in 500 responses to help the developer', async () => {
    const harness = await createTestApp({
      env: { NODE_ENV: 'development' },
      extend: (instance) => instance.register(probeRoutes),
    })
    try {
      const body = expectProblem(await harness.app.inject({ method: 'GET', url: '/api/v1/test/crash' }), 500)
      expect(body.stack).toEqual(expect.arrayContaining([expect.stringContaining('secret internal detail')]))
    } finally {
      await harness.close()
    }
  })
})

describe('rate limiting', () => {
  it('answers 429 with retry information once a client exceeds the limit, but never limits health probes', async () => {
    const harness = await createTestApp({ env: { RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await harness.app.inject({ method: 'GET', url: '/api/v1' })).statusCode)
      expect(statuses).toEqual([200, 200, 200, 429])
      const limited = await harness.app.inject({ method: 'GET', url: '/api/v1' })
      const body = expectProblem(limited, 429)
      expect(body.retryAfterSeconds).toBeGreaterThan(0)
      expect(limited.headers['retry-after']).toBeDefined()
      // Unknown routes count against the same limit.
      expectProblem(await harness.app.inject({ method: 'GET', url: '/api/v1/nope' }), 429)
      expect((await harness.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
    } finally {
      await harness.close()
    }
  })

  it('keys clients by X-Forwarded-For only when the request comes from a trusted proxy', async () => {
    const harness = await createTestApp({ env: { RATE_LIMIT_MAX: '1', TRUST_PROXY: '127.0.0.1' } })
    try {
      const from = (forwardedFor: string, remoteAddress: string) =>
        harness.app.inject({ method: 'GET', url: '/api/v1', remoteAddress, headers: { 'x-forwarded-for': forwardedFor } })
      expect((await from('203.0.113.1', '127.0.0.1')).statusCode).toBe(200)
      expect((await from('203.0.113.2', '127.0.0.1')).statusCode).toBe(200)
      expect((await from('203.0.113.1', '127.0.0.1')).statusCode).toBe(429)
      // An untrusted client cannot escape its limit by inventing forwarded addresses.
      expect((await from('198.51.100.1', '192.0.2.50')).statusCode).toBe(200)
      expect((await from('198.51.100.2', '192.0.2.50')).statusCode).toBe(429)
    } finally {
      await harness.close()
    }
  })
})

describe('when the database goes down during operation', () => {
  it('answers 503 problem+json for requests that need it and keeps serving the rest', async () => {
    const harness = await createTestApp({ extend: (instance) => instance.register(probeRoutes) })
    try {
      expect((await harness.app.inject({ method: 'GET', url: '/api/v1/test/count' })).json()).toEqual({ count: 0 })
      await harness.testDatabase.takeDown()
      const response = await harness.app.inject({ method: 'GET', url: '/api/v1/test/count' })
      const body = expectProblem(response, 503)
      expect(body.detail).toContain('database is not reachable')
      expect(response.headers['retry-after']).toBe('5')
      expect((await harness.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
      expect((await harness.app.inject({ method: 'GET', url: '/api/v1' })).statusCode).toBe(200)
    } finally {
      await harness.close()
    }
  })
})
