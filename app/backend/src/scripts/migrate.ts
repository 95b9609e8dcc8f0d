import { ConfigError, loadConfig } from '../core/config.js'
import { openDatabase } from '../core/db/client.js'
import { applyMigrations, getMigrationStatus } from '../core/db/migrate.js'

/** `npm run db:migrate`: applies pending migrations to the configured database and reports the result. */
try {
  const config = loadConfig()
  const database = await openDatabase(config.database)
  try {
    await applyMigrations(database)
    const status = await getMigrationStatus(database)
    console.log(`Database migrated (${database.kind}): ${status.applied} of ${status.expected} migrations applied.`)
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`)
  process.exitCode = 1
}
