/**
 * The network `npm start` uses: a manifest file when one is named, otherwise the embedded devnet.
 * Until the devnet lands this reports no network, and the UI shows the network as offline.
 */
import type { NetworkManifest } from '../shared/network-manifest';
import { readNetworkManifest } from './core/network/network-config';

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
  return { manifest: null, stop: async () => {} };
}
