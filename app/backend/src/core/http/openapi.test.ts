import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { docsPrefix, openApiPath } from './openapi.js'

/**
 * Routes without an API schema of their own: documentation and the redirect to it, and better-auth's
 * stock endpoints (their formats are better-auth's, documented by better-auth).
 */
const undocumentedByDesign = (url: string) =>
  url === '/' ||
  url === openApiPath ||
  url.startsWith(docsPrefix) ||
  url.startsWith('/api/auth/') ||
  // A WebSocket upgrade: OpenAPI cannot describe its messages; docs/voice-protocol.md does.
  url === '/api/v1/voice/ws' ||
  // Prometheus's text format for the scraper, not an API.
  url === '/metrics'

const bodyMethods = new Set(['POST', 'PUT', 'PATCH'])

describe('OpenAPI', () => {
  let harness: TestApp
  beforeAll(async () => {
    harness = await createTestApp()
  })
  afterAll(() => harness.close())

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await harness.app.inject({ method: 'GET', url: openApiPath })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toBe('3.1.0')
    expect(document.info.title).toBe('Avaaz API')
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/health/live', '/health/ready', '/api/v1']))
    expect(document.paths['/health/ready'].get.responses).toHaveProperty('503')
    expect(document.components.schemas).toHaveProperty('Readiness')
  })

  it('serves interactive documentation', async () => {
    const page = await harness.app.inject({ method: 'GET', url: `${docsPrefix}/` })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.body).toContain('swagger-ui')
    const spec = await harness.app.inject({ method: 'GET', url: `${docsPrefix}/json` })
    expect(spec.json().openapi).toBe('3.1.0')
  })

  it('redirects the front page to the documentation until the web app exists', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/' })
    expect(response.statusCode).toBe(302)
    expect(response.headers.location).toBe(docsPrefix)
  })

  it('has request and response schemas for every route, and documents each one', async () => {
    const document = (await harness.app.inject({ method: 'GET', url: openApiPath })).json()
    const problems: string[] = []
    for (const route of harness.app.routeCatalog) {
      if (undocumentedByDesign(route.url)) continue
      // HEAD routes mirror GET ones; OPTIONS is the CORS preflight handler.
      const methods = [route.method].flat().filter((method) => method !== 'HEAD' && method !== 'OPTIONS')
      for (const method of methods) {
        const name = `${method} ${route.url}`
        const schema = route.schema
        if (!schema?.response) problems.push(`${name}: no response schema`)
        if (bodyMethods.has(method) && !schema?.body) problems.push(`${name}: no body schema`)
        if (route.url.includes(':') && !schema?.params) problems.push(`${name}: no params schema`)
        if (schema?.hide) problems.push(`${name}: hidden from the OpenAPI document`)
        const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/(.)\/$/, '$1')
        if (!document.paths[path]?.[method.toLowerCase()]) problems.push(`${name}: missing from the OpenAPI document`)
      }
    }
    expect(problems).toEqual([])
    expect(harness.app.routeCatalog.length).toBeGreaterThan(3)
  })
})
