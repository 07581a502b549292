/**
 * The sync coordinator: syncs the wallet's notes from the note server into the sync store.
 *
 * A run reads `/v1/info` once per pass and syncs up to that snapshot of the tree size (the read
 * mode — range or per-note — is found on the first pass and kept for the run). What is left to
 * scan is split into batches of K notes (batch-plan.ts) and spread over a pool of worker threads.
 * The pool starts only when there is something to do, and lives for the whole run: in watch mode
 * it serves every pass, with the keys sent once and one HTTP agent per worker throughout.
 *
 * A batch is scanned in one worker — its compact parts fetched and trial-decrypted — and
 * checkpointed at once, whatever order batches complete in: its range scanned, the cursor
 * advanced and its tag hits saved as pending, in one SQLite transaction (sync-store.ts). The
 * payloads of pending hits are fetched apart from the batches, across batches, one request at a
 * time (a payload batch in range mode, a budget's worth of per-note reads otherwise), opened in a
 * worker, and their notes stored in a transaction of their own. Each worker has one batch in
 * flight by default and fetches the next one's compact parts while it decrypts it (sync-pass.ts):
 * a batch's round trips are off its critical path, and a crash redoes at most one batch per worker
 * (and reads again at most one more range each, the one prefetched). Pending hits survive a crash
 * and are resolved from the store, without a rescan. A pass is done — `idle` or `watching`, the
 * balances final — only once no tag hit is pending. Notes are listed in index order from the
 * store.
 *
 * Failure is abort-on-first-error: the first batch or payload fetch that fails (after its
 * requests' bounded retries) stops the dispatch, everything in flight is cancelled in its worker
 * — and the workers terminated if they do not answer in time — and the run rejects with that
 * first error, its HTTP status and URL intact. The checkpoint never advances past a batch that
 * failed, and hits whose payloads failed stay pending. `stop` is cooperative: no new batch
 * starts, the ones in flight finish and are checkpointed, their pending hits are resolved, then
 * the run resolves.
 */
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
import { COMPACT_BYTES } from '../../../shared/notes/format';
import { addressDigest, type NoteKeys } from '../../../shared/notes/note-crypto';
import { describeIssues } from '../../../shared/api/errors';
import { planBatches, type PlannedBatch } from './batch-plan';
import { NoteClient, readModeOf, type ReadMode, type RetryPolicy } from './note-client';
import { seedContext, type NoteSealer } from './note-sealer';
import { DEFAULT_BATCHES_PER_WORKER, PipelineDepth } from './pipeline-depth';
import { checkConcurrency, createBudgetBuffer } from './request-budget';
import { asSyncError, SyncError } from './sync-error';
import { SyncMeter, type RunTotals } from './sync-meter';
import type { StoredNote, SyncStore } from './sync-store';
import { runPass } from './sync-pass';
import type { AccountKeys, BatchResult, ResolveResult } from './sync-worker-api';
import { pairsIn, type TagHit } from './trial-decrypt';
import { defaultWorkerCount, RunPool } from './worker-pool';

/** One account of the wallet and its note keys. The engine copies what it sends to workers. */
export type SyncAccount = AccountKeys;

/**
 * A batch leaving for a worker, promised to one (its compact parts fetched ahead), or
 * checkpointed: for logs, tests and the crash harness.
 */
export interface BatchEvent {
  kind: 'dispatched' | 'prefetched' | 'committed';
  start: number;
  count: number;
  /** Position of the worker in the pool. */
  worker: number;
  /** Committed: the (note, account) tag hits the batch left pending. */
  tagHits?: number;
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
   * Cap on the batches in flight per worker (pipeline-depth.ts; default 1). Every batch in flight
   * is redone after a crash, so 1 bounds that by the number of workers; more keeps several round
   * trips in flight per worker, for a server much farther away than the 10 s target assumes.
   */
  maxBatchesPerWorker?: number;
  /**
   * Whether each worker fetches its next batch's compact parts while it decrypts the one before
   * (default true; applies with one batch in flight per worker; sync-pass.ts). Off, a crash reads
   * again at most one range per worker instead of two — it redoes at most one batch per worker
   * either way — and a range sync is about a third slower, each batch costing a round trip plus
   * its decryption.
   */
  prefetch?: boolean;
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

/** Progress events at most this often while batches commit (state changes go out at once). */
const PROGRESS_INTERVAL_MS = 100;
/**
 * Most tag hits one payload fetch settles: what one payload batch request carries in range mode
 * (servers allow up to 256), and at most a budget's worth of per-note reads otherwise.
 */
const RESOLVE_LIMIT = 256;

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

export class SyncEngine {
  readonly #options: SyncEngineOptions;
  #state: SyncState = 'idle';
  #error: SyncProgress['error'] = null;
  #meter = new SyncMeter();
  #readMode: ReadMode | null = null;
  #workers = 0;
  #balances = new Map<number, AccountBalance>();
  #pendingHits: number;
  /** The store's, kept here so progress() never touches the database. */
  #lastSynced: SyncProgress['lastSynced'];
  #running: Promise<RunReport> | null = null;
  #stopping: AbortController | null = null;
  #lastEmit = 0;

  constructor(options: SyncEngineOptions) {
    this.#options = options;
    for (const balance of options.store.balances()) this.#balances.set(balance.account, balance);
    this.#pendingHits = options.store.pendingCount();
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
      pendingHits: this.#pendingHits,
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

  /**
   * Cooperative stop: the batches in flight finish and are checkpointed, and the tag hits pending
   * are resolved. Resolves when stopped.
   */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    if (!this.#stopping?.signal.aborted) {
      this.#setState('stopping');
      this.#stopping?.abort();
    }
    await running.catch(() => {});
  }

