import { endianness } from 'node:os'
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { WebhookReceiver } from 'livekit-server-sdk'
import { z } from 'zod'
import { BadRequest, PayloadTooLarge, UnsupportedMediaType } from '../../core/errors.js'
import { problemSchema } from '../../core/http/problem.js'
import { sendTurnStream } from '../sessions/routes.js'
import { toSittingView } from '../sessions/service.js'
import { beginLearnerTurn } from '../sessions/turns.js'
import { agentServiceToken, requireAgentFor } from './agent-auth.js'
import { recordSpokenExchange } from '../sessions/exchanges.js'
import {
  agentContextSchema,
  agentExchangeRequestSchema,
  agentExchangeResultSchema,
  agentParamsSchema,
  agentTurnAudioParamsSchema,
  agentTurnAudioResultSchema,
  agentTurnRequestSchema,
  latencyRequestSchema,
  presenceResultSchema,
  TURN_AUDIO_MAX_RATE,
  TURN_AUDIO_MAX_SECONDS,
  TURN_AUDIO_MEDIA_TYPE,
  TURN_AUDIO_MIN_RATE,
  webhookResultSchema,
} from './schema.js'
import { agentContext, learnerJoined, learnerLeft, livekitHealthCheck, type PresenceOutcome } from './service.js'
import { recordReplyLatency } from '../voice/bridge.js'
import { storeTurnAudio } from '../voice/turn-audio.js'
import { handleWebhookEvent, receiveWebhook } from './webhook.js'

/** LiveKit's webhook events are a few hundred bytes; nothing legitimate comes near this. */
const WEBHOOK_BODY_LIMIT = 64 * 1024

/** A turn's audio from the agent: the longest kept (120 s) at the highest rate (48 kHz), as PCM16. */
const TURN_AUDIO_BODY_LIMIT = TURN_AUDIO_MAX_RATE * 2 * TURN_AUDIO_MAX_SECONDS

const agentErrors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema }

const onlyWithLiveKit = 'Registered only when LiveKit is configured (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET).'
const agentOnly =
  'For the LiveKit agent worker only: `Authorization: Bearer <service token>`, an HS256 JWT signed with AGENT_SERVICE_SECRET ' +
  "(iss avaaz-agent, aud avaaz-backend, sub agent, uid = this user id, sid = the learner's tutor session id, lifetime at most 10 minutes). " +
  'A learner’s cookie or token is refused (401); a token for another learner is refused (403). ' +
  onlyWithLiveKit

const turnStreamDescription =
  'As `POST /api/v1/sessions/default/turns`, acting as the learner: Server-Sent Events `turn`, then `correction`, `delta`, `visual`, `state`, `line` ' +
  'as the reply comes, then `done` {turn, replayed} or `error` {code, message, retryable, turn}.'

// The agent serves every learner from one address, so its calls are limited per learner, not per IP.
const perLearner = { rateLimit: { keyGenerator: (request: FastifyRequest) => `agent:${(request.params as { userId?: string }).userId ?? ''}` } }

const presenceView = (outcome: PresenceOutcome) => ({
  changed: outcome.changed,
  ...(outcome.changed ? {} : { reason: outcome.reason }),
  sitting: outcome.sitting ? toSittingView(outcome.sitting) : null,
})

/**
 * The webhook in a scope of its own: the signature covers the exact bytes sent, so here the body is
 * kept as text instead of being parsed.
 */
const webhookRoute: FastifyPluginAsyncZod<{ receiver: WebhookReceiver }> = async (app, { receiver }) => {
  app.addContentTypeParser('application/webhook+json', { parseAs: 'string', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => {
    done(null, body)
  })
  app.post(
    '/livekit/webhook',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: {
        tags: ['livekit'],
        summary: 'LiveKit webhook: the learner joined or left their room, or the room finished',
        description:
          'Signed by LiveKit: `Authorization` is a JWT signed with the API secret whose `sha256` claim is the SHA-256 of the body. ' +
          'participant_joined opens or continues the learner’s sitting; participant_left and room_finished close it. ' +
          'Unsigned or tampered calls are refused (401); other events, and rooms that are not the participant’s own session, are ignored (200). ' +
          onlyWithLiveKit,
        consumes: ['application/webhook+json'],
        body: z.string().describe('A LiveKit WebhookEvent as protobuf JSON'),
        response: { 200: webhookResultSchema, 400: problemSchema, 401: problemSchema },
      },
    },
    async (request) => {
      const event = await receiveWebhook(receiver, request.body, request.headers.authorization)
      const result = await handleWebhookEvent(app, event)
      // Neither identities nor room names are logged: they lead to a person.
      request.log.info({ livekitEvent: result.event, status: result.status, reason: result.reason }, 'LiveKit webhook')
      return result
    },
  )
}

