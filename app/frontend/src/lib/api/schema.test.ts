// @vitest-environment node
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import openapiTS, { astToString } from 'openapi-typescript'
import { describe, expect, it } from 'vitest'

describe('API types', () => {
  it('are generated from the committed OpenAPI document (run `npm run api:types`)', async () => {
    const document = JSON.parse(readFileSync(fileURLToPath(new URL('./openapi.json', import.meta.url)), 'utf8')) as Parameters<typeof openapiTS>[0]
    const generated = astToString(await openapiTS(document))
    const committed = readFileSync(fileURLToPath(new URL('./schema.d.ts', import.meta.url)), 'utf8')
    // The CLI adds a banner comment; the types themselves must be identical.
    expect(committed.slice(committed.indexOf('export'))).toBe(generated.slice(generated.indexOf('export')))
  })
})
