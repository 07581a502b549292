/**
 * The sync scenario of the crash harness: a real process running the real sync coordinator
 * (sync/test-support/sync-child.ts, with its worker threads) syncs a wallet from a real note server
 * seeded by the real seeder, whose oracle knows which notes are the wallet's. Each iteration syncs
 * a fresh store with seeded settings (batch size, workers, prefetch, slow payloads sometimes) and is
 * SIGKILLed at random points — a delay after it started, or after its first batch was dispatched,
 * fetched ahead or checkpointed — then restarted on the same store until it ends. After every
 * kill: the store is intact, the cursor and the scanned ranges never go back, every stored note is
 * one of the oracle's, and every note of the oracle's in a scanned range is stored or pending.
 * At the end: the notes equal the oracle's, nothing is pending, the cursor is at the tree's end.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SeedOracle } from '../../../devnet/note-server/seed';
import type { AccountProgress } from '../sync/sync-store';
import { SyncStore } from '../sync/sync-store';
import { expectedNotes, storedNotes, type SeededServer } from '../sync/test-support/sync-fixture';
import {
  type CrashReport,
  type CrashScenario,
  integrityViolations,
  runCrashIterations,
  type Violation,
} from './crash-harness';

export const SYNC_VIOLATION_KINDS = [
  'cursor-back',
  'wrong-note',
  'lost-note',
  'notes-mismatch',
  'pending-left',
  'integrity',
  'run-failed',
] as const;

const child = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'sync',
  'test-support',
  'sync-child.ts',
);
const BATCH_EVENTS = ['dispatched', 'prefetched', 'committed'] as const;

interface SyncIteration {
  dir: string;
  config: { serverUrl: string; storeFile: string; seedByte: number; settings: object; prefetch: boolean };
  /** What the store held after the last kill. */
  last: AccountProgress;
}

/** Every index scanned: below the cursor, or in a range above it. */
const isScanned = (progress: AccountProgress, index: number) =>
  index < progress.cursor || progress.ranges.some(([start, end]) => start <= index && index < end);

/** Where `now` lost ground `before` had: a lower cursor, or a range no longer scanned. */
function lostGround(before: AccountProgress, now: AccountProgress): string | null {
  if (now.cursor < before.cursor) return `the cursor went back from ${before.cursor} to ${now.cursor}`;
  const gone = before.ranges.find(([start, end]) => !isScanned(now, start) || !isScanned(now, end - 1));
  return gone ? `the scanned range [${gone[0]}, ${gone[1]}) is no longer scanned` : null;
}

function withStore<T>(file: string, work: (store: SyncStore) => T): T {
  const store = new SyncStore(file);
  try {
    return work(store);
  } finally {
    store.close();
  }
}

