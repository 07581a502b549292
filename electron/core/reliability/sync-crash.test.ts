/**
 * Crash safety of wallet sync, short mode: a few seeded iterations of the sync scenario
 * (sync-crash.ts), each killed with SIGKILL at random points and restarted until it ends. The long
 * mode (sync-crash.long.test.ts) runs 50. Replay a run with COFFER_CRASH_SEED=<seed>.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seededServer, tempDir, walletKeys, type SeededServer } from '../sync/test-support/sync-fixture';
import { harnessSeed, summaryOf } from './crash-harness';
import { runSyncCrashes, SYNC_VIOLATION_KINDS } from './sync-crash';

const SEED_BYTE = 0x4c;
let seeded: SeededServer;
const folder = tempDir('coffer-sync-crashes-');
beforeAll(async () => {
  seeded = await seededServer([{ keys: walletKeys(SEED_BYTE), count: 1000, fraction: 0.05 }], {
    latencyMs: 10,
  });
});
afterAll(async () => {
  await seeded?.stop();
  folder.remove();
});

it('syncs killed at random points and restarted: the cursor never goes back, the notes equal the oracle', async () => {
  const report = await runSyncCrashes(seeded, {
    seedByte: SEED_BYTE,
    oracle: seeded.oracles[0]!,
    dir: folder.dir,
    seed: harnessSeed(),
    iterations: 3,
    log: console.log,
  });
  console.log(summaryOf('sync crash (short)', report, SYNC_VIOLATION_KINDS));
  expect(report.violations).toEqual([]);
  expect(report.iterations).toBe(3);
  expect(report.kills).toBeGreaterThan(0);
}, 120_000);
