/**
 * The sync engine's pool of worker threads (workers/sync-worker.ts), each wrapped with comlink and
 * typed by the worker's own API object. A worker that crashes or exits rejects every call still
 * waiting on it, so a dead thread surfaces as an error instead of a hang.
 */
import { releaseProxy, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { builtPath } from '../app-paths';
import { SyncError } from './sync-error';
import type { SyncWorkerApi } from './sync-worker-api';

export const defaultWorkerCount = (): number => os.availableParallelism();

export const syncWorkerFile = (): string => builtPath('workers', 'sync-worker.js');

export class SyncWorker {
  readonly api: Remote<SyncWorkerApi>;
  readonly #thread: Worker;
  readonly #gone: Promise<never>;

  constructor(file: string) {
    this.#thread = new Worker(file);
    this.api = wrap<SyncWorkerApi>(nodeEndpoint(this.#thread));
    this.#gone = new Promise<never>((_, reject) => {
      this.#thread.once('error', (error) =>
        reject(new SyncError({ kind: 'worker', message: `a sync worker crashed: ${error.message}` })),
      );
      this.#thread.once('exit', (code) =>
        reject(new SyncError({ kind: 'worker', message: `a sync worker stopped (exit code ${code})` })),
      );
    });
    this.#gone.catch(() => {});
  }

  /** Calls the worker; rejects if the thread dies before answering. */
  call<R extends Promise<unknown>>(use: (api: Remote<SyncWorkerApi>) => R): Promise<Awaited<R>> {
    return Promise.race([use(this.api) as Promise<Awaited<R>>, this.#gone]);
  }

  async terminate(): Promise<void> {
    this.api[releaseProxy]();
    await this.#thread.terminate();
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
