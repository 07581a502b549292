/**
 * A real process running the real sync coordinator, for the crash test: syncs one wallet (keys
 * from a seed byte, as in the fixture) into a store file and writes one JSON line per batch
 * dispatched and committed. Lines are written synchronously, so whatever the parent reads was
 * written before the process was killed.
 *
 *   node --import tsx sync-child.ts '{"serverUrl": …, "storeFile": …, "seedByte": …, "settings": {…}, "prefetch": false}'
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { SyncEngine, type SyncEngineOptions } from '../sync-engine';
import { SyncStore } from '../sync-store';
import { accountsOf, testSealer, walletKeys } from './sync-fixture';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as {
    serverUrl: string;
    storeFile: string;
    seedByte: number;
    settings: Record<string, unknown>;
    prefetch?: SyncEngineOptions['prefetch'];
  };
  const store = new SyncStore(config.storeFile);
  const engine = new SyncEngine({
    store,
    serverUrl: config.serverUrl,
    sealer: testSealer(),
    ...(config.prefetch !== undefined && { prefetch: config.prefetch }),
    onBatch: (event) => writeSync(1, `${JSON.stringify(event)}\n`),
  });
  await engine.run({ accounts: accountsOf(walletKeys(config.seedByte)), settings: config.settings });
  store.close();
  writeSync(1, `${JSON.stringify({ kind: 'done' })}\n`);
}

// A program, not a library: importing it (as the layer test does) runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
