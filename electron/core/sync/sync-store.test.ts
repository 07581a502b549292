import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_SETTINGS } from '../../../shared/api/sync';
import { COMPACT_BYTES } from '../../../shared/notes/format';
import { SyncStore, type StoredNote } from './sync-store';
import type { TagHit } from './trial-decrypt';
import { openTempStore } from './test-support/sync-fixture';

const note = (index: number, value: bigint, account = 0): StoredNote => ({
  index,
  account,
  value,
  memo: new TextEncoder().encode(`memo ${index}`),
  commitment: new Uint8Array(32).fill(index % 256),
  sealedSeed: new Uint8Array(57).fill(1),
});

/** A tag hit on note `index` for `accounts`, with a compact part that names it. */
const hit = (index: number, accounts = [0]): TagHit => ({
  index,
  accounts,
  compact: new Uint8Array(COMPACT_BYTES).fill(index % 256),
});

/** Checkpoints a batch whose hits all turn out to be the wallet's notes, as a sync would. */
function scanAndResolve(
  store: SyncStore,
  start: number,
  end: number,
  accounts: number[],
  notes: StoredNote[],
) {
  const hits = notes.map((n) => hit(n.index, [n.account]));
  store.commitBatch(start, end, accounts, hits);
  store.resolveHits(hits, notes);
}

function withStore(test: (store: SyncStore, reopen: () => SyncStore) => void): void {
  const temp = openTempStore();
  let reopened: SyncStore | null = null;
  try {
    test(temp.store, () => {
      temp.store.close();
      reopened = new SyncStore(temp.file);
      return reopened;
    });
  } finally {
    if (reopened) (reopened as SyncStore).close();
    else temp.store.close();
    temp.close();
  }
}

