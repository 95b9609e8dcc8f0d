import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { Principal } from '../../core/auth/access.js'
import { ServiceUnavailable } from '../../core/errors.js'
import { issueLiveKitToken } from '../livekit/service.js'
import { loadSession } from '../sessions/service.js'

export const voiceAccessSchema = z
  .discriminatedUnion('transport', [
    z.object({ transport: z.literal('websocket'), url: z.string(), ticket: z.string(), expiresAt: z.iso.datetime() }),
    z.object({ transport: z.literal('livekit'), url: z.string(), token: z.string(), room: z.string(), expiresAt: z.iso.datetime() }),
  ])
  .meta({ id: 'VoiceAccess' })
export type VoiceAccess = z.infer<typeof voiceAccessSchema>

/**
 * The plan-usage hook for real-time voice, asked before a learner gets a way in (a LiveKit token or a
 * WebSocket ticket). Today every learner may talk; when plans arrive this is where a learner past
 * their plan's voice minutes is refused, by throwing `PaymentRequired` (a 402, docs/voice-protocol.md §1).
 */
export async function checkVoiceAllowance(_app: FastifyInstance, _principal: Principal): Promise<void> {}

export async function issueVoiceAccess(app: FastifyInstance, principal: Principal, transport: 'auto' | 'websocket'): Promise<VoiceAccess> {
  if (!app.config.voice.enabled) throw new ServiceUnavailable('Real-time voice is switched off on this server; type your answers instead.')
  await checkVoiceAllowance(app, principal)
  if (!app.config.livekit && app.voice.connections.size >= app.config.voice.maxSessions) {
    throw new ServiceUnavailable('Voice is busy right now; please try again in a minute or type instead.')
  }
  if (app.config.livekit && transport === 'auto') return issueLiveKitToken(app, principal, await loadSession(app, principal.userId))
  const { ticket, expiresAt } = app.voice.tickets.issue(principal)
  return { transport: 'websocket', url: '/api/v1/voice/ws', ticket, expiresAt: expiresAt.toISOString() }
}
