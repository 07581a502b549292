// The sync engine end to end — real note server, real seeder, real worker threads, real SQLite —
// checked against the seeder's oracle: which indices are each wallet's and what they carry, as
// recorded when the notes were encrypted, independently of the engine.
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedBatchEncoder } from '../../../devnet/note-server/seed-batch';
import type { SyncProgress } from '../../../shared/api/sync';
import { addressDigest, commitmentOf } from '../../../shared/notes/note-crypto';
import { nobleKem } from '../../../shared/notes/noble-kem';
import { seedContext } from './note-sealer';
import { SyncEngine, type BatchEvent, type RunOptions, type SyncEngineOptions } from './sync-engine';
import type { NoteKeys } from '../../../shared/notes/note-crypto';
import {
  accountsOf,
  expectedNotes,
  openTempStore,
  seededServer,
  storedNotes,
  storeState,
  testSealer,
  walletKeys,
  type SeededServer,
} from './test-support/sync-fixture';

/** The most batches each worker had in flight at once, from the dispatch/commit events. */
function peakInFlight(events: readonly BatchEvent[]): number[] {
  const now = new Map<number, number>();
  const peak = new Map<number, number>();
  for (const { kind, worker } of events) {
    if (kind === 'prefetched') continue;
    now.set(worker, (now.get(worker) ?? 0) + (kind === 'dispatched' ? 1 : -1));
    peak.set(worker, Math.max(peak.get(worker) ?? 0, now.get(worker)!));
  }
  return [...peak.keys()].sort().map((worker) => peak.get(worker)!);
}

const alice = walletKeys(0x11);
const bob = walletKeys(0x21);
const K = 100;

/** Runs one sync to completion on a fresh store; returns the store's state and what happened. */
async function syncOnce(
  url: string,
  wallets: NoteKeys[],
  options: Omit<RunOptions, 'accounts'> = {},
  engineOptions: Pick<SyncEngineOptions, 'maxBatchesPerWorker' | 'prefetch'> = {},
) {
  const temp = openTempStore();
  const events: BatchEvent[] = [];
  const engine = new SyncEngine({
    store: temp.store,
    serverUrl: url,
    sealer: testSealer(),
    onBatch: (event) => events.push(event),
    ...engineOptions,
  });
  try {
    const report = await engine.run({ ...options, accounts: accountsOf(...wallets) });
    const ids = wallets.map((_, account) => account);
    return { report, events, state: storeState(temp.store, ids), store: temp.store, close: temp.close };
  } catch (error) {
    temp.close();
    throw error;
  }
}

