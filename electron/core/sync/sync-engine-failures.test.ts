// How the sync engine fails: abort-on-first-error with the HTTP status and URL, short-circuit
// (a counted server shows the failing batch was not drained), bounded retries of transient
// errors, clear errors for malformed responses, a checkpoint that never passes a failed batch,
// and tag hits that stay pending when their payloads fail.
// Faults are injected by the real note server (devnet/note-server/faults.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../devnet/note-server/faults';
import type { NoteServer } from '../../../devnet/note-server/note-server';
import type { RetryPolicy } from './note-client';
import { SyncEngine, type RunOptions } from './sync-engine';
import { SyncError } from './sync-error';
import type { SyncStore } from './sync-store';
import {
  accountsOf,
  expectedNotes,
  openTempStore,
  seededServer,
  storedNotes,
  tempDir,
  testSealer,
  walletKeys,
  type SeededServer,
} from './test-support/sync-fixture';

const alice = walletKeys(0x41);
const K = 100;
/** The real policy's shape with short delays, so a failing test does not wait seconds. */
const FAST_RETRY: RetryPolicy = { retries: 2, baseDelayMs: 20, maxDelayMs: 100 };

async function failingSync(server: NoteServer, settings: RunOptions['settings']) {
  const temp = openTempStore();
  const engine = new SyncEngine({
    store: temp.store,
    serverUrl: server.url,
    sealer: testSealer(),
    retry: FAST_RETRY,
  });
  const error = await engine
    .run({ accounts: accountsOf(alice), settings: { checkpointEvery: K, ...settings } })
    .then(
      () => null,
      (thrown: unknown) => thrown,
    );
  return { error: error as SyncError, engine, store: temp.store, close: temp.close };
}

/** The checkpoint stopped before the failed batch [batchStart, batchStart + K) holding `index`. */
function expectCheckpointBefore(store: SyncStore, index: number, batchStart: number): void {
  const { cursor, ranges } = store.progressOf(0);
  expect(cursor).toBeLessThanOrEqual(batchStart);
  expect(ranges.some(([start, end]) => start <= index && index < end)).toBe(false);
  expect(storedNotes(store, 0).some((n) => n.index >= batchStart && n.index < batchStart + K)).toBe(false);
}