describe('sync store', () => {
  it('advances the cursor over batches committed out of order, and keeps it across a reopen', () =>
    withStore((store, reopen) => {
      store.bind('http://a', 1000, [{ account: 0, keyId: 'k0' }]);
      scanAndResolve(store, 200, 300, [0], [note(250, 7n)]);
      store.commitBatch(100, 200, [0], []);
      expect(store.progressOf(0)).toEqual({
        cursor: 0,
        ranges: [
          [100, 200],
          [200, 300],
        ],
      });
      scanAndResolve(store, 0, 100, [0], [note(5, 2n ** 64n - 1n)]);
      expect(store.progressOf(0)).toEqual({ cursor: 300, ranges: [] });
      const again = reopen();
      expect(again.progressOf(0)).toEqual({ cursor: 300, ranges: [] });
      expect(again.balance(0)).toEqual({ account: 0, balance: (2n ** 64n + 6n).toString(), notes: 2 });
      expect(again.notes(0, 0, 10).notes.map((n) => [n.index, n.value, n.memo])).toEqual([
        [5, (2n ** 64n - 1n).toString(), 'memo 5'],
        [250, '7', 'memo 250'],
      ]);
    }));

  it('keeps a batch’s tag hits pending, with their compact parts, until they are resolved, across a reopen', () =>
    withStore((store, reopen) => {
      store.bind('http://a', 1000, [
        { account: 0, keyId: 'k0' },
        { account: 1, keyId: 'k1' },
      ]);
      store.commitBatch(100, 200, [0, 1], [hit(150, [0, 1]), hit(120, [1])]);
      store.commitBatch(0, 100, [0, 1], [hit(7)]);
      expect(store.progressOf(0)).toEqual({ cursor: 200, ranges: [] });
      expect(store.pendingCount()).toBe(4);
      const again = reopen();
      // In index order, one hit per note with every account it matched, its compact part intact.
      expect(again.pendingHits([0, 1])).toEqual([hit(7), hit(120, [1]), hit(150, [0, 1])]);
      expect(again.pendingHits([1])).toEqual([hit(120, [1]), hit(150, [1])]);
      // 150 is account 1's note and a false positive for account 0; 7 is a false positive.
      again.resolveHits([hit(150, [0, 1]), hit(7)], [note(150, 9n, 1)]);
      expect(again.pendingHits([0, 1])).toEqual([hit(120, [1])]);
      expect(again.balances()).toEqual([
        { account: 0, balance: '0', notes: 0 },
        { account: 1, balance: '9', notes: 1 },
      ]);
    }));

  it('checkpoints a batch all or nothing, and a resolve all or nothing', () =>
    withStore((store) => {
      store.bind('http://a', 1000, [{ account: 0, keyId: 'k0' }]);
      store.commitBatch(0, 100, [0], [hit(5)]);
      // The same hit twice violates the key: neither the hits nor the range are kept.
      expect(() => store.commitBatch(100, 200, [0], [hit(150), hit(150)])).toThrow();
      expect(store.progressOf(0)).toEqual({ cursor: 100, ranges: [] });
      expect(store.pendingHits([0])).toEqual([hit(5)]);
      // A hit that is not pending cannot be resolved, and nothing of that resolve is kept.
      expect(() => store.resolveHits([hit(5), hit(150)], [note(5, 1n), note(150, 1n)])).toThrow(
        /note 150 is not pending for account 0/,
      );
      expect(store.pendingHits([0])).toEqual([hit(5)]);
      expect(store.notes(0, 0, 10).total).toBe(0);
    }));

  it('starts over for another server, a shorter history, or other keys, and says why', () =>
    withStore((store) => {
      store.bind('http://a', 1000, [
        { account: 0, keyId: 'k0' },
        { account: 1, keyId: 'k1' },
      ]);
      scanAndResolve(store, 0, 500, [0, 1], [note(1, 1n), note(2, 1n, 1)]);
      store.commitBatch(500, 600, [0, 1], [hit(550, [0, 1])]);
      expect(
        store.bind('http://a', 1000, [
          { account: 0, keyId: 'k0' },
          { account: 1, keyId: 'other' },
        ]),
      ).toEqual(['account 1 has other keys than the ones synced before; syncing it from the start']);
      expect(store.progressOf(0).cursor).toBe(600);
      expect(store.progressOf(1).cursor).toBe(0);
      expect(store.pendingHits([0, 1])).toEqual([hit(550, [0])]);
      expect(store.bind('http://a', 400, [{ account: 0, keyId: 'k0' }])[0]).toMatch(
        /now has 400 notes, fewer than the 600 already scanned/,
      );
      expect(store.balances()).toEqual([{ account: 0, balance: '0', notes: 0 }]);
      expect(store.pendingCount()).toBe(0);
      store.commitBatch(0, 100, [0], []);
      expect(store.bind('http://b', 400, [{ account: 0, keyId: 'k0' }])[0]).toMatch(
        /changed from http:\/\/a to http:\/\/b/,
      );
      expect(store.progressOf(0).cursor).toBe(0);
    }));

  it('rescans from an index: later notes, pending hits and ranges go, a range across it is cut', () =>
    withStore((store) => {
      store.bind('http://a', 1000, [{ account: 0, keyId: 'k0' }]);
      scanAndResolve(store, 0, 300, [0], [note(10, 1n), note(290, 2n)]);
      scanAndResolve(store, 400, 600, [0], [note(450, 3n)]);
      store.commitBatch(600, 700, [0], [hit(620)]);
      store.commitBatch(300, 400, [0], [hit(390)]);
      store.rescanFrom(500);
      expect(store.progressOf(0)).toEqual({ cursor: 500, ranges: [] });
      expect(store.pendingHits([0])).toEqual([hit(390)]);
      expect(store.balance(0).balance).toBe('6');
      store.rescanFrom(100);
      expect(store.progressOf(0)).toEqual({ cursor: 100, ranges: [] });
      expect(store.pendingHits([0])).toEqual([]);
      expect(store.balance(0)).toEqual({ account: 0, balance: '1', notes: 1 });
    }));

  it('lists 12,000 notes a page at a time, in index order, from any offset', () =>
    withStore((store) => {
      store.bind('http://a', 200_000, [{ account: 0, keyId: 'k0' }]);
      for (let batch = 0; batch < 48; batch++)
        scanAndResolve(
          store,
          batch * 4000,
          (batch + 1) * 4000,
          [0],
          Array.from({ length: 250 }, (_, i) => note(batch * 4000 + i * 16, BigInt(i))),
        );
      const last = store.notes(0, 11_990, 100);
      expect(last.total).toBe(12_000);
      expect(last.notes.map((n) => n.index)).toEqual(Array.from({ length: 10 }, (_, i) => 191_840 + i * 16));
      expect(store.notes(0, 500, 3).notes.map((n) => n.index)).toEqual([8000, 8016, 8032]);
      expect(store.balance(0)).toEqual({
        account: 0,
        balance: String(48 * ((249 * 250) / 2)),
        notes: 12_000,
      });
    }));

  it('saves settings, and reads defaults for what was never set', () =>
    withStore((store) => {
      expect(store.settings()).toEqual(DEFAULT_SYNC_SETTINGS);
      store.saveSettings({ ...DEFAULT_SYNC_SETTINGS, concurrency: 32 });
      expect(store.settings()).toEqual({ ...DEFAULT_SYNC_SETTINGS, concurrency: 32 });
      expect(() => store.saveSettings({ ...DEFAULT_SYNC_SETTINGS, concurrency: 500 })).toThrow(
        /hard cap of 128/,
      );
    }));

  it('keeps when the wallet was last synced across a reopen, and forgets it when any account starts over', () =>
    withStore((store, reopen) => {
      const accounts = [{ account: 0, keyId: 'k0' }];
      store.bind('http://a', 1000, accounts);
      expect(store.lastSynced()).toBeNull();
      store.markSynced(1000, 1_700_000_000_000);
      const again = reopen();
      expect(again.lastSynced()).toEqual({ at: 1_700_000_000_000, treeSize: 1000 });
      // The same accounts bound again (the next pass): still synced up to 1000.
      again.bind('http://a', 1200, accounts);
      expect(again.lastSynced()).toEqual({ at: 1_700_000_000_000, treeSize: 1000 });
      again.rescanFrom(500);
      expect(again.lastSynced()).toBeNull();
      again.markSynced(1200, 1_700_000_001_000);
      again.bind('http://a', 1200, [...accounts, { account: 1, keyId: 'k1' }]);
      expect(again.lastSynced()).toBeNull();
      again.markSynced(1200, 1_700_000_002_000);
      again.bind('http://b', 1200, [{ account: 0, keyId: 'k0' }]);
      expect(again.lastSynced()).toBeNull();
    }));
});
