import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { RealtimeModelConfig } from '@avaaz/voice'
import { z } from 'zod'

/**
 * Configuration is parsed once, here, from the environment. The rest of the code receives the typed
 * `Config` and never reads `process.env` itself.
 */

const commaList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes')

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL')
  .refine((value) => URL.canParse(value), 'is not a valid URL')

/**
 * Where the tutor's language model runs. `offline` is the scripted tutor (no model, no network);
 * `openai-compatible` is any server speaking OpenAI's chat-completions API (Ollama, vLLM, llama.cpp).
 */
export const aiProviders = ['offline', 'openai', 'google', 'openai-compatible'] as const
export type AiProviderName = (typeof aiProviders)[number]

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  CONTENT_DIR: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CORS_ORIGINS: commaList.optional(),
  TRUST_PROXY: commaList.optional(),
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(300),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(60_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  SMTP_URL: z
    .string()
    .refine((value) => /^smtps?:\/\//.test(value) && URL.canParse(value), 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Avaaz <no-reply@avaaz.local>'),
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(10),
  AUTH_RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(15 * 60_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOBS_ENABLED: booleanFlag.default(true),
  JOBS_POLLING_INTERVAL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  AI_PROVIDER: z.enum(aiProviders).optional(),
  AI_MODEL: z.string().min(1).optional(),
  AI_SUMMARY_MODEL: z.string().min(1).optional(),
  AI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  AI_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  GOOGLE_GENERATIVE_AI_API_KEY: z.string().min(1).optional(),
  AI_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
  WEB_ENABLED: z.enum(['auto', 'true', 'false']).default('auto'),
  WEB_DIR: z.string().min(1).optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  TURN_MAX_CHARS: z.coerce.number().int().min(100).max(20_000).default(2_000),
  VOICE_ENABLED: booleanFlag.default(true),
  VOICE_STT: z.enum(['browser', 'openai']).optional(),
  VOICE_STT_MODEL: z.string().min(1).default('gpt-4o-mini-transcribe'),
  VOICE_STT_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  VOICE_TTS: z.enum(['espeak', 'openai']).optional(),
  VOICE_TTS_MODEL: z.string().min(1).default('gpt-4o-mini-tts'),
  VOICE_TTS_VOICE: z.string().min(1).default('alloy'),
  ESPEAK_COMMAND: z.string().min(1).default('espeak-ng'),
  VOICE_MAX_SESSIONS: z.coerce.number().int().min(1).max(1_000).default(50),
  VOICE_TUTOR: z.enum(['pipeline', 'openai-realtime', 'gemini-live']).default('pipeline'),
  VOICE_REALTIME_MODEL: z.string().min(1).optional(),
  VOICE_REALTIME_VOICE: z.string().min(1).optional(),
  VOICE_REALTIME_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LIVEKIT_URL: z.url({ protocol: /^wss?$/ }).optional(),
  LIVEKIT_API_KEY: z.string().min(1).optional(),
  LIVEKIT_API_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  LIVEKIT_AGENT_NAME: z.string().min(1).default('avaaz-tutor'),
  AGENT_SERVICE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
})

type Env = z.infer<typeof envSchema>


/** Models used when AI_MODEL is not set (the providers' small, fast, inexpensive chat models). */
export const defaultAiModels: Record<Exclude<AiProviderName, 'offline' | 'openai-compatible'>, string> = {
  openai: 'gpt-4.1-mini',
  google: 'gemini-2.5-flash',
}

export type AiConfig =
  | { provider: 'offline'; timeoutMs: number }
  | {
      provider: Exclude<AiProviderName, 'offline'>
      model: string
      /** Model for sitting summaries (structured output); the tutor model when not set. */
      summaryModel: string
      apiKey: string | undefined
      /** Required for openai-compatible; optional for openai (a proxy). */
      baseUrl: string | undefined
      /** Longest a tutor reply may take before it is cut off and marked incomplete. */
      timeoutMs: number
    }

export interface Config {
  env: Env['NODE_ENV']
  isProduction: boolean
  isDevelopment: boolean
  host: string
  port: number
  /** The URL people use to reach the product; links in mail and the start banner use it. */
  publicUrl: string
  dataDir: string
  /** The curriculum content pack; undefined means the one shipped with the backend. */
  contentDir: string | undefined
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string; poolSize: number }
  authSecret: string
  corsOrigins: string[]
  /** Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is trusted. Empty: none. */
  trustProxy: string[]
  rateLimit: { max: number; windowMs: number }
  /** Stricter limit per client IP for sign-in, sign-up, password reset and verification mail. */
  authRateLimit: { max: number; windowMs: number }
  /** SMTP in production; without it (development, tests) mail goes to the outbox in the data directory. */
  mail: { transport: 'smtp'; smtpUrl: string; from: string } | { transport: 'outbox'; outboxDir: string; from: string }
  bodyLimitBytes: number
  logLevel: Env['LOG_LEVEL']
  jobs: { enabled: boolean; pollingIntervalSeconds: number }
  ai: AiConfig
  /**
   * The web app served on the same origin. `auto`: when a production build exists in `dir`;
   * `true`: required (start fails without a build); `false`: API only.
   */
  web: { mode: 'auto' | 'true' | 'false'; dir: string | undefined }
  sessions: {
    /** Inactivity after which a sitting closes (and its summary is written). */
    idleMinutes: number
    /** Longest learner text a turn accepts. */
    maxTurnChars: number
  }
  voice: VoiceConfig
  /** LiveKit (production real-time media); null: voice runs over the backend's own WebSocket. */
  livekit: { url: string; apiKey: string; apiSecret: string; agentName: string } | null
  /** Shared with the LiveKit agent, which calls the backend's API with service tokens signed by it. */
  agentServiceSecret: string | null
  /** Bearer token of the Prometheus scraper; without it there is no /metrics. */
  metricsToken: string | null
}