  /** Forgets notes, pending hits and scanned ranges from `from` on. Not while a run is going. */
  rescanFrom(from: number): void {
    if (this.#running) throw new SyncError({ kind: 'config', message: 'stop the sync before rescanning' });
    this.#options.store.rescanFrom(from);
    this.#balances = new Map(this.#options.store.balances().map((b) => [b.account, b]));
    this.#pendingHits = this.#options.store.pendingCount();
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
        // Tag hits left pending by an interrupted run: resolved without scanning their batches again.
        const pending = store.pendingHits(accountIds.map(({ account }) => account));
        this.#pendingHits = pairsIn(pending);
        this.#meter.startPass(
          info.treeSize,
          batches.reduce((sum, batch) => sum + batch.count, 0),
        );
        if (batches.length > 0 || pending.length > 0) {
          this.#setState('syncing');
          pool ??= new RunPool(
            {
              baseUrl: serverUrl,
              kem: settings.kem,
              mode: this.#readMode,
              budget: createBudgetBuffer(settings.concurrency),
              concurrency: settings.concurrency,
              maxBatches: this.#options.maxBatchesPerWorker ?? DEFAULT_BATCHES_PER_WORKER,
              ...(this.#options.retry && { retry: this.#options.retry }),
            },
            accounts,
            this.#options.workerFile,
          );
          await pool.grow(Math.max(1, Math.min(settings.workers ?? defaultWorkerCount(), batches.length)));
          this.#workers = pool.slots.length;
          const resolveLimit = Math.min(
            RESOLVE_LIMIT,
            this.#readMode.range ? this.#readMode.maxPayloadBatch : settings.concurrency,
          );
          await runPass(
            pool,
            {
              batches,
              pending,
              depth: new PipelineDepth(
                this.#readMode.range,
                this.#options.maxBatchesPerWorker ?? DEFAULT_BATCHES_PER_WORKER,
              ),
              prefetch: this.#options.prefetch ?? true,
              resolveLimit,
            },
            {
              dispatched: (batch, worker) => this.#batchEvent('dispatched', batch, worker),
              prefetched: (batch, worker) => this.#batchEvent('prefetched', batch, worker),
              scanned: (batch, result, worker) => this.#commitBatch(batch, result, worker),
              resolved: (hits, result) => this.#commitResolved(hits, result),
            },
            stopSignal,
          );
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

  /** The checkpoint of one batch: its range scanned and its tag hits pending, in one transaction. */
  #commitBatch(batch: PlannedBatch, result: BatchResult, worker: number): void {
    const began = performance.now();
    const end = batch.start + batch.count;
    const wrong = (what: string) =>
      new SyncError({
        kind: 'worker',
        message: `a worker returned ${what} for batch [${batch.start}, ${end})`,
      });
    if (result.start !== batch.start || result.count !== batch.count)
      throw wrong(`the result of [${result.start}, ${result.start + result.count})`);
    for (const hit of result.hits)
      if (
        hit.index < batch.start ||
        hit.index >= end ||
        hit.compact.length !== COMPACT_BYTES ||
        hit.accounts.length === 0 ||
        !hit.accounts.every((account) => batch.accounts.includes(account))
      )
        throw wrong(`tag hit ${hit.index} (accounts ${hit.accounts.join(', ')})`);
    this.#options.store.commitBatch(batch.start, end, batch.accounts, result.hits);
    this.#pendingHits += pairsIn(result.hits);
    this.#meter.batchCommitted(result.counters, performance.now() - began);
    this.#batchEvent('committed', batch, worker, result.counters.tagHits);
    this.#emit(false);
  }

  /**
   * The checkpoint of a payload fetch: seal the recovered notes' seeds, then settle `hits` and
   * store the notes in one transaction.
   */
  #commitResolved(hits: readonly TagHit[], result: ResolveResult): void {
    const began = performance.now();
    const asked = new Set(hits.flatMap((hit) => hit.accounts.map((account) => `${hit.index}/${account}`)));
    const notes: StoredNote[] = result.notes.map((note) => {
      if (!asked.delete(`${note.index}/${note.account}`))
        throw new SyncError({
          kind: 'worker',
          message: `a worker returned note ${note.index} (account ${note.account}), which was not asked for`,
        });
      const sealedSeed = this.#options.sealer.seal(note.seed, seedContext(note.account, note.index));
      note.seed.fill(0);
      const { index, account, value, memo, commitment } = note;
      return { index, account, value, memo, commitment, sealedSeed };
    });
    this.#options.store.resolveHits(hits, notes);
    for (const note of notes) {
      const previous = this.#balances.get(note.account) ?? { account: note.account, balance: '0', notes: 0 };
      this.#balances.set(note.account, {
        account: note.account,
        balance: (BigInt(previous.balance) + note.value).toString(),
        notes: previous.notes + 1,
      });
    }
    this.#pendingHits -= pairsIn(hits);
    this.#meter.hitsResolved(result.counters, notes.length, performance.now() - began);
    this.#emit(false);
  }

  #batchEvent(kind: BatchEvent['kind'], batch: PlannedBatch, worker: number, tagHits?: number): void {
    this.#options.onBatch?.({
      kind,
      start: batch.start,
      count: batch.count,
      worker,
      ...(tagHits !== undefined && { tagHits }),
    });
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
