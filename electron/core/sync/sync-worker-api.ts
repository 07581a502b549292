/**
 * What a sync worker thread does, as the object workers/sync-worker.ts exposes with comlink. The
 * coordinator's proxy is typed from this object (`SyncWorkerApi`), so both sides share one type.
 *
 * A worker is set up once per run (`init`): it gets the accounts' note keys (transferred, bound in
 * the KEM backend, then wiped from the message), the read mode found from `/v1/info`, and the
 * shared request budget, and opens one HTTP agent that serves every batch of the run. `scan`
 * fetches one batch's compact parts, trial-decrypts them, fetches payloads only for tag hits and
 * returns only the recovered notes and the batch's counters. `stop` disposes the keys and closes
 * the agent.
 *
 * Failures come back as data (`{ ok: false, error }`): thrown errors lose their status and URL on
 * the way through postMessage.
 */
import { transfer } from 'comlink';
import { performance } from 'node:perf_hooks';
import type { KemName } from '../../../shared/api/sync';
import type { Kem } from '../../../shared/notes/kem';
import { nobleKem } from '../../../shared/notes/noble-kem';
import { createNoteReceiver, type NoteKeys } from '../../../shared/notes/note-crypto';
import { loadLiboqsKem } from '../crypto/liboqs-kem';
import { newTally, NoteClient, type ReadMode, type RetryPolicy } from './note-client';
import { RequestBudget } from './request-budget';
import { MAX_DEPTH } from './pipeline-depth';
import { asSyncError, SyncError, type SyncErrorInfo } from './sync-error';
import { findTagHits, openHits, type AccountReceiver, type RecoveredNote } from './trial-decrypt';

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
  retry?: RetryPolicy;
}

export interface BatchRequest {
  id: number;
  start: number;
  count: number;
  /** The accounts that still need this range scanned. */
  accounts: number[];
}

export interface BatchCounters {
  scanned: number;
  /** (note, account) pairs whose detection tag matched. */
  tagHits: number;
  /** Tag hits whose payload did not open or whose commitment did not recompute. */
  falsePositives: number;
  /** Response body bytes and requests (retries included). */
  bytes: number;
  requests: number;
  /**
   * Time waiting on the note server (less the time the worker spent on other batches meanwhile),
   * and time trial-decrypting and opening.
   */
  fetchMs: number;
  decryptMs: number;
}

export interface BatchResult {
  id: number;
  start: number;
  count: number;
  notes: RecoveredNote[];
  counters: BatchCounters;
}

export type WorkerReply<T> = { ok: true; value: T } | { ok: false; error: SyncErrorInfo };

const loadKem = (name: KemName): Promise<Kem> =>
  name === 'liboqs' ? loadLiboqsKem() : Promise.resolve(nobleKem);

/** The buffers of a reply's notes that can move to the coordinator instead of being copied. */
function ownBuffers(notes: readonly RecoveredNote[]): ArrayBuffer[] {
  const whole = (bytes: Uint8Array) =>
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? [bytes.buffer as ArrayBuffer]
      : [];
  return notes.flatMap((note) => [...whole(note.seed), ...whole(note.memo), ...whole(note.commitment)]);
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

  const dispose = async () => {
    for (const controller of inFlight.values()) controller.abort();
    if (!run) return;
    const { client, receivers } = run;
    run = null;
    for (const { receiver } of receivers) receiver.dispose();
    await client.close();
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
          // a time per batch in flight.
          maxConnections: setup.mode.range ? MAX_DEPTH : setup.concurrency,
          ...(setup.retry && { retry: setup.retry }),
        });
        run = { client, receivers, mode: setup.mode };
        return { ok: true, value: undefined };
      } catch (error) {
        return { ok: false, error: asSyncError(error).toInfo() };
      }
    },

    async scan(request: BatchRequest): Promise<WorkerReply<BatchResult>> {
      const controller = new AbortController();
      inFlight.set(request.id, controller);
      try {
        const { client, receivers: all, mode } = current();
        const receivers = all.filter(({ account }) => request.accounts.includes(account));
        const tally = newTally();
        const { signal } = controller;
        // This thread decrypts other batches while this one waits on the network: that time is
        // not the network's, so it is taken out of the fetch time.
        const fetchTimed = async <T>(fetch: Promise<T>) => {
          const began = performance.now();
          const busyBefore = decrypting.ms;
          const result = await fetch;
          fetchMs += performance.now() - began - (decrypting.ms - busyBefore);
          return result;
        };
        const decryptTimed = <T>(work: () => T) => {
          const began = performance.now();
          try {
            return work();
          } finally {
            decrypting.ms += performance.now() - began;
            decryptMs += performance.now() - began;
          }
        };
        let fetchMs = 0;
        let decryptMs = 0;

        const compacts = await fetchTimed(client.compacts(request.start, request.count, mode, signal, tally));
        const hits = decryptTimed(() => findTagHits(compacts, request.start, request.count, receivers));
        let opened: ReturnType<typeof openHits> = { notes: [], falsePositives: 0 };
        if (hits.length > 0) {
          const indices = hits.map((hit) => hit.index);
          const payloads = await fetchTimed(client.payloads(indices, mode, signal, tally));
          opened = decryptTimed(() => openHits(hits, payloads, receivers));
        }
        const value: BatchResult = {
          id: request.id,
          start: request.start,
          count: request.count,
          notes: opened.notes,
          counters: {
            scanned: request.count,
            tagHits: hits.reduce((sum, hit) => sum + hit.accounts.length, 0),
            falsePositives: opened.falsePositives,
            bytes: tally.bytes,
            requests: tally.requests,
            fetchMs,
            decryptMs,
          },
        };
        const reply: WorkerReply<BatchResult> = { ok: true, value };
        return transfer(reply, ownBuffers(value.notes));
      } catch (error) {
        return { ok: false, error: asSyncError(error).toInfo() };
      } finally {
        inFlight.delete(request.id);
      }
    },

    /** Cancels one batch in flight (its requests are aborted; its reply says cancelled). */
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
        tagHits: hits.reduce((sum, hit) => sum + hit.accounts.length, 0),
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
