/**
 * The sync coordinator: syncs the wallet's notes from the note server into the sync store.
 *
 * A run reads `/v1/info` once per pass and syncs up to that snapshot of the tree size (the read
 * mode — range or per-note — is found on the first pass and kept for the run). What is left to
 * scan is split into batches of K notes (batch-plan.ts) and spread over a pool of worker threads,
 * two batches in flight per worker so one batch's fetch overlaps the other's trial decryption.
 * The pool starts only when there is something to scan, and lives for the whole run: in watch
 * mode it serves every pass, with the keys sent once and one HTTP agent per worker throughout.
 *
 * Each completed batch is checkpointed at once — its notes, its range, the cursor advanced — in
 * one SQLite transaction (sync-store.ts), whatever order batches complete in; notes are listed in
 * index order from the store.
 *
 * Failure is abort-on-first-error: the first batch that fails (after its requests' bounded
 * retries) stops the dispatch, every batch in flight is cancelled in its worker — and the workers
 * terminated if they do not answer in time — and the run rejects with that first error, its HTTP
 * status and URL intact. The checkpoint never advances past a batch that failed. `stop` is
 * cooperative: no new batch starts, the ones in flight finish and are checkpointed, then the run
 * resolves.
 */
import { transfer } from 'comlink';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  DEFAULT_SYNC_SETTINGS,
  SyncSettings,
  type AccountBalance,
  type SyncProgress,
  type SyncState,
} from '../../../shared/api/sync';
import { addressDigest, type NoteKeys } from '../../../shared/notes/note-crypto';
import { describeIssues } from '../../../shared/api/errors';
import { planBatches, type PlannedBatch } from './batch-plan';
import { NoteClient, readModeOf, type ReadMode, type RetryPolicy } from './note-client';
import { seedContext, type NoteSealer } from './note-sealer';
import { PipelineDepth } from './pipeline-depth';
import { checkConcurrency, createBudgetBuffer } from './request-budget';
import { asSyncError, SyncError } from './sync-error';
import { SyncMeter, type RunTotals } from './sync-meter';
import type { StoredNote, SyncStore } from './sync-store';
import type { BatchResult, WorkerReply, WorkerSetup } from './sync-worker-api';
import { defaultWorkerCount, startSyncWorkers, type SyncWorker } from './worker-pool';

/** One account of the wallet and its note keys. The engine copies what it sends to workers. */
export interface SyncAccount {
  account: number;
  keys: NoteKeys;
}

/** A batch leaving for a worker or checkpointed: for logs, tests and the crash harness. */
export interface BatchEvent {
  kind: 'dispatched' | 'committed';
  start: number;
  count: number;
  /** Position of the worker in the pool. */
  worker: number;
}

export interface SyncEngineOptions {
  store: SyncStore;
  serverUrl: string;
  /** Seals each recovered note's seed before it is stored. */
  sealer: NoteSealer;
  retry?: RetryPolicy;
  /** The worker bundle (default: out/workers/sync-worker.js). */
  workerFile?: string;
  /**
   * Cap on the batches in flight per worker (pipeline-depth.ts; default MAX_DEPTH). Every batch in
   * flight is redone after a crash: 1 bounds that by the number of workers, at the cost of fetch
   * no longer overlapping decryption.
   */
  maxBatchesPerWorker?: number;
  onProgress?: (progress: SyncProgress) => void;
  onBatch?: (event: BatchEvent) => void;
}

export interface RunOptions {
  /**
   * The wallet's accounts and their note keys for this run. The engine owns them from here: it
   * wipes the secret keys when the run ends, so hand it copies.
   */
  accounts: SyncAccount[];
  watch?: boolean;
  /** Overrides of the default settings for this run. */
  settings?: Partial<SyncSettings>;
}

export interface RunReport {
  progress: SyncProgress;
  totals: RunTotals;
}

/** How long cancelled workers get to wind down before they are terminated. */
const CANCEL_GRACE_MS = 2000;
/** Progress events at most this often while batches commit (state changes go out at once). */
const PROGRESS_INTERVAL_MS = 100;

/** A stable id of an account's keys: a wallet with other keys under the same index starts over. */
const keyIdOf = (keys: NoteKeys) =>
  bytesToHex(
    addressDigest({ detectionPublicKey: keys.detection.publicKey, viewingPublicKey: keys.viewing.publicKey }),
  );

export function resolveSettings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  const merged = { ...DEFAULT_SYNC_SETTINGS, ...overrides };
  checkConcurrency(merged.concurrency);
  const parsed = SyncSettings.safeParse(merged);
  if (!parsed.success)
    throw new SyncError({ kind: 'config', message: `sync settings: ${describeIssues(parsed.error)}` });
  return parsed.data;
}

