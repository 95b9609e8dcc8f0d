import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'

/**
 * PGlite is a single-process database: two processes writing one data directory corrupt it, and
 * PGlite itself does not guard against that. A lock file with the owner's pid does.
 */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is already in use by another Avaaz process (pid ${ownerPid}). ` +
        'Stop that process first, or set DATA_DIR to a different directory.',
    )
    this.name = 'DataDirLockedError'
  }
}

export interface DataDirLock {
  release(): void
}

const LOCK_FILE = 'avaaz.lock'

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readOwnerPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, LOCK_FILE)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n${new Date().toISOString()}\n`)
      closeSync(fd)
      let released = false
      return {
        release() {
          if (released) return
          released = true
          if (readOwnerPid(file) === process.pid) rmSync(file, { force: true })
        },
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const owner = readOwnerPid(file)
      if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
        throw new DataDirLockedError(dataDir, owner)
      }
      if (owner === process.pid) throw new DataDirLockedError(dataDir, owner)
      // The owner died without cleaning up (crash, kill -9): the lock is stale.
      rmSync(file, { force: true })
    }
  }
  throw new Error(`Could not lock the data directory ${dataDir}`)
}
