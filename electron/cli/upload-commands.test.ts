/**
 * `coffer upload`, `uploads`, `download` and `providers` as real processes on a real devnet. The
 * crash test kills an upload with SIGKILL in the middle of its waves, resumes it from another
 * process, and checks with the chain's QuotePaid events that no piece was paid twice to any
 * provider, with the provider's own count that no piece was stored twice, and by downloading that
 * every chunk verifies.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadView } from '../../shared/api/upload';
import {
  startUploadTestbed,
  TESTBED_PASSWORD,
  type UploadTestbed,
} from '../core/test-support/upload-testbed';
import { coffer } from './test-support/coffer-process';

let bed: UploadTestbed;
let env: Record<string, string>;
let args: string[];

beforeAll(async () => {
  bed = await startUploadTestbed();
  // The CLI runs on the testbed's data folder (its wallet and deposit), in processes of its own.
  await bed.core.close();
  await writeFile(path.join(bed.dataDir, 'network.json'), JSON.stringify(bed.devnet.manifest));
  env = { COFFER_PASSWORD: TESTBED_PASSWORD };
  args = ['--data-dir', bed.dataDir];
}, 180_000);
afterAll(() => bed?.stop());

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; view?: UploadView; uploadId?: string });

describe('coffer upload (CLI)', () => {
  it('uploads with progress and a y/N approval; a refusal pays nothing', async () => {
    const file = await bed.file('cli-a.bin', 700 * 1024);
    const paymentsBefore = (await bed.chain.paymentTransactions()).size;
    const refused = await coffer(['upload', file, ...args], {
      env,
      respond: (stderr) => (/Approve\? \[y\/N\] $/.test(stderr) ? 'n' : null),
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Approval requested: Upload cli-a\.bin \(700\.0 KiB\), 2 copies/);
    expect(refused.stderr).toMatch(/Expected cost: /);
    expect(refused.stderr).toMatch(/APPROVAL_REJECTED/);
    expect((await bed.chain.paymentTransactions()).size).toBe(paymentsBefore);

    const done = await coffer(['upload', file, '--copies', '2', ...args], {
      env,
      respond: (stderr) => (/Approve\? \[y\/N\] $/.test(stderr) ? 'y' : null),
    });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/2\/2 copies, completed/);
    expect(done.stdout).toMatch(/primary +provider \d+, data set \d+/);
    expect(done.stdout).toMatch(/secondary +provider \d+, data set \d+/);
    expect(done.stderr).toMatch(/primary +provider \d+ +(storing|pulling|committing|confirmed)/);

    const list = await coffer(['uploads', ...args], { env });
    expect(list.stdout).toMatch(/completed +2\/2 copies .*cli-a\.bin/);
    expect(list.stdout).toMatch(/cancelled .*cli-a\.bin/);
    const providers = await coffer(['providers', ...args], { env });
    expect(providers.stdout.trim().split('\n')).toHaveLength(4);
    expect(providers.stdout).toMatch(/endorsed +online \d+ ms .*data sets \d+/);
  });

  it('a SIGKILL mid-upload, then resume: nothing paid twice, nothing stored twice, every chunk verifies', async () => {
    const size = 6 * 1024 * 1024;
    const file = await bed.file('crash.bin', size);
    const pieces = size / (64 * 1024) + 1;
    for (const provider of bed.devnet.providers) provider.setFaults({ latencyMs: 25 });
    // Blocks every second, so the kill finds payments sent but not yet mined: the resume must ask
    // the chain about them rather than trust the journal.
    await bed.rpc('evm_setAutomine', [false]);
    await bed.rpc('evm_setIntervalMining', [1]);
    const storedBefore = bed.devnet.providers.map(
      (p) => (p.metrics().piecesStored.batch ?? 0) + (p.metrics().piecesStored.single ?? 0),
    );
    const killed = await coffer(
      ['upload', file, '--json', '--yes', '--chunk-size', '65536', '--wave-size', '8', ...args],
      {
        env,
        signal: (_stderr, stdout) => {
          // Killed with payments sent but not mined. (Waiting for some to be mined as well raced
          // the upload: sends are quick, so every wave's payment can land in the same block.)
          const payments = lines(stdout).at(-1)?.view?.payments ?? [];
          const inFlight = payments.filter((payment) => payment.state === 'sent').length;
          return inFlight >= 2 ? 'SIGKILL' : null;
        },
      },
    );
    expect(killed.code).toBe(-1);
    const uploadId = lines(killed.stdout).find((line) => line.event === 'upload.started')!.uploadId!;
    const atKill = lines(killed.stdout).at(-1)!.view!;
    // Killed in the middle: payments in flight, nothing committed yet.
    const inFlight = atKill.payments.filter((payment) => payment.state === 'sent').map((p) => p.txHash);
    expect(inFlight.length).toBeGreaterThanOrEqual(1);
    expect(atKill.copiesConfirmed).toBe(0);

    const listed = await coffer(['uploads', '--json', ...args], { env });
    const entry = (
      JSON.parse(listed.stdout) as { uploads: { uploadId: string; state: string }[] }
    ).uploads.find((u) => u.uploadId === uploadId);
    expect(entry?.state).toBe('interrupted');

    for (const provider of bed.devnet.providers) provider.setFaults({});
    await bed.rpc('evm_setAutomine', [true]);
    const resumed = await coffer(['uploads', 'resume', uploadId, '--json', '--yes', ...args], { env });
    expect(resumed.code, resumed.stderr + resumed.stdout.slice(-3000)).toBe(0);
    const outcome = lines(resumed.stdout).find((line) => line.event === 'upload.outcome')!.view!;
    expect(outcome.state).toBe('completed');
    expect(outcome.result!.copies).toHaveLength(2);
    // The payments in flight at the kill were found on chain by the resume, not made again.
    for (const txHash of inFlight)
      expect(outcome.payments.find((payment) => payment.txHash === txHash)?.state).toBe('confirmed');

    // The chain: every piece paid exactly once to each provider holding a copy.
    const paid = (await bed.chain.quotesPaid()).filter(
      (q) => q.payer.toLowerCase() === bed.payer.toLowerCase(),
    );
    const perProvider = new Map<string, number>();
    const copyProviders = outcome.result!.copies.map((c) =>
      bed.devnet.providers.find((p) => p.providerId === c.providerId)!.address.toLowerCase(),
    );
    for (const q of paid) {
      const key = `${q.provider.toLowerCase()}/${q.pieceDigest}`;
      perProvider.set(key, (perProvider.get(key) ?? 0) + 1);
    }
    for (const provider of copyProviders) {
      const mine = [...perProvider].filter(([key]) => key.startsWith(`${provider}/`));
      const twice = mine.filter(([, n]) => n > 1);
      expect(twice).toEqual([]);
    }
    // The primary stored each piece once: pieces it had before the kill were not sent again.
    const primary = bed.devnet.providers.find((p) => p.providerId === outcome.result!.copies[0]!.providerId)!;
    const index = bed.devnet.providers.indexOf(primary);
    const stored = (primary.metrics().piecesStored.batch ?? 0) + (primary.metrics().piecesStored.single ?? 0);
    expect(stored - storedBefore[index]!).toBe(pieces);

    const out = path.join(bed.dataDir, 'crash-out.bin');
    const downloaded = await coffer(['download', outcome.root!, '-o', out, ...args], { env });
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect(downloaded.stdout).toMatch(/every chunk verified/);
    expect((await readFile(out)).equals(await readFile(file))).toBe(true);
  });

  it('exits 3 with the failures when fewer copies than asked are made', async () => {
    const file = await bed.file('partial.bin', 100 * 1024);
    const [a, b] = [...bed.devnet.providers].sort((x, y) => x.providerId - y.providerId);
    b!.setFaults({ failPull: true });
    const run = await coffer(
      ['upload', file, '--providers', `${a!.providerId},${b!.providerId}`, '--yes', ...args],
      { env },
    );
    b!.setFaults({});
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/1\/2 copies, partial/);
    expect(run.stdout).toMatch(new RegExp(`failed +provider ${b!.providerId} \\(secondary\\) while pulling`));
  });

  it('says what is wrong with bad arguments', async () => {
    const none = await coffer(['upload', ...args], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/name at least one file/);
    const missing = await coffer(['upload', path.join(bed.dataDir, 'nope.bin'), '--yes', ...args], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.bin does not exist \(INVALID_INPUT\)/);
    const badCopies = await coffer(['upload', 'x', '--copies', 'two', ...args], { env });
    expect(badCopies.code).toBe(2);
    const unknown = await coffer(['uploads', 'resume', 'u-AAAAAAAAAAAAAAAA', '--yes', ...args], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/There is no upload/);
  });
});