/** The error as a person should read it: what happened, then the technical detail. */
function describeFailure(error: SyncError): NonNullable<SyncProgress['error']> {
  const lead: Record<SyncError['kind'], string> = {
    http: 'The note server refused a request, so the sync stopped. Try again later.',
    network:
      'Coffer could not reach the note server, so the sync stopped. Check the connection and try again.',
    malformed:
      'The note server sent data that is not valid notes, so the sync stopped without saving it. The server may be faulty.',
    config: 'A sync setting is out of range.',
    worker: 'A sync worker failed, so the sync stopped.',
    cancelled: 'The sync was cancelled.',
  };
  return {
    kind: error.kind,
    message: `${lead[error.kind]} (${error.message})`,
    ...(error.status !== undefined && { status: error.status }),
    ...(error.url !== undefined && { url: error.url }),
  };
}

/** Copies of the accounts' keys for one worker, with the buffers to transfer to it. */
function keysForWorker(accounts: readonly SyncAccount[]) {
  const buffers: ArrayBuffer[] = [];
  const copy = (bytes: Uint8Array) => {
    const own = bytes.slice();
    buffers.push(own.buffer);
    return own;
  };
  const copies = accounts.map(({ account, keys }) => ({
    account,
    keys: {
      detection: { publicKey: copy(keys.detection.publicKey), secretKey: copy(keys.detection.secretKey) },
      viewing: { publicKey: copy(keys.viewing.publicKey), secretKey: copy(keys.viewing.secretKey) },
    },
  }));
  return { copies, buffers };
}

interface Slot {
  worker: SyncWorker;
  load: number;
}

/** The run's workers, started lazily and set up once each. */
class RunPool {
  readonly slots: Slot[] = [];

  constructor(
    private readonly setup: Omit<WorkerSetup, 'accounts'>,
    private readonly accounts: readonly SyncAccount[],
    private readonly file: string | undefined,
  ) {}

  async grow(size: number): Promise<void> {
    const missing = size - this.slots.length;
    if (missing <= 0) return;
    const started = startSyncWorkers(missing, ...(this.file ? [this.file] : []));
    const replies = await Promise.allSettled(
      started.map((worker) => {
        const { copies, buffers } = keysForWorker(this.accounts);
        return worker.call((api) => api.init(transfer({ ...this.setup, accounts: copies }, buffers)));
      }),
    );
    const failure = replies
      .map((reply) =>
        reply.status === 'rejected'
          ? asSyncError(reply.reason)
          : reply.value.ok
            ? null
            : new SyncError(reply.value.error),
      )
      .find((error) => error !== null);
    if (failure) {
      await Promise.all(started.map((worker) => worker.terminate()));
      throw failure;
    }
    this.slots.push(...started.map((worker) => ({ worker, load: 0 })));
  }

  /** Wipes the keys and closes the agents in every worker, then ends the threads. */
  async close(): Promise<void> {
    await Promise.all(
      this.slots.map(async ({ worker }) => {
        await Promise.race([worker.call((api) => api.stop()).catch(() => {}), sleep(CANCEL_GRACE_MS)]);
        await worker.terminate();
      }),
    );
    this.slots.length = 0;
  }

  async terminate(): Promise<void> {
    await Promise.all(this.slots.map(({ worker }) => worker.terminate()));
    this.slots.length = 0;
  }
}

export class SyncEngine {
  readonly #options: SyncEngineOptions;
  #state: SyncState = 'idle';
  #error: SyncProgress['error'] = null;
  #meter = new SyncMeter();
  #readMode: ReadMode | null = null;
  #workers = 0;
  #balances = new Map<number, AccountBalance>();
  /** The store's, kept here so progress() never touches the database. */
  #lastSynced: SyncProgress['lastSynced'];
  #running: Promise<RunReport> | null = null;
  #stopping: AbortController | null = null;
  #lastEmit = 0;

  constructor(options: SyncEngineOptions) {
    this.#options = options;
    for (const balance of options.store.balances()) this.#balances.set(balance.account, balance);
    this.#lastSynced = options.store.lastSynced();
  }

  get running(): boolean {
    return this.#running !== null;
  }