/** Real-time voice: which engines turn speech into text and text into speech. */
export interface VoiceConfig {
  enabled: boolean
  /** `browser`: the browser's own speech recognition sends text; `openai`: the server transcribes audio. */
  speechToText: { kind: 'browser' } | { kind: 'openai'; apiKey: string; model: string; baseURL?: string }
  /** `espeak`: espeak-ng in a separate process (offline); `openai`: OpenAI's speech API. */
  speech: { kind: 'espeak'; command: string } | { kind: 'openai'; apiKey: string; model: string; voice: string; baseURL?: string }
  /** Most voice connections one backend process serves at once. */
  maxSessions: number
  /**
   * A realtime model that hears the learner and answers aloud in free conversation (null: the
   * pipeline above, speech-to-text → tutor → speech, everywhere). Lessons and mock exams always run
   * on the pipeline: their steps and the scripted examiner live in the tutor core.
   */
  realtime: RealtimeModelConfig | null
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

const SECRETS_FILE = 'secrets.json'

interface GeneratedSecrets {
  AUTH_SECRET: string
}

/**
 * Embedded starts need no `.env`: secrets are generated once and kept in the data directory, so
 * they survive restarts (sessions stay valid) without anyone having to invent them.
 */
function loadOrCreateGeneratedSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, SECRETS_FILE)
  if (existsSync(file)) {
    const parsed = z.object({ AUTH_SECRET: z.string().min(32) }).safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (parsed.success) return parsed.data
    throw new ConfigError([`${file} is damaged; delete it to generate new secrets (signed-in users will be signed out)`])
  }
  mkdirSync(dataDir, { recursive: true })
  const secrets: GeneratedSecrets = { AUTH_SECRET: randomBytes(32).toString('base64url') }
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  return secrets
}

