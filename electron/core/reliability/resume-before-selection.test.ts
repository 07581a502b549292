/**
 * A regression the crash harness found: an upload killed after it was journaled but before its
 * providers were chosen (the journal holds its plan, state `preparing`, and no copies) failed on
 * resume with "There is no copy to store on or pull from". That kill point lasts a few
 * milliseconds, so this test makes the state directly: an upload stopped at its approval (copies
 * chosen) has its copies deleted from the journal and its state set back to `preparing` — a fault
 * injected by hand, as a SIGKILL at that instant would leave it. `coffer uploads resume` (a real
 * process) must choose providers and complete, every copy verifying.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UploadView } from '../../../shared/api/upload';
import { builtPath } from '../app-paths';
import { startUploadTestbed, TESTBED_PASSWORD, type UploadTestbed } from '../test-support/upload-testbed';
import { UploadJournal } from '../upload/upload-journal';
import { runKillable } from './crash-harness';
import { resultMismatches } from './upload-oracle';

let bed: UploadTestbed;
beforeAll(async () => {
  bed = await startUploadTestbed();
}, 180_000);
afterAll(() => bed?.stop());

it('resumes an upload killed before its providers were chosen', async () => {
  const source = new Uint8Array(300 * 1024).map((_, i) => (i * 31) % 251);
  const file = await bed.file('unselected.bin', source);
  bed.approver = () => 'ignore';
  const { uploadId } = await bed.core.uploads!.start({ files: [{ kind: 'path', path: file }], account: 0 });
  while ((await bed.core.uploads!.get(uploadId)).state !== 'awaiting-approval')
    await new Promise((resolve) => setTimeout(resolve, 50));
  await bed.core.close();

  const journal = new UploadJournal(bed.dataDir);
  expect(journal.copies(uploadId).length).toBeGreaterThan(0);
  journal.db.prepare('DELETE FROM upload_copies WHERE upload_id = ?').run(uploadId);
  journal.setState(uploadId, 'preparing');
  journal.close();

  await writeFile(path.join(bed.dataDir, 'network.json'), JSON.stringify(bed.devnet.manifest));
  const run = await runKillable(
    [
      builtPath('cli', 'coffer.js'),
      'uploads',
      'resume',
      uploadId,
      '--json',
      '--yes',
      '--data-dir',
      bed.dataDir,
    ],
    { env: { COFFER_PASSWORD: TESTBED_PASSWORD }, stageOf: () => null },
  );
  expect(run.code, run.stderr).toBe(0);
  const outcome = run.lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; view: UploadView })
    .find((line) => line.event === 'upload.outcome')!.view;
  expect(outcome.state).toBe('completed');
  expect(outcome.result!.copies).toHaveLength(2);
  expect(await resultMismatches(bed, outcome.result!, source)).toEqual([]);
}, 120_000);
