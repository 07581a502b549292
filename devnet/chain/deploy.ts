/**
 * Deploys the devnet's four contracts from the committed bytecode and mints test USD to the dev
 * accounts. Every transaction is sent at once with consecutive nonces (the contract addresses are
 * known in advance from the deployer's nonce), so the whole deployment lands in one block whether
 * anvil automines or mines every second.
 */
import { getContractAddress, type Hash, type Hex, parseUnits } from 'viem';
import { receiptOf } from '../../electron/core/chain/receipt';
import { privateKeyToAccount } from 'viem/accounts';
import {
  createChainPublicClient,
  createChainWalletClient,
  type ChainEndpoint,
} from '../../electron/core/chain/contracts';
import {
  dataSetRegistryAbi,
  paymentVaultAbi,
  providerRegistryAbi,
  testUsdAbi,
} from '../../shared/contracts/abis';
import type { Address, NetworkManifest } from '../../shared/network-manifest';
import dataSetRegistryArtifact from '../contracts/artifacts/DataSetRegistry.json';
import paymentVaultArtifact from '../contracts/artifacts/PaymentVault.json';
import providerRegistryArtifact from '../contracts/artifacts/ProviderRegistry.json';
import testUsdArtifact from '../contracts/artifacts/TestUSD.json';
import { DEV_ACCOUNT_COUNT, DEV_ROLES, devAccount } from './dev-accounts';

export type ContractAddresses = NetworkManifest['contracts'];

/** tUSD each dev account starts with; the faucet gets more, since it funds every new wallet. */
export const DEV_TOKEN_BALANCE = parseUnits('1000000', 18);
export const FAUCET_TOKEN_BALANCE = parseUnits('1000000000', 18);
// Sent before the token's deployment is mined, a mint cannot be gas-estimated: this bounds it
// (a mint to a fresh account costs about 70k).
const MINT_GAS = 150_000n;

export async function deployContracts(network: ChainEndpoint): Promise<ContractAddresses> {
  const deployer = privateKeyToAccount(devAccount(DEV_ROLES.deployer).privateKey);
  // Poll often: a local chain mines every second or on each transaction.
  const publicClient = createChainPublicClient(network, { pollingInterval: 100 });
  const wallet = createChainWalletClient(network, deployer);
  const firstNonce = await publicClient.getTransactionCount({
    address: deployer.address,
    blockTag: 'pending',
  });
  const addressAt = (offset: number): Address =>
    getContractAddress({ from: deployer.address, nonce: BigInt(firstNonce + offset) });
  const addresses: ContractAddresses = {
    token: addressAt(0),
    providerRegistry: addressAt(1),
    paymentVault: addressAt(2),
    dataSetRegistry: addressAt(3),
  };
  const bytecode = (artifact: { bytecode: string }) => artifact.bytecode as Hex;

  // Sent one after another, in nonce order (each send returns once the node has it; none waits to
  // be mined). Sent all at once, they reached anvil out of order now and then, and an automining
  // anvil left the later nonces queued behind a gap: the deployment waited forever.
  const sends: (() => Promise<Hash>)[] = [
    () => wallet.deployContract({ abi: testUsdAbi, bytecode: bytecode(testUsdArtifact), nonce: firstNonce }),
    () =>
      wallet.deployContract({
        abi: providerRegistryAbi,
        bytecode: bytecode(providerRegistryArtifact),
        nonce: firstNonce + 1,
      }),
    () =>
      wallet.deployContract({
        abi: paymentVaultAbi,
        bytecode: bytecode(paymentVaultArtifact),
        args: [addresses.token as Address],
        nonce: firstNonce + 2,
      }),
    () =>
      wallet.deployContract({
        abi: dataSetRegistryAbi,
        bytecode: bytecode(dataSetRegistryArtifact),
        nonce: firstNonce + 3,
      }),
    ...Array.from(
      { length: DEV_ACCOUNT_COUNT },
      (_, index) => () =>
        wallet.writeContract({
          address: addresses.token as Address,
          abi: testUsdAbi,
          functionName: 'mint',
          args: [
            devAccount(index).address,
            index === DEV_ROLES.faucet ? FAUCET_TOKEN_BALANCE : DEV_TOKEN_BALANCE,
          ],
          nonce: firstNonce + 4 + index,
          gas: MINT_GAS,
        }),
    ),
  ];
  const hashes: Hash[] = [];
  for (const send of sends) hashes.push(await send());
  const receipts = await Promise.all(hashes.map((hash) => receiptOf(publicClient, hash)));
  const failed = receipts.filter((receipt) => receipt.status !== 'success');
  if (failed.length > 0)
    throw new Error(
      `Devnet deployment failed: ${failed.length} transaction(s) reverted (${failed[0]!.transactionHash}).`,
    );
  for (const [name, address] of Object.entries(addresses)) {
    const code = await publicClient.getCode({ address: address as Address });
    if (!code || code === '0x') throw new Error(`Devnet deployment left no code for ${name} at ${address}.`);
  }
  return addresses;
}
