/**
 * The seeder: publishes `count` notes to a note server, a `fraction` of them to one wallet address
 * and the rest to decoy wallets, and returns (and optionally writes) an oracle — which indices
 * are the wallet's and what they carry — for sync tests and benchmarks to check against.
 *
 * Notes are built in worker threads with the liboqs backend (default: one per core), in batches
 * of up to MAX_PUBLISH_BATCH, and published in order, one batch request each, while the workers
 * build the next batches. The same seed and options give the same notes (seed-batch.ts).
 * The wallet's share is exactly round(count × fraction) notes, at positions drawn from the seed.
 */
import { rngChacha20 } from '@noble/ciphers/chacha.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { loadLiboqsKem } from '../../electron/core/crypto/liboqs-kem';
import { decodeAddress } from '../../shared/notes/address';
import {
  MAX_PUBLISH_BATCH,
  NoteServerErrorBody,
  NoteServerInfo,
  PublishResult,
} from '../../shared/notes/wire';
import { createSeedBatchEncoder, streamKey, type SeedBatch, type SeedBatchSetup } from './seed-batch';

export interface SeedOptions {
  /** The note server's base URL. */
  url: string;
  count: number;
  /** Share of the notes sent to `address`, in [0, 1]. */
  fraction: number;
  address: string;
  /** Any text; the same seed gives the same notes. Default 'coffer'. */
  seed?: string;
  /** Where to write the oracle as JSON. */
  oracleFile?: string;
  /** Worker threads building notes; 0 builds them on this thread. Default: one per core. */
  workers?: number;
  /** Notes per publish request, at most MAX_PUBLISH_BATCH (default). */
  batchSize?: number;
  /** How many decoy wallets receive the other notes. Default 64. */
  decoys?: number;
  onProgress?: (published: number, total: number) => void;
}

export const SeedOracle = z.object({
  seed: z.string(),
  address: z.string(),
  count: z.number().int().nonnegative(),
  fraction: z.number(),
  /** Index of the first note published by this run. */
  startIndex: z.number().int().nonnegative(),
  /** The server's tree size and root right after this run. */
  treeSize: z.number().int().nonnegative(),
  root: z.string(),
  /** The wallet's notes, in index order; values are decimal strings (u64). */
  ours: z.array(z.object({ index: z.number().int().nonnegative(), value: z.string(), memo: z.string() })),
});
export type SeedOracle = z.infer<typeof SeedOracle>;

/** Messages between the seeder and its workers (seed-worker.ts). */
export interface SeedWorkerRequest {
  id: number;
  from: number;
  to: number;
  ours: number[];
}
export type SeedWorkerReply = { id: number } & (SeedBatch | { error: string });

interface BatchBuilder {
  build(request: SeedWorkerRequest): Promise<SeedBatch>;
  close(): Promise<void>;
}

/** The worker bundle: beside this file once bundled (out/<dir>/*.js), or built in out/ from source. */
function seedWorkerUrl(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(
    fromSource ? '../../out/devnet/seed-worker.js' : '../devnet/seed-worker.js',
    import.meta.url,
  );
}

