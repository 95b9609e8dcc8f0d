import type { components } from '@/lib/api/schema'

/**
 * The voice protocol, version 1 (docs/voice-protocol.md): the ticket, the JSON messages both ways and
 * the close codes. Payloads that are API objects (turns, corrections, visual aids, state changes) use
 * the generated schema types; the rest is spelled out here, as the protocol document has it.
 */

export const PROTOCOL_VERSION = 1
/** What the microphone audio is sent at (the protocol's recommendation). */
export const INPUT_SAMPLE_RATE = 16_000
/** What the tutor's audio comes at unless `ready` says otherwise. */
export const DEFAULT_OUTPUT_SAMPLE_RATE = 24_000
export const TOKEN_PATH = '/api/v1/sessions/default/token'

type Turn = components['schemas']['Turn']

export type SpeechToTextMode = 'server' | 'browser'

export type VoiceTicket =
  | { transport: 'websocket'; url: string; ticket: string; expiresAt: string }
  | { transport: 'livekit'; url: string; token: string; room: string; expiresAt: string }

export const closeCodes = {
  normal: 1000,
  badTicket: 4001,
  protocolError: 4002,
  tooFast: 4008,
  serverFailed: 1011,
  /** The server has no room for another voice connection now (the backend's `busy`). */
  tryAgainLater: 1013,
} as const

export interface ReadyMessage {
  type: 'ready'
  protocol: number
  sittingId: string
  inputSampleRate: number
  outputSampleRate: number
  engines: { speechToText: string; tutor: string; speech: string }
  turnTaking: { endOfTurnSilenceMs: number; interruptions: boolean }
}

export type VoiceErrorCode = 'bad_ticket' | 'bad_message' | 'bad_frame' | 'wrong_sample_rate' | 'too_fast' | 'tutor_unavailable' | 'exam_over' | 'internal'

export type AgentState = 'listening' | 'thinking' | 'speaking'
export type UserState = 'listening' | 'speaking'

export type ServerMessage =
  | ReadyMessage
  | { type: 'state'; agent: AgentState; user: UserState }
  | { type: 'transcript'; text: string; final: boolean }
  | { type: 'turn'; turn: Turn }
  | { type: 'delta'; text: string }
  | { type: 'correction'; correction: components['schemas']['Correction'] }
  | { type: 'visual'; aid: components['schemas']['VisualAid'] }
  | { type: 'change'; change: components['schemas']['TutorStateChange'] }
  | { type: 'line'; turn: Turn }
  | { type: 'speech'; event: 'start' | 'end'; interrupted: boolean }
  | { type: 'latency'; turnId: string; ms: number }
  | { type: 'error'; code: VoiceErrorCode | (string & {}); message: string; fatal: boolean }

export type ClientMessage =
  | { type: 'hello'; protocol: number; sampleRate: number; speechToText: SpeechToTextMode }
  | { type: 'transcript'; clientTurnId: string; text: string; final: boolean }
  | { type: 'text'; clientTurnId: string; text: string }
  | { type: 'interrupt' }
  | { type: 'end' }

const serverTypes: ReadonlySet<string> = new Set(['ready', 'state', 'transcript', 'turn', 'delta', 'correction', 'visual', 'change', 'line', 'speech', 'latency', 'error'])

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A server text frame as a message, or null for anything this client does not understand (a newer
 * server may add message types; they are skipped, not fatal). Only the fields the client relies on to
 * route a message are checked; the payloads are the server's API objects.
 */
export function parseServerMessage(data: string): ServerMessage | null {
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return null
  }
  if (!isObject(value) || typeof value.type !== 'string' || !serverTypes.has(value.type)) return null
  switch (value.type) {
    case 'turn':
    case 'line':
      return isObject(value.turn) && typeof value.turn.id === 'string' && typeof value.turn.role === 'string' ? (value as ServerMessage) : null
    case 'delta':
    case 'transcript':
      return typeof value.text === 'string' ? (value as ServerMessage) : null
    case 'error':
      return typeof value.code === 'string' ? ({ message: '', fatal: false, ...value } as ServerMessage) : null
    case 'speech':
      return value.event === 'start' || value.event === 'end' ? ({ interrupted: false, ...value } as ServerMessage) : null
    default:
      return value as ServerMessage
  }
}

/** A client turn id as the protocol wants it: 8–64 letters, digits, `-` or `_` (a UUID is one). */
export function newClientTurnId(): string {
  return crypto.randomUUID()
}

export const isClientTurnId = (value: string) => /^[A-Za-z0-9_-]{8,64}$/.test(value)
