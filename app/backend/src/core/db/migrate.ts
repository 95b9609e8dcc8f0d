import { fileURLToPath } from 'node:url'
import { readMigrationFiles } from 'drizzle-orm/migrator'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator'
import type { PgliteDatabase } from 'drizzle-orm/pglite'
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres'
import type { Database } from './client.js'

/** `app/backend/drizzle`, from both `src/core/db` and `dist/core/db`. */
export const migrationsFolder = fileURLToPath(new URL('../../../drizzle', import.meta.url))

// A fixed key so concurrent backends starting against one server run migrations one at a time.
const MIGRATION_LOCK_KEY = 7_361_402_118

/** Applies every pending migration. Safe to run on every start. */
export async function applyMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    // PGlite has one connection and one process (guarded by the data directory lock): no race.
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder })
    return
  }
  // A session-level lock must be taken and released on the same connection as the migration.
  const client = await database.pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY])
    try {
      await migratePg(drizzlePg(client), { migrationsFolder })
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
    }
  } finally {
    client.release()
  }
}

export interface MigrationStatus {
  expected: number
  applied: number
  upToDate: boolean
}

let expectedMigrations: { count: number; latest: number } | undefined

function readExpectedMigrations(): { count: number; latest: number } {
  if (!expectedMigrations) {
    const files = readMigrationFiles({ migrationsFolder })
    expectedMigrations = { count: files.length, latest: Math.max(0, ...files.map((file) => file.folderMillis)) }
  }
  return expectedMigrations
}

/** Compares the migrations committed with the code against those recorded in the database. */
export async function getMigrationStatus(database: Database): Promise<MigrationStatus> {
  const expected = readExpectedMigrations()
  const { rows: tables } = await database.executeSql(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
    [],
  )
  if (!tables[0]?.present) return { expected: expected.count, applied: 0, upToDate: expected.count === 0 }
  const { rows } = await database.executeSql(
    'select count(*)::int as applied, coalesce(max(created_at), 0)::text as latest from drizzle.__drizzle_migrations',
    [],
  )
  const applied = Number(rows[0]?.applied ?? 0)
  const latest = Number(rows[0]?.latest ?? 0)
  return { expected: expected.count, applied, upToDate: applied >= expected.count && latest >= expected.latest }
}
