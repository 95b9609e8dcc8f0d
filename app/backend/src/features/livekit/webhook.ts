import { eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { WebhookEvent, WebhookReceiver } from 'livekit-server-sdk'
import { tutorSessions } from '../../core/db/schema/index.js'
import { BadRequest, Unauthorized } from '../../core/errors.js'
import { learnerJoined, learnerLeft, sessionIdOfRoom, type PresenceOutcome } from './service.js'

// Enum values of LiveKit's protocol (ParticipantInfo.Kind, DisconnectReason), which the server SDK
// does not re-export.
const STANDARD_PARTICIPANT = 0
const DUPLICATE_IDENTITY = 2

export interface WebhookResult {
  status: 'handled' | 'ignored'
  event: string
  reason?: string
}

/**
 * Checks a webhook the way LiveKit signs it: the Authorization header is a JWT signed with the API
 * secret whose `sha256` claim is the base64 SHA-256 of the exact body bytes. Anything else is 401.
 */
export async function receiveWebhook(receiver: WebhookReceiver, rawBody: string, authorization: string | undefined): Promise<WebhookEvent> {
  if (!authorization) throw new Unauthorized('A LiveKit webhook must carry its signature in the Authorization header.')
  // LiveKit sends the bare JWT; a proxy or a hand-made test may add the Bearer scheme.
  const token = authorization.replace(/^Bearer\s+/i, '')
  try {
    return await receiver.receive(rawBody, token)
  } catch (error) {
    // The signature is checked before the body is parsed: a parse error means a signed, malformed body.
    if (error instanceof SyntaxError) throw new BadRequest('The webhook body is not JSON.')
    throw new Unauthorized('The webhook signature is not valid for this body (wrong key or secret, expired, or the body was changed).')
  }
}

/**
 * A learner joining their room opens (or continues) their sitting; leaving, or the room finishing,
 * closes it. Every event is safe to receive twice. Events for rooms that are not the participant's
 * own session, and participants that are not learners (the agent), change nothing.
 */
export async function handleWebhookEvent(app: FastifyInstance, event: WebhookEvent): Promise<WebhookResult> {
  const ignored = (reason: string): WebhookResult => ({ status: 'ignored', event: event.event, reason })
  const outcome = (result: PresenceOutcome): WebhookResult =>
    result.changed ? { status: 'handled', event: event.event } : { status: 'handled', event: event.event, reason: result.reason }
  const seconds = Number(event.createdAt)
  const at = seconds > 0 ? new Date(seconds * 1000) : new Date()
  const roomName = event.room?.name ?? ''

  switch (event.event) {
    case 'participant_joined':
    case 'participant_left': {
      const participant = event.participant
      if (!participant) return ignored('no participant in the event')
      if (participant.kind !== STANDARD_PARTICIPANT) return ignored('not a learner (the agent or another service participant)')
      const sessionId = sessionIdOfRoom(roomName)
      if (!sessionId) return ignored('not an Avaaz room')
      // The identity is the user id (our tokens say so); the room must be that user's own session.
      const [session] = await app.db.select({ id: tutorSessions.id }).from(tutorSessions).where(eq(tutorSessions.userId, participant.identity))
      if (session?.id !== sessionId) return ignored('the room is not this participant’s own session')
      if (event.event === 'participant_joined') return outcome(await learnerJoined(app, sessionId, at))
      // The same learner connected again (another tab, a new device): the newer connection carries on.
      if (participant.disconnectReason === DUPLICATE_IDENTITY) return ignored('replaced by a newer connection of the same learner')
      return outcome(await learnerLeft(app, sessionId, at))
    }
    case 'room_finished': {
      const sessionId = sessionIdOfRoom(roomName)
      if (!sessionId) return ignored('not an Avaaz room')
      return outcome(await learnerLeft(app, sessionId, at))
    }
    default:
      return ignored('event not used by Avaaz')
  }
}
