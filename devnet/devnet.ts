/**
 * `npm run devnet`: starts the embedded devnet on its own, prints its manifest (JSON) and a
 * readable summary, optionally writes the manifest to a file for the app and the CLI, and stays
 * up until Ctrl+C / SIGTERM, then stops every part cleanly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { NetworkManifest } from '../shared/network-manifest';
import { type Devnet, startDevnet } from './start-devnet';
import { tuneHeapForStreaming } from '../electron/core/heap-tuning';

const HELP = `Usage: npm run devnet -- [options]

Starts the embedded devnet: anvil (chain 31337) with Coffer's contracts, the dev accounts funded,
and the network's services; prints the network manifest and stays up until interrupted.

Options:
  --data-dir <dir>     Keep the devnet's state here across runs (default: a temp dir, removed on exit)
  --automine           Mine a block per transaction instead of on a timer
  --block-time <s>     Seconds between blocks when not automining (default: 1)
  --providers <n>      Storage providers to run (default: 4, the first half endorsed)
  --manifest <file>    Also write the manifest JSON to this file
  -h, --help           Show this help`;

function summary(
  manifest: NetworkManifest,
  providers: Devnet['providers'],
  dataDir: string,
  persistent: boolean,
): string {
  const lines = [
    `Coffer devnet is up (chain ${manifest.chainId}).`,
    `  RPC              ${manifest.rpcUrl}`,
    `  test USD         ${manifest.contracts.token}`,
    `  ProviderRegistry ${manifest.contracts.providerRegistry}`,
    `  PaymentVault     ${manifest.contracts.paymentVault}`,
    `  DataSetRegistry  ${manifest.contracts.dataSetRegistry}`,
    `  note server      ${manifest.noteServerUrl}`,
    `  providers        ${manifest.providers.length === 0 ? 'none' : ''}`,
    ...manifest.providers.map(
      (provider) => `    #${provider.id} ${provider.url}${provider.endorsed ? ' (endorsed)' : ''}`,
    ),
    ...(providers.length > 0
      ? [
          '  provider faults  PUT <url>/v1/admin/faults with "Authorization: Bearer <token>":',
          ...providers.map((provider) => `    #${provider.providerId} ${provider.adminToken}`),
        ]
      : []),
    `  data             ${dataDir}${persistent ? '' : ' (temporary)'}`,
    'Press Ctrl+C to stop.',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  tuneHeapForStreaming();
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      automine: { type: 'boolean', default: false },
      'block-time': { type: 'string' },
      manifest: { type: 'string' },
      providers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const blockTime = values['block-time'] === undefined ? undefined : Number(values['block-time']);
  if (blockTime !== undefined && !(blockTime > 0))
    throw new Error(`--block-time must be a positive number of seconds, got '${values['block-time']}'.`);

  const providers = values.providers === undefined ? undefined : Number(values.providers);
  if (providers !== undefined && !(Number.isInteger(providers) && providers >= 0 && providers <= 8))
    throw new Error(`--providers must be a whole number from 0 to 8, got '${values.providers}'.`);

  const devnet = await startDevnet({
    providers,
    dataDir: values['data-dir'],
    automine: values.automine,
    blockTime,
    log: (line) => console.error(line),
    onUnexpectedStop: (error) => {
      console.error(`${error.message}\nThe rest of the devnet has been stopped.`);
      process.exit(1);
    },
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the devnet…`);
    devnet.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`The devnet did not stop cleanly: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  const json = JSON.stringify(devnet.manifest, null, 2);
  if (values.manifest) {
    const file = path.resolve(values.manifest);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${json}\n`);
    console.error(`Wrote the manifest to ${file}`);
  }
  console.log(json);
  console.error(summary(devnet.manifest, devnet.providers, devnet.dataDir, values['data-dir'] !== undefined));
}

main().catch((error: unknown) => {
  console.error(`The devnet could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
