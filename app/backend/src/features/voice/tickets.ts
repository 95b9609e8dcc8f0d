import { randomBytes } from 'node:crypto'
import type { Principal } from '../../core/auth/access.js'

/** How long a WebSocket ticket may wait to be used. */
export const TICKET_TTL_MS = 60_000

/**
 * Single-use, short-lived tickets that authenticate a voice WebSocket: browsers cannot set headers on
 * a WebSocket, and a cookie alone would let any page that can open a socket to us act for the learner.
 * Kept in this process's memory — one backend process serves a deployment (see README) — so a
 * restart simply invalidates the tickets of the last minute.
 */
export class TicketStore {
  private readonly tickets = new Map<string, { principal: Principal; expiresAt: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  issue(principal: Principal): { ticket: string; expiresAt: Date } {
    this.sweep()
    const ticket = `vt_${randomBytes(24).toString('base64url')}`
    const expiresAt = this.now() + TICKET_TTL_MS
    this.tickets.set(ticket, { principal, expiresAt })
    return { ticket, expiresAt: new Date(expiresAt) }
  }

  /** The learner the ticket was issued to; null for an unknown, used or expired ticket. Using it spends it. */
  redeem(ticket: string): Principal | null {
    const entry = this.tickets.get(ticket)
    this.tickets.delete(ticket)
    if (!entry || entry.expiresAt <= this.now()) return null
    return entry.principal
  }

  get size(): number {
    return this.tickets.size
  }

  private sweep(): void {
    const now = this.now()
    for (const [ticket, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(ticket)
  }
}
