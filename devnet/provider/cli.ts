/**
 * `node out/devnet/provider.js --manifest <file> [options]`: one storage-provider node on its own,
 * on the network a manifest describes (e.g. one written by `npm run devnet -- --manifest m.json`).
 * Prints one JSON line `{"url", "address", "providerId", "adminToken", "dataDir"}` once registered
 * and listening; stops on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Hex } from 'viem';
import { NetworkManifest } from '../../shared/network-manifest';
import { ProviderFaults } from '../../shared/provider/wire';
import { devProviderAccount } from '../chain/dev-accounts';
import { parseCount } from '../note-server/faults';
import { startProvider } from './start-provider';
import { tuneHeapForStreaming } from '../../electron/core/heap-tuning';

const usage = `usage: provider --manifest FILE (--dev-slot N | --private-key 0x…) [options]
  --manifest FILE         the network manifest (chain, RPC URL, contract addresses)
  --dev-slot N            use devnet provider account N (0..7)
  --private-key 0x…       or this EVM key
  --port N                port on 127.0.0.1 (default: a free one)
  --data-dir DIR          keep pieces and metadata in DIR (default: a temp dir, removed on exit)
  --endorse-with KEY      as the registry owner (KEY), mark this provider endorsed
  --no-batch              refuse batch stores (clients fall back to single stores)
  --price-per-byte N      token base units per byte
  --cache-ttl-ms N        pre-registration cache TTL (default 600000)
  --cache-max-bytes N     global cache cap
  --cache-payer-bytes N   per-payer cache cap
  --poll-ms N             chain polling interval (default 1000)
  --faults JSON           injected faults, e.g. '{"failStore":true,"latencyMs":200}'
                          (change them later with PUT /v1/admin/faults and the admin token)`;

async function main(): Promise<void> {
  tuneHeapForStreaming();
  const { values } = parseArgs({
    options: {
      manifest: { type: 'string' },
      'dev-slot': { type: 'string' },
      'private-key': { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'endorse-with': { type: 'string' },
      'no-batch': { type: 'boolean' },
      'price-per-byte': { type: 'string' },
      'cache-ttl-ms': { type: 'string' },
      'cache-max-bytes': { type: 'string' },
      'cache-payer-bytes': { type: 'string' },
      'poll-ms': { type: 'string' },
      faults: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(usage);
  if (!values.manifest) throw new Error('--manifest is required');
  const manifest = NetworkManifest.parse(JSON.parse(await readFile(values.manifest, 'utf8')));
  const slot = parseCount(values['dev-slot'], '--dev-slot');
  const privateKey = (values['private-key'] ??
    (slot === undefined ? undefined : devProviderAccount(slot).privateKey)) as Hex | undefined;
  if (!privateKey) throw new Error('give --dev-slot or --private-key');
  const price = parseCount(values['price-per-byte'], '--price-per-byte');
  const cache = {
    ttlMs: parseCount(values['cache-ttl-ms'], '--cache-ttl-ms'),
    maxBytes: parseCount(values['cache-max-bytes'], '--cache-max-bytes'),
    maxBytesPerPayer: parseCount(values['cache-payer-bytes'], '--cache-payer-bytes'),
  };
  const provider = await startProvider({
    network: manifest,
    contracts: manifest.contracts,
    privateKey,
    port: parseCount(values.port, '--port') ?? 0,
    dataDir: values['data-dir'],
    batch: !values['no-batch'],
    pricePerByte: price === undefined ? undefined : BigInt(price),
    cache: Object.fromEntries(Object.entries(cache).filter(([, value]) => value !== undefined)),
    pollIntervalMs: parseCount(values['poll-ms'], '--poll-ms'),
    faults: values.faults ? ProviderFaults.parse(JSON.parse(values.faults)) : undefined,
    endorsement: values['endorse-with']
      ? { endorsed: true, ownerKey: values['endorse-with'] as Hex }
      : undefined,
    log: (line) => console.error(line),
  });
  console.log(
    JSON.stringify({
      url: provider.url,
      address: provider.address,
      providerId: provider.providerId,
      adminToken: provider.adminToken,
      dataDir: provider.dataDir,
    }),
  );
  const stop = () => void provider.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`provider: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
});
