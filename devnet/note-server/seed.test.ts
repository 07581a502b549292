import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAddress } from '../../shared/notes/address';
import { decodeNoteRecords, encodeNote } from '../../shared/notes/format';
import { nobleKem } from '../../shared/notes/noble-kem';
import { createNoteReceiver, encryptNote, type NoteKeys } from '../../shared/notes/note-crypto';
import { NoteServerInfo } from '../../shared/notes/wire';
import { startNoteServer, type NoteServer } from './note-server';
import { SeedOracle, seedNotes } from './seed';

const wallet: NoteKeys = {
  detection: nobleKem.keygen(new Uint8Array(64).fill(0x31)),
  viewing: nobleKem.keygen(new Uint8Array(64).fill(0x32)),
};
const address = encodeAddress({
  detectionPublicKey: wallet.detection.publicKey,
  viewingPublicKey: wallet.viewing.publicKey,
});

/**
 * The independent check: every note the server holds from `start`, scanned with the wallet's
 * secret keys through the noble backend (the seeder used liboqs), full notes read one by one.
 */
async function scanServer(url: string, start: number, end: number) {
  const receiver = createNoteReceiver(wallet, nobleKem);
  const found: { index: number; value: string; memo: string }[] = [];
  for (let index = start; index < end; index++) {
    const bytes = new Uint8Array(await (await fetch(`${url}/v1/notes/${index}`)).arrayBuffer());
    const [note] = decodeNoteRecords(bytes, 1);
    if (!receiver.tagMatches(note!.compact)) continue;
    const opened = receiver.open(note!.compact, note!.payload);
    if (opened.ok)
      found.push({
        index,
        value: opened.note.value.toString(),
        memo: new TextDecoder().decode(opened.note.memo),
      });
  }
  receiver.dispose();
  return found;
}

const info = async (url: string) => NoteServerInfo.parse(await (await fetch(`${url}/v1/info`)).json());

describe('seeder', () => {
  let server: NoteServer;
  let dir: string;

  beforeAll(async () => {
    server = await startNoteServer();
    dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-seed-test-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes N notes, exactly round(N·f) to the address, and its oracle matches what the keys find', async () => {
    const oracleFile = path.join(dir, 'oracle.json');
    const oracle = await seedNotes({
      url: server.url,
      count: 230,
      fraction: 0.1,
      address,
      seed: 'seed test',
      oracleFile,
      workers: 2,
      batchSize: 50,
      decoys: 5,
    });
    expect(oracle.ours).toHaveLength(23);
    expect(oracle).toMatchObject({ startIndex: 0, treeSize: 230, count: 230 });
    expect(oracle.root).toBe((await info(server.url)).root);
    expect(SeedOracle.parse(JSON.parse(await readFile(oracleFile, 'utf8')))).toEqual(oracle);
    expect(await scanServer(server.url, 0, 230)).toEqual(oracle.ours);
    expect(oracle.ours.every((note) => note.memo === `seeded note ${note.index}`)).toBe(true);
  });

  it('appends after existing notes and records their indices', async () => {
    const oracle = await seedNotes({
      url: server.url,
      count: 40,
      fraction: 0.25,
      address,
      seed: 'more',
      workers: 0,
    });
    expect(oracle.startIndex).toBe(230);
    expect(oracle.treeSize).toBe(270);
    expect(oracle.ours.every((note) => note.index >= 230 && note.index < 270)).toBe(true);
    expect(await scanServer(server.url, 230, 270)).toEqual(oracle.ours);
  });

  it('is deterministic: the same seed gives the same notes on threads or not, another seed does not', async () => {
    const roots: string[] = [];
    for (const [seed, workers, batchSize] of [
      ['same', 2, 7],
      ['same', 0, 1000],
      ['other', 0, 1000],
    ] as const) {
      const fresh = await startNoteServer();
      try {
        await seedNotes({
          url: fresh.url,
          count: 30,
          fraction: 0.2,
          address,
          seed,
          workers,
          batchSize,
          decoys: 3,
        });
        roots.push((await info(fresh.url)).root);
      } finally {
        await fresh.stop();
      }
    }
    expect(roots[1]).toBe(roots[0]);
    expect(roots[2]).not.toBe(roots[0]);
  });

  it('refuses bad options before publishing anything', async () => {
    const before = (await info(server.url)).treeSize;
    const base = { url: server.url, count: 10, fraction: 0.5, address };
    await expect(seedNotes({ ...base, address: address.slice(0, -3) })).rejects.toThrow(
      /address: expected 3804/,
    );
    await expect(seedNotes({ ...base, fraction: 1.5 })).rejects.toThrow(/fraction must be in \[0, 1\]/);
    await expect(seedNotes({ ...base, batchSize: 5000 })).rejects.toThrow(/batchSize must be in \[1, 1000\]/);
    await expect(seedNotes({ ...base, count: -1 })).rejects.toThrow(/count must be/);
    expect((await info(server.url)).treeSize).toBe(before);
  });

  it('fails clearly when the server is unreachable', async () => {
    const closed = await startNoteServer();
    const url = closed.url;
    await closed.stop();
    await expect(seedNotes({ url, count: 5, fraction: 0, address, workers: 0 })).rejects.toThrow(
      /fetch failed/,
    );
  });

  it('stops when another publisher interleaves, since its oracle would be wrong', async () => {
    const shared = await startNoteServer();
    try {
      let intruded = false;
      const seeding = seedNotes({
        url: shared.url,
        count: 30,
        fraction: 0.5,
        address,
        workers: 0,
        batchSize: 10,
        onProgress() {
          if (intruded) return;
          intruded = true;
          // Someone else's note lands between our first and second batch.
          const recipient = {
            detectionPublicKey: wallet.detection.publicKey,
            viewingPublicKey: wallet.viewing.publicKey,
          };
          shared.publish(encodeNote(encryptNote({ recipient, value: 1n }, nobleKem)));
        },
      });
      await expect(seeding).rejects.toThrow(/appended at index 11, expected 10: someone else is publishing/);
    } finally {
      await shared.stop();
    }
  });

  it('runs from the command line against a data folder, writing the oracle', async () => {
    const dataDir = path.join(dir, 'cli-log');
    const oracleFile = path.join(dir, 'cli-oracle.json');
    const result = spawnSync(
      process.execPath,
      [
        'out/devnet/notes-seed.js',
        ...['--count', '60', '--fraction', '0.05', '--address', address, '--data-dir', dataDir],
        ...['--oracle', oracleFile, '--seed', 'cli', '--workers', '2', '--batch-size', '25'],
      ],
      { encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { count: number; ours: number; treeSize: number };
    expect(summary).toMatchObject({ count: 60, ours: 3, treeSize: 60 });
    const oracle = SeedOracle.parse(JSON.parse(await readFile(oracleFile, 'utf8')));
    const reopened = await startNoteServer({ dataDir });
    try {
      expect((await info(reopened.url)).root).toBe(oracle.root);
      expect(await scanServer(reopened.url, 0, 60)).toEqual(oracle.ours);
    } finally {
      await reopened.stop();
    }
  });

  it('explains a missing or malformed command-line option', () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['out/devnet/notes-seed.js', ...args], { encoding: 'utf8' });
    expect(run('--fraction', '0.1').stderr).toMatch(/--count is required/);
    expect(run('--count', '5', '--fraction', 'lots').stderr).toMatch(
      /--fraction: expected a number in \[0, 1\]/,
    );
    expect(run('--count', '5', '--fraction', '0', '--address', address).stderr).toMatch(
      /exactly one of --url and --data-dir/,
    );
  });
});
