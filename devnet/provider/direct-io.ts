/**
 * Direct I/O for large piece files: writes and reads that bypass the page cache (O_DIRECT). A
 * provider writes each byte it stores once and reads it back seldom (a pull, a download); through
 * the page cache every byte is first copied into newly allocated cache pages, and on a virtual
 * machine whose free memory goes back to the host, each such page faults to the host on first use.
 * Measured on the dev VM, 1 GiB written and fsynced: 2.5 s of system CPU through the cache, 0.2 s
 * direct; 512 MiB read cold: 0.83 s through the cache, 0.05 s direct.
 *
 * O_DIRECT needs memory, offsets and lengths aligned to the device's block size. JavaScript has one
 * allocation that is page-aligned: a WebAssembly.Memory's buffer (V8 maps it on a page boundary,
 * reserving a large range of address space for each). Slots of a few such arenas are lent out, one
 * per file being written or read; when every slot is in use, a file goes through the page cache
 * instead, by the same code. Where the file system refuses O_DIRECT (tmpfs, or no O_DIRECT at all,
 * as on macOS), `directIoWorks` says so and PieceFiles uses ordinary I/O.
 */
import { constants } from 'node:fs';
import { type FileHandle, open, rm } from 'node:fs/promises';

/** Offsets and lengths of direct I/O are multiples of this (covers 512- and 4096-byte blocks). */
export const BLOCK = 4096;
/** Bytes per slot: the most one direct write or read moves at once. */
export const SLOT_BYTES = 1024 * 1024;
const SLOTS_PER_ARENA = 8;
/** Files written or read directly at once; more go through the page cache. */
const MAX_SLOTS = 64;
const WASM_PAGE = 65_536;

// The part of the WebAssembly API used here (its types come with the DOM library, not Node's).
declare const WebAssembly: { Memory: new (pages: { initial: number }) => { buffer: ArrayBuffer } };

const free: Buffer[] = [];
let slotsMade = 0;

/** Lends a page-aligned buffer of SLOT_BYTES (give it back with `returnSlot`), if one is left. */
function takeSlot(): Buffer | undefined {
  const slot = free.pop();
  if (slot || slotsMade >= MAX_SLOTS) return slot;
  // A new arena; its buffer is never grown (growing would move it under the slots lent out).
  const arena = new WebAssembly.Memory({ initial: (SLOTS_PER_ARENA * SLOT_BYTES) / WASM_PAGE });
  slotsMade += SLOTS_PER_ARENA;
  for (let i = 1; i < SLOTS_PER_ARENA; i++) free.push(Buffer.from(arena.buffer, i * SLOT_BYTES, SLOT_BYTES));
  return Buffer.from(arena.buffer, 0, SLOT_BYTES);
}

function returnSlot(slot: Buffer): void {
  free.push(slot);
}

/** A slot and the flag to open a file with: direct with a slot, through the cache without one. */
function ioBuffer(): { slot: Buffer | undefined; memory: Buffer; direct: number } {
  const slot = takeSlot();
  return { slot, memory: slot ?? Buffer.allocUnsafe(SLOT_BYTES), direct: slot ? constants.O_DIRECT! : 0 };
}

const roundUp = (n: number) => Math.ceil(n / BLOCK) * BLOCK;
/** Opens a file that must not exist yet, for writing. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;

/** Whether files in `dir` can be written with O_DIRECT (tries one block in a probe file). */
export async function directIoWorks(dir: string): Promise<boolean> {
  if (constants.O_DIRECT === undefined) return false;
  const probe = `${dir}/direct-io-probe-${process.pid}`;
  const slot = takeSlot();
  if (!slot) return false;
  try {
    const file = await open(probe, CREATE_NEW | constants.O_DIRECT);
    try {
      await file.write(slot, 0, BLOCK, 0);
    } finally {
      await file.close();
    }
    return true;
  } catch {
    return false;
  } finally {
    returnSlot(slot);
    await rm(probe, { force: true });
  }
}

/**
 * A new file (which must not exist) written with O_DIRECT: bytes are gathered in an aligned slot
 * and written a slot at a time; `finish` writes the rest padded to a block and truncates the file
 * to its true length. Not fsynced: the owner syncs and closes `file`.
 */
export class DirectFileWriter {
  readonly file: FileHandle;
  readonly #slot: Buffer | undefined;
  readonly #memory: Buffer;
  #filled = 0;
  #position = 0;
  #released = false;

  private constructor(file: FileHandle, slot: Buffer | undefined, memory: Buffer) {
    this.file = file;
    this.#slot = slot;
    this.#memory = memory;
  }

  static async create(path: string): Promise<DirectFileWriter> {
    const { slot, memory, direct } = ioBuffer();
    try {
      const file = await open(path, CREATE_NEW | direct);
      return new DirectFileWriter(file, slot, memory);
    } catch (error) {
      if (slot) returnSlot(slot);
      throw error;
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    const memory = this.#memory;
    for (let from = 0; from < chunk.length;) {
      const n = Math.min(chunk.length - from, SLOT_BYTES - this.#filled);
      memory.set(chunk.subarray(from, from + n), this.#filled);
      this.#filled += n;
      from += n;
      if (this.#filled === SLOT_BYTES) {
        await this.file.write(memory, 0, SLOT_BYTES, this.#position);
        this.#position += SLOT_BYTES;
        this.#filled = 0;
      }
    }
  }

  /** Writes what is left and gives the slot back; the file then holds exactly what was written. */
  async finish(): Promise<void> {
    if (this.#filled > 0) {
      // The padding is zeroed so no stale bytes reach the disk, even for the moment before truncate.
      const padded = roundUp(this.#filled);
      this.#memory.fill(0, this.#filled, padded);
      await this.file.write(this.#memory, 0, padded, this.#position);
      await this.file.truncate(this.#position + this.#filled);
    }
    this.release();
  }

  /** Gives the slot back (after finish, or when the piece is abandoned). */
  release(): void {
    if (this.#slot && !this.#released) returnSlot(this.#slot);
    this.#released = true;
  }
}

/**
 * Bytes [start, end] (inclusive) of a file, read with O_DIRECT a slot at a time; each chunk is a
 * copy, as the slot is reused for the next read. Ends early, like a read stream, if the file does.
 */
export async function* readDirect(path: string, start: number, end: number): AsyncGenerator<Buffer> {
  const { slot, memory, direct } = ioBuffer();
  try {
    const file = await open(path, constants.O_RDONLY | direct);
    try {
      let position = start - (start % BLOCK);
      let skip = start - position;
      let left = end - start + 1;
      while (left > 0) {
        const want = Math.min(SLOT_BYTES, roundUp(skip + left));
        const { bytesRead } = await file.read(memory, 0, want, position);
        const n = Math.min(bytesRead - skip, left);
        if (n <= 0) return;
        yield Buffer.from(memory.subarray(skip, skip + n));
        if (bytesRead < want) return;
        left -= n;
        position += want;
        skip = 0;
      }
    } finally {
      await file.close();
    }
  } finally {
    if (slot) returnSlot(slot);
  }
}
