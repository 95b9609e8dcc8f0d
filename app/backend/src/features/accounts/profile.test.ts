import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { createVerifiedUser, signIn, type TestUser } from '../../test/accounts.js'
import { seedPackContent, seedPersonalData, type PackFixture } from '../../test/fixtures.js'
import { userFilesDir } from './service.js'

let harness: TestApp
let pack: PackFixture
beforeAll(async () => {
  harness = await createTestApp()
  pack = await seedPackContent(harness.app.db)
})
afterAll(() => harness.close())

const inject = (method: 'GET' | 'PATCH' | 'DELETE', url: string, user: Pick<TestUser, 'headers'> | undefined, payload?: unknown) =>
  harness.app.inject({ method, url, headers: user?.headers ?? {}, ...(payload === undefined ? {} : { payload: payload as object }) })

describe('profile and preferences', () => {
  it('returns defaults for a new learner', async () => {
    const user = await createVerifiedUser(harness.app, { name: 'Fatima' })
    const profile = (await inject('GET', '/api/v1/users/me', user)).json()
    expect(profile).toMatchObject({
      id: user.id,
      name: 'Fatima',
      role: 'learner',
      locale: 'en',
      targetLevel: null,
      examGoal: null,
      onboardedAt: null,
      preferences: { greetingVerbosity: 'normal', correctionStyle: 'end_of_turn', explanationLanguage: 'en', tutorVoice: null, transcriptRetentionDays: null, keepAudio: false },
    })
  })

  it('changes only the fields sent and merges preferences', async () => {
    const user = await createVerifiedUser(harness.app)
    const response = await inject('PATCH', '/api/v1/users/me', user, {
      name: 'Kari Nordmann',
      locale: 'nb',
      nativeLanguage: 'uk',
      targetLevel: 'B1',
      examGoal: 'A2-B1',
      examDate: '2027-05-12',
      timeZone: 'Europe/Oslo',
      preferences: { correctionStyle: 'immediate', transcriptRetentionDays: 90, keepAudio: true },
    })
    expect(response.statusCode).toBe(200)
    const again = await inject('PATCH', '/api/v1/users/me', user, { preferences: { greetingVerbosity: 'brief' } })
    expect(again.json()).toMatchObject({
      name: 'Kari Nordmann',
      locale: 'nb',
      nativeLanguage: 'uk',
      targetLevel: 'B1',
      examGoal: 'A2-B1',
      examDate: '2027-05-12',
      preferences: { greetingVerbosity: 'brief', correctionStyle: 'immediate', transcriptRetentionDays: 90, keepAudio: true, explanationLanguage: 'en' },
    })
    const cleared = await inject('PATCH', '/api/v1/users/me', user, { examGoal: null, examDate: null, preferences: { transcriptRetentionDays: null } })
    expect(cleared.json()).toMatchObject({ examGoal: null, examDate: null, preferences: { transcriptRetentionDays: null } })
  })

  it('records when onboarding was finished, once', async () => {
    const user = await createVerifiedUser(harness.app)
    const before = Date.now()
    const first = await inject('PATCH', '/api/v1/users/me', user, { targetLevel: 'A2', onboarded: true })
    expect(first.statusCode).toBe(200)
    const onboardedAt = first.json<{ onboardedAt: string }>().onboardedAt
    expect(Date.parse(onboardedAt)).toBeGreaterThanOrEqual(before - 1000)
    // Finishing again (a second tab) keeps the first time; other edits leave it alone.
    expect((await inject('PATCH', '/api/v1/users/me', user, { onboarded: true })).json()).toMatchObject({ onboardedAt })
    expect((await inject('PATCH', '/api/v1/users/me', user, { name: 'Ola' })).json()).toMatchObject({ onboardedAt })
    expect((await inject('GET', '/api/v1/users/me', user)).json()).toMatchObject({ onboardedAt })
  })

  it.each([
    [{ onboarded: false }, 'body.onboarded'],
    [{ targetLevel: 'C1' }, 'body.targetLevel'],
    [{ locale: 'de' }, 'body.locale'],
    [{ examGoal: 'B2-C1' }, 'body.examGoal'],
    [{ examDate: '12.05.2027' }, 'body.examDate'],
    [{ timeZone: 'Mars/Olympus' }, 'body.timeZone'],
    [{ nativeLanguage: 'Ukrainian!' }, 'body.nativeLanguage'],
    [{ name: '' }, 'body.name'],
    [{ preferences: { correctionStyle: 'never' } }, 'body.preferences.correctionStyle'],
    [{ preferences: { transcriptRetentionDays: 0 } }, 'body.preferences.transcriptRetentionDays'],
    [{ preferences: { unknown: true } }, 'body.preferences'],
    [{}, 'body'],
  ])('rejects %j with a field-level problem', async (body, field) => {
    const user = await createVerifiedUser(harness.app)
    const response = await inject('PATCH', '/api/v1/users/me', user, body)
    expect(response.statusCode).toBe(400)
    expect(response.json().errors.map((error: { path: string }) => error.path)).toContain(field)
  })

  it('refuses a learner who tries to make themselves admin, here and through better-auth', async () => {
    const user = await createVerifiedUser(harness.app)
    const patched = await inject('PATCH', '/api/v1/users/me', user, { role: 'admin' })
    expect(patched.statusCode).toBe(400)
    await harness.app.inject({ method: 'POST', url: '/api/auth/update-user', headers: user.headers, payload: { role: 'admin', banned: false } })
    // better-auth's own profile endpoint applies our rules too (an invalid locale would break the enum).
    const badLocale = await harness.app.inject({ method: 'POST', url: '/api/auth/update-user', headers: user.headers, payload: { locale: 'xx' } })
    expect(badLocale.statusCode).toBe(400)
    expect((await inject('GET', '/api/v1/users/me', user)).json().role).toBe('learner')
    expect((await inject('GET', '/api/v1/admin/users', user)).statusCode).toBe(403)
  })

  it('shows each user only their own profile and export', async () => {
    const alice = await createVerifiedUser(harness.app, { name: 'Alice' })
    const bob = await createVerifiedUser(harness.app, { name: 'Bob' })
    await seedPersonalData(harness.app.db, alice.id, pack)
    expect((await inject('GET', '/api/v1/users/me', bob)).json().id).toBe(bob.id)
    const bobsExport = (await inject('GET', '/api/v1/users/me/export', bob)).json()
    expect(JSON.stringify(bobsExport)).not.toContain(alice.id)
    expect(bobsExport.turns).toEqual([])
  })

  it('answers 401 on every /users route without credentials', async () => {
    for (const [method, url, payload] of [
      ['GET', '/api/v1/users/me', undefined],
      ['PATCH', '/api/v1/users/me', { name: 'X' }],
      ['GET', '/api/v1/users/me/export', undefined],
      ['DELETE', '/api/v1/users/me', { password: 'whatever-123' }],
    ] as const) {
      expect((await inject(method, url, undefined, payload)).statusCode).toBe(401)
    }
  })
})

