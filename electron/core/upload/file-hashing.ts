/**
 * Hashes the plan's files, each chunk named by its CID. A big file is bound by the CPU: its chunks
 * are shared out, in runs of 16 MiB, among worker threads (workers/chunk-hash-worker.ts), one per
 * core, so a 1 GiB file keeps every core hashing. Small files are bound by the disk's latency (an
 * open, a read and a close each), not by the hashing: meanwhile they are scanned on this thread, 8
 * at once, with non-blocking reads. Without the threads' bundle (a checkout that was not built),
 * big files are scanned here too.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { builtPath } from '../app-paths';
import { ComlinkThread } from '../threads/comlink-thread';
import { type ChunkHasherApi, DIGEST_BYTES, type HashJob } from './chunk-hashing';
import { chunkOf, type ScannedChunk, scanChunks } from './chunk-scanner';
import { ConcurrencyLimit } from './concurrency-limit';

export interface HashOptions {
  chunkSize: number;
  signal?: AbortSignal;
  /** Called as hashing goes with the bytes hashed so far, all files together. */
  onBytes?: (bytes: number) => void;
  /** Threads for the big files (at least 1); default one per core, at most 8. */
  threads?: number;
  /** The hashing thread's bundle (tests pass a faulty one). */
  workerFile?: string;
}

const MiB = 1024 * 1024;
/** Files at least this big are hashed on the threads, in runs of about this many bytes. */
export const THREAD_FILE_BYTES = 16 * MiB;
const RUN_BYTES = 16 * MiB;
const MAX_THREADS = 8;
/** Small files scanned at once. */
const FILES_AT_ONCE = 8;

export const chunkHasherFile = (): string => builtPath('workers', 'chunk-hash-worker.js');

type FileToHash = { path: string; size: number };

/** Every file's chunks, in order; throws if a file is shorter than its `size`. */
export async function hashFiles(
  files: readonly FileToHash[],
  options: HashOptions,
): Promise<ScannedChunk[][]> {
  const workerFile = options.workerFile ?? chunkHasherFile();
  const threaded = existsSync(workerFile);
  const chunks: ScannedChunk[][] = files.map(() => []);
  const big: number[] = [];
  const small: number[] = [];
  for (const [index, file] of files.entries())
    (threaded && file.size >= THREAD_FILE_BYTES ? big : small).push(index);

  let hashed = 0;
  const progress = (bytes: number) => {
    hashed += bytes;
    options.onBytes?.(hashed);
  };
  // The first failure stops the other half too.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const failed = (error: unknown): never => {
    stop.abort(error);
    throw error;
  };
  const context = { files, chunks, chunkSize: options.chunkSize, signal, progress };
  await Promise.all([
    hashOnThreads(context, big, options.threads, workerFile).catch(failed),
    scanHere(context, small).catch(failed),
  ]);
  return chunks;
}

interface HashContext {
  files: readonly FileToHash[];
  chunks: ScannedChunk[][];
  chunkSize: number;
  signal: AbortSignal;
  progress: (bytes: number) => void;
}

async function hashOnThreads(
  { files, chunks, chunkSize, signal, progress }: HashContext,
  indices: readonly number[],
  threads: number | undefined,
  workerFile: string,
): Promise<void> {
  const perRun = Math.max(1, Math.floor(RUN_BYTES / chunkSize));
  const runs: { file: number; job: HashJob }[] = [];
  for (const index of indices) {
    const { path, size } = files[index]!;
    const count = Math.ceil(size / chunkSize);
    for (let first = 0; first < count; first += perRun)
      runs.push({
        file: index,
        job: { path, fileSize: size, chunkSize, first, count: Math.min(perRun, count - first) },
      });
  }
  if (runs.length === 0) return;
  const wanted = Math.max(1, threads ?? Math.min(os.availableParallelism(), MAX_THREADS));
  const pool = Array.from(
    { length: Math.min(wanted, runs.length) },
    () => new ComlinkThread<ChunkHasherApi>(workerFile, (what) => new Error(`a hashing thread ${what}`)),
  );
  let next = 0;
  const take = async (thread: ComlinkThread<ChunkHasherApi>) => {
    while (next < runs.length) {
      signal.throwIfAborted();
      const { file, job } = runs[next++]!;
      const digests = await thread.call((api) => api.hashChunks(job));
      let bytes = 0;
      for (let i = 0; i < job.count; i++) {
        const offset = (job.first + i) * chunkSize;
        const size = Math.min(chunkSize, job.fileSize - offset);
        chunks[file]![job.first + i] = chunkOf(
          offset,
          size,
          digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES),
        );
        bytes += size;
      }
      progress(bytes);
    }
  };
  try {
    await Promise.all(pool.map(take));
  } finally {
    await Promise.all(pool.map((thread) => thread.terminate()));
  }
}

async function scanHere(
  { files, chunks, chunkSize, signal, progress }: HashContext,
  indices: readonly number[],
): Promise<void> {
  await new ConcurrencyLimit(FILES_AT_ONCE).map(indices, async (index) => {
    const { path, size } = files[index]!;
    let before = 0;
    for await (const chunk of scanChunks(path, size, {
      chunkSize,
      signal,
      onBytes: (bytes) => {
        progress(bytes - before);
        before = bytes;
      },
    }))
      chunks[index]!.push(chunk);
  });
}
