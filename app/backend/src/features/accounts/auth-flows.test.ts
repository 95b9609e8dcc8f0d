import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import {
  createVerifiedUser,
  linkPath,
  sessionCookie,
  signIn,
  signUp,
  strongPassword,
  uniqueEmail,
  waitForMail,
} from '../../test/accounts.js'

let harness: TestApp
beforeAll(async () => {
  harness = await createTestApp()
})
afterAll(() => harness.close())

const me = (headers: Record<string, string>) => harness.app.inject({ method: 'GET', url: '/api/v1/users/me', headers })

describe('sign-up and email verification', () => {
  it('refuses sign-in until the emailed link is opened, re-sends the link, then lets the user in', async () => {
    const email = uniqueEmail()
    const signedUp = await signUp(harness.app, { email, password: strongPassword, name: 'Amina' })
    expect(signedUp.statusCode).toBe(200)
    expect(signedUp.json().user).toMatchObject({ email, emailVerified: false, role: 'learner' })
    const first = await waitForMail(harness.app, email, /Confirm your email/)

    const refused = await signIn(harness.app, email, strongPassword)
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'EMAIL_NOT_VERIFIED', message: 'Email not verified' })
    // The refused sign-in sent a fresh link, so a lost first mail is not a dead end.
    const resent = await waitForMail(harness.app, email, /Confirm your email/, { after: Date.parse(new Date().toISOString()) - 5_000 })
    expect(resent.links[0]).toContain('/api/auth/verify-email?token=')
    // That link has no page of the app's asking, so it lands on the verify-email page, not on '/'.
    expect(new URL(resent.links[0]!).searchParams.get('callbackURL')).toBe(`/verify-email?confirmed=1&email=${encodeURIComponent(email)}`)

    const verified = await harness.app.inject({ method: 'GET', url: linkPath(first.links[0]!) })
    expect(verified.statusCode).toBe(302)
    const signedIn = await signIn(harness.app, email, strongPassword)
    expect(signedIn.statusCode).toBe(200)
    const token = signedIn.json().token as string
    expect((await me({ authorization: `Bearer ${token}` })).json()).toMatchObject({ email, emailVerified: true, name: 'Amina' })
    expect((await me({ cookie: sessionCookie(signedIn) })).json().email).toBe(email)
  })

  it('sets the session cookie httpOnly and SameSite=Lax', async () => {
    const user = await createVerifiedUser(harness.app)
    const response = await signIn(harness.app, user.email, user.password)
    const cookie = [response.headers['set-cookie']].flat().find((value) => value?.startsWith('avaaz.session_token='))
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
  })

  it('writes the mail in Norwegian for a Norwegian-speaking user', async () => {
    const email = uniqueEmail('nb')
    expect((await signUp(harness.app, { email, password: strongPassword, name: 'Kari', locale: 'nb' })).statusCode).toBe(200)
    const mail = await waitForMail(harness.app, email, /./)
    expect(mail.subject).toBe('Bekreft e-postadressen din for Avaaz')
    expect(mail.text).toContain('Hei Kari')
  })

  it('re-sends the verification link on request', async () => {
    const email = uniqueEmail()
    await signUp(harness.app, { email, password: strongPassword, name: 'Ali' })
    await waitForMail(harness.app, email, /Confirm/)
    const since = Date.now()
    const response = await harness.app.inject({ method: 'POST', url: '/api/auth/send-verification-email', payload: { email } })
    expect(response.statusCode).toBe(200)
    const again = await waitForMail(harness.app, email, /Confirm/, { after: since - 1_000 })
    expect(again.links).toHaveLength(1)
  })

  it('does not verify with a forged or tampered token', async () => {
    const email = uniqueEmail()
    await signUp(harness.app, { email, password: strongPassword, name: 'Olga' })
    const mail = await waitForMail(harness.app, email, /Confirm/)
    const link = new URL(mail.links[0]!)
    const token = link.searchParams.get('token')!
    const [header, payload] = token.split('.')
    const forgedPayload = Buffer.from(JSON.stringify({ email: 'someone@else.test', exp: 9_999_999_999 })).toString('base64url')
    for (const forged of [`${header}.${forgedPayload}.${token.split('.')[2]}`, `${header}.${payload}.AAAA`, 'not-a-token']) {
      const response = await harness.app.inject({ method: 'GET', url: `/api/auth/verify-email?token=${encodeURIComponent(forged)}` })
      expect(response.statusCode).toBeGreaterThanOrEqual(400)
    }
    expect((await signIn(harness.app, email, strongPassword)).statusCode).toBe(403)
  })

  it('refuses an expired verification link', async () => {
    const email = uniqueEmail()
    await signUp(harness.app, { email, password: strongPassword, name: 'Per' })
    await waitForMail(harness.app, email, /Confirm/)
    // Verification links are JWTs signed with the auth secret: one signed the same way but expired.
    const { SignJWT } = await import('jose')
    const now = Math.floor(Date.now() / 1000)
    const expired = await new SignJWT({ email })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now - 90_000)
      .setExpirationTime(now - 3_600)
      .sign(new TextEncoder().encode(harness.app.config.authSecret))
    const response = await harness.app.inject({ method: 'GET', url: `/api/auth/verify-email?token=${expired}` })
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe('TOKEN_EXPIRED')
    expect((await signIn(harness.app, email, strongPassword)).statusCode).toBe(403)
  })

  it.each([
    [{ email: 'not-an-email', password: strongPassword, name: 'X' }, 400],
    [{ email: uniqueEmail(), password: 'short', name: 'X' }, 400],
    [{ email: uniqueEmail(), password: 'password123', name: 'X' }, 400],
    [{ email: uniqueEmail(), password: 'x'.repeat(129), name: 'X' }, 400],
    [{ email: uniqueEmail(), password: strongPassword, name: 'X', locale: 'de' }, 400],
    [{ email: uniqueEmail(), password: strongPassword, name: 'x'.repeat(81) }, 400],
    [{ email: uniqueEmail(), password: strongPassword, name: '   ' }, 400],
  ])('rejects bad sign-up input %#', async (body, status) => {
    const response = await signUp(harness.app, body)
    expect(response.statusCode).toBe(status)
    expect(typeof response.json().message).toBe('string')
  })

  it('explains that a common password is not acceptable and accepts a long passphrase without composition rules', async () => {
    const common = await signUp(harness.app, { email: uniqueEmail(), password: 'sunshine1', name: 'X' })
    expect(common.json()).toMatchObject({ code: 'PASSWORD_NOT_ACCEPTABLE' })
    expect(common.json().message).toContain('most commonly used')
    const passphrase = 'vi går på ski i fjellet hver vinter og drikker kakao etterpå, alltid!!'
    expect([...passphrase].length).toBeGreaterThan(64)
    expect((await signUp(harness.app, { email: uniqueEmail(), password: passphrase, name: 'X' })).statusCode).toBe(200)
    expect((await signUp(harness.app, { email: uniqueEmail(), password: 'alllowercaseletters', name: 'X' })).statusCode).toBe(200)
  })

  it('answers a sign-up for an existing email like any other (no account enumeration) and changes nothing', async () => {
    const user = await createVerifiedUser(harness.app)
    const response = await signUp(harness.app, { email: user.email, password: 'Another-password-123', name: 'Impostor' })
    expect(response.statusCode).toBe(200)
    expect(response.json().token).toBeNull()
    const { rows } = await harness.testDatabase.database.executeSql('select count(*)::int as n from users where email = $1', [user.email])
    expect(rows[0]!.n).toBe(1)
    expect((await signIn(harness.app, user.email, 'Another-password-123')).statusCode).toBe(401)
  })
})

