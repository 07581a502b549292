// The pre-registration cache on a real anvil: unpaid pieces are held and promoted when their
// QuotePaid event arrives; paid ones go straight to parked; the TTL deletes what is never paid
// (and says so); global and per-payer caps answer CACHE_FULL at once, counting pieces still
// arriving; and a restart keeps pieces, cache entries, quotes and the watcher's block.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../electron/core/providers/provider-client';
import {
  bytesOf,
  promValue,
  randomPiece,
  refOf,
  startTestProvider,
  type TestPiece,
  TestPayer,
  type TestProvider,
} from '../test-support/provider-kit';
import { startTestChain, type TestChain } from '../test-support/test-chain';

let chain: TestChain;
let payers: TestPayer[];

beforeAll(async () => {
  chain = await startTestChain();
  payers = [0, 1, 2].map((slot) => new TestPayer(chain, slot));
  for (const payer of payers) await payer.deposit();
});
afterAll(() => chain?.stop());

const store = (provider: TestProvider, payer: TestPayer, piece: TestPiece) =>
  provider.client.storePiece(payer.address, refOf(piece), piece.bytes);
const statusOf = async (provider: TestProvider, piece: TestPiece, payer?: TestPayer) =>
  (await provider.client.pieceStatus(piece.cid, payer?.address)).status;
const pieceFile = (provider: TestProvider, piece: TestPiece) =>
  path.join(provider.dataDir, 'pieces', piece.digest.slice(2, 4), piece.digest.slice(2));

