import type { RealtimeModelConfig } from '@avaaz/voice'
import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import { decodeJwt } from 'jose'
import { AccessToken, RoomAgentDispatch, RoomConfiguration, RoomServiceClient, TrackSource } from 'livekit-server-sdk'
import { requireOwnership, type Principal } from '../../core/auth/access.js'
import type { Config } from '../../core/config.js'
import { sittings, tutorSessions, type CefrLevel, type SessionMode, type Sitting, type TutorSession } from '../../core/db/schema/index.js'
import { ServiceUnavailable } from '../../core/errors.js'
import type { HealthCheck } from '../../core/health.js'
import { realtimeTutorContext, type RealtimeTutorContext } from '../sessions/exchanges.js'
import { closeSitting, ensureOpenSitting, learnerProfile, loadLearner } from '../sessions/service.js'
import { turnTakingFor } from '../voice/turn-taking.js'

/**
 * LiveKit: the production transport for real-time voice. The backend hands the browser a short-lived
 * room token (the agent is dispatched by it), learns from LiveKit's signed webhooks when the learner
 * comes and goes (sittings open and close), and serves the agent worker over `/api/v1/agent/…`.
 */

/** How long a room token can be used to join. A joined participant stays connected past it (LiveKit refreshes its token). */
export const LIVEKIT_TOKEN_TTL_SECONDS = 10 * 60

const ROOM_PREFIX = 'avaaz-'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** One room per tutor session: the learner's voice sittings all happen in it. */
export function roomNameFor(tutorSessionId: string): string {
  return `${ROOM_PREFIX}${tutorSessionId}`
}

/** The tutor session a room belongs to; null for rooms that are not ours. */
export function sessionIdOfRoom(room: string): string | null {
  if (!room.startsWith(ROOM_PREFIX)) return null
  const id = room.slice(ROOM_PREFIX.length)
  return UUID.test(id) ? id.toLowerCase() : null
}

export interface LiveKitTokenAnswer {
  transport: 'livekit'
  /** The LiveKit server the browser connects to (wss://…). */
  url: string
  token: string
  room: string
  expiresAt: string
}

/**
 * A token that lets the learner into their own session's room and nowhere else: join that one room,
 * publish the microphone only, subscribe (to hear the tutor) and send data (browser transcripts, typed
 * turns); no admin, create, list or record rights. The token's room configuration dispatches the
 * agent when the room starts, so the tutor is there when the learner arrives.
 */
export async function issueLiveKitToken(app: FastifyInstance, principal: Principal, session: TutorSession): Promise<LiveKitTokenAnswer> {
  const livekit = app.config.livekit
  if (!livekit) throw new ServiceUnavailable('Real-time voice over LiveKit is not configured on this server.')
  requireOwnership(principal, session.userId)
  // The plan-usage hook (checkVoiceAllowance) is asked by the token endpoint before it comes here.

  const room = roomNameFor(session.id)
  const accessToken = new AccessToken(livekit.apiKey, livekit.apiSecret, { identity: principal.userId, ttl: LIVEKIT_TOKEN_TTL_SECONDS })
  accessToken.addGrant({
    roomJoin: true,
    room,
    canPublish: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canSubscribe: true,
    canPublishData: true,
  })
  accessToken.roomConfig = new RoomConfiguration({ agents: [new RoomAgentDispatch({ agentName: livekit.agentName })] })
  const token = await accessToken.toJwt()
  // The expiry the token itself carries (the SDK stamps it), not a second clock reading.
  const { exp } = decodeJwt(token)
  return { transport: 'livekit', url: livekit.url, token, room, expiresAt: new Date(exp! * 1000).toISOString() }
}

// --- turn-taking and the agent's context ------------------------------------------------------------

export type AgentSpeechToText = { kind: 'browser' } | { kind: 'openai'; model: string; baseURL?: string; language: string }
export type AgentSpeech = { kind: 'espeak'; voice: string } | { kind: 'openai'; model: string; voice: string; baseURL?: string }

export interface AgentContext {
  userId: string
  sessionId: string
  room: string
  level: CefrLevel
  mode: SessionMode
  turnTaking: { endOfTurnSilenceMs: number; allowInterruptions: boolean }
  engines: { speechToText: AgentSpeechToText; speech: AgentSpeech; tutor: string }
  keepAudio: boolean
  /** A realtime model for this conversation (its key is the agent's own); null: the pipeline with the engines above. */
  realtime: (Omit<RealtimeModelConfig, 'apiKey'> & RealtimeTutorContext) | null
}

/**
 * What the agent's voice pipeline needs for one learner. Engine keys are not included: the agent has
 * its own (OPENAI_API_KEY in its environment), so no secret travels over the API.
 */
