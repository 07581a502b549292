/**
 * What a sync worker thread does, as the object workers/sync-worker.ts exposes with comlink. The
 * coordinator's proxy is typed from this object (`SyncWorkerApi`), so both sides share one type.
 *
 * A worker is set up once per run (`init`): it gets the accounts' note keys (transferred, bound in
 * the KEM backend, then wiped from the message), the read mode found from `/v1/info`, and the
 * shared request budget, and opens one HTTP agent that serves every batch of the run. `scan`
 * fetches one batch's compact parts, trial-decrypts them and returns the tag hits (with their
 * compact parts) and the batch's counters; `resolve` fetches the payloads of tag hits — of any
 * batches, pending in the sync store — opens them and returns only the recovered notes. Keeping
 * the payload round trip out of `scan` is what lets a batch be checkpointed one round trip
 * earlier (see sync-engine.ts). `stop` disposes the keys and closes the agent.
 *
 * A scan may name the batch this worker gets next (`prefetch`): once the scan has its own compact
 * parts, the worker starts fetching the next batch's, so they arrive while it decrypts, and holds
 * them — undecrypted — until that batch's scan comes. The next batch's round trip is then off its
 * critical path, while a worker still never has more than one batch decrypted and not yet
 * checkpointed.
 *
 * Failures come back as data (`{ ok: false, error }`): thrown errors lose their status and URL on
 * the way through postMessage.
 */
import { transfer } from 'comlink';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { KemName } from '../../../shared/api/sync';
import type { Kem } from '../../../shared/notes/kem';
import { nobleKem } from '../../../shared/notes/noble-kem';
import { createNoteReceiver, type NoteKeys } from '../../../shared/notes/note-crypto';
import { loadLiboqsKem } from '../crypto/liboqs-kem';
import { newTally, NoteClient, type ReadMode, type RetryPolicy, type Tally } from './note-client';
import { RequestBudget } from './request-budget';
import { emptyCounters, type BatchCounters } from './sync-meter';
import { asSyncError, SyncError, type SyncErrorInfo } from './sync-error';
import {
  findTagHits,
  openHits,
  pairsIn,
  type AccountReceiver,
  type RecoveredNote,
  type TagHit,
} from './trial-decrypt';

export interface AccountKeys {
  account: number;
  keys: NoteKeys;
}

export interface WorkerSetup {
  baseUrl: string;
  kem: KemName;
  accounts: AccountKeys[];
  mode: ReadMode;
  /** The run's request budget (request-budget.ts), shared by every worker, and its size. */
  budget: SharedArrayBuffer;
  concurrency: number;
  /** Most batches the coordinator has in flight on this worker at once (each may prefetch one). */
  maxBatches: number;
  retry?: RetryPolicy;
}

/** A range of notes [start, start + count). */
export interface NoteRange {
  start: number;
  count: number;
}

export interface BatchRequest extends NoteRange {
  id: number;
  /** The accounts that still need this range scanned. */
  accounts: number[];
  /** The range of the batch this worker will scan next, to fetch meanwhile. */
  prefetch?: NoteRange;
}

/** Pending tag hits whose payloads to fetch and open. */
export interface ResolveRequest {
  id: number;
  hits: TagHit[];
}

export interface BatchResult {
  id: number;
  start: number;
  count: number;
  /** The notes whose tag matched, for their payloads to be fetched later (`resolve`). */
  hits: TagHit[];
  counters: BatchCounters;
}

export interface ResolveResult {
  id: number;
  notes: RecoveredNote[];
  counters: BatchCounters;
}

export type WorkerReply<T> = { ok: true; value: T } | { ok: false; error: SyncErrorInfo };

const loadKem = (name: KemName): Promise<Kem> =>
  name === 'liboqs' ? loadLiboqsKem() : Promise.resolve(nobleKem);

