import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/**
 * PGlite is a single-process database: two processes writing one data directory corrupt it, and
 * PGlite itself does not guard against that. A lock file naming the owner (pid and that process's
 * start time) does.
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
/** Lock files this process holds: its own pid in any other lock file is a leftover (e.g. PID 1 in a restarted container). */
const held = new Set<string>()

/** When the process with this pid started (Linux: clock ticks since boot), to tell a live owner from a reused pid. */
function processStartTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19]
  } catch {
    return undefined
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

interface Owner {
  pid: number
  startTime: string | undefined
}

function readOwner(file: string): Owner | undefined {
  try {
    const [pid, startTime] = readFileSync(file, 'utf8').split('\n')
    const parsed = Number.parseInt(pid ?? '', 10)
    return Number.isInteger(parsed) && parsed > 0 ? { pid: parsed, startTime: startTime || undefined } : undefined
  } catch {
    return undefined
  }
}

function ownerIsRunning(file: string, owner: Owner): boolean {
  if (owner.pid === process.pid) return held.has(file)
  if (!isProcessAlive(owner.pid)) return false
  // A different process now has that pid (after a reboot or container restart): the lock is stale.
  const startTime = processStartTime(owner.pid)
  return !(owner.startTime && startTime && owner.startTime !== startTime)
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true })
  const file = path.join(dataDir, LOCK_FILE)
  // Written in full to a private file, then linked into place: the lock appears atomically with its
  // content, so nobody ever reads a half-written lock and takes it for stale.
  const pending = `${file}.${process.pid}.${Date.now()}`
  writeFileSync(pending, `${process.pid}\n${processStartTime(process.pid) ?? ''}\n${new Date().toISOString()}\n`, { mode: 0o600 })
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(pending, file)
        held.add(file)
        let released = false
        return {
          release() {
            if (released) return
            released = true
            held.delete(file)
            if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true })
          },
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const owner = readOwner(file)
        if (owner && ownerIsRunning(file, owner)) throw new DataDirLockedError(dataDir, owner.pid)
        // The owner died without cleaning up (crash, kill -9, reboot): the lock is stale.
        rmSync(file, { force: true })
      }
    }
    throw new Error(`Could not lock the data directory ${dataDir}`)
  } finally {
    rmSync(pending, { force: true })
  }
}
