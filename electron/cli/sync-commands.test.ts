// `coffer sync`, `coffer notes`, `coffer balance` as real processes (the built CLI) on a real note
// server seeded for a wallet imported from a known phrase, checked against the seeder's oracle.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncNote, SyncProgress } from '../../shared/api/sync';
import {
  expectedNotes,
  networkWithNoteServer,
  seededServer,
  type SeededServer,
} from '../core/sync/test-support/sync-fixture';
import { deriveKemKeyPair, seedFromMnemonic, type RootSecret } from '../core/vault/key-derivation';
import { coffer } from './test-support/coffer-process';

const PHRASE = 'test test test test test test test test test test test junk';
const root: RootSecret = { kind: 'mnemonic', seed: seedFromMnemonic(PHRASE) };
const keys = {
  detection: deriveKemKeyPair(root, 'detection', 0),
  viewing: deriveKemKeyPair(root, 'viewing', 0),
};

describe('coffer sync / notes / balance (CLI)', () => {
  let seeded: SeededServer;
  let dataDir: string;
  let common: string[];

  beforeAll(async () => {
    seeded = await seededServer([{ keys, count: 600, fraction: 0.05 }]);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-cli-sync-'));
    await writeFile(
      path.join(dataDir, 'network.json'),
      JSON.stringify(networkWithNoteServer(seeded.server.url)),
    );
    await writeFile(path.join(dataDir, 'phrase.txt'), `${PHRASE}\n`);
    await writeFile(path.join(dataDir, 'password.txt'), 'cli sync password\n');
    common = ['--data-dir', dataDir, '--password-file', path.join(dataDir, 'password.txt')];
    const imported = await coffer([
      'wallet',
      'import',
      '--mnemonic-file',
      path.join(dataDir, 'phrase.txt'),
      ...common,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
  });
  afterAll(async () => {
    await seeded?.stop();
  });

  it('lists sync, notes and balance in the help, with the sync flags', async () => {
    const top = await coffer(['--help']);
    for (const name of ['sync', 'notes', 'balance'])
      expect(top.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const help = await coffer(['sync', '--help']);
    for (const flag of ['--watch', '--concurrency', '--checkpoint-every', '--workers', '--json'])
      expect(help.stdout).toContain(flag);
  });

  it('refuses a budget above the hard cap, naming it, before syncing', async () => {
    const run = await coffer(['sync', '--concurrency', '200', ...common]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/hard cap of 128 concurrent requests/);
    const bad = await coffer(['sync', '--workers', 'two', ...common]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--workers must be a whole number/);
  });

  it('syncs with JSON progress lines, then lists the notes and the balance the oracle expects', async () => {
    const run = await coffer(['sync', '--json', '--checkpoint-every', '100', '--workers', '2', ...common]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as SyncProgress);
    expect(lines[0]!.state).toBe('syncing');
    expect(lines.at(-1)).toMatchObject({ state: 'idle', total: 600, scanned: 600, found: 30 });

    const expected = expectedNotes(seeded.oracles[0]!);
    const listed = await coffer(['notes', '--json', '--limit', '1000', '--data-dir', dataDir]);
    const page = JSON.parse(listed.stdout) as { total: number; notes: SyncNote[] };
    expect(page.notes.map(({ index, value, memo }) => ({ index, value, memo }))).toEqual(expected);

    const text = await coffer(['notes', '--limit', '2', '--offset', '1', '--data-dir', dataDir]);
    expect(text.stdout).toContain(`notes 2–3 of 30`);
    expect(text.stdout).toContain(expected[1]!.memo);

    const sum = expected.reduce((s, n) => s + BigInt(n.value), 0n);
    const balance = await coffer(['balance', '--data-dir', dataDir]);
    expect(balance.stdout.trim()).toBe(`account 0: ${sum} (30 notes)`);
  });

  it('watches until Ctrl+C, then stops cleanly', async () => {
    const run = await coffer(['sync', '--watch', ...common], {
      signal: (stderr) => (/^watching/m.test(stderr) ? 'SIGINT' : null),
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Stopping: the batches in flight finish and are saved/);
    expect(run.stdout).toMatch(/Synced 600 notes: 30 found, balance \d+ \(account 0\)/);
  });
});
