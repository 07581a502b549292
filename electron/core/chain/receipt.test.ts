import { TransactionReceiptNotFoundError, type TransactionReceipt } from 'viem';
import { describe, expect, it } from 'vitest';
import { receiptOf } from './receipt';

const hash = `0x${'ab'.repeat(32)}` as const;

/**
 * A named fake: a node whose receipt is not indexed at the first asks although no block will come
 * after it (what an automining anvil under load answered in CI); a real node can't do this on cue.
 */
function lateIndexingNode(notFoundTimes: number) {
  let asked = 0;
  return {
    get asked() {
      return asked;
    },
    async getTransactionReceipt() {
      asked++;
      if (asked <= notFoundTimes) throw new TransactionReceiptNotFoundError({ hash });
      return { transactionHash: hash, status: 'success' } as TransactionReceipt;
    },
  };
}

describe('receiptOf', () => {
  it('asks again until the receipt is there, without waiting for a new block', async () => {
    const node = lateIndexingNode(3);
    const receipt = await receiptOf(node, hash, { pollMs: 5 });
    expect(receipt.status).toBe('success');
    expect(node.asked).toBe(4);
  });

  it('stops when aborted, and passes other errors on', async () => {
    const controller = new AbortController();
    const waiting = receiptOf(lateIndexingNode(Infinity), hash, { pollMs: 5, signal: controller.signal });
    controller.abort(new Error('paused'));
    await expect(waiting).rejects.toThrow('paused');
    const broken = {
      getTransactionReceipt: () => Promise.reject(new Error('connection refused')),
    };
    await expect(receiptOf(broken, hash)).rejects.toThrow('connection refused');
  });
});
