// SIGKILL in the middle of a sync, then a restart: a real child process runs the real coordinator
// (test-support/sync-child.ts) against a real note server. The restarted sync must end exactly
// where an uninterrupted one does, redo only batches that were in flight at the kill, and never
// redo a batch that was checkpointed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, integrityOk } from '../db/database';
import { MAX_DEPTH } from './pipeline-depth';
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
const batchesOf = (lines: Line[], kind: BatchEvent['kind']) =>
  new Set(lines.filter((l): l is BatchEvent => l.kind === kind).map(key));

describe('sync crash safety', () => {
  let seeded: SeededServer;
  const folder = tempDir('coffer-sync-crash-');

  beforeAll(async () => {
    seeded = await seededServer([{ keys: walletKeys(SEED_BYTE), count: NOTES, fraction: 0.04 }], {
      latencyMs: 15,
    });
  });
  afterAll(async () => {
    await seeded?.stop();
    folder.remove();
  });

  it('after SIGKILL and a restart, ends as an uninterrupted run does, redoing only batches in flight', async () => {
    const storeFile = path.join(folder.dir, 'sync.sqlite');
    const config = {
      serverUrl: seeded.server.url,
      storeFile,
      seedByte: SEED_BYTE,
      settings: { workers: WORKERS, checkpointEvery: K },
    };
    seeded.server.resetStats();

    const first = await runChild(config, (lines) => batchesOf(lines, 'committed').size >= 8);
    expect(first.signal).toBe('SIGKILL');
    const committedBefore = batchesOf(first.lines, 'committed');
    const dispatchedBefore = batchesOf(first.lines, 'dispatched');
    const inFlightAtKill = [...dispatchedBefore].filter((b) => !committedBefore.has(b));
    expect(committedBefore.size).toBeLessThan(NOTES / K);

    const db = openDatabase(storeFile, []);
    expect(integrityOk(db)).toBe(true);
    db.close();

    const second = await runChild(config);
    expect(second.code, second.stderr).toBe(0);
    const redone = [...batchesOf(second.lines, 'dispatched')].filter((b) => dispatchedBefore.has(b));
    console.log(
      `crash test: ${committedBefore.size} batches checkpointed before the kill, ${inFlightAtKill.length} in flight (${WORKERS} workers), ${redone.length} redone`,
    );
    // Nothing checkpointed is redone; what is redone was in flight at the kill.
    expect(redone.filter((b) => committedBefore.has(b))).toEqual([]);
    expect(redone.every((b) => inFlightAtKill.includes(b))).toBe(true);
    expect(redone.length).toBeLessThanOrEqual(WORKERS * MAX_DEPTH);
    // The counted server agrees: one range read per batch, plus at most one per batch redone (a
    // batch dispatched just before the kill may not have reached the server).
    const rangeReads = seeded.server.stats().requestsByRoute.compact_range!;
    expect(rangeReads).toBeGreaterThanOrEqual(NOTES / K);
    expect(rangeReads).toBeLessThanOrEqual(NOTES / K + redone.length);

    const crashed = new SyncStore(storeFile);
    const uninterrupted = openTempStore();
    try {
      await new SyncEngine({
        store: uninterrupted.store,
        serverUrl: seeded.server.url,
        sealer: testSealer(),
      }).run({ accounts: accountsOf(walletKeys(SEED_BYTE)), settings: { checkpointEvery: K } });
      expect(storeState(crashed, [0])).toEqual(storeState(uninterrupted.store, [0]));
      expect(storedNotes(crashed, 0)).toEqual(expectedNotes(seeded.oracles[0]!));
    } finally {
      crashed.close();
      uninterrupted.close();
    }
  });
});
