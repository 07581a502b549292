/**
 * Sync worker thread (bundled as out/workers/sync-worker.js): exposes the sync worker API
 * (electron/core/sync/sync-worker-api.ts) to the coordinator's pool over comlink.
 */
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import { createSyncWorkerApi } from '../electron/core/sync/sync-worker-api';

if (!parentPort) throw new Error('sync-worker must run in a worker thread');
expose(createSyncWorkerApi(), nodeEndpoint(parentPort));
