import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// In CI a JSON report is written too, so .ci/run can print one summary line for every workspace.
const reportFile = fileURLToPath(new URL('../../reports/frontend-vitest.json', import.meta.url))

export default defineConfig({
  test: {
    // Browser tests against the real stack (`npm start` in a child process, Debian's Chromium).
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One stack at a time: each starts the backend, and the machine has two cores.
    fileParallelism: false,
    reporters: process.env.CI ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
  },
})
