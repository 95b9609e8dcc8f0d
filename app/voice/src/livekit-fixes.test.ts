import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ReadableStream } from 'node:stream/web'
import { readStream } from '@livekit/agents'
import { beforeAll, describe, expect, it } from 'vitest'
import { applyLiveKitFixes, leakFreeRace } from './livekit-fixes.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** Lets finalization run, then collects. */
async function collect(): Promise<void> {
  for (let index = 0; index < 3; index++) {
    await new Promise((resolve) => setImmediate(resolve))
    gc()
  }
}

describe('LiveKit fixes', () => {
  beforeAll(() => applyLiveKitFixes())

  it("LiveKit's readStream no longer keeps every chunk it read until its signal aborts", async () => {
    const chunks: WeakRef<object>[] = []
    const stream = new ReadableStream<{ payload: Uint8Array }>({
      pull(controller) {
        if (chunks.length === 200) return controller.close()
        const chunk = { payload: new Uint8Array(100_000) }
        chunks.push(new WeakRef(chunk))
        controller.enqueue(chunk)
      },
    })
    const session = new AbortController() // a session that is still open
    let read = 0
    for await (const _chunk of readStream(stream, session.signal)) read++
    expect(read).toBe(200)
    await collect()
    // Without the fix all 200 (20 MB) stay reachable from the abort promise's reactions.
    expect(chunks.filter((chunk) => chunk.deref() !== undefined).length).toBeLessThan(5)
    session.abort()
  })

  it('races as Promise.race does', async () => {
    const race = (values: unknown[]) => leakFreeRace.call(Promise as never, values)
    const later = (value: unknown, ms: number) => new Promise((resolve) => setTimeout(() => resolve(value), ms))
    const never = new Promise(() => undefined)
    await expect(race([later('slow', 30), later('fast', 5), never])).resolves.toBe('fast')
    await expect(race([never, new Promise((_, reject) => setTimeout(() => reject(new Error('no')), 5))])).rejects.toThrow('no')
    await expect(race([never, 'plain'])).resolves.toBe('plain')
    const settled = Promise.resolve('first')
    await settled
    await expect(race([settled, Promise.resolve('second')])).resolves.toBe('first')
    // The same never-settling promise in many races: each race's interest is dropped once decided.
    for (let index = 0; index < 1_000; index++) await race([never, Promise.resolve(index)])
    expect(await race([Promise.resolve(1), Promise.resolve(2)])).toBe(1)
  })
})
