import { describe, expect, it } from 'vitest'
import { pinnedTickObject, pinTickObjectShape } from './pin-tick-shape.js'

describe('pinTickObjectShape', () => {
  it("holds one of process.nextTick's queue entries, once", async () => {
    pinTickObjectShape()
    await new Promise((resolve) => process.nextTick(resolve))
    const pinned = pinnedTickObject()
    // On the Node versions we run, a queue entry is a plain object with the tick's callback and ids.
    expect(pinned).toMatchObject({ callback: expect.any(Function) })
    expect(Object.getOwnPropertySymbols(pinned).map(String)).toContain('Symbol(async_id_symbol)')
    pinTickObjectShape()
    await new Promise((resolve) => process.nextTick(resolve))
    expect(pinnedTickObject()).toBe(pinned)
  })
})
