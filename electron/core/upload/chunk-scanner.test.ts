/**
 * The plan's file scan on real files: every chunk's CID is the sha-256 of exactly its bytes (noble
 * as the oracle, not node:crypto) while the next chunk is read ahead; a file shorter than it was
 * said to be fails naming where it ended; a scan stopped early ends cleanly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidFromDigest } from '../../../shared/pieces/cid';
import { type ScannedChunk, scanChunks } from './chunk-scanner';

const CHUNK = 64 * 1024;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-scan-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function fileOf(name: string, bytes: Uint8Array): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, bytes);
  return file;
}

async function scanAll(file: string, size: number, onBytes?: (n: number) => void) {
  const chunks: ScannedChunk[] = [];
  for await (const chunk of scanChunks(file, size, { chunkSize: CHUNK, onBytes })) chunks.push(chunk);
  return chunks;
}

describe('scanChunks', () => {
  it.each([
    ['several chunks and a short last one', 3 * CHUNK + 1234],
    ['exactly two chunks', 2 * CHUNK],
    ['less than one chunk', 100],
  ])('names each chunk of %s by the sha-256 of its own bytes', async (_, size) => {
    const bytes = randomBytes(size);
    const file = await fileOf(`f-${size}`, bytes);
    const progress: number[] = [];
    const chunks = await scanAll(file, size, (n) => progress.push(n));
    const expected = [];
    for (let offset = 0; offset < size; offset += CHUNK) {
      const part = bytes.subarray(offset, offset + CHUNK);
      expected.push({
        offset,
        size: part.length,
        cid: cidFromDigest(sha256(part), 'raw').toString(),
        digest: `0x${Buffer.from(sha256(part)).toString('hex')}`,
      });
    }
    expect(chunks).toEqual(expected);
    expect(progress).toEqual(expected.map((chunk) => chunk.offset + chunk.size));
  });

  it('fails naming where a file that is shorter than said ended', async () => {
    const file = await fileOf('short', randomBytes(2 * CHUNK + 10));
    await expect(scanAll(file, 4 * CHUNK)).rejects.toThrow(
      `ended at ${2 * CHUNK + 10} bytes, not ${4 * CHUNK}`,
    );
  });

  it('ends cleanly when the scan is stopped with a read ahead in flight', async () => {
    const file = await fileOf('stopped', randomBytes(8 * CHUNK));
    const seen: number[] = [];
    for await (const chunk of scanChunks(file, 8 * CHUNK, { chunkSize: CHUNK })) {
      seen.push(chunk.offset);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([0, CHUNK]);
  });
});
