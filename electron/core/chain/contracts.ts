/**
 * viem clients for a network and typed handles on its four contracts (token, provider registry,
 * payment vault, data-set registry), so the rest of the core reads and writes them with the
 * ABIs generated from the Solidity sources.
 */
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  getContract,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import {
  dataSetRegistryAbi,
  paymentVaultAbi,
  providerRegistryAbi,
  testUsdAbi,
} from '../../../shared/contracts/abis';
import type { Address, NetworkManifest } from '../../../shared/network-manifest';

/** What a chain client needs to know of a network; a manifest has it all. */
export type ChainEndpoint = Pick<NetworkManifest, 'name' | 'chainId' | 'rpcUrl'>;

export function networkChain(network: ChainEndpoint): Chain {
  return defineChain({
    id: network.chainId,
    name: network.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [network.rpcUrl] } },
  });
}

/** `pollingInterval` (ms): how often to look for new blocks when waiting; viem's default is 4 s. */
export function createChainPublicClient(
  network: ChainEndpoint,
  options: { pollingInterval?: number } = {},
): PublicClient<Transport, Chain> {
  return createPublicClient({ chain: networkChain(network), transport: http(network.rpcUrl), ...options });
}

export function createChainWalletClient(
  network: ChainEndpoint,
  account: Account,
): WalletClient<Transport, Chain, Account> {
  return createWalletClient({ chain: networkChain(network), transport: http(network.rpcUrl), account });
}

/** Typed contract handles: `.read.*` through the public client, `.write.*` through the wallet. */
export function networkContracts(
  addresses: NetworkManifest['contracts'],
  client: { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
) {
  // The manifest schema has already checked that each is a 0x-prefixed 20-byte address.
  const at = (key: keyof typeof addresses) => addresses[key] as Address;
  return {
    token: getContract({ address: at('token'), abi: testUsdAbi, client }),
    providerRegistry: getContract({ address: at('providerRegistry'), abi: providerRegistryAbi, client }),
    paymentVault: getContract({ address: at('paymentVault'), abi: paymentVaultAbi, client }),
    dataSetRegistry: getContract({ address: at('dataSetRegistry'), abi: dataSetRegistryAbi, client }),
  };
}
export type NetworkContracts = ReturnType<typeof networkContracts>;