describe('data export', () => {
  it('contains every kind of personal data and no secrets', async () => {
    const user = await createVerifiedUser(harness.app)
    const seeded = await seedPersonalData(harness.app.db, user.id, pack)
    const response = await inject('GET', '/api/v1/users/me/export', user)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="avaaz-export-\d{4}-\d{2}-\d{2}\.json"$/)
    const data = response.json()
    expect(data.profile.id).toBe(user.id)
    expect(data.tutorSession.id).toBe(seeded.tutor_sessions[0])
    expect(data.sittings.map((row: { id: string }) => row.id)).toEqual(seeded.sittings)
    expect(data.turns[0]).toMatchObject({ id: seeded.turns[0], text: 'Jeg synes det er bedre å bo i byen.' })
    expect(data.examAttempts.map((row: { id: string }) => row.id)).toEqual(seeded.exam_attempts)
    expect(data.examScores.map((row: { id: string }) => row.id).sort()).toEqual([...seeded.exam_scores].sort())
    expect(data.documents.map((row: { id: string }) => row.id)).toEqual(seeded.upload_documents)
    expect(data.lessons.map((row: { id: string }) => row.id)).toEqual(seeded.lessons)
    expect(data.lessonProgress).toHaveLength(1)
    expect(data.progressSnapshots).toHaveLength(1)
    expect(data.programMemberships).toHaveLength(1)
    expect(data.subscriptions).toHaveLength(1)
    expect(data.authSessions.length).toBeGreaterThan(0)
    const text = JSON.stringify(data)
    expect(text).not.toContain(user.token)
    expect(text).not.toMatch(/"password"|"token"|scrypt|\$2[aby]\$/)
  })
})

