/**
 * A 256 MiB file uploaded with 2 copies by the `coffer` CLI in a process of its own, whose peak
 * RSS (VmHWM, read from /proc while it runs) must stay bounded and must not grow with the file:
 * the same upload of 16 MiB peaks within 64 MiB of it. The file comes back whole (sha-256).
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPath } from '../core/app-paths';
import {
  startUploadTestbed,
  TESTBED_PASSWORD,
  type UploadTestbed,
} from '../core/test-support/upload-testbed';
import { coffer } from './test-support/coffer-process';

const MiB = 1024 * 1024;
let bed: UploadTestbed;
let args: string[];
const env = { COFFER_PASSWORD: TESTBED_PASSWORD };

beforeAll(async () => {
  bed = await startUploadTestbed({ deposit: '9000' });
  await bed.core.close();
  await writeFile(path.join(bed.dataDir, 'network.json'), JSON.stringify(bed.devnet.manifest));
  args = ['--data-dir', bed.dataDir];
}, 300_000);
afterAll(() => bed?.stop());

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs `coffer upload` and reads its peak RSS from /proc while it runs. */
function uploadMeasured(file: string): Promise<{ code: number; peakBytes: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [builtPath('cli', 'coffer.js'), 'upload', file, '--yes', '--json', ...args],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let peak = 0;
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.resume();
    const sample = setInterval(() => {
      void readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((text) => {
          const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(text)?.[1] ?? 0);
          peak = Math.max(peak, kb * 1024);
        })
        .catch(() => {});
    }, 100);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sample);
      resolve({ code: code ?? -1, peakBytes: peak, stdout });
    });
  });
}

describe.skipIf(process.platform !== 'linux')('a large upload (reads /proc for the peak RSS)', () => {
  it('uploads 256 MiB with 2 copies in bounded memory that does not grow with the file', async () => {
    const smallFile = await bed.file('small-16.bin', 16 * MiB);
    const bigFile = await bed.file('big-256.bin', 256 * MiB);
    const small = await uploadMeasured(smallFile);
    expect(small.code, small.stdout.slice(-500)).toBe(0);
    const big = await uploadMeasured(bigFile);
    expect(big.code, big.stdout.slice(-500)).toBe(0);
    console.log(
      `peak RSS: 16 MiB upload ${(small.peakBytes / MiB).toFixed(0)} MiB, 256 MiB upload ${(big.peakBytes / MiB).toFixed(0)} MiB`,
    );
    expect(big.peakBytes).toBeGreaterThan(0);
    expect(big.peakBytes).toBeLessThan(300e6);
    expect(big.peakBytes - small.peakBytes).toBeLessThan(64 * MiB);

    const outcome = big.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map(
        (line) =>
          JSON.parse(line) as { event: string; view?: { root: string; result: { copies: unknown[] } } },
      )
      .find((line) => line.event === 'upload.outcome')!.view!;
    expect(outcome.result.copies).toHaveLength(2);
    const out = path.join(bed.dataDir, 'big-out.bin');
    const downloaded = await coffer(['download', outcome.root, '-o', out, ...args], { env });
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(await sha256(out)).toBe(await sha256(bigFile));
  });
});
