import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import type { DestinationStream } from 'pino'
import { inject } from 'vitest'
import { loadConfig, type Config } from '../core/config.js'
import type { PGlite } from '@electric-sql/pglite'
import { openPglite, pgliteDatabase, postgresDatabase, type Database } from '../core/db/client.js'
import { buildApp, type BuildAppOptions } from '../main.js'

/**
 * Which driver the database tests use. The suite runs once over PGlite in-process (the embedded
 * default) and once over node-postgres talking to PGlite through the Postgres wire protocol, so the
 * production driver path is exercised for real.
 */
export const testDriver: 'pglite' | 'postgres' = process.env.AVAAZ_TEST_DB === 'postgres' ? 'postgres' : 'pglite'

export interface TestDatabase {
  database: Database
  /** Makes the database unreachable, as a crashed server or a closed embedded database would be. */
  takeDown(): Promise<void>
  close(): Promise<void>
}

let templateBlob: Blob | undefined

function template(): Blob {
  templateBlob ??= new Blob([readFileSync(inject('pgliteTemplate'))])
  return templateBlob
}

/** A fresh, migrated database of its own (from the template built in global setup). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const client = await openPglite({ loadDataDir: template() })
  if (testDriver === 'pglite') {
    const database = pgliteDatabase(client)
    return { database, takeDown: () => client.close(), close: () => database.close() }
  }

  const server = new PGLiteSocketServer({ db: client, host: '127.0.0.1', port: 0, maxConnections: 20 })
  keepExtendedQueriesTogether(server)
  await server.start()
  const pool = new pg.Pool({ connectionString: `postgres://postgres@${server.getServerConn()}/postgres`, max: 8, connectionTimeoutMillis: 2_000 })
  pool.on('error', () => {})
  const database = postgresDatabase(pool)
  let serverStopped = false
  const stopServer = async () => {
    if (serverStopped) return
    serverStopped = true
    await server.stop()
  }
  return {
    database,
    takeDown: stopServer,
    async close() {
      await database.close()
      await stopServer()
      if (!client.closed) await client.close()
    },
  }
}

interface QueuedMessage {
  handlerId: number
  message: Uint8Array
  resolve(bytes: number): void
  reject(error: unknown): void
  onData(data: Uint8Array): void
}

/**
 * pglite-socket (0.2) queues each wire-protocol message on its own, so with several connections the
 * Parse/Bind/Execute of one connection's query can interleave with another's. PGlite is one session,
 * so they share the unnamed statement and portal, and a query then fails ("portal does not exist") or
 * reads another's rows. Here a connection keeps the database from its first extended-protocol message
 * until its Sync (and, as pglite-socket already does, for a whole transaction).
 */
function keepExtendedQueriesTogether(server: PGLiteSocketServer): void {
  const manager = (server as unknown as { queryQueue: { queue: QueuedMessage[]; processing: boolean; lastHandlerId: number | null; db: PGlite; processQueue(): Promise<void>; clearQueueForHandler(handlerId: number): void } }).queryQueue
  // Parse, Bind, Describe, Execute, Close and Flush belong to a query that ends with Sync.
  const partOfQuery = new Set(['P', 'B', 'D', 'E', 'C', 'H'])
  let holder: number | null = null
  const clear = manager.clearQueueForHandler.bind(manager)
  manager.clearQueueForHandler = (handlerId: number) => {
    // A connection that went away mid-query must not keep the database.
    if (holder === handlerId) holder = null
    clear(handlerId)
  }
  manager.processQueue = async function processQueue() {
    if (this.processing) return
    this.processing = true
    try {
      while (this.queue.length > 0) {
        const owner = holder ?? (this.db.isInTransaction() ? this.lastHandlerId : null)
        const index = owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === owner)
        if (index === -1) break // the holder's next message has not arrived yet; its enqueue restarts us
        const [item] = this.queue.splice(index, 1) as [QueuedMessage]
        const type = String.fromCharCode(item.message[0] ?? 0)
        let bytes = 0
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, { onRawData: (data: Uint8Array) => ((bytes += data.length), item.onData(data)) }))
        } catch (error) {
          holder = null
          item.reject(error)
          continue
        }
        if (partOfQuery.has(type)) holder = item.handlerId
        else if (type === 'S' || type === 'Q') holder = null
        this.lastHandlerId = item.handlerId
        item.resolve(bytes)
      }
    } finally {
      this.processing = false
    }
  }
}

/** Configuration for tests: quiet, fast job polling, a throwaway data directory. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    AUTH_SECRET: 'test-secret-test-secret-test-secret-0123',
    JOBS_POLLING_INTERVAL_SECONDS: '0.5',
    // Tests make many requests from one address; the rate-limit tests set their own limits.
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '100000',
    // The web app has its own tests (a real browser against `npm start`); API tests run without it.
    WEB_ENABLED: 'false',
    ...env,
  })
}

export interface TestApp {
  app: FastifyInstance
  testDatabase: TestDatabase
  close(): Promise<void>
}

export interface TestAppOptions {
  env?: Record<string, string>
  logStream?: DestinationStream
  extend?: BuildAppOptions['extend']
  /** Reuse a database (e.g. to restart the app on the same data). */
  testDatabase?: TestDatabase
  mailTransport?: BuildAppOptions['mailTransport']
  aiModels?: BuildAppOptions['aiModels']
}

/** Builds the real app over a fresh test database and data directory; `close` removes both. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testDatabase = options.testDatabase ?? (await createTestDatabase())
  const dataDir = temporaryDirectory('avaaz-data-')
  const app = await buildApp({
    config: testConfig({ DATA_DIR: dataDir.path, ...options.env }),
    database: testDatabase.database,
    logStream: options.logStream,
    extend: options.extend,
    mailTransport: options.mailTransport,
    aiModels: options.aiModels,
  })
  await app.ready()
  return {
    app,
    testDatabase,
    async close() {
      await app.close()
      if (!options.testDatabase) await testDatabase.close()
      dataDir.cleanup()
    },
  }
}

/** A directory removed when `cleanup` runs. */
export function temporaryDirectory(prefix = 'avaaz-test-'): { path: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  return { path: dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Collects JSON log lines written by the app. */
export function captureLogs(): { stream: DestinationStream; lines(): Record<string, unknown>[] } {
  const chunks: string[] = []
  return {
    stream: { write: (chunk: string) => void chunks.push(chunk) },
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}