describe('sync engine failures', () => {
  let seeded: SeededServer;
  let perNote: NoteServer;

  beforeAll(async () => {
    seeded = await seededServer([{ keys: alice, count: 600, fraction: 0.05 }]);
    perNote = await seeded.another({ range: false, latencyMs: 20 });
  });
  afterAll(async () => {
    await seeded?.stop();
  });

  // The server's fault counter runs for its lifetime: tests count the firings since they began.
  const faultsBefore = new Map<NoteServer, number>();
  const withFaults = (server: NoteServer, faults: FaultRule[]) => {
    server.setFaults(faults);
    server.resetStats();
    faultsBefore.set(server, server.stats().faultsInjected);
  };
  const firedSince = (server: NoteServer) => server.stats().faultsInjected - (faultsBefore.get(server) ?? 0);

  it('a 503 at index 7 aborts the batch with the status and URL, without draining it', async () => {
    withFaults(perNote, [{ kind: 'unavailable', at: [7] }]);
    const run = await failingSync(perNote, { workers: 1, concurrency: 4 });
    try {
      expect(run.error).toBeInstanceOf(SyncError);
      expect(run.error).toMatchObject({
        kind: 'http',
        status: 503,
        url: `${perNote.url}/v1/notes/7/compact`,
      });
      expect(run.error.message).toContain(`HTTP 503`);
      expect(run.error.message).toContain(`${perNote.url}/v1/notes/7/compact`);
      const stats = perNote.stats();
      // The first try and FAST_RETRY's 2 retries, then the abort…
      expect(stats.responsesByStatus['503']).toBe(1 + FAST_RETRY.retries);
      // …and far fewer reads served than the batch holds: no drain-then-fail.
      console.log(
        `short-circuit: ${stats.requestsByRoute.note_compact} per-note reads served for a ${K}-note batch`,
      );
      expect(stats.requestsByRoute.note_compact).toBeLessThan(K);
      expect(run.engine.progress()).toMatchObject({
        state: 'error',
        error: { kind: 'http', status: 503, url: `${perNote.url}/v1/notes/7/compact` },
        lastSynced: null,
      });
      expect(run.engine.progress().error!.message).toMatch(/^The note server refused a request/);
      expect(run.store.progressOf(0)).toEqual({ cursor: 0, ranges: [] });
      expect(storedNotes(run.store, 0)).toEqual([]);
    } finally {
      run.close();
    }
  });

  it('a transient 503 is retried and the sync succeeds', async () => {
    withFaults(perNote, [{ kind: 'unavailable', at: [7], times: 1 }]);
    const temp = openTempStore();
    try {
      const engine = new SyncEngine({
        store: temp.store,
        serverUrl: perNote.url,
        sealer: testSealer(),
        retry: FAST_RETRY,
      });
      await engine.run({
        accounts: accountsOf(alice),
        settings: { workers: 2, concurrency: 8, checkpointEvery: K },
      });
      expect(firedSince(perNote)).toBe(1);
      expect(perNote.stats().responsesByStatus).toEqual({ 200: expect.any(Number), 503: 1 });
      expect(storedNotes(temp.store, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
    } finally {
      temp.close();
    }
  });

  it('a 503 on a range read names the range; the checkpoint stops before it and a later run resumes', async () => {
    withFaults(seeded.server, [{ kind: 'unavailable', at: [250] }]);
    const run = await failingSync(seeded.server, { workers: 1 });
    try {
      expect(run.error).toMatchObject({
        kind: 'http',
        status: 503,
        url: `${seeded.server.url}/v1/compact?start=200&count=100`,
      });
      expectCheckpointBefore(run.store, 250, 200);
      withFaults(seeded.server, []);
      await run.engine.run({ accounts: accountsOf(alice), settings: { checkpointEvery: K } });
      expect(storedNotes(run.store, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
    } finally {
      run.close();
    }
  });

  it.each([
    ['truncate-body', 'malformed', /expected 100 records of 1123 bytes \(112300 bytes\), got 56150 bytes/, 1],
    ['garbage', 'malformed', /record \d+ of 100 compact parts/, 1],
    ['truncate-connection', 'network', /connection to the note server failed/, 1 + FAST_RETRY.retries],
  ] as const)(
    'a %s response is a clear %s error, and the checkpoint does not pass it',
    async (kind, errorKind, message, firings) => {
      withFaults(seeded.server, [{ kind, at: [250] }]);
      const run = await failingSync(seeded.server, { workers: 1 });
      try {
        expect(run.error).toMatchObject({
          kind: errorKind,
          url: `${seeded.server.url}/v1/compact?start=200&count=100`,
        });
        expect(run.error.message).toMatch(message);
        // Bad bytes are never retried (retrying cannot fix a broken server); a cut connection is.
        expect(firedSince(seeded.server)).toBe(firings);
        expectCheckpointBefore(run.store, 250, 200);
      } finally {
        run.close();
        withFaults(seeded.server, []);
      }
    },
  );

  it.each([
    ['unavailable', 'http', /HTTP 503/],
    ['garbage', 'malformed', /record \d+ of \d+ payloads/],
  ] as const)(
    'a payload fetch that fails (%s) aborts with a %s error and its URL; scanned batches keep their tag hits pending, resolved later without a rescan',
    async (kind, errorKind, message) => {
      withFaults(seeded.server, [{ kind, part: 'payload' }]);
      const run = await failingSync(seeded.server, { workers: 1 });
      try {
        expect(run.error).toMatchObject({
          kind: errorKind,
          url: expect.stringMatching(new RegExp(`^${seeded.server.url}/v1/payloads\\?indices=\\d`)),
        });
        expect(run.error.message).toMatch(message);
        // Every batch checkpointed before the failure kept its tag hits — the oracle's notes among
        // them — pending, and no note was stored from a payload that did not arrive.
        const { cursor, ranges } = run.store.progressOf(0);
        expect(cursor).toBeGreaterThanOrEqual(K);
        const scanned = (index: number) =>
          index < cursor || ranges.some(([start, end]) => start <= index && index < end);
        const pending = run.store.pendingHits([0]).map((hit) => hit.index);
        expect(pending.length).toBeGreaterThan(0);
        expect(pending.every(scanned)).toBe(true);
        const ours = expectedNotes(seeded.oracles[0]!).filter((n) => scanned(n.index));
        expect(ours.every((n) => pending.includes(n.index))).toBe(true);
        expect(storedNotes(run.store, 0)).toEqual([]);
        expect(run.engine.progress()).toMatchObject({ state: 'error', pendingHits: pending.length });

        // A later run fetches those payloads and scans only what was not scanned.
        const scannedBefore = cursor + ranges.reduce((sum, [start, end]) => sum + end - start, 0);
        withFaults(seeded.server, []);
        const report = await run.engine.run({
          accounts: accountsOf(alice),
          settings: { workers: 1, checkpointEvery: K },
        });
        expect(report.totals.scanned).toBe(600 - scannedBefore);
        expect(seeded.server.stats().requestsByRoute.compact_range ?? 0).toBe((600 - scannedBefore) / K);
        expect(report.progress.pendingHits).toBe(0);
        expect(storedNotes(run.store, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
      } finally {
        run.close();
        withFaults(seeded.server, []);
      }
    },
  );

  it('rejects a request budget above the hard cap of 128 before any request', async () => {
    withFaults(seeded.server, []);
    const run = await failingSync(seeded.server, { concurrency: 129 });
    try {
      expect(run.error).toMatchObject({ kind: 'config' });
      expect(run.error.message).toMatch(/concurrency 129 is above the hard cap of 128/);
      expect(seeded.server.stats().requestsTotal).toBe(0);
    } finally {
      run.close();
    }
    const badK = await failingSync(seeded.server, { checkpointEvery: 0 });
    badK.close();
    expect(badK.error.message).toMatch(/checkpointEvery must be at least 1/);
  });

  it('a missing worker bundle or a worker that dies is a clear error, not a hang', async () => {
    const folder = tempDir('coffer-sync-dead-worker-');
    const dying = path.join(folder.dir, 'dying-worker.mjs');
    // A stand-in for a worker that crashes on start: a real thread that exits at once.
    writeFileSync(dying, 'process.exit(3);\n');
    try {
      for (const [workerFile, message] of [
        [path.join(folder.dir, 'missing.js'), /sync worker bundle .*missing\.js is missing/],
        [dying, /a sync worker stopped \(exit code 3\)/],
      ] as const) {
        const temp = openTempStore();
        const engine = new SyncEngine({
          store: temp.store,
          serverUrl: seeded.server.url,
          sealer: testSealer(),
          workerFile,
        });
        try {
          await expect(
            engine.run({ accounts: accountsOf(alice), settings: { workers: 1 } }),
          ).rejects.toMatchObject({
            kind: 'worker',
            message: expect.stringMatching(message),
          });
          expect(engine.progress().state).toBe('error');
        } finally {
          temp.close();
        }
      }
    } finally {
      folder.remove();
    }
  });
});
