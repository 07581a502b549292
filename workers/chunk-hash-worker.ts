/**
 * Hashing thread (bundled as out/workers/chunk-hash-worker.js): hashes runs of files' chunks for
 * the upload plan (electron/core/upload/chunk-hashing.ts), over comlink.
 */
import { expose, transfer } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort } from 'node:worker_threads';
import { type ChunkHasherApi, hashChunks } from '../electron/core/upload/chunk-hashing';

if (!parentPort) throw new Error('chunk-hash-worker must run in a worker thread');
const api: ChunkHasherApi = {
  hashChunks(jobs) {
    const digests = hashChunks(jobs);
    return transfer(digests, [digests.buffer]);
  },
};
expose(api, nodeEndpoint(parentPort));