/** The buffers among `arrays` that can move to the other thread instead of being copied. */
function ownBuffers(arrays: readonly Uint8Array[]): ArrayBuffer[] {
  return arrays
    .filter((bytes) => bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength)
    .map((bytes) => bytes.buffer as ArrayBuffer);
}

/** One unit of work's timers and tally, in a thread that interleaves several units. */
interface Work {
  signal: AbortSignal;
  tally: Tally;
  counters: BatchCounters;
  fetched<T>(fetch: Promise<T>): Promise<T>;
  computed<T>(work: () => T): T;
}

export function createSyncWorkerApi() {
  let run: { client: NoteClient; receivers: AccountReceiver[]; mode: ReadMode } | null = null;
  const inFlight = new Map<number, AbortController>();
  /** Time this thread has spent trial-decrypting, all batches together. */
  const decrypting = { ms: 0 };

  const current = () => {
    if (!run) throw new SyncError({ kind: 'worker', message: 'sync worker used before init or after stop' });
    return run;
  };

  /** Compact parts fetched ahead for the batch to be scanned next, by range. */
  const prefetched = new Map<
    string,
    { compacts: Promise<Uint8Array>; controller: AbortController; tally: Tally }
  >();
  const rangeKey = (range: NoteRange) => `${range.start}+${range.count}`;

  const dispose = async () => {
    for (const controller of inFlight.values()) controller.abort();
    for (const { controller } of prefetched.values()) controller.abort();
    prefetched.clear();
    if (!run) return;
    const { client, receivers } = run;
    run = null;
    for (const { receiver } of receivers) receiver.dispose();
    await client.close();
  };

  /** Starts fetching the compact parts of `range` for a later scan; a failure surfaces there. */
  const prefetch = (range: NoteRange) => {
    const { client, mode } = current();
    const controller = new AbortController();
    const tally = newTally();
    const compacts = client.compacts(range.start, range.count, mode, controller.signal, tally);
    // Not awaited until the scan that takes it (or never, when the run ends first).
    compacts.catch(() => {});
    prefetched.set(rangeKey(range), { compacts, controller, tally });
  };

  /** The compact parts of `range`: those prefetched for it, or fetched now. */
  const compactsOf = async (range: NoteRange, signal: AbortSignal, tally: Tally) => {
    const { client, mode } = current();
    const held = prefetched.get(rangeKey(range));
    if (!held) return client.compacts(range.start, range.count, mode, signal, tally);
    prefetched.delete(rangeKey(range));
    const abort = () => held.controller.abort();
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      return await held.compacts;
    } finally {
      signal.removeEventListener('abort', abort);
      tally.bytes += held.tally.bytes;
      tally.requests += held.tally.requests;
    }
  };

  /**
   * Runs one unit of work (a scan or a resolve) under `id`, so `cancel(id)` aborts its requests,
   * and turns its outcome into a reply whose byte arrays are transferred, not copied.
   */
  const track = async <T>(
    id: number,
    work: (unit: Work) => Promise<T>,
    buffersOf: (value: T) => Uint8Array[],
  ): Promise<WorkerReply<T>> => {
    const controller = new AbortController();
    inFlight.set(id, controller);
    const counters = emptyCounters();
    const tally = newTally();
    const unit: Work = {
      signal: controller.signal,
      tally,
      counters,
      // This thread decrypts other batches while this one waits on the network: that time is not
      // the network's, so it is taken out of the fetch time.
      async fetched(fetch) {
        const began = performance.now();
        const busyBefore = decrypting.ms;
        const result = await fetch;
        counters.fetchMs += performance.now() - began - (decrypting.ms - busyBefore);
        return result;
      },
      computed(work) {
        const began = performance.now();
        try {
          return work();
        } finally {
          const ms = performance.now() - began;
          decrypting.ms += ms;
          counters.decryptMs += ms;
        }
      },
    };
    try {
      const value = await work(unit);
      counters.bytes = tally.bytes;
      counters.requests = tally.requests;
      return transfer({ ok: true, value }, ownBuffers(buffersOf(value)));
    } catch (error) {
      return { ok: false, error: asSyncError(error).toInfo() };
    } finally {
      inFlight.delete(id);
    }
  };

  return {
    async init(setup: WorkerSetup): Promise<WorkerReply<void>> {
      try {
        await dispose();
        const kem = await loadKem(setup.kem);
        const receivers = setup.accounts.map(({ account, keys }) => ({
          account,
          receiver: createNoteReceiver(keys, kem),
        }));
        // The backends hold their own copies of the secret keys now; wipe the message's.
        for (const { keys } of setup.accounts) {
          keys.detection.secretKey.fill(0);
          keys.viewing.secretKey.fill(0);
        }
        const client = new NoteClient({
          baseUrl: setup.baseUrl,
          budget: new RequestBudget(setup.budget),
          // Per-note reads: never more than the whole budget at once. Range reads: one request at
          // a time per batch in flight, one for a prefetch and one for payloads.
          maxConnections: setup.mode.range ? setup.maxBatches + 2 : setup.concurrency,
          ...(setup.retry && { retry: setup.retry }),
        });
        run = { client, receivers, mode: setup.mode };
        return { ok: true, value: undefined };
      } catch (error) {
        return { ok: false, error: asSyncError(error).toInfo() };
      }
    },

    /** Fetches one batch's compact parts and trial-decrypts them: its tag hits, not yet opened. */
    scan(request: BatchRequest): Promise<WorkerReply<BatchResult>> {
      return track(
        request.id,
        async ({ signal, tally, counters, fetched, computed }) => {
          const receivers = current().receivers.filter(({ account }) => request.accounts.includes(account));
          const compacts = await fetched(compactsOf(request, signal, tally));
          if (request.prefetch) {
            prefetch(request.prefetch);
            // Let the request leave before the decryption holds this thread.
            await yieldToLoop();
          }
          const hits = computed(() => findTagHits(compacts, request.start, request.count, receivers));
          counters.scanned = request.count;
          counters.tagHits = pairsIn(hits);
          return { id: request.id, start: request.start, count: request.count, hits, counters };
        },
        (value) => value.hits.map((hit) => hit.compact),
      );
    },

    /** Fetches the payloads of tag hits and opens them: the notes recovered. */
    resolve(request: ResolveRequest): Promise<WorkerReply<ResolveResult>> {
      return track(
        request.id,
        async ({ signal, tally, counters, fetched, computed }) => {
          const { client, receivers, mode } = current();
          const indices = request.hits.map((hit) => hit.index);
          const payloads = await fetched(client.payloads(indices, mode, signal, tally));
          const opened = computed(() => openHits(request.hits, payloads, receivers));
          counters.falsePositives = opened.falsePositives;
          return { id: request.id, notes: opened.notes, counters };
        },
        (value) => value.notes.flatMap((note) => [note.seed, note.memo, note.commitment]),
      );
    },

    /** Cancels one scan or resolve in flight (its requests are aborted; its reply says cancelled). */
    cancel(id: number): void {
      inFlight.get(id)?.abort();
    },

    /**
     * Trial-decrypts preloaded compact parts (transferred in) without any I/O: the benchmark's
     * decrypt-bound mode. Returns the tag hits found and the time spent.
     */
    trialDecrypt(start: number, compacts: Uint8Array, count: number): { tagHits: number; decryptMs: number } {
      const { receivers } = current();
      const began = performance.now();
      const hits = findTagHits(compacts, start, count, receivers);
      return {
        tagHits: pairsIn(hits),
        decryptMs: performance.now() - began,
      };
    },

    /** Wipes the keys and closes the agent; the worker can be set up again or terminated. */
    async stop(): Promise<void> {
      await dispose();
    },
  };
}

export type SyncWorkerApi = ReturnType<typeof createSyncWorkerApi>;
