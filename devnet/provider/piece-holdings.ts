/**
 * What the provider holds for whom. Every way a piece comes in (single store, batch store, pull)
 * goes through the same two steps: `admit` before any byte is read — is this piece quoted for this
 * payer, at this size, and is there room for it — and `keep` once its bytes have been received
 * and verified — make the file durable, install it and record the holding, parked if its quote is
 * paid, else in the pre-registration cache. Pieces kept at about the same time are made durable
 * together (group-commit.ts). `reconcile` promotes cached pieces whose payment has since been seen.
 */
import type { CID } from 'multiformats/cid';
import { type PieceDigest, pieceDigestOf } from '../../shared/pieces/cid';
import type { PieceStatus, StoreResult } from '../../shared/provider/wire';
import type { PieceFiles, ReceivedPiece } from './piece-files';
import type { PreRegistrationCache, Reservation } from './pre-registration-cache';
import type { HoldingRow, HoldingState, Hex, ProviderDb } from './provider-db';
import type { FaultSwitches } from './provider-faults';
import { GroupCommit } from './group-commit';
import { HttpError, injected } from './provider-http';
import type { PieceSource, ProviderMetrics } from './provider-metrics';

/** A store that may proceed: what it is, and the cache room held for it if it will be cached. */
export interface Admission {
  payer: Hex;
  cid: CID;
  digest: PieceDigest;
  size: number;
  reservation?: Reservation;
}

/** A verified piece waiting to be made durable and recorded. */
interface Arrival {
  admission: Admission;
  received: ReceivedPiece;
  source: PieceSource;
}

const wireState = (state: HoldingState) => (state === 'cached' ? 'cached-unpaid' : state);

export class PieceHoldings {
  readonly #durable = new GroupCommit<Arrival, StoreResult>((arrivals) => this.#commit(arrivals));

  constructor(
    private readonly db: ProviderDb,
    private readonly files: PieceFiles,
    private readonly cache: PreRegistrationCache,
    private readonly faults: FaultSwitches,
    private readonly metrics: ProviderMetrics,
    private readonly maxPieceBytes: number,
  ) {}

  /**
   * Decides, before reading any byte, whether `payer` may store `cid` of `size` bytes here.
   * Throws the HttpError to answer otherwise.
   */
  admit(payer: Hex, cid: CID, size: number): Admission {
    const text = cid.toString();
    if (this.faults.firesFor('failStore', text))
      throw injected(503, 'UNAVAILABLE', `the provider refuses to store ${text}`);
    if (this.faults.fires('outOfSpace'))
      throw injected(507, 'OUT_OF_SPACE', `the provider has no space left for ${text}`);
    if (size > this.maxPieceBytes)
      throw new HttpError(
        413,
        'PIECE_TOO_LARGE',
        `piece ${text} is ${size} bytes; this provider stores pieces of at most ${this.maxPieceBytes} bytes`,
      );
    const digest = pieceDigestOf(cid);
    const quotes = this.db.quotesFor(payer, digest);
    if (quotes.length === 0)
      throw new HttpError(
        403,
        'NOT_QUOTED',
        `piece ${text} has not been quoted for payer ${payer}; ask for a quote (POST /v1/quotes) first`,
      );
    if (!quotes.some((quote) => quote.size === size))
      throw new HttpError(
        400,
        'SIZE_MISMATCH',
        `piece ${text} was quoted as ${quotes[0]!.size} bytes, but this store says ${size}`,
      );
    const admission: Admission = { payer, cid, digest, size };
    if (this.db.holding(payer, digest)) return admission;
    const paid = this.db.hasUnconsumedPayment(payer, digest);
    if (paid && !this.faults.parkingStalled) return admission;
    if (!paid && !quotes.some((quote) => quote.expiry * 1000 > Date.now()))
      throw new HttpError(
        409,
        'QUOTE_EXPIRED',
        `every quote for piece ${text} has expired unpaid; ask for a new quote`,
      );
    return { ...admission, reservation: this.cache.reserve(payer, size) };
  }

  /**
   * Makes a verified piece durable (fsynced, renamed into place, its folder synced) and records
   * the holding; resolves with how it is held once all of that is done — never before.
   */
  keep(admission: Admission, received: ReceivedPiece, source: PieceSource): Promise<StoreResult> {
    return this.#durable.submit({ admission, received, source });
  }

