/**
 * For tests: the devnet chain (anvil with Coffer's contracts, automining) and a network manifest
 * for it with the devnet faucet, for cores that need a chain but no storage providers or notes.
 */
import { DEV_ROLES, devAccount } from '../../../devnet/chain/dev-accounts';
import { startTestChain, type TestChain } from '../../../devnet/test-support/test-chain';
import type { NetworkManifest } from '../../../shared/network-manifest';

export interface WalletTestNetwork {
  chain: TestChain;
  manifest: NetworkManifest;
  stop(): Promise<void>;
}

export async function startWalletTestNetwork(): Promise<WalletTestNetwork> {
  const chain = await startTestChain();
  const manifest: NetworkManifest = {
    name: 'devnet',
    chainId: chain.chainId,
    rpcUrl: chain.rpcUrl,
    contracts: chain.contracts,
    providers: [],
    // No note server in these tests: nothing here reads notes.
    noteServerUrl: 'http://127.0.0.1:9/',
    faucet: { privateKey: devAccount(DEV_ROLES.faucet).privateKey },
  };
  return { chain, manifest, stop: () => chain.stop() };
}