const l16Expected = `${TURN_AUDIO_MEDIA_TYPE}; rate=<${TURN_AUDIO_MIN_RATE}…${TURN_AUDIO_MAX_RATE}> (PCM16 little-endian, mono; \`channels=1\` may be given)`

/**
 * The sample rate of an RFC 2586 content type, `audio/L16; rate=<8000…48000>` with `channels=1` at
 * most beside it; anything else is refused (415).
 */
function l16SampleRate(contentType: string | undefined): number {
  const refused = new UnsupportedMediaType(`Send the audio as ${l16Expected}.`)
  const [type = '', ...parameters] = (contentType ?? '').split(';')
  if (type.trim().toLowerCase() !== TURN_AUDIO_MEDIA_TYPE.toLowerCase()) throw refused
  const given = new Map<string, number>()
  for (const parameter of parameters) {
    if (!parameter.trim()) continue
    const match = /^\s*([A-Za-z-]+)\s*=\s*(?:(\d{1,6})|"(\d{1,6})")\s*$/.exec(parameter)
    const name = match?.[1]!.toLowerCase()
    if (!match || (name !== 'rate' && name !== 'channels') || given.has(name)) throw refused
    given.set(name, Number(match[2] ?? match[3]))
  }
  const rate = given.get('rate')
  if (rate === undefined || rate < TURN_AUDIO_MIN_RATE || rate > TURN_AUDIO_MAX_RATE || (given.get('channels') ?? 1) !== 1) throw refused
  return rate
}

/** Little-endian PCM16 bytes as samples, copied (the body need not be 2-byte aligned). */
function pcm16le(body: Buffer): Int16Array {
  const samples = new Int16Array(body.length / 2)
  if (endianness() === 'LE') new Uint8Array(samples.buffer).set(body.subarray(0, samples.length * 2))
  else for (let index = 0; index < samples.length; index++) samples[index] = body.readInt16LE(index * 2)
  return samples
}

/**
 * A turn's audio from the agent, in a scope of its own: the body is raw audio, and nothing else is
 * parsed here (JSON included: 415).
 */
const turnAudioRoute: FastifyPluginAsyncZod = async (app) => {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser(TURN_AUDIO_MEDIA_TYPE, { parseAs: 'buffer', bodyLimit: TURN_AUDIO_BODY_LIMIT }, (_request, body, done) => {
    done(null, body)
  })
  app.put(
    '/agent/sessions/:userId/turns/:turnId/audio',
    {
      bodyLimit: TURN_AUDIO_BODY_LIMIT,
      config: perLearner,
      // Up to 11.5 MB of body: whose call it is, and what it sends, are checked before any of it is read.
      onRequest: async (request) => {
        await requireAgentFor(request, (request.params as { userId: string }).userId)
        l16SampleRate(request.headers['content-type'])
      },
      schema: {
        tags: ['agent'],
        summary: 'The audio of one of the learner’s turns (their words, or a reply as it was spoken), kept if the learner keeps audio',
        description:
          `The body is ${l16Expected}, at most ${TURN_AUDIO_MAX_SECONDS} seconds of it; it is stored as Ogg Opus, linked from that turn once, ` +
          'and served to the learner as the WebSocket transport’s kept audio is. A learner who does not keep audio, another learner’s turn ' +
          `or a turn that already has its audio: nothing is stored (200, stored false). Another content type is refused (415), an odd length or an empty body (400), a longer recording (413). ${agentOnly}`,
        security: agentServiceToken,
        params: agentTurnAudioParamsSchema,
        consumes: [TURN_AUDIO_MEDIA_TYPE],
        body: z.instanceof(Buffer).meta({ type: 'string', format: 'binary', description: 'PCM16 little-endian mono samples' }),
        response: { 200: agentTurnAudioResultSchema, ...agentErrors, 413: problemSchema, 415: problemSchema },
      },
    },
    async (request) => {
      const sampleRate = l16SampleRate(request.headers['content-type'])
      const body = request.body
      if (body.length === 0 || body.length % 2 !== 0) throw new BadRequest('The body is PCM16: a whole number of 2-byte samples, at least one.')
      if (body.length / 2 > sampleRate * TURN_AUDIO_MAX_SECONDS) throw new PayloadTooLarge(`A turn’s audio is at most ${TURN_AUDIO_MAX_SECONDS} seconds long.`)
      const { userId, turnId } = request.params
      return { stored: await storeTurnAudio(app, userId, { turnId, pcm: pcm16le(body), sampleRate }) }
    },
  )
}

/**
 * LiveKit's side of the backend: the signed webhook (sittings follow the learner in and out of the
 * room) and the agent worker's API. `/health/ready` gains a `livekit` check. The token the browser
 * joins with comes from `issueLiveKitToken` (service.ts), called by the voice token endpoint.
 */
