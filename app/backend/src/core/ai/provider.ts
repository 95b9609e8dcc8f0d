import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { createOpenAI } from '@ai-sdk/openai'
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import type { LanguageModel } from 'ai'
import type { AiConfig, AiProviderName } from '../config.js'
import type { HealthCheck } from '../health.js'

/**
 * The language models of this deployment, chosen by configuration. `offline` has none: the scripted
 * tutor and the measured summaries take over, and the API says so in the session's capabilities.
 */
export interface AiModels {
  provider: AiProviderName
  /** Model name as configured; null offline. */
  modelName: string | null
  /** Streams the tutor's replies; null offline. */
  tutor: LanguageModel | null
  /** Writes sitting summaries (structured output); null offline. */
  summary: LanguageModel | null
  /** Longest a tutor reply may take. */
  timeoutMs: number
  /** For /health/ready: is the provider reachable and does it know the model (spends no tokens). */
  healthCheck: HealthCheck
}

const GOOGLE_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta'
const OPENAI_BASE_URL = 'https://api.openai.com/v1'

export interface CreateAiModelsOptions {
  /** Replaces global fetch (tests point providers at a local fake server through the base URL instead). */
  fetch?: typeof fetch
  /** Google's API root; configurable only here, for tests against a fake server. */
  googleBaseUrl?: string
}

export function createAiModels(config: AiConfig, options: CreateAiModelsOptions = {}): AiModels {
  if (config.provider === 'offline') {
    return {
      provider: 'offline',
      modelName: null,
      tutor: null,
      summary: null,
      timeoutMs: config.timeoutMs,
      healthCheck: { name: 'ai', required: false, check: async () => ({ provider: 'offline', model: null }) },
    }
  }
  const fetchImpl = options.fetch
  let build: (model: string) => LanguageModel
  let probe: () => Promise<unknown>
  switch (config.provider) {
    case 'openai': {
      const baseUrl = config.baseUrl ?? OPENAI_BASE_URL
      const openai = createOpenAI({ apiKey: config.apiKey, baseURL: baseUrl, fetch: fetchImpl })
      // Chat Completions rather than the Responses API: every OpenAI-compatible server speaks it too,
      // so one protocol is tested for both providers.
      build = (model) => openai.chat(model)
      probe = () => expectOk(fetchImpl ?? fetch, `${baseUrl}/models/${encodeURIComponent(config.model)}`, bearer(config.apiKey))
      break
    }
    case 'google': {
      const baseUrl = options.googleBaseUrl ?? GOOGLE_BASE_URL
      const google = createGoogleGenerativeAI({ apiKey: config.apiKey, baseURL: baseUrl, fetch: fetchImpl })
      build = (model) => google(model)
      probe = () =>
        expectOk(fetchImpl ?? fetch, `${baseUrl}/models/${encodeURIComponent(config.model)}`, { 'x-goog-api-key': config.apiKey ?? '' })
      break
    }
    case 'openai-compatible': {
      const baseUrl = config.baseUrl!
      const compatible = createOpenAICompatible({ name: 'openai-compatible', baseURL: baseUrl, apiKey: config.apiKey, fetch: fetchImpl })
      build = (model) => compatible.chatModel(model)
      probe = async () => {
        const body = await expectOk(fetchImpl ?? fetch, `${baseUrl}/models`, bearer(config.apiKey))
        const ids = Array.isArray((body as { data?: unknown })?.data) ? (body as { data: Array<{ id?: unknown }> }).data.map((m) => m.id) : []
        if (!ids.includes(config.model)) throw new Error(`the server does not list the model ${config.model}`)
      }
      break
    }
  }
  return {
    provider: config.provider,
    modelName: config.model,
    tutor: build(config.model),
    summary: build(config.summaryModel),
    timeoutMs: config.timeoutMs,
    healthCheck: {
      name: 'ai',
      // The product keeps working without the provider (the learner is told); it is not a hard dependency.
      required: false,
      timeoutMs: 5_000,
      check: cached(HEALTH_CACHE_MS, async () => {
        await probe()
        return { provider: config.provider, model: config.model, reachable: true }
      }),
    },
  }
}

/** Readiness probes come every few seconds; the provider is asked at most once a minute. */
const HEALTH_CACHE_MS = 60_000

function cached<T>(ttlMs: number, run: () => Promise<T>): () => Promise<T> {
  let last: { at: number; result: Promise<T> } | undefined
  return () => {
    if (!last || Date.now() - last.at > ttlMs) last = { at: Date.now(), result: run() }
    // A failure is remembered as long as a success: a down provider is not hammered either.
    return last.result
  }
}

function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {}
}

/** GETs a provider's model-metadata URL; these endpoints cost no tokens. */
async function expectOk(fetchImpl: typeof fetch, url: string, headers: Record<string, string>): Promise<unknown> {
  let response: Response
  try {
    response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(5_000) })
  } catch (error) {
    throw new Error(`unreachable: ${(error as Error).message}`)
  }
  if (!response.ok) {
    // Never echo the body: some providers repeat the request (and key) in their error pages.
    throw new Error(`answered ${response.status} ${response.statusText}`.trim())
  }
  return response.json().catch(() => null)
}
