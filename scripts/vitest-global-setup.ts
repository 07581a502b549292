// Builds the Node bundles (workers, CLI, devnet) before the tests that start them as real
// processes or worker threads, so a test never runs a stale bundle.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--node-only'], { stdio: 'inherit' });
}
