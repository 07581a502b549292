/**
 * What uploads read from the chain: payment receipts, whether quotes are paid (a resume's check),
 * whether the payer still has transactions in flight, and data sets. Reads go through one viem
 * public client whose JSON-RPC requests are batched, so checking a thousand quotes is a handful
 * of round trips.
 */
import { type Chain, createPublicClient, type Hex, http, type PublicClient, type Transport } from 'viem';
import { dataSetRegistryAbi, paymentVaultAbi } from '../../../shared/contracts/abis';
import type { Address, NetworkManifest } from '../../../shared/network-manifest';
import { networkChain } from '../chain/contracts';
import { receiptOf } from '../chain/receipt';

/** How often to look for a receipt (the devnet mines a block a second, or at once). */
const RECEIPT_POLL_MS = 100;

export class UploadChain {
  readonly client: PublicClient<Transport, Chain>;

  constructor(private readonly network: NetworkManifest) {
    this.client = createPublicClient({
      chain: networkChain(network),
      transport: http(network.rpcUrl, { batch: { batchSize: 200, wait: 5 } }),
      pollingInterval: RECEIPT_POLL_MS,
    });
  }

  /** The gas a block may hold (the latest block's limit). */
  async blockGasLimit(): Promise<bigint> {
    return (await this.client.getBlock({ blockTag: 'latest' })).gasLimit;
  }

  blockNumber(): Promise<bigint> {
    return this.client.getBlockNumber({ cacheTime: 0 });
  }

  /** Waits for a transaction to be mined; true when it succeeded, false when it reverted. */
  async mined(hash: Hex, signal?: AbortSignal): Promise<boolean> {
    const receipt = await receiptOf(this.client, hash, { pollMs: RECEIPT_POLL_MS, signal });
    return receipt.status === 'success';
  }

  /** Which of these quote digests PaymentVault has paid. */
  async paidQuotes(digests: readonly Hex[]): Promise<Set<string>> {
    const address = this.network.contracts.paymentVault as Address;
    const paid = await Promise.all(
      digests.map((digest) =>
        this.client.readContract({ address, abi: paymentVaultAbi, functionName: 'isPaid', args: [digest] }),
      ),
    );
    return new Set(digests.filter((_, i) => paid[i]).map((digest) => digest.toLowerCase()));
  }

  /**
   * Waits until none of `account`'s transactions is pending (its pending nonce equals its mined
   * one), so what is paid on chain is final for a resume's check. False if still pending at the end.
   */
  async settled(account: Address, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [pending, latest] = await Promise.all([
        this.client.getTransactionCount({ address: account, blockTag: 'pending' }),
        this.client.getTransactionCount({ address: account, blockTag: 'latest' }),
      ]);
      if (pending === latest) return true;
      if (Date.now() > until) return false;
      await sleep(RECEIPT_POLL_MS * 2, signal);
    }
  }

  dataSetIdOf(payer: Address, provider: Address, clientDataSetId: bigint): Promise<bigint> {
    return this.client.readContract({
      address: this.network.contracts.dataSetRegistry as Address,
      abi: dataSetRegistryAbi,
      functionName: 'dataSetIdOf',
      args: [payer, provider, clientDataSetId],
    });
  }

  async dataSet(
    dataSetId: bigint,
  ): Promise<{ payer: Address; provider: Address; clientDataSetId: bigint } | null> {
    try {
      return await this.client.readContract({
        address: this.network.contracts.dataSetRegistry as Address,
        abi: dataSetRegistryAbi,
        functionName: 'getDataSet',
        args: [dataSetId],
      });
    } catch {
      return null;
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
