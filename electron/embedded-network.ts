/**
 * The network `npm start` uses: a manifest file when one is named; otherwise the choice saved in
 * Settings → Network — custom endpoints (no devnet is started), or the embedded devnet, started
 * here with 1-second blocks and its state kept in `<dataDir>/devnet`, so the chain the app's own
 * records refer to (deposits, data sets) is still there on the next start.
 */
import path from 'node:path';
import { startDevnet } from '../devnet/start-devnet';
import type { NetworkManifest } from '../shared/network-manifest';
import { readNetworkManifest } from './core/network/network-config';
import { manifestOfEndpoints, readNetworkChoice } from './core/network/network-choice';

export interface EmbeddedNetwork {
  manifest: NetworkManifest | null;
  stop(): Promise<void>;
}

export async function startEmbeddedNetwork(options: {
  dataDir: string;
  manifestFile?: string;
}): Promise<EmbeddedNetwork> {
  if (options.manifestFile)
    return { manifest: await readNetworkManifest(options.manifestFile), stop: async () => {} };
  const choice = await readNetworkChoice(options.dataDir);
  if (choice.kind === 'custom') {
    const manifest = manifestOfEndpoints(choice.endpoints);
    console.log(
      `Using the custom network saved in Settings: chain ${manifest.chainId} at ${manifest.rpcUrl}.`,
    );
    return { manifest, stop: async () => {} };
  }
  const devnet = await startDevnet({
    dataDir: path.join(options.dataDir, 'devnet'),
    log: (line) => console.log(`[devnet] ${line}`),
  });
  return { manifest: devnet.manifest, stop: devnet.stop };
}
