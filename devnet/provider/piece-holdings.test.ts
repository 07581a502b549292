// Keeping received pieces (PieceHoldings.keep) on a real SQLite database and real files: a piece
// is reported held only once its group is fsynced, installed and recorded; a failed fsync keeps
// nothing; and the cache sweep cannot take away a piece file that a keep in progress relies on.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hex } from 'viem';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePieceCid } from '../../shared/pieces/cid';
import { randomPiece, type TestPiece } from '../test-support/provider-kit';
import { PieceFiles, type ReceivedPiece } from './piece-files';
import { PieceHoldings } from './piece-holdings';
import { DEFAULT_CACHE_LIMITS, PreRegistrationCache } from './pre-registration-cache';
import { ProviderDb } from './provider-db';
import { FaultSwitches } from './provider-faults';
import { ProviderMetrics } from './provider-metrics';

/**
 * The real PieceFiles with its fsyncs held back until released, or failing: faults a real disk
 * cannot be made to produce on cue.
 */
class GatedFiles extends PieceFiles {
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  failSync = false;
  syncCalls = 0;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = null;
  }

  override async syncAll(pieces: readonly ReceivedPiece[]): Promise<void> {
    this.syncCalls++;
    await this.#gate;
    if (this.failSync) throw new Error('EIO: i/o error, fsync (injected)');
    await super.syncAll(pieces);
  }
}

const payerA = `0x${'aa'.repeat(20)}` as Hex;
const payerB = `0x${'bb'.repeat(20)}` as Hex;

let dir: string;
let db: ProviderDb;
let files: GatedFiles;
let cache: PreRegistrationCache;
let holdings: PieceHoldings;

function setUp(cacheTtlMs = DEFAULT_CACHE_LIMITS.ttlMs) {
  db = new ProviderDb(path.join(dir, 'provider.sqlite'));
  files = new GatedFiles(dir);
  const metrics = new ProviderMetrics();
  cache = new PreRegistrationCache(
    { ...DEFAULT_CACHE_LIMITS, ttlMs: cacheTtlMs },
    db,
    files,
    metrics,
    () => {},
  );
  holdings = new PieceHoldings(db, files, cache, new FaultSwitches(metrics), metrics, 1 << 20);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'coffer-holdings-'));
  await new PieceFiles(dir).init();
});
afterEach(async () => {
  db?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Quotes `piece` to `payer` (paid or not), as the quote route and the payment watcher would. */
function quote(piece: TestPiece, payer: Hex, paid: boolean) {
  const quoteDigest = `0x${randomBytes(32).toString('hex')}` as Hex;
  db.insertQuote({
    quote_digest: quoteDigest,
    payer,
    piece_digest: piece.digest,
    cid: piece.cid,
    size: piece.size,
    price: '1',
    expiry: Math.floor(Date.now() / 1000) + 600,
    nonce: `0x${randomBytes(32).toString('hex')}`,
    signature: '0x00',
    created_at: Date.now(),
  });
  if (paid) db.markPaid([{ quoteDigest, blockNumber: 1 }]);
}

/** Admits and receives `piece` for `payer`; `keep()` of the result hands it over. */
async function arrive(piece: TestPiece, payer: Hex) {
  const cid = parsePieceCid(piece.cid);
  const admission = holdings.admit(payer, cid, piece.size);
  const received = await files.receive(
    (async function* () {
      yield piece.bytes;
    })(),
    cid,
    piece.size,
  );
  return { keep: () => holdings.keep(admission, received, 'single') };
}

const keep = async (piece: TestPiece, payer: Hex) => (await arrive(piece, payer)).keep();

const tempFiles = () => readdirSync(path.join(dir, 'tmp'));

describe('keep', () => {
  it('reports a piece held only once its group is fsynced, in place and recorded', async () => {
    setUp();
    const paid = randomPiece(5000);
    const unpaid = randomPiece(7000);
    quote(paid, payerA, true);
    quote(unpaid, payerA, false);
    files.hold();
    const arrived = [await arrive(paid, payerA), await arrive(unpaid, payerA)];
    let settled = false;
    const kept = Promise.all(arrived.map((piece) => piece.keep())).finally(() => (settled = true));
    await expect.poll(() => files.syncCalls).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The fsyncs are still running: nothing is held, nothing is in place.
    expect(settled).toBe(false);
    for (const piece of [paid, unpaid]) {
      expect(db.holding(payerA, piece.digest)).toBeUndefined();
      expect(existsSync(files.pathOf(piece.digest))).toBe(false);
    }
    files.release();
    expect((await kept).map((result) => result.status)).toEqual(['parked', 'cached-unpaid']);
    // Both went through one fsync round.
    expect(files.syncCalls).toBe(1);
    for (const piece of [paid, unpaid])
      expect(readFileSync(files.pathOf(piece.digest))).toEqual(Buffer.from(piece.bytes));
    expect(tempFiles()).toEqual([]);
  });

  it('keeps nothing when the fsync fails, and gives back the cache room it held', async () => {
    setUp();
    const piece = randomPiece(1000);
    quote(piece, payerA, false);
    files.failSync = true;
    await expect(keep(piece, payerA)).rejects.toThrow(/EIO/);
    expect(db.holding(payerA, piece.digest)).toBeUndefined();
    expect(db.hasPiece(piece.digest)).toBe(false);
    expect(existsSync(files.pathOf(piece.digest))).toBe(false);
    expect(tempFiles()).toEqual([]);
    // The reservation is gone: the payer's whole cache allowance is free again.
    expect(() => cache.reserve(payerA, DEFAULT_CACHE_LIMITS.maxBytesPerPayer).release()).not.toThrow();
    files.failSync = false;
    expect((await keep(piece, payerA)).status).toBe('cached-unpaid');
  });

  it('parks a cached piece stored again once paid, looking only at the pieces it stores', async () => {
    setUp();
    const [again, other] = [randomPiece(2000), randomPiece(3000)];
    for (const piece of [again, other]) {
      quote(piece, payerA, false);
      expect((await keep(piece, payerA)).status).toBe('cached-unpaid');
      // Paid, as the payment watcher records it, before its promotion ran.
      quote(piece, payerA, true);
    }
    expect((await keep(again, payerA)).status).toBe('parked');
    // The other paid piece is the payment watcher's to promote, with every paid quote at once.
    expect(db.holding(payerA, other.digest)!.state).toBe('cached');
    expect(holdings.reconcile()).toBe(1);
    expect(db.holding(payerA, other.digest)!.state).toBe('parked');
  });

  it('a sweep while a piece is being kept leaves the file that piece relies on', async () => {
    setUp(1);
    const piece = randomPiece(3000);
    quote(piece, payerA, false);
    expect((await keep(piece, payerA)).status).toBe('cached-unpaid');
    // Payer B stores the same piece, paid: its copy is dropped, the file on disk is relied on.
    quote(piece, payerB, true);
    files.hold();
    const kept = keep(piece, payerB);
    await expect.poll(() => files.syncCalls).toBe(2);
    // A's cached copy has expired: the sweep deletes A's holding, but not the pinned file.
    expect(cache.sweep(Date.now() + 1000)).toBe(1);
    expect(db.holding(payerA, piece.digest)).toBeUndefined();
    files.release();
    expect((await kept).status).toBe('parked');
    expect(holdings.isHeld(piece.digest)).toBe(true);
    expect(readFileSync(files.pathOf(piece.digest))).toEqual(Buffer.from(piece.bytes));
    // Unpinned now, and held by B: a later sweep leaves it too.
    cache.sweep(Date.now() + 1000);
    expect(holdings.isHeld(piece.digest)).toBe(true);
  });
});
