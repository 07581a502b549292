/**
 * Group commit: work items that arrive while a flush is running wait for it to end and then go
 * through the next flush together. A provider makes received pieces durable this way — each piece
 * is still fsynced, renamed into place and recorded before anyone is told it is held, but the
 * fsyncs of pieces arriving at about the same time (a batch, a pull's fetchers, concurrent single
 * stores) run side by side and share one database commit, instead of one after another.
 */
export class GroupCommit<T, R> {
  #waiting: { item: T; resolve(result: R): void; reject(error: unknown): void }[] = [];
  #flushing = false;

  /** `flush` handles a group and returns one result per item, in order (or throws for all). */
  constructor(private readonly flush: (items: T[]) => Promise<R[]>) {}

  /** Resolves with the item's result once the flush that took it has ended. */
  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      if (!this.#flushing) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#flushing = true;
    // Let the items that arrive in the same turn join the first group.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.#waiting.length > 0) {
      const group = this.#waiting.splice(0);
      try {
        const results = await this.flush(group.map(({ item }) => item));
        group.forEach(({ resolve }, i) => resolve(results[i]!));
      } catch (error) {
        for (const { reject } of group) reject(error);
      }
    }
    this.#flushing = false;
  }
}
