/**
 * The provider's pieces on disk, content-addressed: `<dir>/pieces/<aa>/<sha-256 hex>`. A piece is
 * received into `<dir>/tmp/`, checked against its CID and size while it streams, fsynced, and only
 * then renamed into place (its folder fsynced too), so a piece file is always whole and verified;
 * a crash leaves at most a stray temp file, cleared at the next start. Received pieces are made
 * durable in groups (syncAll, then install): their fsyncs run side by side, not one after another.
 * A small piece is held in memory until its group is made durable, and only then written: opening
 * and writing its temp file on the way in queued behind the group before's fsyncs on libuv's
 * threads, and a batch of 64 ten-kilobyte pieces took ~250 ms to read instead of a few. A large
 * piece is written and read with direct I/O where the file system allows it (`direct-io.ts`).
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { type FileHandle, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { CID } from 'multiformats/cid';
import { type PieceDigest, PieceVerifier } from '../../shared/pieces/cid';
import { DirectFileWriter, directIoWorks, readDirect } from './direct-io';

/** Bytes gathered before they are written through the page cache. */
const WRITE_BYTES = 1024 * 1024;
/** Bytes per read when serving a piece. */
const READ_BYTES = 1024 * 1024;
/** Pieces up to this size are kept in memory until they are synced, and stay in the page cache. */
const IN_MEMORY_BYTES = 256 * 1024;

export interface ReceivedPiece {
  tempPath: string;
  size: number;
  /** Open until the piece is synced (syncAll) or discarded; none yet for a piece in memory. */
  file?: FileHandle;
  /** A small piece's verified bytes, written to `tempPath` when it is synced. */
  bytes?: Uint8Array[];
}

/** Writes a large piece's temp file as its bytes arrive. */
interface PieceFileWriter {
  readonly file: FileHandle;
  write(chunk: Uint8Array): Promise<void>;
  /** Writes what is still gathered; the file then holds every byte given. */
  finish(): Promise<void>;
  release(): void;
}

/** Through the page cache: bytes gathered, so a 1 MiB piece goes to disk in one call, not sixteen. */
class BufferedFileWriter implements PieceFileWriter {
  #gathered: Uint8Array[] = [];
  #gatheredBytes = 0;

  constructor(readonly file: FileHandle) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.#gathered.push(chunk);
    this.#gatheredBytes += chunk.length;
    if (this.#gatheredBytes >= WRITE_BYTES) await this.finish();
  }

  async finish(): Promise<void> {
    const gathered = this.#gathered;
    this.#gathered = [];
    this.#gatheredBytes = 0;
    if (gathered.length > 0) await this.file.writev(gathered);
  }

  release(): void {}
}

export class PieceFiles {
  readonly #piecesDir: string;
  readonly #tmpDir: string;
  #nextTemp = 0;
  /** Pieces being installed (or relied on by an install) right now: not to be removed. */
  readonly #pinned = new Map<PieceDigest, number>();
  readonly #allowDirectIo: boolean;
  #directIo = false;

  /** `directIo: false` keeps every piece in the page cache (tests of that path). */
  constructor(dir: string, options: { directIo?: boolean } = {}) {
    this.#piecesDir = path.join(dir, 'pieces');
    this.#tmpDir = path.join(dir, 'tmp');
    this.#allowDirectIo = options.directIo ?? true;
  }

