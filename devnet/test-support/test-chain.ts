/**
 * For tests: one automining devnet chain per test file, with typed contract handles for any dev
 * account, and helpers to sign the EIP-712 payloads the way the app and the providers will.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BaseError, ContractFunctionRevertedError, type Hash, type Hex, type TransactionReceipt } from 'viem';
import { receiptOf } from '../../electron/core/chain/receipt';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import {
  createChainPublicClient,
  createChainWalletClient,
  networkContracts,
} from '../../electron/core/chain/contracts';
import { devAccount, type DevAccount } from '../chain/dev-accounts';
import { type DevnetChain, startDevnetChain } from '../chain/devnet-chain';

export interface TestChain extends DevnetChain {
  network: { name: string; chainId: number; rpcUrl: string };
  publicClient: ReturnType<typeof createChainPublicClient>;
  /** A dev account with its viem signer and contract handles that send as it. */
  as(account: DevAccount | number): TestActor;
  /** Waits for a transaction and returns its receipt; throws if it reverted. */
  mined(hash: Hash | Promise<Hash>): Promise<TransactionReceipt>;
}

export interface TestActor {
  account: PrivateKeyAccount;
  address: DevAccount['address'];
  contracts: ReturnType<typeof networkContracts>;
}

export async function startTestChain(): Promise<TestChain> {
  const dir = await mkdtemp(path.join(tmpdir(), 'coffer-test-chain-'));
  const chain = await startDevnetChain({ dir, automine: true });
  const network = { name: 'devnet', chainId: chain.chainId, rpcUrl: chain.rpcUrl };
  const publicClient = createChainPublicClient(network, { pollingInterval: 50 });
  return {
    ...chain,
    network,
    publicClient,
    as(who) {
      const dev = typeof who === 'number' ? devAccount(who) : who;
      const account = privateKeyToAccount(dev.privateKey);
      const wallet = createChainWalletClient(network, account);
      return {
        account,
        address: dev.address,
        contracts: networkContracts(chain.contracts, { public: publicClient, wallet }),
      };
    },
    async mined(hash) {
      const receipt = await receiptOf(publicClient, await hash, { pollMs: 50 });
      if (receipt.status !== 'success') throw new Error(`Transaction ${receipt.transactionHash} reverted.`);
      return receipt;
    },
    async stop() {
      await chain.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The custom error a failed contract call reverted with: its name and arguments. */
export async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> {
  try {
    await call;
  } catch (error) {
    const revert =
      error instanceof BaseError
        ? error.walk((cause) => cause instanceof ContractFunctionRevertedError)
        : null;
    if (revert instanceof ContractFunctionRevertedError && revert.data)
      return { name: revert.data.errorName, args: revert.data.args ?? [] };
    throw error;
  }
  throw new Error('Expected the call to revert, but it succeeded.');
}

export const randomBytes32 = (): Hex =>
  `0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex')}`;
