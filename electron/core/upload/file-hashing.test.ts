/**
 * The plan's hashing on real files and real worker threads: big files hashed in runs on the
 * threads and small ones scanned on this thread come out alike, each chunk named by the sha-256 of
 * exactly its bytes (noble as the oracle); progress adds up to the bytes; a file that shrank, a
 * thread that dies and a cancel each end the hashing with an error that says so.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidFromDigest } from '../../../shared/pieces/cid';
import { chunkHasherFile, hashFiles, THREAD_FILE_BYTES } from './file-hashing';

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
  it('names every chunk of big files (on the threads) and small ones (here) as the oracle does', async () => {
    const files = [
      await fileOf('big-odd', THREAD_FILE_BYTES + 3 * CHUNK + 1234),
      await fileOf('empty', 0),
      await fileOf('small', 100),
      await fileOf('big-even', 2 * THREAD_FILE_BYTES),
      await fileOf('few-chunks', 3 * CHUNK + 7),
    ];
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const progress: number[] = [];
    // The threads' bundle is built (by the tests' global setup), so the big files go to the threads.
    expect(existsSync(chunkHasherFile())).toBe(true);
    const chunks = await hashFiles(files, { chunkSize: CHUNK, threads: 2, onBytes: (n) => progress.push(n) });
    expect(chunks).toEqual(files.map((file) => expectedChunks(file.path)));
    expect(progress.at(-1)).toBe(total);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('hashes everything on this thread, alike, when the threads cannot be started', async () => {
    const files = [await fileOf('big-here', THREAD_FILE_BYTES + 99), await fileOf('small-here', 5000)];
    const chunks = await hashFiles(files, {
      chunkSize: CHUNK,
      workerFile: path.join(dir, 'no-such-bundle.js'),
    });
    expect(chunks).toEqual(files.map((file) => expectedChunks(file.path)));
  });

  it('fails naming the file and where it ended when a big file is shorter than the plan saw', async () => {
    const file = await fileOf('shrunk', THREAD_FILE_BYTES + 10);
    const said = 2 * THREAD_FILE_BYTES;
    await expect(hashFiles([{ path: file.path, size: said }], { chunkSize: CHUNK })).rejects.toThrow(
      `${file.path} ended at ${THREAD_FILE_BYTES + 10} bytes, not ${said}: it changed`,
    );
  });

  it('fails saying so when a hashing thread dies (fault injected: a bundle that exits at once)', async () => {
    const dying = path.join(dir, 'dying-hasher.mjs');
    await writeFile(dying, 'process.exit(3);\n');
    const files = [await fileOf('for-a-dying-thread', THREAD_FILE_BYTES), await fileOf('beside', 10)];
    await expect(hashFiles(files, { chunkSize: CHUNK, workerFile: dying })).rejects.toThrow(
      'a hashing thread stopped (exit code 3)',
    );
  });

  it('stops when cancelled part way, with the cancel as the reason', async () => {
    const files = [await fileOf('cancelled', 2 * THREAD_FILE_BYTES)];
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
    expect(progress).toEqual([THREAD_FILE_BYTES]);
  });
});
