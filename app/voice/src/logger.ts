import { initializeLogger, loggerOptions } from '@livekit/agents'

/**
 * LiveKit Agents refuses to build a session before its process-wide logger exists, so the pipeline
 * sets one up itself, once: JSON lines at LOG_LEVEL (warn by default). A host that set it up first
 * (the LiveKit agent's CLI does) keeps its own.
 *
 * The library writes what learners said under `lk.pii.*` keys (at warn level too: "skipping user
 * input …"). Transcripts are not ours to log, so those keys are censored.
 */
export function ensureAgentsLogger(): void {
  if (loggerOptions()) return
  initializeLogger({ pretty: false, level: logLevel(process.env.LOG_LEVEL) })
  const key = Symbol.for('@livekit/agents:logger')
  const globals = globalThis as unknown as Record<symbol, PinoLike | undefined>
  const logger = globals[key]
  // The library reads its logger from this global on every call (log_core.ts); a child logger with
  // redaction stands in for it.
  if (logger) globals[key] = logger.child({}, { redact: { paths: PII_PATHS, censor: '[redacted]' } })
}

interface PinoLike {
  child(bindings: Record<string, unknown>, options: { redact: { paths: string[]; censor: string } }): PinoLike
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

function logLevel(value: string | undefined): string {
  const level = value?.trim().toLowerCase()
  return level && LEVELS.has(level) ? level : 'warn'
}

/** Every `lk.pii.*` key @livekit/agents 1.9.0 logs (grep 'lk.pii' in its src). */
const PII_KEYS = [
  'amd',
  'arguments',
  'audio_transcript',
  'chat_ctx',
  'confirmed_keyterms',
  'data',
  'error',
  'event',
  'function_tool',
  'input_text',
  'instructions',
  'keyterms',
  'message',
  'new_transcript',
  'output',
  'pending_keyterms',
  'raw_data',
  'removed_keyterms',
  'response',
  'tool_call',
  'transcript',
  'user_input',
  'user_message',
  'user_transcript',
  'ws_data',
]
const PII_PATHS = PII_KEYS.map((name) => `["lk.pii.${name}"]`)
