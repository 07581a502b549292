/**
 * The pre-registration cache: room for pieces that arrive before the payment for their quote is
 * seen on chain. Its entries are `cached` holdings in the database (with their cached-at and
 * expiry times, so they survive a restart); this class enforces the byte caps — global and per
 * payer, counting pieces still streaming in as reservations — and deletes entries whose TTL ran out
 * unpaid. A full cache refuses at once (507 CACHE_FULL) instead of making anyone wait.
 */
import type { PieceDigest } from '../../shared/pieces/cid';
import { HttpError } from './provider-http';
import type { Hex, ProviderDb } from './provider-db';
import type { PieceFiles } from './piece-files';
import type { ProviderMetrics } from './provider-metrics';

export interface CacheLimits {
  /** How long an unpaid piece is kept (default 10 minutes). */
  ttlMs: number;
  /** Bytes the whole cache may hold. */
  maxBytes: number;
  /** Bytes one payer's unpaid pieces may take. */
  maxBytesPerPayer: number;
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  ttlMs: 10 * 60_000,
  maxBytes: 512 * 1024 * 1024,
  maxBytesPerPayer: 128 * 1024 * 1024,
};

export interface Reservation {
  release(): void;
}

const shown = (bytes: number) =>
  bytes < 2 ** 20 ? `${bytes} bytes` : `${(bytes / 2 ** 20).toFixed(bytes % 2 ** 20 === 0 ? 0 : 1)} MiB`;

export class PreRegistrationCache {
  #reserved = 0;
  readonly #reservedBy = new Map<Hex, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly limits: CacheLimits,
    private readonly db: ProviderDb,
    private readonly files: PieceFiles,
    private readonly metrics: ProviderMetrics,
    private readonly log: (line: string) => void,
  ) {}

  /**
   * Holds room for `size` bytes of `payer`'s until released (when the piece is recorded as cached,
   * or fails). Throws 507 CACHE_FULL, naming the cap, when there is no room even after dropping
   * what has expired.
   */
  reserve(payer: Hex, size: number): Reservation {
    let problem = this.#problem(payer, size);
    if (problem) {
      this.sweep();
      problem = this.#problem(payer, size);
    }
    if (problem) throw new HttpError(507, 'CACHE_FULL', problem, { payer, size });
    this.#reserved += size;
    this.#reservedBy.set(payer, (this.#reservedBy.get(payer) ?? 0) + size);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#reserved -= size;
        const left = this.#reservedBy.get(payer)! - size;
        if (left === 0) this.#reservedBy.delete(payer);
        else this.#reservedBy.set(payer, left);
      },
    };
  }

  #problem(payer: Hex, size: number): string | undefined {
    const { maxBytes, maxBytesPerPayer } = this.limits;
    const payerBytes = this.db.cacheBytesOf(payer) + (this.#reservedBy.get(payer) ?? 0);
    if (payerBytes + size > maxBytesPerPayer)
      return (
        `the pre-registration cache is full for payer ${payer}: ${shown(payerBytes)} of its ` +
        `${shown(maxBytesPerPayer)} are waiting for payment, and this piece needs ${size} bytes more; ` +
        'pay for the quotes already stored, or wait for them to expire'
      );
    const total = this.db.cacheTotals().bytes + this.#reserved;
    if (total + size > maxBytes)
      return (
        `the pre-registration cache is full: ${shown(total)} of ${shown(maxBytes)} are waiting for ` +
        `payment, and this piece needs ${size} bytes more; try again once payments are seen`
      );
    return undefined;
  }

  expiresAt(now: number): number {
    return now + this.limits.ttlMs;
  }

  /**
   * Deletes every cached piece whose TTL has run out (and its file, if no one else holds it nor
   * is about to: a store being made durable pins the piece).
   */
  sweep(now = Date.now()): number {
    const expired = this.db.transaction(() => {
      const rows = this.db.expiredHoldings(now);
      for (const row of rows) {
        this.db.expireHolding(row, now);
        const digest = row.piece_digest as PieceDigest;
        if (this.db.holdingsOf(digest).length === 0 && !this.files.isPinned(digest)) {
          this.db.deletePiece(row.piece_digest);
          this.files.remove(digest);
        }
      }
      return rows;
    });
    if (expired.length > 0) {
      this.metrics.expired(expired.length);
      for (const row of expired)
        this.log(`pre-registration cache: ${row.cid} of payer ${row.payer} expired unpaid and was deleted`);
    }
    return expired.length;
  }

  /** Sweeps every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.#timer = setInterval(() => this.sweep(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
