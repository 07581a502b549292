/**
 * A counting semaphore: at most `limit` tasks at once, the rest wait their turn in order. Bounds
 * the requests an upload has in flight (quotes, single stores, status checks) to its
 * `chunkConcurrency`.
 */
export class ConcurrencyLimit {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`A concurrency limit is at least 1, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finished task hands its slot straight to the next in line, so none can jump the queue.
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  /** Runs `task` for every item, at most `limit` at once; resolves in item order. */
  map<I, T>(items: readonly I[], task: (item: I, index: number) => Promise<T>): Promise<T[]> {
    return Promise.all(items.map((item, index) => this.run(() => task(item, index))));
  }
}
