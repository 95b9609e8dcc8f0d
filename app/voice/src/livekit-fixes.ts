import { createRequire } from 'node:module'

/**
 * A fix to @livekit/agents 1.9.0, applied at run time (once per process).
 *
 * LiveKit reads its streams with `ThrowsPromise.race([reader.read(), abortPromise])` in a loop
 * (`readStream` in its utils.ts; the microphone audio on its way to speech-to-text goes through it,
 * frame by frame). Every race adds a reaction to the abort promise, which settles only when the
 * session closes — so every frame read stays reachable until then, with the promises around it:
 * about 1 MB a minute per session with 20 ms frames, measured (the leak of nodejs/node#17469).
 * `ThrowsPromise.race` is replaced by an equivalent that subscribes to each promise once and drops
 * a race's interest as soon as the race is decided.
 */
export function applyLiveKitFixes(): void {
  if (applied) return
  const require = createRequire(import.meta.url)
  const fromAgents = createRequire(require.resolve('@livekit/agents'))
  const { ThrowsPromise } = fromAgents('@livekit/throws-transformer/throws') as { ThrowsPromise: RaceOwner }
  ThrowsPromise.race = leakFreeRace
  applied = true
}

let applied = false

interface RaceOwner {
  race: typeof leakFreeRace
  new (executor: (resolve: (value: unknown) => void, reject: (reason: unknown) => void) => void): Promise<unknown>
}

interface Outcome {
  fulfilled: boolean
  value: unknown
}

/** One subscription per promise, shared by every race it takes part in. */
interface Watch {
  outcome: Outcome | null
  listeners: Set<(outcome: Outcome) => void>
}

const watches = new WeakMap<object, Watch>()

function watch(thenable: PromiseLike<unknown>): Watch {
  let existing = watches.get(thenable)
  if (existing) return existing
  const created: Watch = { outcome: null, listeners: new Set() }
  watches.set(thenable, created)
  const settle = (outcome: Outcome) => {
    created.outcome = outcome
    const listeners = [...created.listeners]
    created.listeners.clear()
    for (const listener of listeners) listener(outcome)
  }
  thenable.then(
    (value) => settle({ fulfilled: true, value }),
    (reason: unknown) => settle({ fulfilled: false, value: reason }),
  )
  existing = created
  return existing
}

/**
 * Promise.race with the same outcome: the first of `values` to settle decides (values that are
 * not promises, or promises already settled, in order, one microtask later).
 */
export function leakFreeRace(this: RaceOwner, values: Iterable<unknown>): Promise<unknown> {
  return new this((resolve, reject) => {
    const subscriptions: [Watch, (outcome: Outcome) => void][] = []
    let decided = false
    const decide = (outcome: Outcome) => {
      if (decided) return
      decided = true
      for (const [watched, listener] of subscriptions) watched.listeners.delete(listener)
      subscriptions.length = 0
      if (outcome.fulfilled) resolve(outcome.value)
      else reject(outcome.value)
    }
    for (const value of values) {
      if (!isThenable(value)) {
        queueMicrotask(() => decide({ fulfilled: true, value }))
        continue
      }
      const watched = watch(value)
      const outcome = watched.outcome
      if (outcome) {
        queueMicrotask(() => decide(outcome))
        continue
      }
      watched.listeners.add(decide)
      subscriptions.push([watched, decide])
    }
  })
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}
