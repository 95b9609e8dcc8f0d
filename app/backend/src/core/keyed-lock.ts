/**
 * Runs work for one key at a time, in arrival order, inside this process. Used to keep a learner's
 * turns from interleaving when two tabs send at once. Only the backend writes turns, and it runs as
 * one process per deployment; a second replica would need a database lock instead.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>()

  /** Resolves, once every earlier holder of `key` has released it, with the function that releases it. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.#tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const current = new Promise<void>((resolve) => {
      release = resolve
    })
    const tail = previous.then(() => current)
    this.#tails.set(key, tail)
    await previous
    let released = false
    return () => {
      if (released) return
      released = true
      release()
      // The last holder cleans up, so the map does not grow with every learner who ever spoke.
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    }
  }

  /** Keys currently held or waited for (tests and metrics). */
  get size(): number {
    return this.#tails.size
  }
}
