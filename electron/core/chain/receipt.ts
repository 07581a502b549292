/**
 * A sent transaction's receipt, asked for until the chain has it. viem's
 * waitForTransactionReceipt asks again only when a new block arrives, and when the first answer
 * says "mined, receipt not indexed yet" it waits for the next block: on an automining chain
 * (anvil in tests mines only when a transaction comes) that block may never come — a two-minute
 * hang seen in CI.
 *
 * A node may also drop a transaction it accepted (anvil does when a block fills: the sender's
 * transactions after the one that did not fit vanish from its pool). Every `dropCheckMs` the
 * transaction itself is asked for; unknown twice in a row, it was dropped and is never mined:
 * TransactionDroppedError instead of waiting forever.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';

export class TransactionDroppedError extends Error {
  override name = 'TransactionDroppedError';
  constructor(readonly hash: Hash) {
    super(`Transaction ${hash} was dropped by the chain node before it was mined`);
  }
}

/** What receiptOf asks a node (a viem public client). */
export interface ReceiptSource {
  getTransactionReceipt: PublicClient['getTransactionReceipt'];
  getTransaction(args: { hash: Hash }): Promise<unknown>;
}

export async function receiptOf(
  client: ReceiptSource,
  hash: Hash,
  options: { pollMs?: number; dropCheckMs?: number; signal?: AbortSignal } = {},
): Promise<TransactionReceipt> {
  const dropCheckMs = options.dropCheckMs ?? 5_000;
  let nextDropCheck = Date.now() + dropCheckMs;
  let unknown = 0;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      return await client.getTransactionReceipt({ hash });
    } catch (error) {
      if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
    }
    if (Date.now() >= nextDropCheck) {
      nextDropCheck = Date.now() + dropCheckMs;
      unknown = (await isKnown(client, hash)) ? 0 : unknown + 1;
      if (unknown >= 2) throw new TransactionDroppedError(hash);
    }
    await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch((error: unknown) => {
      options.signal?.throwIfAborted(); // with the abort's own reason, not a generic AbortError
      throw error;
    });
  }
}

/** Whether the node knows the transaction (pending or mined). */
async function isKnown(client: ReceiptSource, hash: Hash): Promise<boolean> {
  try {
    await client.getTransaction({ hash });
    return true;
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return false;
    throw error;
  }
}
