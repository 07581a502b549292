/**
 * Reads a file once, in chunks of a fixed size, and names each chunk by its CID (raw, sha2-256,
 * hashed with node:crypto). One buffer of the chunk size is reused for the whole file, so memory
 * does not grow with the file; nothing of the file is kept but the chunks' CIDs.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { cidFromDigest } from '../../../shared/pieces/cid';

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

/** Yields the file's chunks in order; throws if the file is shorter than `expectedSize`. */
export async function* scanChunks(
  filePath: string,
  expectedSize: number,
  options: ScanOptions,
): AsyncGenerator<ScannedChunk> {
  const handle = await open(filePath, 'r');
  const buffer = Buffer.allocUnsafe(Math.min(options.chunkSize, Math.max(1, expectedSize)));
  try {
    let offset = 0;
    while (offset < expectedSize) {
      options.signal?.throwIfAborted();
      const want = Math.min(options.chunkSize, expectedSize - offset);
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await handle.read(buffer, filled, want - filled, offset + filled);
        if (bytesRead === 0)
          throw new Error(`${filePath} ended at ${offset + filled} bytes, not ${expectedSize}: it changed`);
        filled += bytesRead;
      }
      const digest = createHash('sha256').update(buffer.subarray(0, want)).digest();
      yield {
        offset,
        size: want,
        cid: cidFromDigest(digest, 'raw').toString(),
        digest: `0x${digest.toString('hex')}`,
      };
      offset += want;
      options.onBytes?.(offset);
    }
  } finally {
    await handle.close();
  }
}
