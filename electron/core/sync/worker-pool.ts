/**
 * The sync engine's pool of worker threads (workers/sync-worker.ts), each a ComlinkThread typed by
 * the worker's own API object. `RunPool` is one run's pool: started lazily, each worker set up
 * once with its own copy of the keys.
 */
import { transfer } from 'comlink';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtPath } from '../app-paths';
import { ComlinkThread } from '../threads/comlink-thread';
import { asSyncError, SyncError } from './sync-error';
import type { AccountKeys, SyncWorkerApi, WorkerSetup } from './sync-worker-api';

/** How long workers get to wind down (a cancel, a stop) before they are terminated. */
export const CANCEL_GRACE_MS = 2000;

export const defaultWorkerCount = (): number => os.availableParallelism();

export const syncWorkerFile = (): string => builtPath('workers', 'sync-worker.js');

/** A sync worker thread: its death is a SyncError of kind `worker`. */
export class SyncWorker extends ComlinkThread<SyncWorkerApi> {
  constructor(file: string) {
    super(file, (what) => new SyncError({ kind: 'worker', message: `a sync worker ${what}` }));
  }
}

export function startSyncWorkers(count: number, file = syncWorkerFile()): SyncWorker[] {
  if (!existsSync(file))
    throw new SyncError({
      kind: 'worker',
      message: `the sync worker bundle ${file} is missing; build it with \`npm run build\``,
    });
  return Array.from({ length: count }, () => new SyncWorker(file));
}

/** Copies of the accounts' keys for one worker, with the buffers to transfer to it. */
function keysForWorker(accounts: readonly AccountKeys[]) {
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

export interface Slot {
  worker: SyncWorker;
  /** Scans in flight on this worker (parts of batches; payload fetches are not counted). */
  load: number;
}

/** The run's workers, started lazily and set up once each. */
export class RunPool {
  readonly slots: Slot[] = [];

  constructor(
    private readonly setup: Omit<WorkerSetup, 'accounts'>,
    private readonly accounts: readonly AccountKeys[],
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
