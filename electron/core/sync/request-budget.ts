/**
 * The per-note request budget of a sync: at most N requests to the note server at a time, across
 * every worker thread of the pool (default 4, hard cap 128). The budget exists to protect the node
 * from a flood of connections, so it bounds the sync as a whole, not each worker: the permits live
 * in a SharedArrayBuffer that every worker's `RequestBudget` draws from with atomics.
 *
 * Within a thread, waiters queue in order and one pump waits on the shared counter for the lot, so
 * a release wakes one waiter per thread rather than every pending request.
 */
import { SyncError } from './sync-error';

export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 128;

/** How long a pump sleeps before re-reading the counter even without a wake-up (a safety net). */
const WAIT_SLICE_MS = 50;

type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };
// Node 20 has Atomics.waitAsync; the ES2023 library typings do not declare it.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Checks a budget setting, naming the limit when it is out of range. */
export function checkConcurrency(concurrency: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new SyncError({
      kind: 'config',
      message: `concurrency must be a whole number of requests, at least 1 (got ${concurrency})`,
    });
  if (concurrency > MAX_CONCURRENCY)
    throw new SyncError({
      kind: 'config',
      message: `concurrency ${concurrency} is above the hard cap of ${MAX_CONCURRENCY} concurrent requests to the note server`,
    });
}

/** A fresh shared budget of `permits` requests, to hand to every worker of one sync. */
export function createBudgetBuffer(permits: number): SharedArrayBuffer {
  checkConcurrency(permits);
  const buffer = new SharedArrayBuffer(4);
  Atomics.store(new Int32Array(buffer), 0, permits);
  return buffer;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export class RequestBudget {
  readonly #cells: Int32Array;
  readonly #waiters: Waiter[] = [];
  #pumping = false;

  constructor(buffer: SharedArrayBuffer) {
    this.#cells = new Int32Array(buffer);
  }

  /** Takes one permit, waiting for one when the budget is spent. */
  acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#waiters.length === 0 && this.#tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      void this.#pump();
    });
  }

  release(): void {
    Atomics.add(this.#cells, 0, 1);
    Atomics.notify(this.#cells, 0);
  }

  /** Runs `task` holding one permit. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  #tryTake(): boolean {
    for (;;) {
      const available = Atomics.load(this.#cells, 0);
      if (available <= 0) return false;
      if (Atomics.compareExchange(this.#cells, 0, available, available - 1) === available) return true;
    }
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0) {
        if (this.#tryTake()) {
          this.#waiters.shift()!.resolve();
          continue;
        }
        const wait = waitAsync(this.#cells, 0, 0, WAIT_SLICE_MS);
        if (wait.async) await wait.value;
      }
    } finally {
      this.#pumping = false;
    }
  }
}
