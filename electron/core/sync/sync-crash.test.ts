// SIGKILL in the middle of a sync, then a restart: a real child process runs the real coordinator
// (test-support/sync-child.ts) against a real note server. The restarted sync must end exactly
// where an uninterrupted one does, redo at most one batch per worker (with the default settings:
// range reads counted by the server also take in the range each worker was fetching ahead), never
// redo a batch that was checkpointed, and resolve the tag hits the killed run left pending without
// scanning their batches again.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, integrityOk } from '../db/database';
import type { BatchEvent } from './sync-engine';
import { SyncEngine } from './sync-engine';
import { SyncStore } from './sync-store';
import {
  accountsOf,
  expectedNotes,
  openTempStore,
  seededServer,
  storeState,
  storedNotes,
  tempDir,
  testSealer,
  walletKeys,
  type SeededServer,
} from './test-support/sync-fixture';

const SEED_BYTE = 0x61;
const K = 50;
const WORKERS = 2;
const NOTES = 1500;
const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'test-support', 'sync-child.ts');

type Line = BatchEvent | { kind: 'done' };

/** Runs the child; `killWhen` sees every line and may ask for a SIGKILL. */
function runChild(config: object, killWhen: (lines: Line[]) => boolean = () => false) {
  return new Promise<{ lines: Line[]; signal: NodeJS.Signals | null; code: number | null; stderr: string }>(
    (resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(config)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: Line[] = [];
      let stderr = '';
      proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      createInterface({ input: proc.stdout }).on('line', (line) => {
        lines.push(JSON.parse(line) as Line);
        if (killWhen(lines) && proc.exitCode === null) proc.kill('SIGKILL');
      });
      proc.on('error', reject);
      proc.on('close', (code, signal) => resolve({ lines, signal, code, stderr }));
    },
  );
}

const key = (e: { start: number; count: number }) => `${e.start}+${e.count}`;
const eventsOf = (lines: Line[], kind: BatchEvent['kind']) =>
  lines.filter((l): l is BatchEvent => l.kind === kind);
const batchesOf = (lines: Line[], kind: BatchEvent['kind']) => new Set(eventsOf(lines, kind).map(key));

