import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAiModels } from './provider.js'

/** A local stand-in for the providers' model-metadata endpoints (these cost no tokens). */
let server: Server
let root: string
const seen: Array<{ url: string; authorization?: string; googKey?: string }> = []
beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', authorization: request.headers.authorization, googKey: request.headers['x-goog-api-key'] as string | undefined })
    const openaiOk = request.url === '/v1/models/gpt-4.1-mini' && request.headers.authorization === 'Bearer sk-good'
    const googleOk = request.url === '/v1beta/models/gemini-2.5-flash' && request.headers['x-goog-api-key'] === 'g-good'
    if (openaiOk || googleOk) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'model' }))
      return
    }
    response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `bad key ${request.headers.authorization}` }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const openai = (apiKey: string) =>
  createAiModels({ provider: 'openai', model: 'gpt-4.1-mini', summaryModel: 'gpt-4.1-mini', apiKey, baseUrl: `${root}/v1`, timeoutMs: 1_000 })

describe('AI provider models', () => {
  it('has no models offline, and a healthy check that says so', async () => {
    const models = createAiModels({ provider: 'offline', timeoutMs: 1_000 })
    expect(models.tutor).toBeNull()
    expect(await models.healthCheck.check()).toEqual({ provider: 'offline', model: null })
  })

  it('checks OpenAI by reading the model’s metadata with the key, never echoing the answer or the key', async () => {
    expect(await openai('sk-good').healthCheck.check()).toEqual({ provider: 'openai', model: 'gpt-4.1-mini', reachable: true })
    const failure = await openai('sk-bad').healthCheck.check().catch((error: Error) => error.message)
    expect(failure).toBe('answered 401 Unauthorized')
    expect(failure).not.toContain('sk-bad')
  })

  it('checks Gemini by reading the model’s metadata with the key header', async () => {
    const google = (apiKey: string) =>
      createAiModels(
        { provider: 'google', model: 'gemini-2.5-flash', summaryModel: 'gemini-2.5-flash', apiKey, baseUrl: undefined, timeoutMs: 1_000 },
        { googleBaseUrl: `${root}/v1beta` },
      )
    expect(await google('g-good').healthCheck.check()).toMatchObject({ provider: 'google', reachable: true })
    await expect(google('g-bad').healthCheck.check()).rejects.toThrow('answered 401')
    expect(seen.at(-1)).toMatchObject({ url: '/v1beta/models/gemini-2.5-flash', googKey: 'g-bad' })
  })

  it('reports an unreachable provider', async () => {
    const models = createAiModels({ provider: 'openai', model: 'm', summaryModel: 'm', apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 1_000 })
    await expect(models.healthCheck.check()).rejects.toThrow(/^unreachable/)
  })
})