export async function runSyncCrashes(
  seeded: SeededServer,
  options: {
    /** The wallet's seed byte (sync-fixture's walletKeys) and its oracle. */
    seedByte: number;
    oracle: SeedOracle;
    dir: string;
    seed: number;
    iterations: number;
    log?: (line: string) => void;
  },
): Promise<CrashReport> {
  const expected = expectedNotes(options.oracle);
  const tenthOf = (index: number) => Math.min(9, Math.floor((10 * index) / options.oracle.treeSize));
  const byIndex = new Map(expected.map((note) => [note.index, note]));

  /** The checks on a store left by a killed or finished run. */
  function storeViolations(iteration: SyncIteration): Violation[] {
    const violations = integrityViolations(iteration.dir);
    withStore(iteration.config.storeFile, (store) => {
      const now = store.progressOf(0);
      const back = lostGround(iteration.last, now);
      if (back) violations.push({ kind: 'cursor-back', detail: back });
      iteration.last = now;
      const stored = storedNotes(store, 0);
      const wrong = stored.filter((n) => JSON.stringify(byIndex.get(n.index)) !== JSON.stringify(n));
      if (wrong.length)
        violations.push({ kind: 'wrong-note', detail: `${wrong.length} stored notes are not the oracle's` });
      const known = new Set([...stored.map((n) => n.index), ...store.pendingHits([0]).map((h) => h.index)]);
      const lost = expected.filter((n) => isScanned(now, n.index) && !known.has(n.index));
      if (lost.length)
        violations.push({
          kind: 'lost-note',
          detail: `${lost.length} notes of the wallet in scanned ranges are neither stored nor pending (first: ${lost[0]!.index})`,
        });
    });
    return violations;
  }

  const scenario: CrashScenario<SyncIteration> = {
    // A batch event as a stage: its kind and the tenth of the log its batch starts in, e.g. committed@3.
    stageOf(text) {
      if (!text.startsWith('{')) return null;
      const line = JSON.parse(text) as { kind: string; start?: number };
      return line.start === undefined ? line.kind : `${line.kind}@${tenthOf(line.start)}`;
    },
    // Where the sync was: the share of batches checkpointed, or past them (resolving tag hits, done).
    killLabel(iteration, run) {
      if (run.lines.length === 0) return 'before the first batch';
      if (run.lastStage === 'done') return 'done';
      const done = iteration.last.cursor + iteration.last.ranges.reduce((sum, [s, e]) => sum + e - s, 0);
      const share = done / options.oracle.treeSize;
      return share >= 1
        ? 'all checkpointed'
        : `${25 * Math.floor(share * 4)}-${25 * Math.floor(share * 4) + 25}% checkpointed`;
    },
    async prepare(n, random) {
      const dir = path.join(options.dir, `iteration-${n}`);
      mkdirSync(dir, { recursive: true });
      // Slow payloads sometimes, so kills find tag hits pending.
      seeded.server.setFaults(
        random.chance(0.3) ? [{ kind: 'slow', part: 'payload', delayMs: random.int(50, 600) }] : [],
      );
      return {
        dir,
        config: {
          serverUrl: seeded.server.url,
          storeFile: path.join(dir, 'sync.sqlite'),
          seedByte: options.seedByte,
          settings: { workers: random.int(1, 2), checkpointEvery: random.pick([25, 50, 100]) },
          prefetch: random.chance(0.5),
        },
        last: { cursor: 0, ranges: [] },
      };
    },
    command: async (iteration) => ['--import', 'tsx', child, JSON.stringify(iteration.config)],
    // Right after a batch event in a tenth of the log not yet scanned, or a while after the start.
    killPoint(random, attempt, iteration) {
      if (!random.chance(attempt === 0 ? 0.95 : 0.8 / attempt)) return null;
      if (random.chance(0.15)) return { stage: 'start', afterMs: random.int(300, 3000) };
      const tenth = random.int(Math.min(9, tenthOf(iteration.last.cursor)), 9);
      // Batches are fetched ahead only with prefetch on: without it, that kill point never comes.
      const events = BATCH_EVENTS.filter((kind) => kind !== 'prefetched' || iteration.config.prefetch);
      return { stage: `${random.pick(events)}@${tenth}`, afterMs: random.int(0, 150) };
    },
    afterKill: async (iteration) => storeViolations(iteration),
    async atEnd(iteration) {
      const violations = storeViolations(iteration);
      withStore(iteration.config.storeFile, (store) => {
        const stored = storedNotes(store, 0);
        if (JSON.stringify(stored) !== JSON.stringify(expected))
          violations.push({
            kind: 'notes-mismatch',
            detail: `${stored.length} notes stored, the oracle has ${expected.length}`,
          });
        if (store.pendingCount() !== 0)
          violations.push({ kind: 'pending-left', detail: `${store.pendingCount()} tag hits still pending` });
        if (store.progressOf(0).cursor !== options.oracle.treeSize)
          violations.push({
            kind: 'cursor-back',
            detail: `ended at ${store.progressOf(0).cursor}, the tree holds ${options.oracle.treeSize}`,
          });
      });
      return violations;
    },
  };
  try {
    return await runCrashIterations(scenario, options);
  } finally {
    seeded.server.setFaults([]);
  }
}
