/**
 * The provider's pieces on disk, content-addressed: `<dir>/pieces/<aa>/<sha-256 hex>`. A piece is
 * received into `<dir>/tmp/`, checked against its CID and size while it streams, fsynced, and only
 * then renamed into place, so a piece file is always whole and verified; a crash leaves at most a
 * stray temp file, cleared at the next start. A batch's pieces may be made durable together (their
 * fsyncs in parallel, each folder synced once) instead of one after another.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  fsyncSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { CID } from 'multiformats/cid';
import { type PieceDigest, PieceVerifier } from '../../shared/pieces/cid';

export interface ReceivedPiece {
  tempPath: string;
  size: number;
}

export class PieceFiles {
  readonly #piecesDir: string;
  readonly #tmpDir: string;
  #nextTemp = 0;

  constructor(dir: string) {
    this.#piecesDir = path.join(dir, 'pieces');
    this.#tmpDir = path.join(dir, 'tmp');
  }

  /** Creates the folders and removes temp files a previous run left behind. */
  async init(): Promise<void> {
    await mkdir(this.#piecesDir, { recursive: true });
    await rm(this.#tmpDir, { recursive: true, force: true });
    await mkdir(this.#tmpDir, { recursive: true });
  }

  pathOf(digest: PieceDigest): string {
    const hex = digest.slice(2);
    return path.join(this.#piecesDir, hex.slice(0, 2), hex);
  }

  /**
   * Streams `source` into a temp file, verifying it against `cid` and `size` as it goes (too many
   * bytes fail at once), and fsyncs it. Throws PieceVerifyError (or the source's own error) and
   * leaves nothing behind on failure.
   */
  async receive(
    source: AsyncIterable<Uint8Array>,
    cid: CID,
    size: number,
    onBytes: (n: number) => void = () => {},
    options: { sync?: boolean } = {},
  ): Promise<ReceivedPiece> {
    const tempPath = path.join(this.#tmpDir, `${process.pid}-${Date.now()}-${this.#nextTemp++}`);
    const file = await open(tempPath, 'wx');
    try {
      const verifier = new PieceVerifier(cid, size, createHash('sha256'));
      for await (const chunk of source) {
        verifier.update(chunk);
        onBytes(chunk.length);
        await file.write(chunk);
      }
      verifier.finish();
      // Unsynced only for a caller that syncs it with others (syncAll) before installing it.
      if (options.sync ?? true) await file.sync();
      await file.close();
      return { tempPath, size };
    } catch (error) {
      await file.close().catch(() => {});
      await rm(tempPath, { force: true });
      throw error;
    }
  }

  /** Fsyncs pieces received with `sync: false`, all at once. */
  async syncAll(pieces: readonly ReceivedPiece[]): Promise<void> {
    await Promise.all(
      pieces.map(async ({ tempPath }) => {
        const file = await open(tempPath, 'r');
        try {
          await file.sync();
        } finally {
          await file.close();
        }
      }),
    );
  }

  /**
   * Moves received pieces into their content-addressed places (synchronously, so no other
   * bookkeeping can run between the renames and the caller's database update), and fsyncs each
   * folder once so the renames themselves are durable.
   */
  install(pieces: readonly { received: ReceivedPiece; digest: PieceDigest }[]): void {
    const folders = new Set<string>();
    for (const { received, digest } of pieces) {
      const target = this.pathOf(digest);
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(received.tempPath, target);
      folders.add(path.dirname(target));
    }
    for (const folder of folders) {
      const dirFd = openSync(folder, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
    }
  }

  discard(received: ReceivedPiece): void {
    rmSync(received.tempPath, { force: true });
  }

  remove(digest: PieceDigest): void {
    rmSync(this.pathOf(digest), { force: true });
  }

  has(digest: PieceDigest): boolean {
    try {
      return statSync(this.pathOf(digest)).isFile();
    } catch {
      return false;
    }
  }

  /** Bytes [start, end] (inclusive) of a piece. */
  read(digest: PieceDigest, start: number, end: number): Readable {
    return createReadStream(this.pathOf(digest), { start, end });
  }
}