/** Asks for a reset by email, opens the mailed link and returns the token it redirects with. */
async function resetTokenFromMail(email: string): Promise<string> {
  const since = Date.now()
  const requested = await harness.app.inject({ method: 'POST', url: '/api/auth/request-password-reset', payload: { email, redirectTo: '/reset-password' } })
  expect(requested.statusCode).toBe(200)
  const mail = await waitForMail(harness.app, email, /Reset your Avaaz password/, { after: since - 1_000 })
  const opened = await harness.app.inject({ method: 'GET', url: linkPath(mail.links[0]!) })
  expect(opened.statusCode).toBe(302)
  const token = new URL(opened.headers.location!, 'http://x').searchParams.get('token')
  expect(token).toBeTruthy()
  return token!
}

describe('password reset', () => {
  it('resets by the emailed link, signs out every session, and the link works once', async () => {
    const user = await createVerifiedUser(harness.app)
    const token = await resetTokenFromMail(user.email)

    const newPassword = 'Nytt-passord-for-vinteren-7'
    const reset = await harness.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { newPassword, token } })
    expect(reset.statusCode).toBe(200)
    expect((await me(user.headers)).statusCode).toBe(401)
    expect((await signIn(harness.app, user.email, user.password)).statusCode).toBe(401)
    expect((await signIn(harness.app, user.email, newPassword)).statusCode).toBe(200)

    const reused = await harness.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { newPassword: 'Third-password-abc-9', token } })
    expect(reused.statusCode).toBe(400)
    const forged = await harness.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { newPassword: 'Third-password-abc-9', token: 'forged-token' } })
    expect(forged.statusCode).toBe(400)
  })

  it('refuses an expired reset link', async () => {
    const user = await createVerifiedUser(harness.app)
    const token = await resetTokenFromMail(user.email)
    await harness.testDatabase.database.executeSql(
      "update auth_verifications set expires_at = now() - interval '1 minute' where identifier = $1",
      [`reset-password:${token}`],
    )
    const response = await harness.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { newPassword: 'Too-late-password-7', token } })
    expect(response.statusCode).toBe(400)
    expect((await signIn(harness.app, user.email, user.password)).statusCode).toBe(200)
  })

  it('refuses a common password as the new password', async () => {
    const user = await createVerifiedUser(harness.app)
    const token = await resetTokenFromMail(user.email)
    const response = await harness.app.inject({ method: 'POST', url: '/api/auth/reset-password', payload: { newPassword: 'qwertyuiop', token } })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe('PASSWORD_NOT_ACCEPTABLE')
  })

  it('answers the same for an unknown email and sends nothing', async () => {
    const email = uniqueEmail('nobody')
    const response = await harness.app.inject({ method: 'POST', url: '/api/auth/request-password-reset', payload: { email, redirectTo: '/r' } })
    expect(response.statusCode).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const outbox = await harness.app.inject({ method: 'GET', url: `/api/v1/dev/outbox?to=${encodeURIComponent(email)}` })
    expect(outbox.json().messages).toEqual([])
  })
})

