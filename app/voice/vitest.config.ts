import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// In CI a JSON report is written too, so .ci/run can print one summary line for every workspace.
const reportFile = fileURLToPath(new URL('../../reports/voice-vitest.json', import.meta.url))

export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    name: 'voice',
    reporters: process.env.CI ? ['default', ['json', { outputFile: reportFile }]] : ['default'],
    include: ['src/**/*.test.ts'],
    // The pipeline tests spend most of their time waiting for speech in real time, not on the CPU.
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
