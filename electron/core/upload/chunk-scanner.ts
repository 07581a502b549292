/**
 * Reads a file once, in chunks of a fixed size, and names each chunk by its CID (raw, sha2-256,
 * hashed with node:crypto). Two buffers of the chunk size take turns for the whole file: the next
 * chunk is read (on libuv's threads) while this one is hashed, so memory does not grow with the
 * file and the reading and the hashing overlap; nothing of the file is kept but the chunks' CIDs.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cidFromDigest } from '../../../shared/pieces/cid';
import { fileChanged } from './chunk-hashing';

export interface ScannedChunk {
  offset: number;
  size: number;
  cid: string;
  /** The bare sha-256 digest, 0x-hex: the piece as the contracts see it. */
  digest: `0x${string}`;
}

export interface ScanOptions {
  chunkSize: number;
  signal?: AbortSignal;
  /** Called after each chunk with the bytes hashed so far in this file. */
  onBytes?: (bytes: number) => void;
}

/** A chunk named by its sha-256 digest. */
export function chunkOf(offset: number, size: number, digest: Uint8Array): ScannedChunk {
  return {
    offset,
    size,
    cid: cidFromDigest(digest, 'raw').toString(),
    digest: `0x${Buffer.from(digest).toString('hex')}`,
  };
}

/** Yields the file's chunks in order; throws if the file is shorter than `expectedSize`. */
export async function* scanChunks(
  filePath: string,
  expectedSize: number,
  options: ScanOptions,
): AsyncGenerator<ScannedChunk> {
  const handle = await open(filePath, 'r');
  const bufferSize = Math.min(options.chunkSize, Math.max(1, expectedSize));
  const buffers = [Buffer.allocUnsafe(bufferSize), Buffer.allocUnsafe(bufferSize)];
  /** Fills `buffer` with the chunk at `offset`. */
  const readChunk = async (buffer: Buffer, offset: number): Promise<number> => {
    const want = Math.min(options.chunkSize, expectedSize - offset);
    let filled = 0;
    while (filled < want) {
      const { bytesRead } = await handle.read(buffer, filled, want - filled, offset + filled);
      if (bytesRead === 0) throw fileChanged(filePath, offset + filled, expectedSize);
      filled += bytesRead;
    }
    return want;
  };
  let next: Promise<number> | null = null;
  try {
    let offset = 0;
    for (let turn = 0; offset < expectedSize; turn++) {
      options.signal?.throwIfAborted();
      const buffer = buffers[turn % 2]!;
      const want: number = await (next ?? readChunk(buffer, offset));
      next = offset + want < expectedSize ? readChunk(buffers[(turn + 1) % 2]!, offset + want) : null;
      // Until it is awaited, a failed read ahead must not count as unhandled.
      next?.catch(() => {});
      yield chunkOf(offset, want, createHash('sha256').update(buffer.subarray(0, want)).digest());
      offset += want;
      options.onBytes?.(offset);
    }
  } finally {
    // A read still in flight (the scan was stopped) must end before its file is closed.
    await next?.catch(() => {});
    await handle.close();
  }
}
