import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../core/config.js'
import { openApiPath } from '../core/http/openapi.js'
import { buildApp } from '../main.js'

/**
 * `npm run api:types` (first half): writes the API's OpenAPI document where the web app generates
 * its types from, so the frontend never hand-copies a type. A backend test fails when the committed
 * document no longer matches the routes.
 */
export const openApiFile = fileURLToPath(new URL('../../../frontend/src/lib/api/openapi.json', import.meta.url))

/** The document without what depends on the deployment (its public URL). */
export async function currentOpenApiDocument(): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'avaaz-openapi-'))
  try {
    const app = await buildApp({ config: loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', WEB_ENABLED: 'false' }) })
    try {
      const document = (await app.inject({ method: 'GET', url: openApiPath })).json() as Record<string, unknown>
      delete document.servers
      return `${JSON.stringify(document, null, 2)}\n`
    } finally {
      await app.close()
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  writeFileSync(openApiFile, await currentOpenApiDocument())
  console.log(`Wrote ${path.relative(process.cwd(), openApiFile)}`)
}