export async function agentContext(app: FastifyInstance, session: TutorSession): Promise<AgentContext> {
  const { user } = await loadLearner(app, session.userId)
  const { level } = learnerProfile(user)
  const { speechToText, speech, realtime: realtimeModel } = app.config.voice
  const realtime = realtimeModel ? await realtimeTutorContext(app, session.userId) : null
  return {
    userId: session.userId,
    sessionId: session.id,
    room: roomNameFor(session.id),
    level,
    mode: session.mode,
    turnTaking: turnTakingFor(level, session.mode),
    engines: {
      speechToText:
        speechToText.kind === 'openai'
          ? { kind: 'openai', model: speechToText.model, language: 'nb', ...(speechToText.baseURL ? { baseURL: speechToText.baseURL } : {}) }
          : { kind: 'browser' },
      speech:
        speech.kind === 'openai'
          ? { kind: 'openai', model: speech.model, voice: speech.voice, ...(speech.baseURL ? { baseURL: speech.baseURL } : {}) }
          : { kind: 'espeak', voice: 'nb' },
      tutor: app.tutor.ai.provider,
    },
    keepAudio: user.preferences.keepAudio,
    realtime:
      realtimeModel && realtime
        ? {
            provider: realtimeModel.provider,
            model: realtimeModel.model,
            voice: realtimeModel.voice,
            ...(realtimeModel.baseURL ? { baseURL: realtimeModel.baseURL } : {}),
            ...(realtimeModel.provider === 'openai' && realtimeModel.transcriptionModel ? { transcriptionModel: realtimeModel.transcriptionModel } : {}),
            ...realtime,
          }
        : null,
  }
}

// --- sittings: the learner joins and leaves the room ------------------------------------------------------

export type PresenceOutcome = { changed: true; sitting: Sitting } | { changed: false; reason: string; sitting: Sitting | null }

async function openSittingOf(app: FastifyInstance, sessionId: string): Promise<Sitting | undefined> {
  const [open] = await app.db
    .select()
    .from(sittings)
    .where(and(eq(sittings.tutorSessionId, sessionId), isNull(sittings.endedAt)))
    .orderBy(desc(sittings.startedAt))
    .limit(1)
  return open
}

/**
 * The learner joined the room: open a sitting, or continue the open one (a reconnect, or typing
 * before speaking). Safe to repeat: LiveKit retries webhooks, and the agent reports the join too.
 * A join older than the end of the last sitting is a late delivery, not a new visit, and is ignored.
 */
export async function learnerJoined(app: FastifyInstance, sessionId: string, at: Date): Promise<PresenceOutcome> {
  const release = await app.tutor.lock.acquire(sessionId)
  try {
    const [session] = await app.db.select().from(tutorSessions).where(eq(tutorSessions.id, sessionId))
    if (!session) return { changed: false, reason: 'no such session', sitting: null }
    if (!(await openSittingOf(app, sessionId))) {
      const [last] = await app.db
        .select()
        .from(sittings)
        .where(and(eq(sittings.tutorSessionId, sessionId), isNotNull(sittings.endedAt)))
        .orderBy(desc(sittings.endedAt))
        .limit(1)
      if (last?.endedAt && at < last.endedAt) return { changed: false, reason: 'stale join: a later sitting already ended', sitting: last }
    }
    const { sitting } = await ensureOpenSitting(app, session, 'livekit', new Date())
    return { changed: true, sitting }
  } finally {
    release()
  }
}

/**
 * The learner left the room (or the room closed): the open sitting ends, its summary is queued.
 * Safe to repeat; a leave older than the open sitting's start (a late delivery after a rejoin) does
 * not end the newer sitting.
 */
export async function learnerLeft(app: FastifyInstance, sessionId: string, at: Date): Promise<PresenceOutcome> {
  const release = await app.tutor.lock.acquire(sessionId)
  try {
    const open = await openSittingOf(app, sessionId)
    if (!open) return { changed: false, reason: 'no open sitting', sitting: null }
    // Webhook times have whole seconds; a sitting opened within the same second still ends.
    if (open.startedAt.getTime() > at.getTime() + 1_000) return { changed: false, reason: 'stale leave: the sitting began after it', sitting: open }
    const closed = await closeSitting(app, open.id, 'disconnect', new Date(Math.min(at.getTime(), Date.now())))
    return closed ? { changed: true, sitting: closed } : { changed: false, reason: 'already closed', sitting: open }
  } finally {
    release()
  }
}

// --- readiness --------------------------------------------------------------------------------------

/** Probes come every few seconds; LiveKit is asked at most this often. */
const HEALTH_CACHE_MS = 10_000

/**
 * `/health/ready` asks LiveKit's room service for a room that never exists (a cheap, authenticated
 * call). Not required: text sessions go on without it, so a LiveKit outage only marks the backend
 * degraded, and the check says plainly that voice over LiveKit is down.
 */
export function livekitHealthCheck(livekit: NonNullable<Config['livekit']>): HealthCheck {
  const client = new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret, { requestTimeout: 2, failover: false })
  let last: { at: number; result: Promise<Record<string, unknown>> } | undefined
  const probe = async () => {
    try {
      await client.listRooms(['avaaz-health-probe'])
    } catch (error) {
      throw new Error(`LiveKit is unreachable at ${livekit.url} (${describeFailure(error)}): real-time voice over LiveKit cannot start until it is back`)
    }
    return { url: livekit.url, reachable: true }
  }
  return {
    name: 'livekit',
    required: false,
    timeoutMs: 3_000,
    check: () => {
      if (!last || Date.now() - last.at > HEALTH_CACHE_MS) last = { at: Date.now(), result: probe() }
      return last.result
    },
  }
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const status = (error as { status?: unknown }).status
  if (typeof status === 'number') return `answered ${status}${status === 401 ? ': check LIVEKIT_API_KEY and LIVEKIT_API_SECRET' : ''}`
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  return typeof cause?.code === 'string' ? cause.code : error.message
}
