/**
 * A sent transaction's receipt, asked for until the chain has it. viem's
 * waitForTransactionReceipt asks again only when a new block arrives, and when the first answer
 * says "mined, receipt not indexed yet" it waits for the next block: on an automining chain
 * (anvil in tests mines only when a transaction comes) that block may never come — a two-minute
 * hang seen in CI.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TransactionReceiptNotFoundError, type Hash, type PublicClient, type TransactionReceipt } from 'viem';

export async function receiptOf(
  client: Pick<PublicClient, 'getTransactionReceipt'>,
  hash: Hash,
  options: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<TransactionReceipt> {
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await client.getTransactionReceipt({ hash });
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
    }
    await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch((error: unknown) => {
      options.signal?.throwIfAborted(); // with the abort's own reason, not a generic AbortError
      throw error;
    });
  }
}
