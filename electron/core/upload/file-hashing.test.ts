/**
 * The plan's hashing on real files and real worker threads: big files hashed in runs and small ones
 * whole, many to a call, on the threads (or every file on this thread without them) come out alike,
 * each chunk named by the sha-256 of exactly its bytes (noble as the oracle); progress adds up to
 * the bytes; a file that shrank, a thread that dies and a cancel each end the hashing with an error
 * that says so.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidFromDigest } from '../../../shared/pieces/cid';
import { callsOf, chunkHasherFile, FILES_PER_CALL, hashFiles, RUN_BYTES } from './file-hashing';

const CHUNK = 256 * 1024;
let dir: string;
/** name → bytes of every file written */
const written = new Map<string, Buffer>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-hashing-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileOf(name: string, size: number) {
  const bytes = randomBytes(size);
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  written.set(file, bytes);
  return { path: file, size };
}

/** The oracle: each chunk's sha-256 by noble, not node:crypto. */
function expectedChunks(file: string, chunkSize = CHUNK) {
  const bytes = written.get(file)!;
  const chunks = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    const digest = sha256(bytes.subarray(offset, offset + chunkSize));
    chunks.push({
      offset,
      size: Math.min(chunkSize, bytes.length - offset),
      cid: cidFromDigest(digest, 'raw').toString(),
      digest: `0x${Buffer.from(digest).toString('hex')}`,
    });
  }
  return chunks;
}

describe('hashFiles', () => {
  it('names every chunk of big files and of many small ones (on the threads) as the oracle does', async () => {
    const files = [
      await fileOf('big-odd', RUN_BYTES + 3 * CHUNK + 1234),
      await fileOf('empty', 0),
      await fileOf('small', 100),
      await fileOf('big-even', 2 * RUN_BYTES),
      await fileOf('few-chunks', 3 * CHUNK + 7),
      // More than one call's worth of small files, shared out between the two threads.
      ...(await Promise.all(
        Array.from({ length: FILES_PER_CALL + 10 }, (_, i) => fileOf(`tiny-${i}`, 1 + i * 37)),
      )),
    ];
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const progress: number[] = [];
    // The threads' bundle is built (by the tests' global setup), so every file goes to the threads.
    expect(existsSync(chunkHasherFile())).toBe(true);
    const chunks = await hashFiles(files, { chunkSize: CHUNK, threads: 2, onBytes: (n) => progress.push(n) });
    expect(chunks).toEqual(files.map((file) => expectedChunks(file.path)));
    expect(progress.at(-1)).toBe(total);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('hashes everything on this thread, alike, when the threads cannot be started', async () => {
    const files = [await fileOf('big-here', RUN_BYTES + 99), await fileOf('small-here', 5000)];
    const chunks = await hashFiles(files, {
      chunkSize: CHUNK,
      workerFile: path.join(dir, 'no-such-bundle.js'),
    });
    expect(chunks).toEqual(files.map((file) => expectedChunks(file.path)));
  });

  it('fails naming the file and where it ended when a big file is shorter than the plan saw', async () => {
    const file = await fileOf('shrunk', RUN_BYTES + 10);
    const said = 2 * RUN_BYTES;
    await expect(hashFiles([{ path: file.path, size: said }], { chunkSize: CHUNK })).rejects.toThrow(
      `${file.path} ended at ${RUN_BYTES + 10} bytes, not ${said}: it changed`,
    );
  });

  it('fails saying so when a hashing thread dies, small files too (fault injected: a bundle that exits at once)', async () => {
    const dying = path.join(dir, 'dying-hasher.mjs');
    await writeFile(dying, 'process.exit(3);\n');
    for (const files of [
      [await fileOf('for-a-dying-thread', RUN_BYTES), await fileOf('beside', 10)],
      [await fileOf('small-for-a-dying-thread', 10)],
    ])
      await expect(hashFiles(files, { chunkSize: CHUNK, workerFile: dying })).rejects.toThrow(
        'a hashing thread stopped (exit code 3)',
      );
  });

  it('fails naming the file when a small file is shorter than the plan saw', async () => {
    const file = await fileOf('small-shrunk', 1000);
    await expect(hashFiles([{ path: file.path, size: 3000 }], { chunkSize: CHUNK })).rejects.toThrow(
      `${file.path} ended at 1000 bytes, not 3000: it changed`,
    );
  });

  it('stops when cancelled part way, with the cancel as the reason', async () => {
    const files = [await fileOf('cancelled', 2 * RUN_BYTES)];
    const cancel = new AbortController();
    const reason = new Error('the user cancelled');
    const progress: number[] = [];
    await expect(
      hashFiles(files, {
        chunkSize: CHUNK,
        threads: 1,
        signal: cancel.signal,
        onBytes: (n) => {
          progress.push(n);
          cancel.abort(reason);
        },
      }),
    ).rejects.toBe(reason);
    // One run of 16 MiB was hashed, the next not started.
    expect(progress).toEqual([RUN_BYTES]);
  });

  it('shares files out in calls: a big file in runs, small files whole, at most 64 or 16 MiB to a call', () => {
    const MiB = 1024 * 1024;
    const small = (i: number, size = 1000) => ({ path: `s${i}`, size });
    const files = [
      ...Array.from({ length: FILES_PER_CALL + 1 }, (_, i) => small(i)),
      { path: 'big', size: 2 * RUN_BYTES + 5 },
      small(100, 0),
      small(101, 10 * MiB),
      small(102, 7 * MiB),
    ];
    const calls = callsOf(files, MiB).map((call) =>
      call.map(({ file, job }) => `${file}:${job.first}+${job.count}`),
    );
    expect(calls).toEqual([
      Array.from({ length: FILES_PER_CALL }, (_, i) => `${i}:0+1`),
      // The big file in runs of 16 chunks of 1 MiB, the last one short; the empty file in none.
      [`${FILES_PER_CALL + 1}:0+16`],
      [`${FILES_PER_CALL + 1}:16+16`],
      [`${FILES_PER_CALL + 1}:32+1`],
      // 1,000 bytes and 10 MiB fit a call; 7 MiB more would pass 16 MiB.
      [`${FILES_PER_CALL}:0+1`, `${FILES_PER_CALL + 3}:0+10`],
      [`${FILES_PER_CALL + 4}:0+7`],
    ]);
  });
});
