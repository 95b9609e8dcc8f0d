import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { temporaryDirectory } from '../../test/harness.js'
import { acquireDataDirLock, DataDirLockedError } from './data-dir-lock.js'

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()))
function dir(): string {
  const created = temporaryDirectory('avaaz-lock-')
  cleanups.push(created.cleanup)
  return created.path
}

describe('the data directory lock', () => {
  it('is exclusive while held and free again after release', () => {
    const dataDir = dir()
    const lock = acquireDataDirLock(dataDir)
    expect(() => acquireDataDirLock(dataDir)).toThrow(DataDirLockedError)
    lock.release()
    acquireDataDirLock(dataDir).release()
  })

  it('takes over a lock whose owner is gone', () => {
    const dataDir = dir()
    writeFileSync(path.join(dataDir, 'avaaz.lock'), '999999999\n\n2026-01-01T00:00:00Z\n')
    acquireDataDirLock(dataDir).release()
  })

  it('takes over a lock naming its own pid that it does not hold (a restarted container is PID 1 again)', () => {
    const dataDir = dir()
    writeFileSync(path.join(dataDir, 'avaaz.lock'), `${process.pid}\n\n2026-01-01T00:00:00Z\n`)
    const lock = acquireDataDirLock(dataDir)
    expect(readFileSync(path.join(dataDir, 'avaaz.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid))
    lock.release()
  })

  it('takes over a lock whose pid now belongs to a different process (pid reuse)', () => {
    const dataDir = dir()
    // The parent process is alive, but it started at another time than the one recorded.
    writeFileSync(path.join(dataDir, 'avaaz.lock'), `${process.ppid}\n1\n2026-01-01T00:00:00Z\n`)
    acquireDataDirLock(dataDir).release()
  })

  it('respects a lock held by a live process', () => {
    const dataDir = dir()
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]
    writeFileSync(path.join(dataDir, 'avaaz.lock'), `${process.ppid}\n${stat}\n2026-01-01T00:00:00Z\n`)
    expect(() => acquireDataDirLock(dataDir)).toThrow(`pid ${process.ppid}`)
  })
})
