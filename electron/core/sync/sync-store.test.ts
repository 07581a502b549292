import { describe, expect, it } from 'vitest';
import { DEFAULT_SYNC_SETTINGS } from '../../../shared/api/sync';
import { SyncStore, type StoredNote } from './sync-store';
import { openTempStore } from './test-support/sync-fixture';

const note = (index: number, value: bigint, account = 0): StoredNote => ({
  index,
  account,
  value,
  memo: new TextEncoder().encode(`memo ${index}`),
  commitment: new Uint8Array(32).fill(index % 256),
  sealedSeed: new Uint8Array(57).fill(1),
});

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
      store.commitBatch(200, 300, [0], [note(250, 7n)]);
      store.commitBatch(100, 200, [0], []);
      expect(store.progressOf(0)).toEqual({
        cursor: 0,
        ranges: [
          [100, 200],
          [200, 300],
        ],
      });
      store.commitBatch(0, 100, [0], [note(5, 2n ** 64n - 1n)]);
      expect(store.progressOf(0)).toEqual({ cursor: 300, ranges: [] });
      const again = reopen();
      expect(again.progressOf(0)).toEqual({ cursor: 300, ranges: [] });
      expect(again.balance(0)).toEqual({ account: 0, balance: (2n ** 64n + 6n).toString(), notes: 2 });
      expect(again.notes(0, 0, 10).notes.map((n) => [n.index, n.value, n.memo])).toEqual([
        [5, (2n ** 64n - 1n).toString(), 'memo 5'],
        [250, '7', 'memo 250'],
      ]);
    }));

  it('commits a batch all or nothing', () =>
    withStore((store) => {
      store.bind('http://a', 1000, [{ account: 0, keyId: 'k0' }]);
      store.commitBatch(0, 100, [0], [note(5, 1n)]);
      // The same note again violates the key: neither the note nor the range is kept.
      expect(() => store.commitBatch(100, 200, [0], [note(150, 1n), note(5, 1n)])).toThrow();
      expect(store.progressOf(0)).toEqual({ cursor: 100, ranges: [] });
      expect(store.notes(0, 0, 10).total).toBe(1);
    }));

  it('starts over for another server, a shorter history, or other keys, and says why', () =>
    withStore((store) => {
      store.bind('http://a', 1000, [
        { account: 0, keyId: 'k0' },
        { account: 1, keyId: 'k1' },
      ]);
      store.commitBatch(0, 500, [0, 1], [note(1, 1n), note(2, 1n, 1)]);
      expect(
        store.bind('http://a', 1000, [
          { account: 0, keyId: 'k0' },
          { account: 1, keyId: 'other' },
        ]),
      ).toEqual(['account 1 has other keys than the ones synced before; syncing it from the start']);
      expect(store.progressOf(0).cursor).toBe(500);
      expect(store.progressOf(1).cursor).toBe(0);
      expect(store.bind('http://a', 400, [{ account: 0, keyId: 'k0' }])[0]).toMatch(
        /now has 400 notes, fewer than the 500 already scanned/,
      );
      expect(store.balances()).toEqual([{ account: 0, balance: '0', notes: 0 }]);
      store.commitBatch(0, 100, [0], []);
      expect(store.bind('http://b', 400, [{ account: 0, keyId: 'k0' }])[0]).toMatch(
        /changed from http:\/\/a to http:\/\/b/,
      );
      expect(store.progressOf(0).cursor).toBe(0);
    }));

  it('rescans from an index: later notes and ranges go, a range across it is cut', () =>
    withStore((store) => {
      store.bind('http://a', 1000, [{ account: 0, keyId: 'k0' }]);
      store.commitBatch(0, 300, [0], [note(10, 1n), note(290, 2n)]);
      store.commitBatch(400, 600, [0], [note(450, 3n)]);
      store.rescanFrom(500);
      expect(store.progressOf(0)).toEqual({ cursor: 300, ranges: [[400, 500]] });
      expect(store.balance(0).balance).toBe('6');
      store.rescanFrom(100);
      expect(store.progressOf(0)).toEqual({ cursor: 100, ranges: [] });
      expect(store.balance(0)).toEqual({ account: 0, balance: '1', notes: 1 });
    }));

  it('lists 12,000 notes a page at a time, in index order, from any offset', () =>
    withStore((store) => {
      store.bind('http://a', 200_000, [{ account: 0, keyId: 'k0' }]);
      for (let batch = 0; batch < 48; batch++)
        store.commitBatch(
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