/** Parses and checks the environment; throws one ConfigError naming every bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": `FOO=` in a compose file should fall back to the default.
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`),
    )
  }
  const e = parsed.data
  const isProduction = e.NODE_ENV === 'production'

  const problems: string[] = []
  if (isProduction) {
    if (!e.AUTH_SECRET) problems.push('AUTH_SECRET: required in production (at least 32 random characters)')
    if (!e.DATABASE_URL) problems.push('DATABASE_URL: required in production (the embedded database is for one machine)')
    if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required in production (the https:// address users reach)')
    if (!e.SMTP_URL) problems.push('SMTP_URL: required in production (verification and password-reset mail)')
  }
  const ai = aiConfig(e, problems)
  const voice = voiceConfig(e, problems)
  const livekit = livekitConfig(e, problems)
  if (livekit && !e.AGENT_SERVICE_SECRET) problems.push('AGENT_SERVICE_SECRET: required with LiveKit (the agent signs its calls to the backend with it)')
  if (problems.length > 0) throw new ConfigError(problems)

  const dataDir = path.resolve(e.DATA_DIR)
  const authSecret = e.AUTH_SECRET ?? loadOrCreateGeneratedSecrets(dataDir).AUTH_SECRET
  const publicUrl = (e.PUBLIC_URL ?? `http://${displayHost(e.HOST)}:${e.PORT}`).replace(/\/+$/, '')

  return {
    env: e.NODE_ENV,
    isProduction,
    isDevelopment: e.NODE_ENV === 'development',
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    dataDir,
    contentDir: e.CONTENT_DIR ? path.resolve(e.CONTENT_DIR) : undefined,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
      : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') },
    authSecret,
    corsOrigins: e.CORS_ORIGINS ?? (isProduction ? [publicUrl] : [publicUrl, 'http://localhost:3000', 'http://127.0.0.1:3000']),
    trustProxy: e.TRUST_PROXY ?? [],
    rateLimit: { max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS },
    authRateLimit: { max: e.AUTH_RATE_LIMIT_MAX, windowMs: e.AUTH_RATE_LIMIT_WINDOW_MS },
    mail: e.SMTP_URL
      ? { transport: 'smtp', smtpUrl: e.SMTP_URL, from: e.MAIL_FROM }
      : { transport: 'outbox', outboxDir: path.join(dataDir, 'outbox'), from: e.MAIL_FROM },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    jobs: { enabled: e.JOBS_ENABLED, pollingIntervalSeconds: e.JOBS_POLLING_INTERVAL_SECONDS },
    ai: ai!,
    web: { mode: e.WEB_ENABLED, dir: e.WEB_DIR ? path.resolve(e.WEB_DIR) : undefined },
    sessions: { idleMinutes: e.SESSION_IDLE_MINUTES, maxTurnChars: e.TURN_MAX_CHARS },
    voice: voice!,
    livekit: livekit ?? null,
    agentServiceSecret: e.AGENT_SERVICE_SECRET ?? null,
    metricsToken: e.METRICS_TOKEN ?? null,
  }
}

/** Speech engines: OpenAI's when its key is there (or they are asked for), the offline ones otherwise. */
function voiceConfig(e: Env, problems: string[]): VoiceConfig | undefined {
  const key = e.OPENAI_API_KEY
  const sttKind = e.VOICE_STT ?? (key ? 'openai' : 'browser')
  const ttsKind = e.VOICE_TTS ?? (key ? 'openai' : 'espeak')
  if ((sttKind === 'openai' || ttsKind === 'openai') && !key) {
    problems.push('OPENAI_API_KEY: required when VOICE_STT or VOICE_TTS is openai')
    return undefined
  }
  const realtime = realtimeConfig(e, problems)
  if (realtime === undefined) return undefined
  return {
    enabled: e.VOICE_ENABLED,
    speechToText: sttKind === 'openai' ? { kind: 'openai', apiKey: key!, model: e.VOICE_STT_MODEL, ...(e.VOICE_STT_BASE_URL ? { baseURL: e.VOICE_STT_BASE_URL } : {}) } : { kind: 'browser' },
    speech: ttsKind === 'openai' ? { kind: 'openai', apiKey: key!, model: e.VOICE_TTS_MODEL, voice: e.VOICE_TTS_VOICE } : { kind: 'espeak', command: e.ESPEAK_COMMAND },
    maxSessions: e.VOICE_MAX_SESSIONS,
    realtime,
  }
}

const REALTIME_DEFAULTS = {
  'openai-realtime': { model: 'gpt-realtime', voice: 'marin' },
  'gemini-live': { model: 'gemini-2.5-flash-native-audio-preview-12-2025', voice: 'Puck' },
} as const