  /**
   * One group of arrivals: fsynced together, moved into place with their folders synced, then
   * recorded in one transaction. The pieces are pinned throughout, so that nothing they rely on is
   * swept away between their install and their record.
   */
  async #commit(arrivals: readonly Arrival[]): Promise<StoreResult[]> {
    const digests = arrivals.map(({ admission }) => admission.digest);
    const unpin = this.files.pin(digests);
    try {
      // The first copy of each piece not on disk yet is installed; other copies are dropped.
      const installing = new Map<PieceDigest, ReceivedPiece>();
      const extra: ReceivedPiece[] = [];
      for (const { admission, received } of arrivals) {
        if (installing.has(admission.digest) || this.isHeld(admission.digest)) extra.push(received);
        else installing.set(admission.digest, received);
      }
      await Promise.all(extra.map((received) => this.files.discard(received)));
      await this.files.syncAll([...installing.values()]);
      await this.files.install([...installing].map(([digest, received]) => ({ digest, received })));
      const now = Date.now();
      this.db.transaction(() => {
        for (const { admission } of arrivals) {
          const { payer, digest, cid, size } = admission;
          this.db.insertPiece(digest, size, now);
          if (this.db.holding(payer, digest)) continue;
          const park = this.db.hasUnconsumedPayment(payer, digest) && !this.faults.parkingStalled;
          this.db.putHolding({
            payer,
            piece_digest: digest,
            cid: cid.toString(),
            size,
            state: park ? 'parked' : 'cached',
            cached_at: park ? null : now,
            expires_at: park ? null : this.cache.expiresAt(now),
            updated_at: now,
          });
        }
      });
    } catch (error) {
      await Promise.all(arrivals.map(({ received }) => this.files.discard(received)));
      throw error;
    } finally {
      unpin();
      for (const { admission } of arrivals) admission.reservation?.release();
    }
    for (const { source } of arrivals) this.metrics.stored(source);
    // Only these pieces' holdings can have changed; every paid quote is looked at when payments
    // are seen (a full reconcile here grew with the paid pieces not yet committed).
    this.reconcile(arrivals.map(({ admission }) => admission));
    return arrivals.map(({ admission }) => this.#result(this.db.holding(admission.payer, admission.digest)!));
  }

  /** Gives back what `admit` held, for a piece that failed to arrive. */
  abandon(admission: Admission): void {
    admission.reservation?.release();
  }

  /**
   * Promotes every cached (or committed, then paid again) holding that has a paid quote not yet
   * used by a commit — only the holdings of `pieces` when given — unless parking is stalled by a
   * fault. Returns how many moved.
   */
  reconcile(pieces?: readonly { payer: Hex; digest: PieceDigest }[]): number {
    if (this.faults.parkingStalled) return 0;
    const now = Date.now();
    const promoted = this.db.transaction(() => {
      const rows = pieces ? this.#promotableOf(pieces) : this.db.promotable();
      for (const row of rows) this.db.setHoldingState(row.payer, row.piece_digest, 'parked', now);
      return rows;
    });
    const fromCache = promoted.filter((row) => row.state === 'cached').length;
    if (fromCache > 0) this.metrics.promoted(fromCache);
    return promoted.length;
  }

  #promotableOf(pieces: readonly { payer: Hex; digest: PieceDigest }[]): HoldingRow[] {
    const rows = new Map<string, HoldingRow>();
    for (const { payer, digest } of pieces) {
      const row = this.db.holding(payer, digest);
      if (row && row.state !== 'parked' && this.db.hasUnconsumedPayment(payer, digest))
        rows.set(`${payer}/${digest}`, row);
    }
    return [...rows.values()];
  }

  /** The status of `cid` for `payer`, or across payers (the most advanced holding) without one. */
  status(cid: CID, payer?: Hex): PieceStatus {
    const digest = pieceDigestOf(cid);
    const holdings = payer
      ? [this.db.holding(payer, digest)].filter((row): row is HoldingRow => row !== undefined)
      : this.db.holdingsOf(digest);
    const rank: Record<HoldingState, number> = { parked: 3, committed: 2, cached: 1 };
    const best = holdings.sort((a, b) => rank[b.state] - rank[a.state])[0];
    const commitments = this.db
      .commitmentsOf(digest)
      .filter((row) => !payer || row.payer === payer)
      .map((row) => ({ dataSetId: row.data_set_id, pieceId: row.piece_id, txHash: row.tx_hash }));
    if (!best) {
      const expiredAt = payer ? this.db.expiredAt(payer, digest) : undefined;
      return { cid: cid.toString(), status: 'unknown', commitments, ...(expiredAt && { expiredAt }) };
    }
    return { ...this.#result(best), cid: cid.toString(), commitments };
  }

  /** Whether any payer holds the piece (so it may be served). */
  isHeld(digest: PieceDigest): boolean {
    return this.db.hasPiece(digest) && this.files.has(digest);
  }

  #result(row: HoldingRow): StoreResult {
    return {
      cid: row.cid,
      size: row.size,
      status: wireState(row.state),
      ...(row.expires_at !== null && { expiresAt: row.expires_at }),
    };
  }
}
