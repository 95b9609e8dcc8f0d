import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// In CI a JSON report is written too, so .ci/run can print one summary line for every workspace.
const reportFile = fileURLToPath(new URL('../../reports/backend-vitest.json', import.meta.url))

const shared = {
  globalSetup: ['./src/test/global-setup.ts'],
  testTimeout: 20_000,
  hookTimeout: 60_000,
  include: ['src/**/*.test.ts'],
}

export default defineConfig({
  // Workspace packages (the voice pipeline) are read from their TypeScript sources.
  resolve: { conditions: ['development'] },
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
    projects: [
      // Every test, over the embedded default: PGlite in-process.
      { test: { ...shared, name: 'pglite' } },
      // The same tests over node-postgres against PGlite served on the wire protocol (pglite-socket),
      // so the production driver path runs for real.
      { test: { ...shared, name: 'postgres-wire', env: { AVAAZ_TEST_DB: 'postgres' } } },
    ],
  },
})