function startWorker(setup: SeedBatchSetup): BatchBuilder {
  const worker = new Worker(seedWorkerUrl(), { workerData: setup });
  const waiting = new Map<number, { resolve: (batch: SeedBatch) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: SeedWorkerReply) => {
    const entry = waiting.get(reply.id);
    waiting.delete(reply.id);
    if ('error' in reply) entry?.reject(new Error(`seed worker: ${reply.error}`));
    else entry?.resolve(reply);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`seed worker exited (code ${code})`)));
  return {
    build: (request) =>
      new Promise((resolve, reject) => {
        waiting.set(request.id, { resolve, reject });
        worker.postMessage(request);
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}

async function startInThread(setup: SeedBatchSetup): Promise<BatchBuilder> {
  const encode = createSeedBatchEncoder(setup, await loadLiboqsKem());
  return {
    build: async (request) => encode(request.from, request.to, new Set(request.ours)),
    close: async () => {},
  };
}

/** The ordinals in [0, count) that go to the wallet: `k` distinct ones drawn from the seed. */
function chooseOurs(seed: string, count: number, k: number): number[] {
  const prg = rngChacha20(streamKey(seed, 'choose', 0));
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const words = new Uint32Array(prg.randomBytes(4 * k).buffer);
  for (let i = 0; i < k; i++) {
    const j = i + (words[i]! % (count - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return [...order.subarray(0, k)].sort((a, b) => a - b);
}

async function readError(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const { error } = NoteServerErrorBody.parse(JSON.parse(text));
    return `${error.code}: ${error.message}`;
  } catch {
    return text.slice(0, 200);
  }
}

/** Promise.withResolvers, which Node 20 lacks. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function checkOptions(options: SeedOptions): void {
  const { count, fraction, batchSize = MAX_PUBLISH_BATCH, workers = 0, decoys = 64 } = options;
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1], got ${fraction}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > MAX_PUBLISH_BATCH)
    throw new RangeError(`batchSize must be in [1, ${MAX_PUBLISH_BATCH}], got ${batchSize}`);
  if (!Number.isSafeInteger(workers) || workers < 0)
    throw new RangeError(`workers must be ≥ 0, got ${workers}`);
  if (!Number.isSafeInteger(decoys) || decoys < 1) throw new RangeError(`decoys must be ≥ 1, got ${decoys}`);
}

export async function seedNotes(options: SeedOptions): Promise<SeedOracle> {
  checkOptions(options);
  const seed = options.seed ?? 'coffer';
  const batchSize = options.batchSize ?? MAX_PUBLISH_BATCH;
  const workerCount = options.workers ?? os.availableParallelism();
  const setup: SeedBatchSetup = {
    seed,
    recipient: decodeAddress(options.address),
    decoys: options.decoys ?? 64,
  };

  const infoResponse = await fetch(`${options.url}/v1/info`);
  if (!infoResponse.ok)
    throw new Error(`note server ${options.url}: /v1/info answered ${infoResponse.status}`);
  const info = NoteServerInfo.parse(await infoResponse.json());
  const startIndex = info.treeSize;

  const ours = chooseOurs(seed, options.count, Math.round(options.count * options.fraction));
  const requests: SeedWorkerRequest[] = [];
  for (let from = 0, id = 0; from < options.count; from += batchSize, id++) {
    const to = Math.min(options.count, from + batchSize);
    requests.push({ id, from, to, ours: ours.filter((ordinal) => ordinal >= from && ordinal < to) });
  }

  const builders =
    workerCount === 0
      ? [await startInThread(setup)]
      : Array.from({ length: workerCount }, () => startWorker(setup));
  // Batches built but not yet published are held in memory (and dropped once published): at
  // most two per builder.
  const maxAhead = 2 * builders.length;
  const built = new Map(requests.map((request) => [request.id, deferred<SeedBatch>()]));
  const published = requests.map(() => deferred<void>());
  // The first error anywhere stops every task: each waits on its work or on this.
  const failed = deferred<never>();
  failed.promise.catch(() => {});
  let firstError: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    firstError ??= { error };
    failed.reject(error);
  };
  const race = <T>(promise: Promise<T>) => Promise.race([promise, failed.promise]);

  let nextRequest = 0;
  const build = async (builder: BatchBuilder) => {
    while (nextRequest < requests.length) {
      const request = requests[nextRequest++]!;
      if (request.id >= maxAhead) await race(published[request.id - maxAhead]!.promise);
      built.get(request.id)?.resolve(await race(builder.build(request)));
    }
  };

  const oracle: SeedOracle = {
    seed,
    address: options.address.trim(),
    count: options.count,
    fraction: options.fraction,
    startIndex,
    treeSize: startIndex,
    root: info.root,
    ours: [],
  };
  const publish = async () => {
    for (const request of requests) {
      const batch = await race(built.get(request.id)!.promise);
      built.delete(request.id);
      const response = await fetch(`${options.url}/v1/notes/batch`, {
        method: 'POST',
        body: batch.notes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      if (!response.ok)
        throw new Error(
          `note server refused notes ${request.from}–${request.to - 1}: ${response.status} ${await readError(response)}`,
        );
      const result = PublishResult.parse(await response.json());
      if (result.firstIndex !== startIndex + request.from)
        throw new Error(
          `note server appended at index ${result.firstIndex}, expected ${startIndex + request.from}: someone else is publishing, so the oracle would be wrong`,
        );
      for (const note of batch.ours)
        oracle.ours.push({ index: startIndex + note.ordinal, value: note.value.toString(), memo: note.memo });
      Object.assign(oracle, { treeSize: result.treeSize, root: result.root });
      published[request.id]!.resolve();
      options.onProgress?.(request.to, options.count);
    }
  };

  try {
    await Promise.all([publish(), ...builders.map(build)].map((task) => task.catch(fail)));
  } finally {
    await Promise.all(builders.map((builder) => builder.close()));
  }
  if (firstError) throw firstError.error;

  if (options.oracleFile) {
    mkdirSync(path.dirname(options.oracleFile), { recursive: true });
    writeFileSync(options.oracleFile, JSON.stringify(oracle, null, 2) + '\n');
  }
  return oracle;
}
