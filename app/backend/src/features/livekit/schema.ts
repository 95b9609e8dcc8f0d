import { z } from 'zod'
import { cefrLevels, sessionModes, turnSources } from '../../core/db/schema/index.js'
import { sittingSchema, turnRequestSchema } from '../sessions/schema.js'

export const webhookResultSchema = z
  .object({
    status: z.enum(['handled', 'ignored']).describe('ignored: an event Avaaz does not use, or one that does not match a learner’s own room'),
    event: z.string().describe('The LiveKit event name'),
    reason: z.string().optional().describe('Why an event was ignored or changed nothing'),
  })
  .meta({ id: 'LiveKitWebhookResult' })

export const agentParamsSchema = z.object({ userId: z.string().min(1).max(64).describe('The learner the agent acts for (their LiveKit identity)') })

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
