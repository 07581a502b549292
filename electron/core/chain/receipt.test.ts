import {
  createPublicClient,
  createWalletClient,
  http,
  TransactionReceiptNotFoundError,
  type TransactionReceipt,
} from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../../devnet/chain/anvil';
import { DEV_MNEMONIC } from '../../../devnet/chain/dev-accounts';
import { receiptOf, TransactionDroppedError } from './receipt';

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
    async getTransaction() {
      return { hash };
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
      getTransaction: () => Promise.reject(new Error('connection refused')),
      getTransactionReceipt: () => Promise.reject(new Error('connection refused')),
    };
    await expect(receiptOf(broken, hash)).rejects.toThrow('connection refused');
  });
});

describe('receiptOf on a real anvil that mines only when told', () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil({ blockTime: 3600 });
  });
  afterAll(async () => {
    await anvil?.stop();
  });

  async function sendOne() {
    const transport = http(anvil.rpcUrl);
    const wallet = createWalletClient({
      account: mnemonicToAccount(DEV_MNEMONIC),
      chain: foundry,
      transport,
    });
    const client = createPublicClient({ chain: foundry, transport });
    const hash = await wallet.sendTransaction({ to: wallet.account.address, value: 1n });
    return { client, hash };
  }

  it('keeps waiting for a pending transaction and has its receipt once mined', async () => {
    const { client, hash } = await sendOne();
    const waiting = receiptOf(client, hash, { pollMs: 10, dropCheckMs: 20 });
    // Several drop checks go by while it is pending: it is known, so nothing is thrown.
    const early = await Promise.race([
      waiting.then(
        () => 'settled',
        () => 'threw',
      ),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 300)),
    ]);
    expect(early).toBe('waiting');
    await client.request({ method: 'evm_mine' as never });
    expect((await waiting).status).toBe('success');
  });

  it('gives up on a transaction the node dropped, naming it', async () => {
    const { client, hash } = await sendOne();
    const waiting = receiptOf(client, hash, { pollMs: 10, dropCheckMs: 20 });
    await client.request({ method: 'anvil_dropTransaction' as never, params: [hash] as never });
    await expect(waiting).rejects.toThrow(TransactionDroppedError);
    await expect(waiting).rejects.toThrow(`Transaction ${hash} was dropped by the chain node`);
  });
});
