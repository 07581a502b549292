/**
 * Crash safety of uploads, short mode: a few seeded iterations of the upload scenario
 * (upload-crash.ts), each killed with SIGKILL at random points and resumed until it ends. The long
 * mode (upload-crash.long.test.ts) runs 50. Replay a run with COFFER_CRASH_SEED=<seed>.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startUploadTestbed, type UploadTestbed } from '../test-support/upload-testbed';
import { harnessSeed, summaryOf } from './crash-harness';
import { runUploadCrashes, UPLOAD_VIOLATION_KINDS } from './upload-crash';

let bed: UploadTestbed;
beforeAll(async () => {
  bed = await startUploadTestbed({ deposit: '2000' });
}, 180_000);
afterAll(() => bed?.stop());

it('uploads killed at random points and resumed: nothing paid twice, no copy lost or forgotten, every copy verifies', async () => {
  const report = await runUploadCrashes(bed, { seed: harnessSeed(), iterations: 3, log: console.log });
  console.log(summaryOf('upload crash (short)', report, UPLOAD_VIOLATION_KINDS));
  expect(report.violations).toEqual([]);
  expect(report.iterations).toBe(3);
  expect(report.kills).toBeGreaterThan(0);
}, 180_000);
