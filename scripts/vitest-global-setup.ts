// Builds the Node bundles (workers, CLI, devnet) before the tests that start them as real
// processes or worker threads, so a test never runs a stale bundle. Also gives the run its own
// temp folder, removed when the run ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--node-only'], { stdio: 'inherit' });
  // Test files and the processes they start inherit TMPDIR, so every mkdtemp of the run lands
  // here: a test that forgets its folder, or is killed mid-way, leaves nothing behind in /tmp.
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'coffer-test-run-'));
  process.env.TMPDIR = runDir;
  return () => rmSync(runDir, { recursive: true, force: true });
}