describe('account deletion', () => {
  it('needs the password', async () => {
    const user = await createVerifiedUser(harness.app)
    const response = await inject('DELETE', '/api/v1/users/me', user, { password: 'not-my-password-1' })
    expect(response.statusCode).toBe(403)
    expect((await inject('GET', '/api/v1/users/me', user)).statusCode).toBe(200)
    expect((await inject('DELETE', '/api/v1/users/me', user, {})).statusCode).toBe(400)
  })

  it('removes the account, every row that refers to it and the stored files, and nothing of anyone else', async () => {
    const user = await createVerifiedUser(harness.app)
    const other = await createVerifiedUser(harness.app)
    const seeded = await seedPersonalData(harness.app.db, user.id, pack)
    const othersRows = await seedPersonalData(harness.app.db, other.id, pack)
    const files = userFilesDir(harness.app.config.dataDir, user.id)
    mkdirSync(path.join(files, 'audio'), { recursive: true })
    writeFileSync(path.join(files, 'audio', 'turn-1.webm'), 'recording')

    const response = await inject('DELETE', '/api/v1/users/me', user, { password: user.password })
    expect(response.statusCode).toBe(204)
    expect(response.headers['set-cookie']).toContain('Max-Age=0')

    // Every column in the database that references users(id): no row may point at the deleted user.
    const { rows: references } = await harness.testDatabase.database.executeSql(
      `select cl.relname as "table", att.attname as "column"
         from pg_constraint c
         join pg_class cl on cl.oid = c.conrelid
         join pg_attribute att on att.attrelid = c.conrelid and att.attnum = any (c.conkey)
        where c.contype = 'f' and c.confrelid = 'public.users'::regclass`,
      [],
    )
    expect(references.length).toBeGreaterThan(10)
    for (const { table, column } of references as Array<{ table: string; column: string }>) {
      const { rows } = await harness.testDatabase.database.executeSql(`select count(*)::int as n from "${table}" where "${column}" = $1`, [user.id])
      expect({ table, column, rows: rows[0]!.n }).toEqual({ table, column, rows: 0 })
    }
    // Rows that belong to the user only indirectly (through their attempts, documents, lessons) are gone too.
    for (const [table, ids] of Object.entries(seeded).filter(([, value]) => Array.isArray(value)) as Array<[string, string[]]>) {
      const { rows } = await harness.testDatabase.database.executeSql(`select count(*)::int as n from "${table}" where id::text = any ($1::text[])`, [ids])
      expect({ table, rows: rows[0]!.n }).toEqual({ table, rows: 0 })
    }
    const { rows: userRows } = await harness.testDatabase.database.executeSql('select count(*)::int as n from users where id = $1', [user.id])
    expect(userRows[0]!.n).toBe(0)
    expect(existsSync(files)).toBe(false)

    // The deleted user's credentials are dead; the other user is untouched.
    expect((await inject('GET', '/api/v1/users/me', user)).statusCode).toBe(401)
    expect((await signIn(harness.app, user.email, user.password)).statusCode).toBe(401)
    const othersExport = (await inject('GET', '/api/v1/users/me/export', other)).json()
    expect(othersExport.turns.map((row: { id: string }) => row.id)).toEqual(othersRows.turns)
  })
})