export const livekitRoutes: FastifyPluginAsyncZod = async (app) => {
  const livekit = app.config.livekit
  if (!livekit) throw new Error('livekitRoutes needs LiveKit to be configured')
  app.health.register(livekitHealthCheck(livekit))
  const receiver = new WebhookReceiver(livekit.apiKey, livekit.apiSecret)

  await app.register(webhookRoute, { receiver })
  await app.register(turnAudioRoute)

  app.get(
    '/agent/sessions/:userId/context',
    {
      config: perLearner,
      schema: {
        tags: ['agent'],
        summary: 'What the agent’s voice pipeline needs for this learner: level, mode, turn-taking, speech engines',
        description: agentOnly,
        security: agentServiceToken,
        params: agentParamsSchema,
        response: { 200: agentContextSchema, ...agentErrors },
      },
    },
    async (request) => {
      const { session } = await requireAgentFor(request, request.params.userId)
      return agentContext(app, session)
    },
  )

  app.post(
    '/agent/sessions/:userId/join',
    {
      config: perLearner,
      schema: {
        tags: ['agent'],
        summary: 'The learner is in the room: open or continue their sitting (as the participant_joined webhook; safe to repeat)',
        description: agentOnly,
        security: agentServiceToken,
        params: agentParamsSchema,
        body: z.object({}).strict().nullish().describe('No fields; may be omitted'),
        response: { 200: presenceResultSchema, ...agentErrors },
      },
    },
    async (request) => {
      const { session } = await requireAgentFor(request, request.params.userId)
      return presenceView(await learnerJoined(app, session.id, new Date()))
    },
  )

  app.post(
    '/agent/sessions/:userId/leave',
    {
      config: perLearner,
      schema: {
        tags: ['agent'],
        summary: 'The learner left the room: close their open sitting (as the participant_left webhook; safe to repeat)',
        description: agentOnly,
        security: agentServiceToken,
        params: agentParamsSchema,
        body: z.object({}).strict().nullish().describe('No fields; may be omitted'),
        response: { 200: presenceResultSchema, ...agentErrors },
      },
    },
    async (request) => {
      const { session } = await requireAgentFor(request, request.params.userId)
      return presenceView(await learnerLeft(app, session.id, new Date()))
    },
  )

  app.post(
    '/agent/sessions/:userId/turns',
    {
      config: perLearner,
      schema: {
        tags: ['agent'],
        summary: 'A final learner turn heard by the agent; the tutor’s reply streams back as Server-Sent Events',
        description: `${turnStreamDescription} ${agentOnly}`,
        security: agentServiceToken,
        params: agentParamsSchema,
        body: agentTurnRequestSchema,
        produces: ['text/event-stream'],
        response: { 200: z.string().describe(turnStreamDescription), ...agentErrors, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const { principal } = await requireAgentFor(request, request.params.userId)
      // The learner's own route refuses `speech_engine` (a browser cannot claim it); the agent's
      // speech-to-text is exactly that, and the stored turn takes any source.
      // As for the learner's own turns: the reply runs to the end even if the agent goes away.
      return sendTurnStream(request, reply, await beginLearnerTurn(app, principal, request.body as Parameters<typeof beginLearnerTurn>[2]))
    },
  )

  app.post(
    '/agent/sessions/:userId/latency',
    {
      config: perLearner,
      schema: {
        tags: ['agent'],
        summary: 'A reply was spoken: its latency (end of the learner’s speech → first audio out), stored on the reply turn once',
        description: agentOnly,
        security: agentServiceToken,
        params: agentParamsSchema,
        body: latencyRequestSchema,
        response: { 200: z.object({ recorded: z.boolean().describe('false: no such turn, or its latency is already stored') }), ...agentErrors },
      },
    },
    async (request) => {
      await requireAgentFor(request, request.params.userId)
      return { recorded: await recordReplyLatency(app, request.params.userId, request.body.clientTurnId, request.body.latencyMs, 'livekit') }
    },
  )

  app.post(
    '/agent/sessions/:userId/exchanges',
    {
      config: perLearner,
      schema: {
        tags: ['agent'],
        summary: 'An exchange a realtime model held with the learner: their turn (once per client turn id) and the reply, stored',
        description: `Stored as a typed turn and its reply are (practice time, rule-based corrections); a repeated client turn id returns what was stored. ${agentOnly}`,
        security: agentServiceToken,
        params: agentParamsSchema,
        body: agentExchangeRequestSchema,
        response: { 200: agentExchangeResultSchema, ...agentErrors, 409: problemSchema },
      },
    },
    async (request) => {
      const { principal } = await requireAgentFor(request, request.params.userId)
      const { learner, reply } = request.body
      const stored = await recordSpokenExchange(app, principal, { learner, reply }, 'livekit')
      if (reply.latencyMs !== null) app.metrics.voiceReplyLatency.observe({ transport: 'livekit' }, reply.latencyMs / 1000)
      return stored
    },
  )
}
