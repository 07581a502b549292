/**
 * What a hashing thread does for the plan: runs of files' chunks (a part of a big file, or many
 * small files whole), each chunk named by the sha-256 of its bytes (node:crypto). Reads block,
 * which is what a worker thread is for; one buffer of the chunk size is reused, so memory does not
 * grow with the file.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** `count` chunks of the file at `path`, from chunk number `first` on. */
export interface HashJob {
  path: string;
  /** The size the plan saw; a file that has shrunk since fails. */
  fileSize: number;
  chunkSize: number;
  first: number;
  count: number;
}

/** What the hashing thread (workers/chunk-hash-worker.ts) exposes. */
export interface ChunkHasherApi {
  /** The digests of the jobs' chunks, job after job, 32 bytes each, back to back. */
  hashChunks(jobs: readonly HashJob[]): Uint8Array;
}

export const DIGEST_BYTES = 32;

/** A file that ended before the size the plan saw. */
export const fileChanged = (path: string, endedAt: number, size: number): Error =>
  new Error(`${path} ended at ${endedAt} bytes, not ${size}: it changed`);

let buffer = Buffer.alloc(0);

export function hashChunks(jobs: readonly HashJob[]): Uint8Array {
  const digests = new Uint8Array(DIGEST_BYTES * jobs.reduce((sum, job) => sum + job.count, 0));
  let at = 0;
  for (const job of jobs) {
    if (buffer.length < job.chunkSize) buffer = Buffer.allocUnsafe(job.chunkSize);
    const fd = openSync(job.path, 'r');
    try {
      for (let i = 0; i < job.count; i++) {
        const offset = (job.first + i) * job.chunkSize;
        const want = Math.min(job.chunkSize, job.fileSize - offset);
        let filled = 0;
        while (filled < want) {
          const read = readSync(fd, buffer, filled, want - filled, offset + filled);
          if (read === 0) throw fileChanged(job.path, offset + filled, job.fileSize);
          filled += read;
        }
        digests.set(createHash('sha256').update(buffer.subarray(0, want)).digest(), at);
        at += DIGEST_BYTES;
      }
    } finally {
      closeSync(fd);
    }
  }
  return digests;
}
