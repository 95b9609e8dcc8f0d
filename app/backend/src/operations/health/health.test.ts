import { afterEach, describe, expect, it } from 'vitest'
import { createTestApp, testDriver, type TestApp } from '../../test/harness.js'

let harness: TestApp | undefined
afterEach(async () => {
  await harness?.close()
  harness = undefined
})

describe('health', () => {
  it('reports liveness without touching dependencies', async () => {
    harness = await createTestApp()
    const response = await harness.app.inject({ method: 'GET', url: '/health/live' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('is ready when the database answers and every migration is applied, with status and latency', async () => {
    harness = await createTestApp()
    const response = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.status).toBe('ok')
    expect(body.checks.database).toMatchObject({
      status: 'up',
      required: true,
      latencyMs: expect.any(Number),
      details: { driver: testDriver, migrations: { applied: expect.any(Number), expected: expect.any(Number) } },
    })
    expect(body.checks.database.details.migrations.applied).toBe(body.checks.database.details.migrations.expected)
  })

  it('summarises version, uptime and dependencies at /health', async () => {
    harness = await createTestApp()
    const body = (await harness.app.inject({ method: 'GET', url: '/health' })).json()
    expect(body).toMatchObject({ service: 'avaaz-backend', version: expect.stringMatching(/^\d+\.\d+\.\d+/), status: 'ok' })
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0)
    expect(body.checks.database.status).toBe('up')
  })

  it('is not ready (503) when a migration has not been applied', async () => {
    harness = await createTestApp()
    await harness.testDatabase.database.executeSql(
      'delete from drizzle.__drizzle_migrations where created_at = (select max(created_at) from drizzle.__drizzle_migrations)',
      [],
    )
    const response = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(response.statusCode).toBe(503)
    expect(response.json().checks.database).toMatchObject({ status: 'down', error: expect.stringMatching(/^\d+ of \d+ migrations applied$/) })
  })

  it('answers 503 on readiness, and still 200 on liveness, when the database is down', async () => {
    harness = await createTestApp()
    await harness.testDatabase.takeDown()
    const ready = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(ready.statusCode).toBe(503)
    expect(ready.json()).toMatchObject({ status: 'fail', checks: { database: { status: 'down', required: true } } })
    expect((await harness.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503)
    expect((await harness.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200)
  })

  it('takes pluggable checks: a failing optional one degrades, a failing required one fails readiness', async () => {
    harness = await createTestApp({
      extend: (app) => {
        app.health.register({ name: 'livekit', required: false, check: async () => Promise.reject(new Error('connection refused')) })
        app.health.register({ name: 'ai-provider', required: true, check: async () => ({ provider: 'offline' }) })
      },
    })
    const degraded = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(degraded.statusCode).toBe(200)
    expect(degraded.json()).toMatchObject({
      status: 'degraded',
      checks: {
        livekit: { status: 'down', required: false, error: 'connection refused' },
        'ai-provider': { status: 'up', details: { provider: 'offline' } },
      },
    })
  })

  it('counts a check that does not answer in time as down', async () => {
    harness = await createTestApp({
      extend: (app) => {
        app.health.register({ name: 'slow', required: true, timeoutMs: 50, check: () => new Promise(() => {}) })
      },
    })
    const response = await harness.app.inject({ method: 'GET', url: '/health/ready' })
    expect(response.statusCode).toBe(503)
    expect(response.json().checks.slow).toMatchObject({ status: 'down', error: 'no answer within 50 ms' })
  })
})
