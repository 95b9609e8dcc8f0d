import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { inject } from 'vitest'
import { openPglite } from './core/db/client.js'
import { defaultContentDir } from './features/curriculum/content-pack.js'
import { temporaryDirectory, testDriver } from './test/harness.js'

/**
 * The real entry point in a child process, as `npm start` runs it. These tests do not depend on the
 * test database driver, so they run in one project only.
 */
const backendDir = fileURLToPath(new URL('..', import.meta.url))

// Several tests start two or three real processes, each opening a fresh embedded database.
vi.setConfig({ testTimeout: 90_000 })

interface RunningServer {
  child: ChildProcess
  output(): string
  exited: Promise<number | null>
}

function startServer(env: Record<string, string>): RunningServer {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'src/server.ts'], {
    cwd: backendDir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  running.push(child)
  return { child, output: () => output, exited }
}

/** Runs one of the npm scripts' entry files to the end, as `npm run …` would. */
function runScript(script: string, env: Record<string, string>, options: { args?: string[]; stdin?: string } = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', script, ...(options.args ?? [])], {
    cwd: backendDir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  running.push(child)
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stdin.end(options.stdin ?? '')
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })))
}

async function waitForUrl(server: RunningServer, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const banner = /Avaaz is running at (http:\/\/\S+)/.exec(server.output())
    if (banner?.[1]) return banner[1]
    const logged = /"url":"(http[^"]+)"[^\n]*"msg":"Avaaz backend ready"/.exec(server.output())
    if (logged?.[1]) return logged[1]
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`server did not start in time:\n${server.output()}`)
}

function postJson(url: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => (text += chunk.toString()))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }))
    })
    request.on('error', reject)
    request.end(JSON.stringify(body))
  })
}

const running: ChildProcess[] = []
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function dataDir(): string {
  const dir = temporaryDirectory('avaaz-server-')
  cleanups.push(() => dir.cleanup())
  return dir.path
}

describe.skipIf(testDriver !== 'pglite')('the server process', () => {
  it('starts embedded with no configuration, prints its URL, serves health and docs, and stops cleanly', async () => {
    const dir = dataDir()
    const server = startServer({ DATA_DIR: dir })
    const url = await waitForUrl(server)
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    const ready = await fetch(`${url}/health/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'up', details: { driver: 'pglite' } } } })
    expect((await fetch(`${url}/api/v1/docs/`)).status).toBe(200)
    expect(JSON.parse(readFileSync(path.join(dir, 'secrets.json'), 'utf8')).AUTH_SECRET).toHaveLength(43)

    // Every log line is JSON with a request id for request-scoped lines.
    await fetch(`${url}/api/v1`, { headers: { 'x-request-id': 'process-test-1' } })
    await new Promise((resolve) => setTimeout(resolve, 200))
    const lines = server.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
    expect(lines.filter((line) => line.requestId === 'process-test-1').map((line) => line.msg)).toEqual(['incoming request', 'request completed'])

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(existsSync(path.join(dir, 'pglite', 'avaaz.lock'))).toBe(false)
  })

  it('refuses a second start on the same data directory without harming the first', async () => {
    const dir = dataDir()
    const first = startServer({ DATA_DIR: dir })
    const url = await waitForUrl(first)

    const second = startServer({ DATA_DIR: dir })
    expect(await second.exited).toBe(1)
    expect(second.output()).toContain(`already in use by another Avaaz process (pid ${first.child.pid})`)

    expect((await fetch(`${url}/health/ready`)).status).toBe(200)
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)

    // The data survived both: a restart finds the same database, migrated and ready.
    const third = startServer({ DATA_DIR: dir })
    const thirdUrl = await waitForUrl(third)
    expect((await fetch(`${thirdUrl}/health/ready`)).status).toBe(200)
  })

  it('exits with every bad variable listed when the configuration is invalid', async () => {
    const server = startServer({ DATA_DIR: dataDir(), PORT: 'abc', NODE_ENV: 'production' })
    expect(await server.exited).toBe(1)
    expect(server.output()).toContain('PORT:')
    const production = startServer({ DATA_DIR: dataDir(), NODE_ENV: 'production' })
    expect(await production.exited).toBe(1)
    for (const variable of ['AUTH_SECRET', 'DATABASE_URL', 'PUBLIC_URL', 'SMTP_URL']) expect(production.output()).toContain(`${variable}: required in production`)
  })

  it('refuses to start with a broken content pack, naming the file, path and problem, and loads nothing', async () => {
    const pack = temporaryDirectory('avaaz-broken-pack-')
    cleanups.push(() => pack.cleanup())
    cpSync(defaultContentDir, pack.path, { recursive: true })
    const file = path.join(pack.path, 'lessons', 'a1.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/estimatedMinutes: \d+/, 'estimatedMinutes: soon'))
    const dir = dataDir()
    const server = startServer({ DATA_DIR: dir, CONTENT_DIR: pack.path })
    expect(await server.exited).toBe(1)
    expect(server.output()).toMatch(/The content pack is invalid:\n\s+- lessons\/a1\.yaml: lessons\.0\.estimatedMinutes: /)
    // Nothing was half-loaded: the next start with the good pack loads it whole.
    const good = startServer({ DATA_DIR: dir })
    const url = await waitForUrl(good)
    const lessons = (await (await fetch(`${url}/api/v1/lessons?pageSize=1`)).json()) as { total: number }
    expect(lessons.total).toBeGreaterThanOrEqual(48)
  })

  it('exits with a clear message, and no password, when the database server cannot be reached', async () => {
    const server = startServer({ DATA_DIR: dataDir(), DATABASE_URL: 'postgres://avaaz:s3cret-pw@127.0.0.1:1/avaaz' })
    expect(await server.exited).toBe(1)
    expect(server.output()).toContain('Cannot reach the database at postgres://avaaz:***@127.0.0.1:1/avaaz')
    expect(server.output()).not.toContain('s3cret-pw')
  })

  it('runs in production mode over node-postgres against a database server', async () => {
    const client = await openPglite({ loadDataDir: new Blob([readFileSync(inject('pgliteTemplate'))]) })
    const socket = new PGLiteSocketServer({ db: client, host: '127.0.0.1', port: 0, maxConnections: 20 })
    await socket.start()
    cleanups.push(async () => {
      await socket.stop()
      await client.close()
    })
    const server = startServer({
      NODE_ENV: 'production',
      DATA_DIR: dataDir(),
      DATABASE_URL: `postgres://postgres@${socket.getServerConn()}/postgres`,
      AUTH_SECRET: 'p'.repeat(48),
      PUBLIC_URL: 'http://127.0.0.1:8000',
      SMTP_URL: 'smtp://127.0.0.1:2525',
    })
    const url = await waitForUrl(server)
    const ready = await fetch(`${url}/health/ready`)
    expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: { details: { driver: 'postgres' } } } })
    expect(ready.headers.get('strict-transport-security')).toContain('max-age=31536000')
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})

