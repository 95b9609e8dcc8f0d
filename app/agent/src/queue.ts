/**
 * A small push queue read with `for await`: the LiveKit side pushes (frames, data messages), the job
 * reads. Bounded: when the reader falls behind, the oldest items go (stale audio is worth nothing).
 */
export class PushQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = []
  readonly #waiting: Array<(result: IteratorResult<T>) => void> = []
  #closed = false

  constructor(readonly limit = 1_000) {}

  push(item: T): void {
    if (this.#closed) return
    const reader = this.#waiting.shift()
    if (reader) return reader({ value: item, done: false })
    this.#items.push(item)
    if (this.#items.length > this.limit) this.#items.shift()
  }

  close(): void {
    this.#closed = true
    for (const reader of this.#waiting.splice(0)) reader({ value: undefined, done: true })
  }

  get closed(): boolean {
    return this.#closed
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift()!, done: false })
        if (this.#closed) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => this.#waiting.push(resolve))
      },
      return: () => {
        this.close()
        return Promise.resolve({ value: undefined, done: true })
      },
    }
  }
}
