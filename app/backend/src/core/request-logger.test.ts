import pino, { type Logger } from 'pino'
import { describe, expect, it, vi } from 'vitest'
import { captureLogs } from '../test/harness.js'
import { lazyChildLoggerFactory } from './request-logger.js'

function parentLogger(level = 'info') {
  const logs = captureLogs()
  // A fixed time, so lines from the lazy and the eager child compare equal.
  const parent = pino({ level, base: { service: 'test' }, timestamp: () => ',"time":0', redact: ['*.password'] }, logs.stream)
  return { parent, logs }
}

function lazyChild(parent: Logger, options: { level?: string } = {}) {
  return lazyChildLoggerFactory.call(null as never, parent, { requestId: 'r-1' }, options, null as never)
}

describe('the lazy request logger', () => {
  it('writes the same lines as an eager pino child', () => {
    const lazy = parentLogger()
    const eager = parentLogger()
    const error = new Error('boom')
    const write = (log: Pick<Logger, 'info' | 'warn' | 'error'>) => {
      log.info({ user: { password: 'hunter2', name: 'Kari' } }, 'signed in')
      log.warn('slow')
      log.error(error, 'failed')
      log.info('%s of %d', 'three', 4)
    }
    write(lazyChild(lazy.parent))
    write(eager.parent.child({ requestId: 'r-1' }, {}))
    expect(lazy.logs.lines()).toHaveLength(4)
    expect(lazy.logs.lines()).toEqual(eager.logs.lines())
    expect(JSON.stringify(lazy.logs.lines())).not.toContain('hunter2')
  })

  it('creates no pino child for a request that writes nothing at an enabled level', () => {
    const { parent, logs } = parentLogger()
    const child = vi.spyOn(parent, 'child')
    const log = lazyChild(parent, { level: 'warn' })
    log.info('incoming request')
    log.debug('details')
    expect(child).not.toHaveBeenCalled()
    log.warn('something is off')
    log.error('and failed')
    log.info('request completed')
    expect(child).toHaveBeenCalledTimes(1)
    expect(logs.lines().map((line) => [line.msg, line.requestId])).toEqual([
      ['something is off', 'r-1'],
      ['and failed', 'r-1'],
    ])
  })

  it("takes its level from the route's option, else from the parent", () => {
    expect(lazyChild(parentLogger('debug').parent).level).toBe('debug')
    expect(lazyChild(parentLogger('debug').parent, { level: 'warn' }).level).toBe('warn')
    const silent = parentLogger('info')
    lazyChild(silent.parent, { level: 'silent' }).fatal('never written')
    expect(silent.logs.lines()).toEqual([])
  })

  it('can change its level and make children of its own', () => {
    const { parent, logs } = parentLogger()
    const log = lazyChild(parent, { level: 'warn' })
    log.level = 'debug'
    expect(log.level).toBe('debug')
    log.debug('now visible')
    log.child({ step: 'send' }).info('from a grandchild')
    expect(logs.lines().map((line) => [line.msg, line.requestId, line.step])).toEqual([
      ['now visible', 'r-1', undefined],
      ['from a grandchild', 'r-1', 'send'],
    ])
  })
})