async function refusedCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ProviderError) return `${error.status} ${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('promotion', () => {
  let provider: TestProvider;
  beforeAll(async () => (provider = await startTestProvider(chain, 0)));
  afterAll(() => provider?.stop());

  it('holds an unpaid piece and promotes it to parked when its payment is seen', async () => {
    const [payer] = payers;
    const pieces = [randomPiece(1500), randomPiece(2500)];
    const quotes = await provider.client.quote(payer!.address, pieces.map(refOf));
    const before = provider.metrics();
    for (const piece of pieces) expect((await store(provider, payer!, piece)).status).toBe('cached-unpaid');
    expect(provider.metrics()).toMatchObject({
      cachePieces: before.cachePieces + 2,
      cacheBytes: before.cacheBytes + 4000,
    });

    const receipt = await payer!.pay(quotes);
    for (const piece of pieces) await expect.poll(() => statusOf(provider, piece, payer)).toBe('parked');
    const after = provider.metrics();
    expect(after).toMatchObject({
      cachePieces: before.cachePieces,
      cacheBytes: before.cacheBytes,
      cachePromotions: before.cachePromotions + 2,
      paymentsSeen: before.paymentsSeen + 2,
      parkedPieces: before.parkedPieces + 2,
    });
    expect(after.lastBlock).toBeGreaterThanOrEqual(Number(receipt.blockNumber));
    const text = provider.metricsText();
    expect(promValue(text, 'coffer_provider_cache_promotions_total')).toBe(after.cachePromotions);
    expect(promValue(text, 'coffer_provider_payments_seen_total')).toBe(after.paymentsSeen);
  });

  it('ignores payments of other providers’ quotes', async () => {
    const other = await startTestProvider(chain, 1);
    try {
      const piece = randomPiece(100);
      const [payer] = payers;
      await provider.client.quote(payer!.address, [refOf(piece)]);
      await store(provider, payer!, piece);
      const before = provider.metrics().paymentsSeen;
      await payer!.pay(await other.client.quote(payer!.address, [refOf(piece)]));
      await store(other, payer!, piece);
      await expect.poll(() => statusOf(other, piece, payer)).toBe('parked');
      expect(await statusOf(provider, piece, payer)).toBe('cached-unpaid');
      expect(provider.metrics().paymentsSeen).toBe(before);
    } finally {
      await other.stop();
    }
  });
});

describe('a piece already paid', () => {
  it('goes straight to parked, even before the next poll would have seen the payment', async () => {
    // Polling once a minute: only the store's own look at the chain can see the payment.
    const provider = await startTestProvider(chain, 2, { pollIntervalMs: 60_000 });
    try {
      const [payer] = payers;
      const piece = randomPiece(800);
      await payer!.pay(await provider.client.quote(payer!.address, [refOf(piece)]));
      const before = provider.metrics();
      expect(await store(provider, payer!, piece)).toEqual({ cid: piece.cid, size: 800, status: 'parked' });
      expect(provider.metrics()).toMatchObject({
        cachePieces: before.cachePieces,
        cachePromotions: before.cachePromotions,
        parkedPieces: before.parkedPieces + 1,
      });
    } finally {
      await provider.stop();
    }
  });
});

describe('expiry', () => {
  it('deletes an unpaid piece when its TTL runs out, reports it, and keeps what others hold', async () => {
    const lines: string[] = [];
    const provider = await startTestProvider(chain, 3, {
      cache: { ttlMs: 400 },
      sweepIntervalMs: 60_000,
      log: (line) => lines.push(line),
    });
    try {
      const [alice, bob] = payers;
      const lonely = randomPiece(1000);
      const shared = randomPiece(700);
      await provider.client.quote(alice!.address, [refOf(lonely), refOf(shared)]);
      const bobQuotes = await provider.client.quote(bob!.address, [refOf(shared)]);
      for (const piece of [lonely, shared]) await store(provider, alice!, piece);
      await store(provider, bob!, shared);
      await bob!.pay(bobQuotes);
      await expect.poll(() => statusOf(provider, shared, bob)).toBe('parked');
      expect(existsSync(pieceFile(provider, lonely))).toBe(true);

      await new Promise((resolve) => setTimeout(resolve, 450));
      const before = provider.metrics();
      expect(provider.sweepCache()).toBe(2);
      const after = provider.metrics();
      expect(after.cacheExpiries - before.cacheExpiries).toBe(2);
      expect(after.cachePieces).toBe(0);
      expect(promValue(provider.metricsText(), 'coffer_provider_cache_expiries_total')).toBe(
        after.cacheExpiries,
      );
      expect(lines.filter((line) => /expired unpaid and was deleted/.test(line))).toHaveLength(2);

      const status = await provider.client.pieceStatus(lonely.cid, alice!.address);
      expect(status.status).toBe('unknown');
      expect(status.expiredAt).toBeGreaterThan(Date.now() - 5_000);
      expect(existsSync(pieceFile(provider, lonely))).toBe(false);
      // Bob paid for the shared piece: his copy stays, bytes and all.
      expect(await statusOf(provider, shared, alice)).toBe('unknown');
      expect(await statusOf(provider, shared, bob)).toBe('parked');
      expect(Buffer.from(await bytesOf((await provider.client.retrieve(shared.cid)).body))).toEqual(
        Buffer.from(shared.bytes),
      );
    } finally {
      await provider.stop();
    }
  });

  it('runs on its own timer', async () => {
    const provider = await startTestProvider(chain, 4, { cache: { ttlMs: 200 } });
    try {
      const [payer] = payers;
      const piece = randomPiece(100);
      await provider.client.quote(payer!.address, [refOf(piece)]);
      await store(provider, payer!, piece);
      await expect.poll(() => statusOf(provider, piece, payer)).toBe('unknown');
      expect(provider.metrics().cacheExpiries).toBe(1);
    } finally {
      await provider.stop();
    }
  });
});

describe('caps', () => {
  let provider: TestProvider;
  beforeAll(
    async () =>
      (provider = await startTestProvider(chain, 5, { cache: { maxBytes: 5000, maxBytesPerPayer: 3000 } })),
  );
  afterAll(() => provider?.stop());

  it('refuses at once, per payer and globally, and makes room again when payments arrive', async () => {
    const [alice, bob, carol] = payers;
    const a1 = randomPiece(2000);
    const a2 = randomPiece(1500);
    const b1 = randomPiece(2500);
    const c1 = randomPiece(1000);
    const aliceQuotes = await provider.client.quote(alice!.address, [refOf(a1), refOf(a2)]);
    await provider.client.quote(bob!.address, [refOf(b1)]);
    await provider.client.quote(carol!.address, [refOf(c1)]);

    expect((await store(provider, alice!, a1)).status).toBe('cached-unpaid');
    expect(await refusedCode(store(provider, alice!, a2))).toMatch(
      /^507 CACHE_FULL: .*the pre-registration cache is full for payer 0x[0-9a-f]{40}: 2000 bytes of its 3000 bytes are waiting for payment, and this piece needs 1500 bytes more/,
    );
    expect((await store(provider, bob!, b1)).status).toBe('cached-unpaid');
    expect(await refusedCode(store(provider, carol!, c1))).toMatch(
      /^507 CACHE_FULL: .*the pre-registration cache is full: 4500 bytes of 5000 bytes are waiting for payment, .* try again once payments are seen/,
    );
    expect(provider.metrics()).toMatchObject({ cacheBytes: 4500, cachePieces: 2, cacheRejections: 2 });
    expect(await statusOf(provider, a2)).toBe('unknown');

    // Alice pays for a1 (and a2): a1 leaves the cache, and a2, already paid, needs no room.
    await alice!.pay(aliceQuotes);
    await expect.poll(() => statusOf(provider, a1, alice)).toBe('parked');
    expect((await store(provider, alice!, a2)).status).toBe('parked');
    expect((await store(provider, carol!, c1)).status).toBe('cached-unpaid');
    expect(provider.metrics()).toMatchObject({ cacheBytes: 3500, cachePieces: 2 });
  });

  it('fails only the pieces that do not fit in a batch', async () => {
    const [, bob] = payers;
    // Bob holds 2500 of his 3000.
    const pieces = [randomPiece(400), randomPiece(400), randomPiece(50)];
    await provider.client.quote(bob!.address, pieces.map(refOf));
    const results = await provider.client.storeBatch(
      bob!.address,
      pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
    );
    expect(results.map((result) => (result.ok ? result.status : result.error.code))).toEqual([
      'cached-unpaid',
      'CACHE_FULL',
      'cached-unpaid',
    ]);
  });

  it('counts pieces still arriving, so concurrent stores cannot overfill it', async () => {
    const [, , carol] = payers;
    // Carol holds 1000 of her 3000 and the cache 3950 of 5000: of three 1000-byte pieces racing
    // for that room, one fits.
    const pieces = [randomPiece(1000), randomPiece(1000), randomPiece(1000)];
    await provider.client.quote(carol!.address, pieces.map(refOf));
    const outcomes = await Promise.all(pieces.map((piece) => refusedCode(store(provider, carol!, piece))));
    expect(outcomes.filter((outcome) => outcome === 'accepted')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.startsWith('507 CACHE_FULL'))).toHaveLength(2);
  });
});

describe('restart', () => {
  let dataDir: string;
  beforeAll(async () => (dataDir = await mkdtemp(path.join(tmpdir(), 'coffer-provider-restart-'))));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps parked pieces, cache entries with their times, quotes, and resumes watching from its block', async () => {
    const [payer] = payers;
    const options = { dataDir, cache: { ttlMs: 60_000 } };
    let provider = await startTestProvider(chain, 6, options);
    const parked = randomPiece(900);
    const cached = randomPiece(1100);
    const later = randomPiece(1300);
    let cachedStore;
    let cachedQuotes;
    let stoppedAt = 0;
    try {
      await payer!.pay(await provider.client.quote(payer!.address, [refOf(parked)]));
      await store(provider, payer!, parked);
      await expect.poll(() => statusOf(provider, parked, payer)).toBe('parked');
      cachedQuotes = await provider.client.quote(payer!.address, [refOf(cached)]);
      cachedStore = await store(provider, payer!, cached);
      await provider.client.quote(payer!.address, [refOf(later)]);
      stoppedAt = provider.metrics().lastBlock;
    } finally {
      await provider.stop();
    }

    // Paid while the provider is down, and more blocks mined after: a watcher that started from
    // the chain's head would never see it.
    const paid = await payer!.pay(cachedQuotes);
    await payer!.deposit(1n);
    expect(Number(paid.blockNumber)).toBeGreaterThan(stoppedAt);

    provider = await startTestProvider(chain, 6, options);
    try {
      await expect.poll(() => statusOf(provider, cached, payer)).toBe('parked');
      expect(await provider.client.pieceStatus(parked.cid, payer!.address)).toMatchObject({
        status: 'parked',
      });
      expect(Buffer.from(await bytesOf((await provider.client.retrieve(parked.cid)).body))).toEqual(
        Buffer.from(parked.bytes),
      );
      expect(provider.metrics().lastBlock).toBeGreaterThan(Number(paid.blockNumber));
      // The quote given before the restart still admits its piece.
      const laterStore = await store(provider, payer!, later);
      expect(laterStore.status).toBe('cached-unpaid');
      expect(cachedStore!.expiresAt).toBeDefined();
    } finally {
      await provider.stop();
    }

    // A cache entry keeps its expiry across a restart: stored with a short TTL, expired while down.
    provider = await startTestProvider(chain, 6, { dataDir, cache: { ttlMs: 300 } });
    const fleeting = randomPiece(10);
    try {
      await provider.client.quote(payer!.address, [refOf(fleeting)]);
      const { expiresAt } = await store(provider, payer!, fleeting);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300);
      expect((await provider.client.pieceStatus(later.cid, payer!.address)).status).toBe('cached-unpaid');
    } finally {
      await provider.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 350));
    provider = await startTestProvider(chain, 6, {
      dataDir,
      cache: { ttlMs: 60_000 },
      sweepIntervalMs: 60_000,
    });
    try {
      expect(await statusOf(provider, fleeting, payer)).toBe('unknown');
      expect(provider.metrics().cacheExpiries).toBe(1);
      // The entry stored under the long TTL is still there, its expiry unchanged.
      expect(await statusOf(provider, later, payer)).toBe('cached-unpaid');
      expect(await statusOf(provider, cached, payer)).toBe('parked');
    } finally {
      await provider.stop();
    }
  });
});