describe('sync engine', () => {
  let seeded: SeededServer;
  let concurrent: Awaited<ReturnType<typeof syncOnce>>;

  beforeAll(async () => {
    seeded = await seededServer([
      { keys: alice, count: 1200, fraction: 0.05 },
      { keys: bob, count: 300, fraction: 0.1 },
    ]);
    concurrent = await syncOnce(seeded.server.url, [alice, bob], {
      settings: { workers: 2, checkpointEvery: K, kem: 'liboqs' },
    });
  });
  afterAll(async () => {
    concurrent?.close();
    await seeded?.stop();
  });

  it('a concurrent sync (2 workers, range reads, liboqs) finds exactly the oracle’s notes, in index order', () => {
    const [aliceOracle, bobOracle] = seeded.oracles;
    expect(aliceOracle!.ours.length).toBe(60);
    expect(storedNotes(concurrent.store, 0)).toEqual(expectedNotes(aliceOracle!));
    expect(storedNotes(concurrent.store, 1)).toEqual(expectedNotes(bobOracle!));
    const sum = (oracle: typeof aliceOracle) =>
      oracle!.ours.reduce((s, n) => s + BigInt(n.value), 0n).toString();
    expect(concurrent.report.progress.balances).toEqual([
      { account: 0, balance: sum(aliceOracle), notes: 60 },
      { account: 1, balance: sum(bobOracle), notes: 30 },
    ]);
    expect(concurrent.state.map((s) => s.progress)).toEqual([
      { cursor: 1500, ranges: [] },
      { cursor: 1500, ranges: [] },
    ]);
    expect(concurrent.report.progress).toMatchObject({
      state: 'idle',
      total: 1500,
      scanned: 1500,
      found: 90,
      pendingHits: 0,
    });
    expect(concurrent.store.pendingCount()).toBe(0);
  });

  it('spreads the batches over both workers: parallel decryption runs on the real sync path', () => {
    const perWorker = [0, 1].map(
      (worker) => concurrent.events.filter((e) => e.kind === 'committed' && e.worker === worker).length,
    );
    expect(perWorker.every((n) => n >= 3)).toBe(true);
    expect(perWorker[0]! + perWorker[1]!).toBe(1500 / K);
    // By default a worker has one batch in flight at a time: a crash redoes at most one each.
    expect(peakInFlight(concurrent.events)).toEqual([1, 1]);
    expect(concurrent.report.totals).toMatchObject({ scanned: 1500, batches: 15, found: 90 });
    // Every note is tried against both accounts: 2 decapsulations a note, tag hits only where they matched.
    expect(concurrent.report.totals.tagHits).toBe(90 + concurrent.report.totals.falsePositives);
  });

  it('a worker fetches its next batch while it decrypts the one before, and scans it next: each range is read once', async () => {
    const counted = await seeded.another({ latencyMs: 10 });
    const run = await syncOnce(counted.url, [alice], { settings: { workers: 2, checkpointEvery: K } });
    try {
      const { events } = run;
      const prefetched = events.filter((e) => e.kind === 'prefetched');
      // Every batch but each worker's first is fetched ahead…
      expect(prefetched).toHaveLength(1500 / K - 2);
      for (const ahead of prefetched) {
        // …by a worker busy with a batch, which is given that very batch next.
        const after = events.slice(events.indexOf(ahead) + 1);
        const next = after.find((e) => e.kind === 'dispatched' && e.worker === ahead.worker);
        expect(next).toMatchObject({ start: ahead.start, count: ahead.count });
      }
      expect(counted.stats().requestsByRoute.compact_range).toBe(1500 / K);
      expect(peakInFlight(events)).toEqual([1, 1]);
      expect(run.state[0]!.notes).toEqual(concurrent.state[0]!.notes);
      // Without prefetch, nothing is fetched ahead and the notes are the same.
      const strict = await syncOnce(
        counted.url,
        [alice],
        { settings: { workers: 2, checkpointEvery: K } },
        { prefetch: false },
      );
      try {
        expect(strict.events.some((e) => e.kind === 'prefetched')).toBe(false);
        expect(strict.state[0]!.notes).toEqual(concurrent.state[0]!.notes);
      } finally {
        strict.close();
      }
    } finally {
      run.close();
    }
  });

  it('stores each seed sealed, and the unsealed seed recomputes the stored commitment', () => {
    const sealer = testSealer();
    const digest = addressDigest({
      detectionPublicKey: alice.detection.publicKey,
      viewingPublicKey: alice.viewing.publicKey,
    });
    for (const note of concurrent.state[0]!.notes.notes) {
      const sealed = concurrent.store.sealedSeed(0, note.index)!;
      expect(sealed.length).toBe(1 + 24 + 32 + 16);
      const seed = sealer.unseal(sealed, seedContext(0, note.index));
      const memo = new TextEncoder().encode(note.memo);
      const commitment = commitmentOf(digest, { value: BigInt(note.value), seed, memo });
      expect(commitment).toEqual(hexToBytes(note.commitment));
      // Bound to its note: the same bytes do not open as another note's seed.
      expect(() => sealer.unseal(sealed, seedContext(0, note.index + 1))).toThrow(/does not open/);
    }
  });

  it('a sequential sync (1 worker, per-note reads one at a time) equals the concurrent one and the oracle', async () => {
    const noRange = await seeded.another({ range: false });
    const sequential = await syncOnce(noRange.url, [alice, bob], {
      settings: { workers: 1, concurrency: 1, checkpointEvery: K },
    });
    try {
      expect(sequential.report.progress.readMode).toBe('per-note');
      const stats = noRange.stats();
      expect(stats.requestsByRoute.compact_range ?? 0).toBe(0);
      expect(stats.requestsByRoute.note_compact).toBe(1500);
      expect(stats.responsesByStatus['501'] ?? 0).toBe(0);
      expect(sequential.state.map((s) => s.notes)).toEqual(concurrent.state.map((s) => s.notes));
      expect(storedNotes(sequential.store, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
    } finally {
      sequential.close();
    }
  });

  it('the noble backend finds the same notes as liboqs, in the same order', async () => {
    const noble = await syncOnce(seeded.server.url, [alice, bob], {
      settings: { workers: 2, checkpointEvery: 250, kem: 'noble' },
    });
    try {
      expect(noble.state.map((s) => s.notes)).toEqual(concurrent.state.map((s) => s.notes));
    } finally {
      noble.close();
    }
  });

  it('one worker decrypting alone finds what two found, and the oracle', async () => {
    const single = await syncOnce(seeded.server.url, [alice], {
      settings: { workers: 1, checkpointEvery: 300 },
    });
    try {
      expect(single.events.every((e) => e.worker === 0)).toBe(true);
      expect(single.state[0]!.notes).toEqual(concurrent.state[0]!.notes);
    } finally {
      single.close();
    }
  });

  it('with several batches in flight per worker (fetch overlapping decryption), finds the same notes', async () => {
    const deep = await syncOnce(
      seeded.server.url,
      [alice],
      { settings: { workers: 2, checkpointEvery: 50 } },
      { maxBatchesPerWorker: 6 },
    );
    try {
      expect(peakInFlight(deep.events).every((peak) => peak >= 2)).toBe(true);
      expect(deep.state[0]!.notes).toEqual(concurrent.state[0]!.notes);
    } finally {
      deep.close();
    }
  });

  it('keeps one HTTP agent per worker for the whole run: connections stay at most workers × budget', async () => {
    const counted = await seeded.another({ range: false });
    const run = await syncOnce(counted.url, [alice], {
      settings: { workers: 2, concurrency: 2, checkpointEvery: 50 },
    });
    try {
      const stats = counted.stats();
      expect(run.report.totals.batches).toBe(30);
      expect(stats.requestsByRoute.note_compact).toBe(1500);
      // Two agents, each never needing more than the 2-request budget, plus the coordinator's own.
      expect(stats.connectionsTotal).toBeLessThanOrEqual(2 * 2 + 1);
    } finally {
      run.close();
    }
  });

  it('a resync with nothing new asks only for the tree size and starts no worker', async () => {
    const engine = new SyncEngine({
      store: concurrent.store,
      serverUrl: seeded.server.url,
      sealer: testSealer(),
    });
    seeded.server.resetStats();
    const report = await engine.run({ accounts: accountsOf(alice, bob), settings: { checkpointEvery: K } });
    expect(report.progress).toMatchObject({
      state: 'idle',
      workers: 0,
      scanned: 1500,
      total: 1500,
      found: 90,
    });
    expect(seeded.server.stats().requestsByRoute).toEqual({ info: 1 });
    expect(storeState(concurrent.store, [0, 1])).toEqual(concurrent.state);
  });

  it('an account added later is scanned from the start, without rescanning the others', async () => {
    const first = await syncOnce(seeded.server.url, [alice], { settings: { checkpointEvery: K } });
    try {
      const engine = new SyncEngine({
        store: first.store,
        serverUrl: seeded.server.url,
        sealer: testSealer(),
      });
      const report = await engine.run({
        accounts: accountsOf(alice, bob),
        settings: { checkpointEvery: K },
      });
      // Only bob's keys were tried: alice's 60 notes would have been tag hits (and stored twice).
      expect(report.totals).toMatchObject({ scanned: 1500, found: 30 });
      expect(report.totals.tagHits - report.totals.falsePositives).toBe(30);
      expect(storeState(first.store, [0, 1])).toEqual(concurrent.state);
    } finally {
      first.close();
    }
  });

  it('rescans from an index: what was found from there is forgotten and found again', async () => {
    const run = await syncOnce(seeded.server.url, [alice, bob], {
      settings: { checkpointEvery: K },
    });
    try {
      const engine = new SyncEngine({
        store: run.store,
        serverUrl: seeded.server.url,
        sealer: testSealer(),
      });
      engine.rescanFrom(750);
      expect(run.store.progressOf(0)).toEqual({ cursor: 750, ranges: [] });
      expect(storedNotes(run.store, 0)).toEqual(
        expectedNotes(seeded.oracles[0]!).filter((n) => n.index < 750),
      );
      seeded.server.resetStats();
      const report = await engine.run({
        accounts: accountsOf(alice, bob),
        settings: { checkpointEvery: K },
      });
      expect(report.totals.scanned).toBe(750);
      expect(seeded.server.stats().requestsByRoute.compact_range).toBe(8); // [750, 800) then 7 × 100
      expect(storeState(run.store, [0, 1])).toEqual(concurrent.state);
    } finally {
      run.close();
    }
  });

  it('stops cooperatively: the batches in flight finish and are saved, and a later run completes the sync', async () => {
    const slow = await seeded.another({ latencyMs: 25 });
    const temp = openTempStore();
    const events: BatchEvent[] = [];
    const engine = new SyncEngine({
      store: temp.store,
      serverUrl: slow.url,
      sealer: testSealer(),
      onBatch: (event) => {
        events.push(event);
        if (event.kind === 'committed' && events.filter((e) => e.kind === 'committed').length === 2)
          void engine.stop();
      },
    });
    try {
      const report = await engine.run({
        accounts: accountsOf(alice),
        settings: { workers: 1, checkpointEvery: 50 },
      });
      const dispatched = events.filter((e) => e.kind === 'dispatched').length;
      const committed = events.filter((e) => e.kind === 'committed').length;
      expect(report.progress).toMatchObject({ state: 'idle', pendingHits: 0 });
      expect(committed).toBe(dispatched);
      expect(committed).toBeLessThan(1500 / 50);
      const { cursor, ranges } = temp.store.progressOf(0);
      expect(cursor + ranges.reduce((sum, [s, e]) => sum + e - s, 0)).toBe(committed * 50);
      // The tag hits of the batches it scanned were resolved before it stopped: their notes are in.
      expect(temp.store.pendingCount()).toBe(0);
      const scanned = (index: number) =>
        index < cursor || ranges.some(([start, end]) => start <= index && index < end);
      expect(storedNotes(temp.store, 0)).toEqual(
        expectedNotes(seeded.oracles[0]!).filter((n) => scanned(n.index)),
      );
      await engine.run({ accounts: accountsOf(alice), settings: { checkpointEvery: 50 } });
      expect(storedNotes(temp.store, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
    } finally {
      temp.close();
    }
  });

  it('watch mode picks up new notes with the same workers and connections, until stopped', async () => {
    const temp = openTempStore();
    const progress: SyncProgress[] = [];
    const waiters: Array<{ test: (p: SyncProgress) => boolean; resolve: () => void }> = [];
    const engine = new SyncEngine({
      store: temp.store,
      serverUrl: seeded.server.url,
      sealer: testSealer(),
      onProgress: (p) => {
        progress.push(p);
        for (const waiter of waiters.filter((w) => w.test(p))) waiter.resolve();
      },
    });
    const until = (test: (p: SyncProgress) => boolean) =>
      new Promise<void>((resolve) => waiters.push({ test, resolve }));
    try {
      seeded.server.resetStats();
      const running = engine.run({
        accounts: accountsOf(alice),
        watch: true,
        settings: { workers: 2, checkpointEvery: K, watchIntervalMs: 200 },
      });
      await until((p) => p.state === 'watching');
      const connectionsAfterFirstPass = seeded.server.stats().connectionsTotal;

      // Three new notes for alice among 200, published in-process (no HTTP client of the test's own).
      const encode = createSeedBatchEncoder(
        {
          seed: 'watch',
          recipient: {
            detectionPublicKey: alice.detection.publicKey,
            viewingPublicKey: alice.viewing.publicKey,
          },
          decoys: 4,
        },
        nobleKem,
      );
      const batch = encode(0, 200, new Set([5, 99, 150]));
      seeded.server.publish(batch.notes);
      await until((p) => p.total === 1700 && p.scanned === 1700 && p.state === 'watching');

      expect(seeded.server.stats().connectionsTotal).toBe(connectionsAfterFirstPass);
      await engine.stop();
      const report = await running;
      expect(report.progress.state).toBe('idle');
      expect(storedNotes(temp.store, 0)).toEqual([
        ...expectedNotes(seeded.oracles[0]!),
        ...batch.ours.map((n) => ({ index: 1500 + n.ordinal, value: n.value.toString(), memo: n.memo })),
      ]);
      expect(progress.some((p) => p.state === 'syncing' && p.total === 1700)).toBe(true);
    } finally {
      temp.close();
    }
  });
});