describe('sessions', () => {
  it('changing the password revokes every other session', async () => {
    const user = await createVerifiedUser(harness.app)
    const other = (await signIn(harness.app, user.email, user.password)).json().token as string
    const changed = await harness.app.inject({
      method: 'POST',
      url: '/api/auth/change-password',
      headers: user.headers,
      payload: { currentPassword: user.password, newPassword: 'Changed-password-on-phone-1', revokeOtherSessions: false },
    })
    expect(changed.statusCode).toBe(200)
    expect((await me({ authorization: `Bearer ${other}` })).statusCode).toBe(401)
    const current = (changed.json().token as string | null) ?? user.token
    expect((await me({ authorization: `Bearer ${current}` })).statusCode).toBe(200)
  })

  it('lists the own sessions and revokes one', async () => {
    const user = await createVerifiedUser(harness.app)
    const second = (await signIn(harness.app, user.email, user.password)).json().token as string
    const listed = await harness.app.inject({ method: 'GET', url: '/api/auth/list-sessions', headers: user.headers })
    expect(listed.statusCode).toBe(200)
    const sessions = listed.json() as Array<{ token: string; userId: string }>
    expect(sessions).toHaveLength(2)
    expect(new Set(sessions.map((session) => session.userId))).toEqual(new Set([user.id]))
    const revoked = await harness.app.inject({ method: 'POST', url: '/api/auth/revoke-session', headers: user.headers, payload: { token: second } })
    expect(revoked.statusCode).toBe(200)
    expect((await me({ authorization: `Bearer ${second}` })).statusCode).toBe(401)
    expect((await me(user.headers)).statusCode).toBe(200)
  })

  it('cannot revoke another user’s session', async () => {
    const alice = await createVerifiedUser(harness.app)
    const bob = await createVerifiedUser(harness.app)
    await harness.app.inject({ method: 'POST', url: '/api/auth/revoke-session', headers: alice.headers, payload: { token: bob.token } })
    expect((await me(bob.headers)).statusCode).toBe(200)
  })

  it('signs out', async () => {
    const user = await createVerifiedUser(harness.app)
    const response = await harness.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { ...user.headers, cookie: user.cookie } })
    expect(response.statusCode).toBe(200)
    expect((await me(user.headers)).statusCode).toBe(401)
  })

  it('rejects tampered cookies and bearer tokens', async () => {
    const user = await createVerifiedUser(harness.app)
    const [name, value] = user.cookie.split('=') as [string, string]
    const tampered = `${name}=${value.slice(0, -6)}AAAAAA`
    expect((await me({ cookie: tampered })).statusCode).toBe(401)
    expect((await me({ authorization: `Bearer ${user.token.slice(0, -2)}xx` })).statusCode).toBe(401)
    expect((await me({})).json()).toMatchObject({ status: 401, title: 'Unauthorized' })
  })
})

