import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { testDriver } from '../test/harness.js'
import { currentOpenApiDocument, openApiFile } from './export-openapi.js'

// It builds its own embedded app; running it over the second driver would test nothing new.
describe.skipIf(testDriver !== 'pglite')('the OpenAPI document the web app’s types come from', () => {
  it('matches the routes (run `npm run api:types` after changing an API)', async () => {
    expect(readFileSync(openApiFile, 'utf8')).toBe(await currentOpenApiDocument())
  })
})
