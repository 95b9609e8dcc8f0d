import { describe, expect, it } from 'vitest'
import type { Principal } from '../../core/auth/access.js'
import { InputMeter } from './transport.js'
import { TICKET_TTL_MS, TicketStore } from './tickets.js'

const kari: Principal = { userId: 'u_kari', email: 'kari@example.org', role: 'learner', emailVerified: true, via: 'session' }

describe('voice tickets', () => {
  it('are redeemed once, by the learner they were issued to', () => {
    const store = new TicketStore()
    const { ticket, expiresAt } = store.issue(kari)
    expect(ticket).toMatch(/^vt_[A-Za-z0-9_-]{32}$/)
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now())
    expect(store.redeem(ticket)).toEqual(kari)
    expect(store.redeem(ticket)).toBeNull()
    expect(store.redeem('vt_made-up')).toBeNull()
  })

  it('expire after a minute, and expired ones are swept when new ones are issued', () => {
    let now = 1_000_000
    const store = new TicketStore(() => now)
    const { ticket } = store.issue(kari)
    now += TICKET_TTL_MS
    expect(store.redeem(ticket)).toBeNull()
    store.issue(kari)
    now += TICKET_TTL_MS
    store.issue(kari)
    expect(store.size).toBe(1)
  })
})

describe('voice input meter', () => {
  // 16 kHz PCM16: 32 000 bytes a second; a 100 ms frame is 3 200 bytes.
  const frame = 3_200

  it('refuses odd-length, empty and over-long frames', () => {
    const meter = new InputMeter(() => 0)
    meter.start(16_000)
    expect(meter.accept(0)).toBe('bad')
    expect(meter.accept(3_201)).toBe('bad')
    expect(meter.accept(6_402)).toBe('bad') // over 200 ms
    expect(meter.accept(6_400)).toBe('ok')
  })

  it('lets a client be two seconds ahead, then drops (warning once) and disconnects one that stays too fast for ten seconds', () => {
    let now = 0
    const meter = new InputMeter(() => now)
    meter.start(16_000)
    const verdicts: string[] = []
    for (let index = 0; index < 20; index++) verdicts.push(meter.accept(frame))
    expect(verdicts.filter((verdict) => verdict === 'ok')).toHaveLength(20) // exactly 2 s
    expect(meter.accept(frame)).toBe('warn')
    expect(meter.accept(frame)).toBe('drop')
    // Ten times real time for the next ten seconds: a tenth gets through, the rest is dropped, then the end.
    let last = ''
    for (now = 10; now < 10_500 && last !== 'close'; now += 10) last = meter.accept(frame)
    expect(now).toBeGreaterThanOrEqual(10_000)
    expect(last).toBe('close')
  })

  it('keeps a real-time client going indefinitely', () => {
    let now = 0
    const meter = new InputMeter(() => now)
    meter.start(16_000)
    for (; now < 60_000; now += 100) expect(meter.accept(frame)).toBe('ok')
  })
})