  /**
   * Creates the folders, removes temp files a previous run left behind, and finds out whether
   * large pieces can bypass the page cache here.
   */
  async init(): Promise<void> {
    await mkdir(this.#piecesDir, { recursive: true });
    await rm(this.#tmpDir, { recursive: true, force: true });
    await mkdir(this.#tmpDir, { recursive: true });
    this.#directIo = this.#allowDirectIo && (await directIoWorks(this.#tmpDir));
  }

  /** Whether large pieces are written and read with direct I/O (known after init). */
  get directIo(): boolean {
    return this.#directIo;
  }

  pathOf(digest: PieceDigest): string {
    const hex = digest.slice(2);
    return path.join(this.#piecesDir, hex.slice(0, 2), hex);
  }

  /**
   * Streams `source` into a temp file, verifying it against `cid` and `size` as it goes (too many
   * bytes fail at once). Not fsynced: syncAll and install make it durable. Throws PieceVerifyError
   * (or the source's own error) and leaves nothing behind on failure.
   */
  async receive(
    source: AsyncIterable<Uint8Array>,
    cid: CID,
    size: number,
    onBytes: (n: number) => void = () => {},
  ): Promise<ReceivedPiece> {
    const tempPath = path.join(this.#tmpDir, `${process.pid}-${Date.now()}-${this.#nextTemp++}`);
    if (size <= IN_MEMORY_BYTES) {
      const verifier = new PieceVerifier(cid, size, createHash('sha256'));
      const bytes: Uint8Array[] = [];
      for await (const chunk of source) {
        verifier.update(chunk);
        onBytes(chunk.length);
        bytes.push(chunk);
      }
      verifier.finish();
      return { tempPath, size, bytes };
    }
    const writer: PieceFileWriter = this.#directIo
      ? await DirectFileWriter.create(tempPath)
      : new BufferedFileWriter(await open(tempPath, 'wx'));
    try {
      const verifier = new PieceVerifier(cid, size, createHash('sha256'));
      for await (const chunk of source) {
        verifier.update(chunk);
        onBytes(chunk.length);
        await writer.write(chunk);
      }
      verifier.finish();
      await writer.finish();
      return { tempPath, size, file: writer.file };
    } catch (error) {
      writer.release();
      await writer.file.close().catch(() => {});
      await rm(tempPath, { force: true });
      throw error;
    }
  }

  /** Writes the pieces still in memory, fsyncs every piece, all at once, and closes them. */
  async syncAll(pieces: readonly ReceivedPiece[]): Promise<void> {
    try {
      await Promise.all(
        pieces.map(async (piece) => {
          if (!piece.file) {
            piece.file = await open(piece.tempPath, 'wx');
            await piece.file.writev(piece.bytes ?? []);
            delete piece.bytes;
          }
          await piece.file.sync();
        }),
      );
    } finally {
      await Promise.all(pieces.map(({ file }) => file?.close()));
    }
  }

  /**
   * Moves fsynced pieces into their content-addressed places and fsyncs each folder once (all at
   * once), so the renames themselves are durable when this resolves.
   */
  async install(pieces: readonly { received: ReceivedPiece; digest: PieceDigest }[]): Promise<void> {
    const folders = new Set<string>();
    for (const { received, digest } of pieces) {
      const target = this.pathOf(digest);
      mkdirSync(path.dirname(target), { recursive: true });
      renameSync(received.tempPath, target);
      folders.add(path.dirname(target));
    }
    await Promise.all([...folders].map(fsyncPath));
  }

  /**
   * Keeps these pieces from being removed until the returned function is called: an install in
   * progress (renamed, not yet recorded) or relying on a piece already on disk.
   */
  pin(digests: readonly PieceDigest[]): () => void {
    for (const digest of digests) this.#pinned.set(digest, (this.#pinned.get(digest) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const digest of digests) {
        const left = this.#pinned.get(digest)! - 1;
        if (left === 0) this.#pinned.delete(digest);
        else this.#pinned.set(digest, left);
      }
    };
  }

  isPinned(digest: PieceDigest): boolean {
    return this.#pinned.has(digest);
  }

  /** Drops a received piece that will not be installed. */
  async discard(received: ReceivedPiece): Promise<void> {
    await received.file?.close().catch(() => {});
    await rm(received.tempPath, { force: true });
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
    // Small reads stay with the page cache, where small pieces are written.
    if (this.#directIo && end - start + 1 > IN_MEMORY_BYTES)
      return Readable.from(readDirect(this.pathOf(digest), start, end), { objectMode: false });
    return createReadStream(this.pathOf(digest), {
      start,
      end,
      highWaterMark: Math.max(1, Math.min(READ_BYTES, end - start + 1)),
    });
  }
}

async function fsyncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
