/**
 * Worker thread of the seeder (bundled as out/devnet/seed-worker.js): builds batches of notes
 * with the liboqs backend and hands their bytes back without copying.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadLiboqsKem } from '../../electron/core/crypto/liboqs-kem';
import { createSeedBatchEncoder, type SeedBatchSetup } from './seed-batch';
import type { SeedWorkerReply, SeedWorkerRequest } from './seed';

const port = parentPort!;
const encoder = loadLiboqsKem().then((kem) => createSeedBatchEncoder(workerData as SeedBatchSetup, kem));

port.on('message', (request: SeedWorkerRequest) => {
  encoder
    .then((encode) => {
      const batch = encode(request.from, request.to, new Set(request.ours));
      const reply: SeedWorkerReply = { id: request.id, ...batch };
      port.postMessage(reply, [batch.notes.buffer as ArrayBuffer]);
    })
    .catch((error: unknown) => {
      const reply: SeedWorkerReply = {
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      };
      port.postMessage(reply);
    });
});
