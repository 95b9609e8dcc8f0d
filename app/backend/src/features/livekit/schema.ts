import { z } from 'zod'
import { cefrLevels, sessionModes, turnSources } from '../../core/db/schema/index.js'
import { sittingSchema, turnRequestSchema, turnSchema } from '../sessions/schema.js'

export const webhookResultSchema = z
  .object({
    status: z.enum(['handled', 'ignored']).describe('ignored: an event Avaaz does not use, or one that does not match a learner’s own room'),
    event: z.string().describe('The LiveKit event name'),
    reason: z.string().optional().describe('Why an event was ignored or changed nothing'),
  })
  .meta({ id: 'LiveKitWebhookResult' })

export const agentParamsSchema = z.object({ userId: z.string().min(1).max(64).describe('The learner the agent acts for (their LiveKit identity)') })

export const agentTurnAudioParamsSchema = agentParamsSchema.extend({
  turnId: z.uuid().describe('One of this learner’s stored turns: their own words, or a reply spoken to them'),
})

/** Kept turn audio as the agent sends it: raw PCM16 (RFC 2586 `audio/L16`), mono, at one of these rates, at most this long. */
export const TURN_AUDIO_MEDIA_TYPE = 'audio/L16'
export const TURN_AUDIO_MIN_RATE = 8_000
export const TURN_AUDIO_MAX_RATE = 48_000
export const TURN_AUDIO_MAX_SECONDS = 120

export const agentTurnAudioResultSchema = z
  .object({
    stored: z.boolean().describe('false: the learner does not keep audio, or the turn is not theirs or already has its audio'),
  })
  .meta({ id: 'AgentTurnAudioResult' })

const turnTakingSchema = z.object({
  endOfTurnSilenceMs: z.number().int().describe('Silence after speech before the learner’s turn ends: A1 1600, A2 1200, B1 800, B2 600'),
  allowInterruptions: z.boolean().describe('Whether the learner’s speech stops the tutor (never in a mock exam)'),
})

export const agentContextSchema = z
  .object({
    userId: z.string(),
    sessionId: z.uuid().describe('The learner’s tutor session'),
    room: z.string().describe('The LiveKit room of that session'),
    level: z.enum(cefrLevels),
    mode: z.enum(sessionModes),
    turnTaking: turnTakingSchema,
    engines: z
      .object({
        speechToText: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('browser') }).describe('Text comes from the browser’s own recognition, as data messages'),
          z.object({ kind: z.literal('openai'), model: z.string(), baseURL: z.string().optional(), language: z.string() }),
        ]),
        speech: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('espeak'), voice: z.string() }),
          z.object({ kind: z.literal('openai'), model: z.string(), voice: z.string(), baseURL: z.string().optional() }),
        ]),
        tutor: z.string().describe('What answers: the language-model provider, or offline (the scripted tutor); told to the browser in `ready`'),
      })
      .describe('Speech engines as this backend is configured; keys are not sent (the agent has its own OPENAI_API_KEY)'),
    keepAudio: z.boolean().describe('Whether the learner keeps their audio: only then is a turn’s audio worth sending (PUT …/turns/{turnId}/audio checks again)'),
    realtime: z
      .object({
        provider: z.enum(['openai', 'gemini']),
        model: z.string(),
        voice: z.string(),
        baseURL: z.string().optional(),
        transcriptionModel: z.string().optional().describe('OpenAI: the model that transcribes the learner'),
        instructions: z.string().describe('The tutor’s instructions for this learner'),
        history: z.array(z.object({ role: z.enum(['learner', 'tutor']), text: z.string() })).describe('The conversation so far, oldest first, as messages'),
      })
      .nullable()
      .describe(
        'A realtime model to hold this conversation (free conversation with VOICE_TUTOR set), the key being the agent’s own ' +
          '(OPENAI_API_KEY or GOOGLE_GENERATIVE_AI_API_KEY); exchanges are then stored with POST …/exchanges. Null: the pipeline with the engines above.',
      ),
  })
  .meta({ id: 'AgentContext' })

export const presenceResultSchema = z
  .object({
    changed: z.boolean().describe('false: nothing to do (already open / already closed), which is not an error'),
    reason: z.string().optional(),
    sitting: sittingSchema.nullable(),
  })
  .meta({ id: 'AgentPresenceResult' })

/**
 * A final learner turn from the agent. As the learner's own turn request, except that the source may
 * be `speech_engine`: the agent's server-side speech-to-text (the default here).
 */
export const agentTurnRequestSchema = turnRequestSchema
  .extend({ source: z.enum(turnSources).default('speech_engine') })
  .meta({ id: 'AgentTurnRequest' })

export const latencyRequestSchema = z
  .object({
    clientTurnId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).describe('The learner turn the reply answered'),
    latencyMs: z.number().int().min(0).max(600_000).describe('End of the learner’s speech → first tutor audio out'),
  })
  .strict()
  .meta({ id: 'AgentLatencyRequest' })

export const agentExchangeRequestSchema = z
  .object({
    learner: agentTurnRequestSchema.nullable().describe('What the learner said or typed; null when the model transcribed no words'),
    reply: z
      .object({
        text: z.string().max(20_000).describe('What the model said, as it transcribed its own speech (up to any barge-in); may be empty'),
        interrupted: z.boolean(),
        latencyMs: z.number().int().min(0).max(600_000).nullable().describe('End of the learner’s speech → first audio out'),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'AgentExchangeRequest' })

export const agentExchangeResultSchema = z
  .object({
    learner: turnSchema.nullable(),
    tutor: turnSchema.nullable(),
    mode: z.enum(sessionModes).describe('The session’s mode now: anything but free means the agent should start its pipeline over (a lesson or mock exam began)'),
  })
  .meta({ id: 'AgentExchangeResult' })
