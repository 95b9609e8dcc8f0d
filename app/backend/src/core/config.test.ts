import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'
import { temporaryDirectory } from '../test/harness.js'

const dirs: Array<{ cleanup(): void }> = []
function dataDir(): string {
  const dir = temporaryDirectory('avaaz-config-')
  dirs.push(dir)
  return dir.path
}
afterEach(() => dirs.splice(0).forEach((dir) => dir.cleanup()))

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('starts embedded with no environment at all: PGlite in the data directory, local URL', () => {
    const dir = dataDir()
    const config = loadConfig({ DATA_DIR: dir })
    expect(config.env).toBe('development')
    expect(config.database).toEqual({ kind: 'pglite', dataDir: path.join(dir, 'pglite') })
    expect(config.publicUrl).toBe('http://127.0.0.1:8000')
    expect(config.corsOrigins).toContain('http://localhost:3000')
    expect(config.trustProxy).toEqual([])
  })

  it('generates the auth secret once into the data directory, readable only by its owner, and reuses it', () => {
    const dir = dataDir()
    const first = loadConfig({ DATA_DIR: dir })
    const second = loadConfig({ DATA_DIR: dir })
    expect(first.authSecret).toHaveLength(43)
    expect(second.authSecret).toBe(first.authSecret)
    const file = path.join(dir, 'secrets.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ AUTH_SECRET: first.authSecret })
    expect(statSync(file).mode & 0o777).toBe(0o600)
  })

  it('lists every bad variable in one error', () => {
    const error = configError({ DATA_DIR: dataDir(), PORT: 'eighty', NODE_ENV: 'staging', DATABASE_URL: 'mysql://x', RATE_LIMIT_MAX: '-1' })
    const variables = error.problems.map((problem) => problem.split(':')[0])
    expect(variables).toEqual(expect.arrayContaining(['PORT', 'NODE_ENV', 'DATABASE_URL', 'RATE_LIMIT_MAX']))
    expect(error.message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL')
  })

  it('refuses to start in production without secrets, a database server and a public URL', () => {
    const error = configError({ NODE_ENV: 'production', DATA_DIR: dataDir() })
    expect(error.problems.map((problem) => problem.split(':')[0])).toEqual(['AUTH_SECRET', 'DATABASE_URL', 'PUBLIC_URL', 'SMTP_URL'])
  })

  it('rejects a short AUTH_SECRET', () => {
    expect(configError({ AUTH_SECRET: 'short', DATA_DIR: dataDir() }).message).toContain('AUTH_SECRET: must be at least 32 characters')
  })

  it('accepts a complete production environment and restricts CORS to the public URL', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_SECRET: 'x'.repeat(40),
      DATABASE_URL: 'postgres://avaaz:pw@db:5432/avaaz',
      PUBLIC_URL: 'https://avaaz.example/',
      TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
      SMTP_URL: 'smtp://mail:587',
    })
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://avaaz:pw@db:5432/avaaz', poolSize: 10 })
    expect(config.publicUrl).toBe('https://avaaz.example')
    expect(config.corsOrigins).toEqual(['https://avaaz.example'])
    expect(config.trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1'])
    expect(config.mail).toEqual({ transport: 'smtp', smtpUrl: 'smtp://mail:587', from: 'Avaaz <no-reply@avaaz.local>' })
  })

  it('treats empty variables as unset', () => {
    const config = loadConfig({ DATA_DIR: dataDir(), PORT: '', DATABASE_URL: '' })
    expect(config.port).toBe(8000)
    expect(config.database.kind).toBe('pglite')
  })
})

