/**
 * Hashes the plan's files, each chunk named by its CID, on worker threads
 * (workers/chunk-hash-worker.ts), one per core. A big file is bound by the CPU: its chunks are
 * shared out in runs of 16 MiB, so a 1 GiB file keeps every core hashing. Small files are bound by
 * an open, a read and a close each: they go to the threads whole, up to 64 (and 16 MiB) to a call,
 * so a folder of thousands of them neither waits on one thread's reads nor keeps this thread busy
 * with every file's steps. Without the threads' bundle (a checkout that was not built), the files
 * are scanned on this thread, 8 at once, with non-blocking reads.
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
  /** Hashing threads (at least 1); default one per core, at most 8. */
  threads?: number;
  /** The hashing thread's bundle (tests pass a faulty one). */
  workerFile?: string;
}

const MiB = 1024 * 1024;
/** A call to a thread hashes about this many bytes: a run of a big file, or small files whole. */
export const RUN_BYTES = 16 * MiB;
/** Small files hashed in one call at most: enough to share out a folder of them among the threads. */
export const FILES_PER_CALL = 64;
const MAX_THREADS = 8;
/** Files scanned at once on this thread (without the threads). */
const FILES_AT_ONCE = 8;

export const chunkHasherFile = (): string => builtPath('workers', 'chunk-hash-worker.js');

type FileToHash = { path: string; size: number };

/** Every file's chunks, in order; throws if a file is shorter than its `size`. */
export async function hashFiles(
  files: readonly FileToHash[],
  options: HashOptions,
): Promise<ScannedChunk[][]> {
  const workerFile = options.workerFile ?? chunkHasherFile();
  const chunks: ScannedChunk[][] = files.map(() => []);
  let hashed = 0;
  const context: HashContext = {
    files,
    chunks,
    chunkSize: options.chunkSize,
    signal: options.signal ?? new AbortController().signal,
    progress: (bytes) => {
      hashed += bytes;
      options.onBytes?.(hashed);
    },
  };
  if (existsSync(workerFile)) await hashOnThreads(context, options.threads, workerFile);
  else await scanHere(context);
  return chunks;
}

interface HashContext {
  files: readonly FileToHash[];
  chunks: ScannedChunk[][];
  chunkSize: number;
  signal: AbortSignal;
  progress: (bytes: number) => void;
}

/** What one call to a thread hashes: which file each job is of. */
type Call = { file: number; job: HashJob }[];

/** The calls for these files: a big file in runs of RUN_BYTES, small files whole, many to a call. */
export function callsOf(files: readonly FileToHash[], chunkSize: number): Call[] {
  const perRun = Math.max(1, Math.floor(RUN_BYTES / chunkSize));
  const calls: Call[] = [];
  let small: Call = [];
  let smallBytes = 0;
  for (const [file, { path, size }] of files.entries()) {
    const count = Math.ceil(size / chunkSize);
    if (size >= RUN_BYTES) {
      for (let first = 0; first < count; first += perRun)
        calls.push([
          { file, job: { path, fileSize: size, chunkSize, first, count: Math.min(perRun, count - first) } },
        ]);
      continue;
    }
    // An empty file has no chunk to hash.
    if (count === 0) continue;
    if (small.length === FILES_PER_CALL || smallBytes + size > RUN_BYTES) {
      calls.push(small);
      small = [];
      smallBytes = 0;
    }
    small.push({ file, job: { path, fileSize: size, chunkSize, first: 0, count } });
    smallBytes += size;
  }
  if (small.length > 0) calls.push(small);
  return calls;
}

async function hashOnThreads(
  { files, chunks, chunkSize, signal, progress }: HashContext,
  threads: number | undefined,
  workerFile: string,
): Promise<void> {
  const calls = callsOf(files, chunkSize);
  if (calls.length === 0) return;
  const wanted = Math.max(1, threads ?? Math.min(os.availableParallelism(), MAX_THREADS));
  const pool = Array.from(
    { length: Math.min(wanted, calls.length) },
    () => new ComlinkThread<ChunkHasherApi>(workerFile, (what) => new Error(`a hashing thread ${what}`)),
  );
  let next = 0;
  const take = async (thread: ComlinkThread<ChunkHasherApi>) => {
    while (next < calls.length) {
      signal.throwIfAborted();
      const call = calls[next++]!;
      const digests = await thread.call((api) => api.hashChunks(call.map(({ job }) => job)));
      let at = 0;
      let bytes = 0;
      for (const { file, job } of call)
        for (let i = 0; i < job.count; i++, at += DIGEST_BYTES) {
          const offset = (job.first + i) * chunkSize;
          const size = Math.min(chunkSize, job.fileSize - offset);
          chunks[file]![job.first + i] = chunkOf(offset, size, digests.subarray(at, at + DIGEST_BYTES));
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

async function scanHere({ files, chunks, chunkSize, signal, progress }: HashContext): Promise<void> {
  await new ConcurrencyLimit(FILES_AT_ONCE).map([...files.keys()], async (index) => {
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
