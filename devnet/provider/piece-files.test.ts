/**
 * Piece files on disk, both ways a piece is received: a small one held in memory until its group
 * is synced, a large one streamed to its temp file as it arrives — with direct I/O where the file
 * system allows it, and through the page cache. Either way, what is installed reads back byte for
 * byte (whole and in ranges), and a piece whose bytes do not match its CID leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidFromDigest, pieceDigestOf, PieceVerifyError } from '../../shared/pieces/cid';
import { directIoWorks } from './direct-io';
import { PieceFiles } from './piece-files';

const directIoHere = await directIoWorks(os.tmpdir());
if (!directIoHere)
  console.warn(`piece files: the direct I/O runs are skipped: ${os.tmpdir()} refuses O_DIRECT`);

/** A source that sends `bytes` in chunks of 64 KiB, like a socket. */
async function* chunks(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
}

describe.each([
  ['with direct I/O', true],
  ['through the page cache', false],
])('piece files %s', (_, directIo) => {
  let dir: string;
  let files: PieceFiles;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-piece-files-'));
    files = new PieceFiles(dir, { directIo });
    await files.init();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function readBack(digest: ReturnType<typeof pieceDigestOf>, start: number, end: number) {
    const parts: Buffer[] = [];
    for await (const part of files.read(digest, start, end)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }

  it.skipIf(directIo && !directIoHere)('uses direct I/O only when asked and the file system allows', () => {
    expect(files.directIo).toBe(directIo);
  });

  it('installs a small and a large piece received together; both read back whole', async () => {
    const pieces = [randomBytes(10_000), randomBytes(2_700_001)].map((bytes) => {
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
      expect((await readBack(digest, 0, bytes.length - 1)).equals(bytes)).toBe(true);
      // A range that starts and ends off any block boundary, as a download may ask.
      const [start, end] = [4_097, bytes.length - 3];
      expect((await readBack(digest, start, end)).equals(bytes.subarray(start, end + 1))).toBe(true);
    }
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it.each([
    ['small', 10_000],
    ['large', 2_700_001],
  ])('refuses a %s piece whose bytes are not its CID, and keeps nothing of it', async (_, size) => {
    const claimed = cidFromDigest(sha256(randomBytes(size)));
    await expect(files.receive(chunks(randomBytes(size)), claimed, size)).rejects.toBeInstanceOf(
      PieceVerifyError,
    );
    expect(files.has(pieceDigestOf(claimed))).toBe(false);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });
});
