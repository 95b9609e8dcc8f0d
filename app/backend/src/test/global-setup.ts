import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import pino from 'pino'
import { openPglite, pgliteDatabase } from '../core/db/client.js'
import { applyMigrations, migrationsFolder } from '../core/db/migrate.js'
import { JobQueue } from '../core/jobs.js'
import { defaultContentDir, readContentPack } from '../features/curriculum/content-pack.js'
import { contentPackHash, loadContentPack } from '../features/curriculum/loader.js'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string
  }
}

/** Changes when a migration or the content pack changes, so a stale template is never reused. */
function migrationsFingerprint(): string {
  const hash = createHash('sha256')
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else hash.update(entry.name).update(readFileSync(full))
    }
  }
  walk(migrationsFolder)
  hash.update(contentPackHash(defaultContentDir))
  return hash.digest('hex').slice(0, 16)
}

/**
 * Opening a new PGlite and migrating it takes seconds; restoring a dump takes a fraction of one.
 * So the migrated database (our tables, pg-boss's, and the content pack) is built once per set of
 * migrations and pack, and every test file starts from a fresh copy of it.
 */
export default async function setup(project: TestProject): Promise<void> {
  const file = path.join(tmpdir(), `avaaz-test-template-${migrationsFingerprint()}.tar`)
  if (!existsSync(file)) {
    const client = await openPglite()
    const database = pgliteDatabase(client)
    await applyMigrations(database)
    await loadContentPack(database.db, readContentPack())
    const jobs = new JobQueue({ database, log: pino({ level: 'silent' }), workersEnabled: false, pollingIntervalSeconds: 1 })
    await jobs.start()
    await jobs.stop()
    const dump = await client.dumpDataDir('none')
    await database.close()
    const partial = `${file}.${process.pid}.partial`
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
    const { renameSync } = await import('node:fs')
    renameSync(partial, file)
  }
  project.provide('pgliteTemplate', file)
}
