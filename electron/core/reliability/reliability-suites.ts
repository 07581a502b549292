/**
 * The reliability tests, defined once and run in two sizes: the short modes (`*.test.ts`, in every
 * `npm test`) and the long ones (`*.long.test.ts`, `npm run test:long`). Each prints its seed and
 * figures; replay a run with COFFER_CRASH_SEED=<seed>.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seededServer, tempDir, walletKeys, type SeededServer } from '../sync/test-support/sync-fixture';
import { startUploadTestbed, type UploadTestbed } from '../test-support/upload-testbed';
import { harnessSeed, summaryOf } from './crash-harness';
import { loadSummary, runLoad, type LoadOptions } from './load-run';
import { runSyncCrashes, SYNC_VIOLATION_KINDS } from './sync-crash';
import { runUploadCrashes, UPLOAD_VIOLATION_KINDS } from './upload-crash';

const MINUTE = 60_000;

export function uploadCrashSuite(name: string, iterations: number): void {
  let bed: UploadTestbed;
  beforeAll(async () => {
    bed = await startUploadTestbed({ deposit: '4000' });
  }, 3 * MINUTE);
  afterAll(() => bed?.stop());

  it(
    `${iterations} uploads killed at random points and resumed: nothing paid twice, no copy lost or forgotten, every copy verifies`,
    async () => {
      const report = await runUploadCrashes(bed, { seed: harnessSeed(), iterations, log: console.log });
      console.log(summaryOf(name, report, UPLOAD_VIOLATION_KINDS));
      expect(report.violations).toEqual([]);
      expect(report.iterations).toBe(iterations);
      expect(report.kills).toBeGreaterThan(0);
    },
    iterations * MINUTE,
  );
}

export function syncCrashSuite(name: string, iterations: number, notes: number): void {
  const seedByte = 0x4c;
  let seeded: SeededServer;
  const folder = tempDir('coffer-sync-crashes-');
  beforeAll(async () => {
    seeded = await seededServer([{ keys: walletKeys(seedByte), count: notes, fraction: 0.05 }], {
      latencyMs: 10,
    });
  }, 3 * MINUTE);
  afterAll(async () => {
    await seeded?.stop();
    folder.remove();
  });

  it(
    `${iterations} syncs killed at random points and restarted: the cursor never goes back, the notes equal the oracle`,
    async () => {
      const report = await runSyncCrashes(seeded, {
        seedByte,
        oracle: seeded.oracles[0]!,
        dir: folder.dir,
        seed: harnessSeed(),
        iterations,
        log: console.log,
      });
      console.log(summaryOf(name, report, SYNC_VIOLATION_KINDS));
      expect(report.violations).toEqual([]);
      expect(report.iterations).toBe(iterations);
      expect(report.kills).toBeGreaterThan(0);
    },
    iterations * MINUTE,
  );
}

export function loadSuite(name: string, options: Omit<LoadOptions, 'seed' | 'log'>): void {
  it(
    `${options.uploads} uploads, a sync and watch mode at once: every copy verifies, every note is found, no errors`,
    async () => {
      const report = await runLoad({ ...options, seed: harnessSeed(), log: console.log });
      console.log(loadSummary(name, report));
      expect(report.violations).toEqual([]);
      expect(report.copiesVerified).toBe(2 * options.uploads);
      expect(report.notesFoundWatching).toBeGreaterThan(0);
      // Bounded: the files are read a chunk at a time, not held; the sync's workers and the devnet's
      // providers share this process.
      expect(report.rssPeakMiB - report.rssBaselineMiB).toBeLessThan(512);
    },
    10 * MINUTE,
  );
}