describe('JWT for services', () => {
  it('issues a JWT verifiable with the published JWKS that works as a bearer credential', async () => {
    const user = await createVerifiedUser(harness.app)
    const issued = await harness.app.inject({ method: 'GET', url: '/api/auth/token', headers: user.headers })
    const jwt = issued.json().token as string
    expect(jwt.split('.')).toHaveLength(3)
    const jwks = await harness.app.inject({ method: 'GET', url: '/api/auth/jwks' })
    expect(jwks.json().keys.length).toBeGreaterThan(0)
    expect((await me({ authorization: `Bearer ${jwt}` })).json().id).toBe(user.id)
  })

  it('rejects a JWT whose payload was changed or that is signed by someone else', async () => {
    const alice = await createVerifiedUser(harness.app)
    const bob = await createVerifiedUser(harness.app)
    const jwt = (await harness.app.inject({ method: 'GET', url: '/api/auth/token', headers: alice.headers })).json().token as string
    const [header, payload, signature] = jwt.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
    const swapped = Buffer.from(JSON.stringify({ ...claims, sub: bob.id })).toString('base64url')
    expect((await me({ authorization: `Bearer ${header}.${swapped}.${signature}` })).statusCode).toBe(401)
    const { SignJWT, generateKeyPair } = await import('jose')
    const { privateKey } = await generateKeyPair('EdDSA')
    const foreign = await new SignJWT({ sub: alice.id })
      .setProtectedHeader({ alg: 'EdDSA', kid: JSON.parse(Buffer.from(header, 'base64url').toString()).kid })
      .setIssuer(harness.app.config.publicUrl)
      .setAudience(harness.app.config.publicUrl)
      .setExpirationTime('5m')
      .sign(privateKey)
    expect((await me({ authorization: `Bearer ${foreign}` })).statusCode).toBe(401)
  })
})

describe('auth rate limits', () => {
  it('limits sign-in attempts per client IP, trusting X-Forwarded-For only from configured proxies', async () => {
    const limited = await createTestApp({ env: { AUTH_RATE_LIMIT_MAX: '3', TRUST_PROXY: '127.0.0.1' } })
    try {
      const attempt = (forwardedFor: string, remoteAddress = '127.0.0.1') =>
        limited.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in/email',
          remoteAddress,
          headers: { 'x-forwarded-for': forwardedFor },
          payload: { email: 'nobody@example.test', password: 'Wrong-password-1' },
        })
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await attempt('203.0.113.9')).statusCode)
      expect(statuses).toEqual([401, 401, 401, 429])
      expect((await attempt('203.0.113.10')).statusCode).toBe(401)
      // An untrusted peer is keyed by its own address whatever it claims.
      for (let i = 0; i < 3; i++) await attempt(`198.51.100.${i}`, '192.0.2.7')
      expect((await attempt('198.51.100.99', '192.0.2.7')).statusCode).toBe(429)
      const body = (await attempt('203.0.113.9')).json()
      expect(body).toMatchObject({ status: 429, title: 'Too many requests' })
    } finally {
      await limited.close()
    }
  })
})

describe('when the mail server is down', () => {
  it('still answers the sign-up and retries sending in the background', async () => {
    let attempts = 0
    const failing = await createTestApp({
      mailTransport: {
        async send() {
          attempts += 1
          throw new Error('connect ECONNREFUSED 127.0.0.1:25')
        },
      },
    })
    try {
      const response = await signUp(failing.app, { email: uniqueEmail(), password: strongPassword, name: 'Lars' })
      expect(response.statusCode).toBe(200)
      const deadline = Date.now() + 10_000
      let state: { state: string; retry_count: number } | undefined
      while (Date.now() < deadline) {
        const { rows } = await failing.testDatabase.database.executeSql(
          "select state, retry_count from pgboss.job where name = 'mail.send' order by created_on desc limit 1",
          [],
        )
        state = rows[0] as typeof state
        if (state?.state === 'retry') break
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(attempts).toBeGreaterThanOrEqual(1)
      expect(state?.state).toBe('retry')
    } finally {
      await failing.close()
    }
  })
})
