import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { createVerifiedUser, signIn, type TestUser } from '../../test/accounts.js'

let harness: TestApp
let admin: TestUser
beforeAll(async () => {
  harness = await createTestApp()
  admin = await createVerifiedUser(harness.app, { role: 'admin', name: 'Admin Ada' })
})
afterAll(() => harness.close())

const asUser = (user: TestUser, method: 'GET' | 'PATCH', url: string, payload?: object) =>
  harness.app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) })

describe('admin: users', () => {
  it('lists users newest first, filtered by text and role, with paging', async () => {
    const instructor = await createVerifiedUser(harness.app, { role: 'instructor', name: 'Ingrid Instruktør' })
    const response = await asUser(admin, 'GET', '/api/v1/admin/users?q=Ingrid&pageSize=5')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ total: 1, page: 1, pageSize: 5, items: [{ id: instructor.id, role: 'instructor', disabled: false }] })
    const instructors = (await asUser(admin, 'GET', '/api/v1/admin/users?role=instructor')).json()
    expect(instructors.items.every((user: { role: string }) => user.role === 'instructor')).toBe(true)
    const all = (await asUser(admin, 'GET', '/api/v1/admin/users?pageSize=1&page=2')).json()
    expect(all.items).toHaveLength(1)
    expect(all.total).toBeGreaterThanOrEqual(2)
  })

  it('rejects invalid filters with details', async () => {
    const response = await asUser(admin, 'GET', '/api/v1/admin/users?role=superuser&pageSize=1000')
    expect(response.statusCode).toBe(400)
    expect(response.json().errors.map((error: { path: string }) => error.path).sort()).toEqual(['querystring.pageSize', 'querystring.role'])
  })

  it('changes a role, which applies to the next request', async () => {
    const user = await createVerifiedUser(harness.app)
    const response = await asUser(admin, 'PATCH', `/api/v1/admin/users/${user.id}`, { role: 'instructor' })
    expect(response.json()).toMatchObject({ id: user.id, role: 'instructor' })
    expect((await asUser(user, 'GET', '/api/v1/users/me')).json().role).toBe('instructor')
  })

  it('disables a user: their sessions end and they cannot sign in until re-enabled', async () => {
    const user = await createVerifiedUser(harness.app)
    expect((await asUser(admin, 'PATCH', `/api/v1/admin/users/${user.id}`, { disabled: true })).json().disabled).toBe(true)
    expect((await asUser(user, 'GET', '/api/v1/users/me')).statusCode).toBe(401)
    expect((await signIn(harness.app, user.email, user.password)).statusCode).toBeGreaterThanOrEqual(400)
    await asUser(admin, 'PATCH', `/api/v1/admin/users/${user.id}`, { disabled: false })
    expect((await signIn(harness.app, user.email, user.password)).statusCode).toBe(200)
  })

  it('does not let admins lock themselves out', async () => {
    expect((await asUser(admin, 'PATCH', `/api/v1/admin/users/${admin.id}`, { disabled: true })).statusCode).toBe(409)
    expect((await asUser(admin, 'PATCH', `/api/v1/admin/users/${admin.id}`, { role: 'learner' })).statusCode).toBe(409)
  })

  it('answers 404 for an unknown user and 400 for an empty change', async () => {
    expect((await asUser(admin, 'PATCH', '/api/v1/admin/users/no-such-user', { role: 'learner' })).statusCode).toBe(404)
    expect((await asUser(admin, 'PATCH', `/api/v1/admin/users/${admin.id}`, {})).statusCode).toBe(400)
  })

  it('is for admins only: learners and instructors get 403, strangers 401', async () => {
    const learner = await createVerifiedUser(harness.app)
    const instructor = await createVerifiedUser(harness.app, { role: 'instructor' })
    for (const user of [learner, instructor]) {
      expect((await asUser(user, 'GET', '/api/v1/admin/users')).statusCode).toBe(403)
      expect((await asUser(user, 'PATCH', `/api/v1/admin/users/${user.id}`, { role: 'admin' })).statusCode).toBe(403)
    }
    expect((await harness.app.inject({ method: 'GET', url: '/api/v1/admin/users' })).statusCode).toBe(401)
    expect((await asUser(learner, 'GET', '/api/v1/users/me')).json().role).toBe('learner')
  })
})

describe('the development outbox', () => {
  it('does not exist in production', async () => {
    const production = await createTestApp({
      env: {
        NODE_ENV: 'production',
        DATABASE_URL: 'postgres://unused@127.0.0.1:5432/unused',
        PUBLIC_URL: 'https://avaaz.example',
        SMTP_URL: 'smtp://127.0.0.1:2525',
      },
    })
    try {
      const response = await production.app.inject({ method: 'GET', url: '/api/v1/dev/outbox' })
      expect(response.statusCode).toBe(404)
    } finally {
      await production.close()
    }
  })
})