  progress(): SyncProgress {
    return {
      state: this.#state,
      ...this.#meter.figures(),
      readMode: this.#readMode === null ? null : this.#readMode.range ? 'range' : 'per-note',
      workers: this.#workers,
      found: [...this.#balances.values()].reduce((sum, b) => sum + b.notes, 0),
      balances: [...this.#balances.values()].sort((a, b) => a.account - b.account),
      error: this.#error,
      lastSynced: this.#lastSynced,
    };
  }

  /**
   * Syncs up to the tree size read at the start (and, with `watch`, keeps polling for new notes
   * until `stop`). Resolves when done or stopped; rejects with a SyncError on failure.
   */
  run(options: RunOptions): Promise<RunReport> {
    if (this.#running)
      return Promise.reject(new SyncError({ kind: 'config', message: 'a sync is already running' }));
    const stopping = new AbortController();
    this.#stopping = stopping;
    // The final state goes out only once the run is over, so a listener that sees `idle` or `error`
    // can start the next run straight away.
    const finish = () => {
      this.#running = null;
      this.#stopping = null;
      this.#meter.endPass();
    };
    this.#running = this.#run(options, stopping.signal).then(
      (totals) => {
        finish();
        this.#setState('idle');
        return { progress: this.progress(), totals };
      },
      (error: unknown) => {
        const failure = asSyncError(error);
        finish();
        this.#error = describeFailure(failure);
        this.#setState('error');
        throw failure;
      },
    );
    return this.#running;
  }

  /** Cooperative stop: the batches in flight finish and are checkpointed. Resolves when stopped. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    if (!this.#stopping?.signal.aborted) {
      this.#setState('stopping');
      this.#stopping?.abort();
    }
    await running.catch(() => {});
  }

  /** Forgets notes and scanned ranges from `from` on. Not while a run is going. */
  rescanFrom(from: number): void {
    if (this.#running) throw new SyncError({ kind: 'config', message: 'stop the sync before rescanning' });
    this.#options.store.rescanFrom(from);
    this.#balances = new Map(this.#options.store.balances().map((b) => [b.account, b]));
    this.#lastSynced = this.#options.store.lastSynced();
    this.#meter = new SyncMeter();
    this.#emit(true);
  }

  async #run(options: RunOptions, stopSignal: AbortSignal): Promise<RunTotals> {
    const { store, serverUrl } = this.#options;
    this.#meter = new SyncMeter();
    this.#error = null;
    this.#readMode = null;
    this.#workers = 0;
    this.#setState('syncing');
    const client = new NoteClient({
      baseUrl: serverUrl,
      ...(this.#options.retry && { retry: this.#options.retry }),
    });
    let pool: RunPool | null = null;
    const { accounts } = options;
    try {
      const settings = resolveSettings(options.settings);
      if (accounts.length === 0)
        throw new SyncError({ kind: 'config', message: 'the wallet has no accounts to sync' });
      const accountIds = accounts.map(({ account, keys }) => ({ account, keyId: keyIdOf(keys) }));
      for (;;) {
        const info = await client.info(stopSignal).catch((error: unknown) => {
          if (stopSignal.aborted) return null;
          throw error;
        });
        if (!info) break;
        this.#readMode ??= readModeOf(info);
        for (const reason of store.bind(serverUrl, info.treeSize, accountIds))
          console.warn(`[sync] ${reason}`);
        this.#balances = new Map(store.balances().map((b) => [b.account, b]));
        this.#lastSynced = store.lastSynced();
        const progress = new Map(accountIds.map(({ account }) => [account, store.progressOf(account)]));
        const batches = planBatches(info.treeSize, progress, settings.checkpointEvery);
        this.#meter.startPass(
          info.treeSize,
          batches.reduce((sum, batch) => sum + batch.count, 0),
        );
        if (batches.length > 0) {
          this.#setState('syncing');
          pool ??= new RunPool(
            {
              baseUrl: serverUrl,
              kem: settings.kem,
              mode: this.#readMode,
              budget: createBudgetBuffer(settings.concurrency),
              concurrency: settings.concurrency,
              ...(this.#options.retry && { retry: this.#options.retry }),
            },
            accounts,
            this.#options.workerFile,
          );
          await pool.grow(Math.min(settings.workers ?? defaultWorkerCount(), batches.length));
          this.#workers = pool.slots.length;
          await this.#scan(batches, pool, stopSignal);
        }
        this.#meter.endPass();
        if (this.#meter.passComplete) {
          store.markSynced(info.treeSize);
          this.#lastSynced = store.lastSynced();
        }
        if (!options.watch || stopSignal.aborted) break;
        this.#setState('watching');
        try {
          await sleep(settings.watchIntervalMs, undefined, { signal: stopSignal });
        } catch {
          break;
        }
      }
      return { ...this.#meter.totals };
    } finally {
      await pool?.close();
      await client.close();
      for (const { keys } of accounts) {
        keys.detection.secretKey.fill(0);
        keys.viewing.secretKey.fill(0);
      }
    }
  }

  /** Runs one pass's batches over the pool; resolves when all are checkpointed or on stop. */
  #scan(batches: PlannedBatch[], pool: RunPool, stopSignal: AbortSignal): Promise<void> {
    const queue = [...batches];
    const inFlight = new Map<number, { slot: Slot; batch: PlannedBatch; worker: number }>();
    let nextId = 0;
    let failure: SyncError | null = null;
    let graceTimer: NodeJS.Timeout | undefined;
    const depth = new PipelineDepth(this.#readMode?.range ?? false, this.#options.maxBatchesPerWorker);

    return new Promise<void>((resolve, reject) => {
      const settle = () => {
        if (inFlight.size > 0) return;
        clearTimeout(graceTimer);
        stopSignal.removeEventListener('abort', onStop);
        if (failure) reject(failure);
        else resolve();
      };
      const fail = (error: SyncError) => {
        if (failure) return;
        failure = error;
        for (const [id, { slot }] of inFlight) void slot.worker.call((api) => api.cancel(id)).catch(() => {});
        // Workers stuck in a long computation get terminated: their pending calls then reject.
        graceTimer = setTimeout(() => void pool.terminate(), CANCEL_GRACE_MS);
      };
      /** Hands out batches one per worker per round, least loaded first, up to the depth. */
      const dispatch = () => {
        for (;;) {
          if (failure || stopSignal.aborted || queue.length === 0) break;
          const free = pool.slots
            .map((slot, worker) => ({ slot, worker }))
            .filter(({ slot }) => slot.load < depth.value)
            .sort((a, b) => a.slot.load - b.slot.load)[0];
          if (!free) break;
          const { slot, worker } = free;
          const batch = queue.shift()!;
          const id = nextId++;
          slot.load++;
          inFlight.set(id, { slot, batch, worker });
          this.#options.onBatch?.({ kind: 'dispatched', start: batch.start, count: batch.count, worker });
          slot.worker
            .call((api) => api.scan({ id, ...batch }))
            .catch((error: unknown): WorkerReply<BatchResult> => ({
              ok: false,
              error: asSyncError(error).toInfo(),
            }))
            .then((reply) => onReply(id, reply));
        }
        settle();
      };
      const onReply = (id: number, reply: WorkerReply<BatchResult>) => {
        const { slot, batch, worker } = inFlight.get(id)!;
        inFlight.delete(id);
        slot.load--;
        if (reply.ok) {
          depth.observe(reply.value.counters.fetchMs, reply.value.counters.decryptMs);
          // A batch that completed is saved even after another failed: its work is sound.
          try {
            this.#commit(batch, reply.value, worker);
          } catch (error) {
            fail(asSyncError(error));
          }
        } else if (reply.error.kind !== 'cancelled' || !failure) {
          fail(new SyncError(reply.error));
        }
        dispatch();
      };
      const onStop = () => settle();
      stopSignal.addEventListener('abort', onStop);
      dispatch();
    });
  }

  /** The checkpoint of one batch: seal the seeds, store notes + range + cursor in one transaction. */
  #commit(batch: PlannedBatch, result: BatchResult, worker: number): void {
    const began = performance.now();
    const end = batch.start + batch.count;
    const notes: StoredNote[] = result.notes.map((note) => {
      if (
        result.start !== batch.start ||
        result.count !== batch.count ||
        note.index < batch.start ||
        note.index >= end ||
        !batch.accounts.includes(note.account)
      )
        throw new SyncError({
          kind: 'worker',
          message: `a worker returned note ${note.index} (account ${note.account}) for batch [${batch.start}, ${end})`,
        });
      const sealedSeed = this.#options.sealer.seal(note.seed, seedContext(note.account, note.index));
      note.seed.fill(0);
      const { index, account, value, memo, commitment } = note;
      return { index, account, value, memo, commitment, sealedSeed };
    });
    this.#options.store.commitBatch(batch.start, end, batch.accounts, notes);
    for (const note of notes) {
      const previous = this.#balances.get(note.account) ?? { account: note.account, balance: '0', notes: 0 };
      this.#balances.set(note.account, {
        account: note.account,
        balance: (BigInt(previous.balance) + note.value).toString(),
        notes: previous.notes + 1,
      });
    }
    this.#meter.batchCommitted(result.counters, notes.length, performance.now() - began);
    this.#options.onBatch?.({ kind: 'committed', start: batch.start, count: batch.count, worker });
    this.#emit(false);
  }

  #setState(state: SyncState): void {
    this.#state = state;
    this.#emit(true);
  }

  #emit(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.#lastEmit < PROGRESS_INTERVAL_MS) return;
    this.#lastEmit = now;
    this.#options.onProgress?.(this.progress());
  }
}
