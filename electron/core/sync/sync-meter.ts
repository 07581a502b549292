/**
 * Counts what a sync run has done — per pass (one snapshot of the tree) and in total — and turns
 * it into the contract's progress figures: scanned/total, notes per second, ETA and throughput of
 * each stage (fetch and decrypt in the workers, commit on the main thread).
 */
import { performance } from 'node:perf_hooks';
import type { SyncProgress } from '../../../shared/api/sync';

/** What a batch scan or a resolve did; each counts its own part (zero for the other's). */
export interface BatchCounters {
  scanned: number;
  /** (note, account) pairs whose detection tag matched. */
  tagHits: number;
  /** Tag hits whose payload did not open or whose commitment did not recompute. */
  falsePositives: number;
  /** Response body bytes and requests (retries included). */
  bytes: number;
  requests: number;
  /**
   * Time waiting on the note server (less the time the worker spent on other batches meanwhile),
   * and time trial-decrypting and opening.
   */
  fetchMs: number;
  decryptMs: number;
}

export const emptyCounters = (): BatchCounters => ({
  scanned: 0,
  tagHits: 0,
  falsePositives: 0,
  bytes: 0,
  requests: 0,
  fetchMs: 0,
  decryptMs: 0,
});

/** Totals of a run, for callers and benchmarks. */
export interface RunTotals extends BatchCounters {
  batches: number;
  found: number;
  commitMs: number;
  /** Wall time of the passes that had notes to scan. */
  elapsedMs: number;
}

const emptyTotals = (): RunTotals => ({
  ...emptyCounters(),
  batches: 0,
  found: 0,
  commitMs: 0,
  elapsedMs: 0,
});

const rate = (notes: number, ms: number) => (ms > 0 ? (notes * 1000) / ms : 0);

export class SyncMeter {
  readonly totals = emptyTotals();
  total: number | null = null;
  #remaining = 0;
  #passScanned = 0;
  #passStarted = 0;
  #passEnded: number | null = null;

  /** A new pass up to `total` notes, with `remaining` of them still to scan. */
  startPass(total: number, remaining: number): void {
    this.total = total;
    this.#remaining = remaining;
    this.#passScanned = 0;
    this.#passStarted = performance.now();
    this.#passEnded = null;
  }

  /** Whether the current pass scanned every note up to its snapshot. */
  get passComplete(): boolean {
    return this.total !== null && this.#remaining === 0;
  }

  endPass(): void {
    if (this.#passEnded !== null) return;
    this.#passEnded = performance.now();
    if (this.#passScanned > 0) this.totals.elapsedMs += this.#passEnded - this.#passStarted;
  }

  /** A batch scanned and checkpointed (its tag hits now pending). */
  batchCommitted(counters: BatchCounters, commitMs: number): void {
    this.#add(counters, commitMs);
    this.totals.batches++;
    this.#remaining -= counters.scanned;
    this.#passScanned += counters.scanned;
  }

  /** Pending tag hits settled: `found` notes recovered from them. */
  hitsResolved(counters: BatchCounters, found: number, commitMs: number): void {
    this.#add(counters, commitMs);
    this.totals.found += found;
  }

  #add(counters: BatchCounters, commitMs: number): void {
    for (const key of Object.keys(counters) as Array<keyof BatchCounters>) this.totals[key] += counters[key];
    this.totals.commitMs += commitMs;
  }

  figures(): Pick<SyncProgress, 'total' | 'scanned' | 'notesPerSecond' | 'etaSeconds' | 'stages'> {
    const now = this.#passEnded ?? performance.now();
    const perSecond = rate(this.#passScanned, now - this.#passStarted);
    const { scanned, fetchMs, decryptMs, commitMs } = this.totals;
    return {
      total: this.total,
      scanned: this.total === null ? 0 : this.total - this.#remaining,
      notesPerSecond: perSecond,
      etaSeconds:
        this.total === null
          ? null
          : this.#remaining === 0
            ? 0
            : perSecond > 0
              ? this.#remaining / perSecond
              : null,
      stages: {
        fetch: { ms: fetchMs, notesPerSecond: rate(scanned, fetchMs) },
        decrypt: { ms: decryptMs, notesPerSecond: rate(scanned, decryptMs) },
        commit: { ms: commitMs, notesPerSecond: rate(scanned, commitMs) },
      },
    };
  }
}
