import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

describe('close()', () => {
  it('releases everything: a process whose pipeline is closed mid-reply ends by itself', async () => {
    const fixture = fileURLToPath(new URL('./test/exit-fixture.ts', import.meta.url))
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', fixture], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exit = await new Promise<{ code: number | null; at: number }>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({ code, at: Date.now() })
      })
    })
    expect(stderr).toBe('')
    expect(exit.code).toBe(0)
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { closedAt: number; turns: number; frames: number; resources: string[]; timers: string[] }
    expect(report.turns).toBe(1)
    expect(report.frames).toBeGreaterThan(0)
    // No espeak-ng process, socket or timer of the pipeline's is left: besides stdio, only a timer
    // LiveKit itself leaves when it cancels a task (cancelAndWait's timeout of up to 5 s, never
    // cleared), which does not outlive it.
    expect(report.resources.filter((resource) => resource !== 'PipeWrap' && resource !== 'Timeout')).toEqual([])
    for (const stack of report.timers) expect(stack).toMatch(/@livekit\/agents\/.*cancelAndWait/)
    expect(exit.at - report.closedAt).toBeLessThan(6_000)
  })
})
