import { ConfigError, loadConfig } from '../core/config.js'
import { openDatabase } from '../core/db/client.js'
import { applyMigrations } from '../core/db/migrate.js'
import { ContentPackError, readContentPack } from '../features/curriculum/content-pack.js'
import { loadContentPack } from '../features/curriculum/loader.js'

/** `npm run content:load`: validates the pack and loads it into the configured database (idempotent). */
try {
  const config = loadConfig()
  const pack = readContentPack(config.contentDir)
  const database = await openDatabase(config.database)
  try {
    await applyMigrations(database)
    const result = await loadContentPack(database.db, pack, { force: true })
    console.log(`Content pack loaded: ${result.objectives} objectives, ${result.lessons} lessons, ${result.examTemplates} exam templates.`)
  } finally {
    await database.close()
  }
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof ContentPackError ? error.message : `Loading failed: ${(error as Error).message}`)
  process.exitCode = 1
}
