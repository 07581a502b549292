/**
 * Piece files on disk, both ways a piece is received: a small one held in memory until its group
 * is synced, a large one streamed to its temp file as it arrives. Either way, what is installed
 * reads back byte for byte, and a piece whose bytes do not match its CID leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidFromDigest, pieceDigestOf, PieceVerifyError } from '../../shared/pieces/cid';
import { PieceFiles } from './piece-files';

let dir: string;
let files: PieceFiles;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-piece-files-'));
  files = new PieceFiles(dir);
  await files.init();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A source that sends `bytes` in chunks of 64 KiB, like a socket. */
async function* chunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
}

async function readBack(digest: ReturnType<typeof pieceDigestOf>, size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of files.read(digest, 0, size - 1)) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('piece files', () => {
  it('installs a small and a large piece received together; both read back whole', async () => {
    const pieces = [randomBytes(10_000), randomBytes(700_000)].map((bytes) => {
      const cid = cidFromDigest(sha256(bytes));
      return { bytes, cid, digest: pieceDigestOf(cid) };
    });
    const received = await Promise.all(
      pieces.map(({ bytes, cid }) => files.receive(chunks(bytes), cid, bytes.length)),
    );
    // The small one waits in memory; the large one is already in its temp file.
    expect(received[0]!.file).toBeUndefined();
    expect(received[1]!.file).toBeDefined();
    await files.syncAll(received);
    await files.install(received.map((r, i) => ({ received: r, digest: pieces[i]!.digest })));
    for (const { bytes, digest } of pieces) {
      expect(files.has(digest)).toBe(true);
      expect((await readBack(digest, bytes.length)).equals(bytes)).toBe(true);
    }
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it.each([
    ['small', 10_000],
    ['large', 700_000],
  ])('refuses a %s piece whose bytes are not its CID, and keeps nothing of it', async (_, size) => {
    const claimed = cidFromDigest(sha256(randomBytes(size)));
    await expect(files.receive(chunks(randomBytes(size)), claimed, size)).rejects.toBeInstanceOf(
      PieceVerifyError,
    );
    expect(files.has(pieceDigestOf(claimed))).toBe(false);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });
});
