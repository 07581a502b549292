/**
 * Answers "what network are we on, and does it answer?" for the status bar and `coffer status`.
 * A network that does not answer is reported offline with the reason, never as an exception.
 */
import { createPublicClient, http } from 'viem';
import type { NetworkStatus } from '../../../shared/api/app';
import type { NetworkManifest } from '../../../shared/network-manifest';

const PROBE_TIMEOUT_MS = 2_000;

export async function probeNetwork(manifest: NetworkManifest | null): Promise<NetworkStatus> {
  if (!manifest) {
    return {
      kind: 'none',
      online: false,
      chainId: null,
      blockNumber: null,
      rpcUrl: null,
      providerCount: 0,
      noteServerUrl: null,
      problem: 'No network is configured. Start Coffer with `npm start` to use the embedded devnet.',
    };
  }
  const base = {
    kind: manifest.name === 'devnet' ? ('devnet' as const) : ('custom' as const),
    rpcUrl: manifest.rpcUrl,
    providerCount: manifest.providers.length,
    noteServerUrl: manifest.noteServerUrl,
  };
  const client = createPublicClient({
    transport: http(manifest.rpcUrl, { timeout: PROBE_TIMEOUT_MS, retryCount: 0 }),
  });
  try {
    const [chainId, blockNumber] = await Promise.all([client.getChainId(), client.getBlockNumber()]);
    if (chainId !== manifest.chainId) {
      return {
        ...base,
        online: false,
        chainId,
        blockNumber: Number(blockNumber),
        problem: `The RPC answers for chain ${chainId}, but this network expects chain ${manifest.chainId}.`,
      };
    }
    return { ...base, online: true, chainId, blockNumber: Number(blockNumber), problem: null };
  } catch {
    return {
      ...base,
      online: false,
      chainId: null,
      blockNumber: null,
      problem: `The chain at ${manifest.rpcUrl} does not answer.`,
    };
  }
}