describe('sync crash safety', () => {
  let seeded: SeededServer;
  let uninterrupted: ReturnType<typeof openTempStore>;
  const folder = tempDir('coffer-sync-crash-');
  const configFor = (name: string) => ({
    serverUrl: seeded.server.url,
    storeFile: path.join(folder.dir, `${name}.sqlite`),
    seedByte: SEED_BYTE,
    // The defaults but for a smaller K (more batches) and a fixed pool size.
    settings: { workers: WORKERS, checkpointEvery: K },
  });

  beforeAll(async () => {
    seeded = await seededServer([{ keys: walletKeys(SEED_BYTE), count: NOTES, fraction: 0.04 }], {
      latencyMs: 15,
    });
    uninterrupted = openTempStore();
    await new SyncEngine({
      store: uninterrupted.store,
      serverUrl: seeded.server.url,
      sealer: testSealer(),
    }).run({ accounts: accountsOf(walletKeys(SEED_BYTE)), settings: { checkpointEvery: K } });
    expect(storedNotes(uninterrupted.store, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
  });
  afterAll(async () => {
    uninterrupted?.close();
    await seeded?.stop();
    folder.remove();
  });

  /** The store file after a run ends: intact, and in the state an uninterrupted run leaves. */
  function expectSameAsUninterrupted(storeFile: string): void {
    const db = openDatabase(storeFile, []);
    expect(integrityOk(db)).toBe(true);
    db.close();
    const crashed = new SyncStore(storeFile);
    try {
      expect(storeState(crashed, [0])).toEqual(storeState(uninterrupted.store, [0]));
      expect(crashed.pendingCount()).toBe(0);
    } finally {
      crashed.close();
    }
  }

  // Each worker decrypts at most one batch not yet checkpointed, and with prefetch (the default)
  // also fetches the next one's range meanwhile: a kill loses at most that range read more.
  it.each([
    ['with prefetch (the default)', 'prefetch', undefined, 2 * WORKERS],
    ['without prefetch', 'strict', false, WORKERS],
  ] as const)(
    'after SIGKILL and a restart (%s), ends as an uninterrupted run does, redoing at most one batch per worker',
    async (_, name, prefetch, mostReadAgain) => {
      const config = { ...configFor(`kill-mid-sync-${name}`), ...(prefetch !== undefined && { prefetch }) };
      seeded.server.resetStats();

      const first = await runChild(config, (lines) => batchesOf(lines, 'committed').size >= 8);
      expect(first.signal).toBe('SIGKILL');
      const committedBefore = batchesOf(first.lines, 'committed');
      const dispatchedBefore = batchesOf(first.lines, 'dispatched');
      const inFlightAtKill = [...dispatchedBefore].filter((b) => !committedBefore.has(b));
      const fetchedAheadAtKill = [...batchesOf(first.lines, 'prefetched')].filter(
        (b) => !dispatchedBefore.has(b),
      );
      expect(committedBefore.size).toBeLessThan(NOTES / K);
      const atKill = new SyncStore(config.storeFile);
      const pendingAtKill = atKill.pendingCount();
      atKill.close();

      const second = await runChild(config);
      expect(second.code, second.stderr).toBe(0);
      const redone = [...batchesOf(second.lines, 'dispatched')].filter((b) => dispatchedBefore.has(b));
      // The counted server: one range read per batch, plus one per batch read again after the kill.
      const rangeReads = seeded.server.stats().requestsByRoute.compact_range!;
      const readAgain = rangeReads - NOTES / K;
      console.log(
        `crash test (${name}): ${committedBefore.size} batches checkpointed before the kill (${pendingAtKill} tag hits pending), ${inFlightAtKill.length} in flight and ${fetchedAheadAtKill.length} fetched ahead (${WORKERS} workers), ${redone.length} redone; ${rangeReads} range reads for ${NOTES / K} batches`,
      );
      // Nothing checkpointed is redone; what is redone was in flight at the kill: one per worker at most.
      expect(redone.filter((b) => committedBefore.has(b))).toEqual([]);
      expect(redone.every((b) => inFlightAtKill.includes(b))).toBe(true);
      expect(inFlightAtKill.length).toBeLessThanOrEqual(WORKERS);
      expect(fetchedAheadAtKill.length).toBeLessThanOrEqual(prefetch === false ? 0 : WORKERS);
      expect(readAgain).toBeGreaterThanOrEqual(0);
      expect(readAgain).toBeLessThanOrEqual(mostReadAgain);

      expectSameAsUninterrupted(config.storeFile);
    },
  );

  it('tag hits pending at the kill survive it and are resolved after the restart, without a rescan', async () => {
    const config = configFor('kill-with-pending-hits');
    // Payloads answer only after the kill: every tag hit found before it is still pending then.
    seeded.server.setFaults([{ kind: 'slow', part: 'payload', delayMs: 5000 }]);
    seeded.server.resetStats();
    const first = await runChild(
      config,
      (lines) =>
        eventsOf(lines, 'committed').length >= 6 &&
        eventsOf(lines, 'committed').some((e) => (e.tagHits ?? 0) > 0),
    );
    seeded.server.setFaults([]);
    expect(first.signal).toBe('SIGKILL');
    const committed = eventsOf(first.lines, 'committed');

    const atKill = new SyncStore(config.storeFile);
    const { cursor, ranges } = atKill.progressOf(0);
    const pending = atKill.pendingHits([0]).map((hit) => hit.index);
    const storedAtKill = storedNotes(atKill, 0);
    atKill.close();
    // Every batch checkpointed is saved with its tag hits: the oracle's notes in it are pending.
    const scanned = (index: number) =>
      index < cursor || ranges.some(([start, end]) => start <= index && index < end);
    const scannedCount = cursor + ranges.reduce((sum, [start, end]) => sum + end - start, 0);
    expect(scannedCount).toBe(committed.length * K);
    expect(pending.length).toBe(committed.reduce((sum, e) => sum + (e.tagHits ?? 0), 0));
    expect(pending.every(scanned)).toBe(true);
    const ours = expectedNotes(seeded.oracles[0]!).filter((n) => scanned(n.index));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.every((n) => pending.includes(n.index))).toBe(true);
    expect(storedAtKill).toEqual([]);

    seeded.server.resetStats();
    const second = await runChild(config);
    expect(second.code, second.stderr).toBe(0);
    // Only the batches not checkpointed are read again; the pending hits' payloads are fetched.
    const served = seeded.server.stats().requestsByRoute;
    expect(served.compact_range).toBe(NOTES / K - committed.length);
    expect(batchesOf(second.lines, 'dispatched')).toEqual(
      new Set(
        Array.from({ length: NOTES / K }, (_, i) => key({ start: i * K, count: K })).filter(
          (b) => !batchesOf(first.lines, 'committed').has(b),
        ),
      ),
    );
    expect(served.payloads).toBeGreaterThan(0);
    expectSameAsUninterrupted(config.storeFile);
  });
});
