import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../test/harness.js'
import { analyzeDatabase } from './maintenance.js'

let harness: TestApp
beforeAll(async () => {
  harness = await createTestApp()
})
afterAll(() => harness.close())

describe('embedded database maintenance', () => {
  it('refreshes planner statistics through the job queue, so plans follow the data', async () => {
    // The start-up run must be over first, or it could be the one that counted the rows.
    for (let i = 0; i < 100 && (await harness.app.jobs.queueSize(analyzeDatabase.name)) > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    await harness.app.database.executeSql(`create table maintenance_probe (n int)`)
    await harness.app.database.executeSql(`insert into maintenance_probe select generate_series(1, 5000)`)
    const id = await harness.app.jobs.enqueue(analyzeDatabase, {})
    let state = ''
    for (let i = 0; i < 100 && state !== 'completed'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      state = (await harness.app.jobs.getJob(analyzeDatabase.name, id!))?.state ?? ''
    }
    expect(state).toBe('completed')
    const { rows } = await harness.app.database.executeSql(`select reltuples::int as tuples from pg_class where relname = 'maintenance_probe'`)
    expect((rows[0] as { tuples: number }).tuples).toBe(5000)
  })
})