describe('loadConfig: the AI provider', () => {
  it('is the offline tutor when no key is set, and the provider whose key is present otherwise', () => {
    expect(loadConfig({ DATA_DIR: dataDir() }).ai).toEqual({ provider: 'offline', timeoutMs: 30_000 })
    expect(loadConfig({ DATA_DIR: dataDir(), OPENAI_API_KEY: 'sk-test' }).ai).toMatchObject({ provider: 'openai', model: 'gpt-4.1-mini', apiKey: 'sk-test' })
    expect(loadConfig({ DATA_DIR: dataDir(), GOOGLE_GENERATIVE_AI_API_KEY: 'g-test' }).ai).toMatchObject({ provider: 'google', model: 'gemini-2.5-flash' })
    expect(loadConfig({ DATA_DIR: dataDir(), OPENAI_API_KEY: 'sk-test', AI_PROVIDER: 'offline' }).ai.provider).toBe('offline')
  })

  it('takes model names from the environment, the summary model defaulting to the tutor model', () => {
    const config = loadConfig({ DATA_DIR: dataDir(), OPENAI_API_KEY: 'sk', AI_MODEL: 'gpt-x', AI_SUMMARY_MODEL: 'gpt-y' })
    expect(config.ai).toMatchObject({ model: 'gpt-x', summaryModel: 'gpt-y' })
    const compatible = loadConfig({ DATA_DIR: dataDir(), AI_PROVIDER: 'openai-compatible', AI_BASE_URL: 'http://127.0.0.1:11434/v1/', AI_MODEL: 'llama3.1' })
    expect(compatible.ai).toMatchObject({ provider: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3.1', summaryModel: 'llama3.1', apiKey: undefined })
  })

  it('names what a chosen provider is missing', () => {
    expect(configError({ DATA_DIR: dataDir(), AI_PROVIDER: 'openai' }).problems).toEqual(['OPENAI_API_KEY: required when AI_PROVIDER is openai'])
    expect(configError({ DATA_DIR: dataDir(), AI_PROVIDER: 'google' }).problems).toEqual(['GOOGLE_GENERATIVE_AI_API_KEY: required when AI_PROVIDER is google'])
    const compatible = configError({ DATA_DIR: dataDir(), AI_PROVIDER: 'openai-compatible' }).problems.map((problem) => problem.split(':')[0])
    expect(compatible).toEqual(['AI_BASE_URL', 'AI_MODEL'])
    expect(configError({ DATA_DIR: dataDir(), AI_PROVIDER: 'claude' }).problems[0]).toMatch(/^AI_PROVIDER:/)
  })
})

describe('loadConfig: voice and LiveKit', () => {
  it('speaks offline with no key (browser recognition, espeak-ng) and uses OpenAI speech when its key is there', () => {
    const offline = loadConfig({ DATA_DIR: dataDir() })
    expect(offline.voice).toMatchObject({ enabled: true, speechToText: { kind: 'browser' }, speech: { kind: 'espeak', command: 'espeak-ng' } })
    expect(offline.livekit).toBeNull()
    const online = loadConfig({ DATA_DIR: dataDir(), OPENAI_API_KEY: 'sk-test' })
    expect(online.voice).toMatchObject({ speechToText: { kind: 'openai', model: 'gpt-4o-mini-transcribe' }, speech: { kind: 'openai', voice: 'alloy' } })
    // Chosen engines win over the key's defaults.
    expect(loadConfig({ DATA_DIR: dataDir(), OPENAI_API_KEY: 'sk-test', VOICE_TTS: 'espeak' }).voice.speech.kind).toBe('espeak')
  })

  it('needs the OpenAI key for OpenAI speech engines', () => {
    expect(configError({ DATA_DIR: dataDir(), VOICE_STT: 'openai' }).problems).toEqual(['OPENAI_API_KEY: required when VOICE_STT or VOICE_TTS is openai'])
  })

  it('takes LiveKit only with its URL, key and secret together, and an agent secret', () => {
    const secret = 'x'.repeat(32)
    expect(configError({ DATA_DIR: dataDir(), LIVEKIT_URL: 'wss://rtc.example.org' }).problems[0]).toMatch(/^LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET/)
    expect(configError({ DATA_DIR: dataDir(), LIVEKIT_URL: 'wss://rtc.example.org', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: secret }).problems).toEqual([
      'AGENT_SERVICE_SECRET: required with LiveKit (the agent signs its calls to the backend with it)',
    ])
    const config = loadConfig({ DATA_DIR: dataDir(), LIVEKIT_URL: 'wss://rtc.example.org', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: secret, AGENT_SERVICE_SECRET: secret })
    expect(config.livekit).toEqual({ url: 'wss://rtc.example.org', apiKey: 'key', apiSecret: secret, agentName: 'avaaz-tutor' })
    expect(configError({ DATA_DIR: dataDir(), LIVEKIT_URL: 'https://rtc.example.org', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: secret }).problems[0]).toMatch(/^LIVEKIT_URL/)
  })
})
