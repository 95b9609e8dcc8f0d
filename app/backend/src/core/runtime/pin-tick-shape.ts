import { executionAsyncResource } from 'node:async_hooks'

/** One of process.nextTick's queue entries, kept for the life of the process (see below). */
const pinned: object[] = []

/**
 * Keeps one of Node's `process.nextTick` queue entries alive for the life of the process, so that
 * V8 builds the hidden class (shape) of those entries once, not again after garbage collections.
 *
 * Every `nextTick` call creates a small object literal with two symbol keys. V8 keeps the shapes
 * of such objects only while some object of that shape is alive. While the app starts (modules
 * load, PGlite loads its pgvector extension, migrations and the content pack run) collections
 * happen while no tick is queued, so those shapes are dropped and later built again as new ones.
 * After that, `nextTick`'s literal no longer sees the one shape it was optimised for, and V8
 * defines its symbol keys through the slow runtime path on every call, for the rest of the
 * process. Node's HTTP server calls `nextTick` about half a dozen times per request: on Node 20
 * this cost every response several µs of CPU (seen with `perf`:
 * Runtime_DefineKeyedOwnPropertyInLiteral under `nextTick`; and with `--log-maps`: the entry's
 * shapes built again during start).
 *
 * Inside a tick's callback, `executionAsyncResource()` is that tick's queue entry; holding it keeps
 * the shapes alive. Call this before the app starts. If a Node version stores ticks differently,
 * this holds one small object and changes nothing.
 */
export function pinTickObjectShape(): void {
  if (pinned.length > 0) return
  process.nextTick(() => {
    if (pinned.length === 0) pinned.push(executionAsyncResource())
  })
}

/** The pinned queue entry, once there is one (for tests). */
export function pinnedTickObject(): object | undefined {
  return pinned[0]
}