describe.skipIf(testDriver !== 'pglite')('npm run content:load', () => {
  it('loads the whole pack into the configured database and reports what it loaded', async () => {
    const { code, output } = await runScript('src/scripts/content-load.ts', { DATA_DIR: dataDir() })
    expect(output).toMatch(/Content pack loaded: \d{2,} objectives, \d{2,} lessons, 3 exam templates\./)
    expect(code).toBe(0)
  })
})

describe.skipIf(testDriver !== 'pglite')('npm run db:migrate', () => {
  it('migrates the embedded database and reports how many migrations are applied', async () => {
    const { code, output } = await runScript('src/scripts/migrate.ts', { DATA_DIR: dataDir() })
    expect(output).toMatch(/Database migrated \(pglite\): (\d+) of \1 migrations applied\./)
    expect(code).toBe(0)
  })
})

describe.skipIf(testDriver !== 'pglite')('npm run admin:create', () => {
  const runAdminCreate = (dir: string, args: string[], stdin: string) =>
    runScript('src/scripts/admin-create.ts', { DATA_DIR: dir }, { args, stdin })

  it('creates a verified admin with a password from stdin, then promotes instead of duplicating', async () => {
    const dir = dataDir()
    const created = await runAdminCreate(dir, ['boss@example.org'], 'Sterkt-passord-for-admin-9\n')
    expect(created.output).toContain('Created the admin account boss@example.org')
    expect(created.code).toBe(0)
    const again = await runAdminCreate(dir, ['boss@example.org'], '')
    expect(again.output).toContain('boss@example.org is now an admin.')

    // The account works: the server starts on the same data and the admin can sign in and use admin routes.
    const server = startServer({ DATA_DIR: dir })
    const url = await waitForUrl(server)
    // As curl would: fetch() adds browser fetch-metadata headers, which make better-auth demand an Origin.
    const signIn = await postJson(`${url}/api/auth/sign-in/email`, { email: 'boss@example.org', password: 'Sterkt-passord-for-admin-9' })
    expect(signIn.status, signIn.body).toBe(200)
    const { token } = JSON.parse(signIn.body) as { token: string }
    const list = await fetch(`${url}/api/v1/admin/users`, { headers: { authorization: `Bearer ${token}` } })
    expect(list.status).toBe(200)
    expect(((await list.json()) as { total: number }).total).toBe(1)
  })

  it('refuses a common password and a malformed email', async () => {
    const dir = dataDir()
    const weak = await runAdminCreate(dir, ['weak@example.org'], 'password1\n')
    expect(weak.code).toBe(1)
    expect(weak.output).toContain('most commonly used')
    const malformed = await runAdminCreate(dir, ['not-an-email'], '')
    expect(malformed.code).toBe(2)
    expect(malformed.output).toContain('Usage: npm run admin:create -- <email>')
  })
})