/** The realtime model of VOICE_TUTOR, with its provider's key; undefined when the key is missing. */
function realtimeConfig(e: Env, problems: string[]): RealtimeModelConfig | null | undefined {
  if (e.VOICE_TUTOR === 'pipeline') return null
  const defaults = REALTIME_DEFAULTS[e.VOICE_TUTOR]
  const common = {
    model: e.VOICE_REALTIME_MODEL ?? defaults.model,
    voice: e.VOICE_REALTIME_VOICE ?? defaults.voice,
    ...(e.VOICE_REALTIME_BASE_URL ? { baseURL: e.VOICE_REALTIME_BASE_URL } : {}),
  }
  if (e.VOICE_TUTOR === 'openai-realtime') {
    if (!e.OPENAI_API_KEY) {
      problems.push('OPENAI_API_KEY: required when VOICE_TUTOR is openai-realtime')
      return undefined
    }
    return { provider: 'openai', apiKey: e.OPENAI_API_KEY, ...common, transcriptionModel: e.VOICE_STT_MODEL }
  }
  if (!e.GOOGLE_GENERATIVE_AI_API_KEY) {
    problems.push('GOOGLE_GENERATIVE_AI_API_KEY: required when VOICE_TUTOR is gemini-live')
    return undefined
  }
  return { provider: 'gemini', apiKey: e.GOOGLE_GENERATIVE_AI_API_KEY, ...common }
}

/** LiveKit needs its URL, key and secret together; any one alone is a mistake worth stopping for. */
function livekitConfig(e: Env, problems: string[]): Config['livekit'] | undefined {
  const given = [e.LIVEKIT_URL, e.LIVEKIT_API_KEY, e.LIVEKIT_API_SECRET].filter(Boolean).length
  if (given === 0) return null
  if (given < 3) {
    problems.push('LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET: set all three to use LiveKit, or none')
    return undefined
  }
  return { url: e.LIVEKIT_URL!, apiKey: e.LIVEKIT_API_KEY!, apiSecret: e.LIVEKIT_API_SECRET!, agentName: e.LIVEKIT_AGENT_NAME }
}

/**
 * The provider is AI_PROVIDER when set; otherwise the one whose key is present (OpenAI first), and the
 * offline tutor when there is none, so a start with no keys works without any AI setting.
 */
function aiConfig(e: Env, problems: string[]): AiConfig | undefined {
  const provider: AiProviderName =
    e.AI_PROVIDER ?? (e.OPENAI_API_KEY ? 'openai' : e.GOOGLE_GENERATIVE_AI_API_KEY ? 'google' : 'offline')
  if (provider === 'offline') return { provider, timeoutMs: e.AI_TIMEOUT_MS }
  const before = problems.length
  let apiKey: string | undefined
  if (provider === 'openai') {
    apiKey = e.OPENAI_API_KEY
    if (!apiKey) problems.push('OPENAI_API_KEY: required when AI_PROVIDER is openai')
  } else if (provider === 'google') {
    apiKey = e.GOOGLE_GENERATIVE_AI_API_KEY
    if (!apiKey) problems.push('GOOGLE_GENERATIVE_AI_API_KEY: required when AI_PROVIDER is google')
  } else {
    apiKey = e.AI_API_KEY
    if (!e.AI_BASE_URL) problems.push('AI_BASE_URL: required when AI_PROVIDER is openai-compatible (e.g. http://127.0.0.1:11434/v1 for Ollama)')
    if (!e.AI_MODEL) problems.push('AI_MODEL: required when AI_PROVIDER is openai-compatible (the model name the server knows)')
  }
  if (provider === 'google' && e.AI_BASE_URL) problems.push('AI_BASE_URL: only used with openai or openai-compatible')
  if (problems.length > before) return undefined
  const model = e.AI_MODEL ?? defaultAiModels[provider as keyof typeof defaultAiModels]
  return {
    provider,
    model,
    summaryModel: e.AI_SUMMARY_MODEL ?? model,
    apiKey,
    baseUrl: e.AI_BASE_URL?.replace(/\/+$/, ''),
    timeoutMs: e.AI_TIMEOUT_MS,
  }
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost'
  return host.includes(':') ? `[${host}]` : host
}
