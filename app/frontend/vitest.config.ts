import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// In CI a JSON report is written too, so .ci/run can print one summary line for every workspace.
const reportFile = fileURLToPath(new URL('../../reports/frontend-vitest.json', import.meta.url))

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  test: {
    reporters: process.env.CI ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
    projects: [
      // Components and client code, in a simulated DOM.
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.{ts,tsx}'], environment: 'happy-dom' } },
      // Browser tests against the real stack (`npm start` in a child process, Debian's Chromium).
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One stack at a time: each starts the backend, and the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
})
