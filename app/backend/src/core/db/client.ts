import { mkdirSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import pg from 'pg'
import type { Config } from '../config.js'
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js'
import * as schema from './schema/index.js'

export type Schema = typeof schema
/** The Drizzle database, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>
/** A transaction, or the database itself: functions that take it work inside and outside transactions. */
export type DbOrTx = Db | Parameters<Parameters<Db['transaction']>[0]>[0]

export interface SqlResult {
  rows: Record<string, unknown>[]
}

interface DatabaseBase {
  readonly db: Db
  /** Raw SQL for libraries that bring their own queries (pg-boss). Without values, `text` may hold several statements. */
  executeSql(text: string, values?: unknown[]): Promise<SqlResult>
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>
  close(): Promise<void>
}

export interface PgliteHandle extends DatabaseBase {
  readonly kind: 'pglite'
  readonly client: PGlite
}

export interface PostgresHandle extends DatabaseBase {
  readonly kind: 'postgres'
  readonly pool: pg.Pool
}

export type Database = PgliteHandle | PostgresHandle

export class DatabaseUnreachableError extends Error {
  constructor(target: string, cause: unknown) {
    super(`Cannot reach the database at ${target}: ${(cause as Error)?.message ?? String(cause)}`, { cause })
    this.name = 'DatabaseUnreachableError'
  }
}

/** Wraps an open PGlite instance. `onClose` runs after it is closed (e.g. releasing the data directory lock). */
export function pgliteDatabase(client: PGlite, onClose?: () => void): PgliteHandle {
  return {
    kind: 'pglite',
    client,
    db: drizzlePglite(client, { schema }) as unknown as Db,
    async executeSql(text, values) {
      if (values && values.length > 0) return (await client.query(text, values)) as SqlResult
      const results = await client.exec(text)
      return (results.at(-1) ?? { rows: [] }) as SqlResult
    },
    async ping() {
      await client.query('select 1')
    },
    async close() {
      try {
        if (!client.closed) await client.close()
      } finally {
        onClose?.()
      }
    },
  }
}

/** Wraps a node-postgres pool (production, or PGlite served over the wire protocol in tests). */
export function postgresDatabase(pool: pg.Pool): PostgresHandle {
  let closed = false
  return {
    kind: 'postgres',
    pool,
    db: drizzlePg(pool, { schema }) as unknown as Db,
    async executeSql(text, values) {
      return (await pool.query(text, values)) as SqlResult
    },
    async ping() {
      await pool.query('select 1')
    },
    async close() {
      if (closed) return
      closed = true
      await pool.end()
    },
  }
}

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob } = {}): Promise<PGlite> {
  return PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir, extensions: { vector } })
}

/** A connection string safe to print: the password is masked. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparseable DATABASE_URL)'
  }
}

/** Opens the configured database and checks that it answers. Throws a clear error if it cannot. */
export async function openDatabase(config: Config['database']): Promise<Database> {
  if (config.kind === 'pglite') {
    mkdirSync(config.dataDir, { recursive: true })
    const lock: DataDirLock = acquireDataDirLock(config.dataDir)
    try {
      const client = await openPglite({ dataDir: config.dataDir })
      return pgliteDatabase(client, () => lock.release())
    } catch (error) {
      lock.release()
      throw new DatabaseUnreachableError(config.dataDir, error)
    }
  }

  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: 5_000,
    application_name: 'avaaz-backend',
  })
  // An idle client losing its connection must not crash the process; queries report it instead.
  pool.on('error', () => {})
  const database = postgresDatabase(pool)
  try {
    await database.ping()
  } catch (error) {
    await database.close().catch(() => {})
    throw new DatabaseUnreachableError(redactDatabaseUrl(config.url), error)
  }
  return database
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03'])
const UNAVAILABLE_MESSAGES = [
  /PGlite is closed/i,
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Cannot use a pool after calling end/i,
  /Client has encountered a connection error/i,
]

/** True when an error (or any error in its cause chain) means the database cannot be reached. */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown }
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true
  }
  return false
}
