/**
 * Watches PaymentVault for `QuotePaid` events naming this provider, marks those quotes paid in the
 * database and lets the holdings promote what was waiting for them. The last block processed is
 * saved with the payments in one transaction, so a restart resumes exactly where it stopped: no
 * payment is missed, none is applied twice.
 *
 * It polls on a timer; `catchUp()` runs a poll now (after any in progress), so a store can see a
 * payment that landed a moment ago instead of caching a piece that is already paid.
 */
import type { Hex } from 'viem';
import type { ProviderChain } from './provider-chain';
import type { ProviderDb } from './provider-db';
import type { ProviderMetrics } from './provider-metrics';

/** Most blocks asked for in one eth_getLogs call. */
const MAX_BLOCK_SPAN = 5_000n;

export class PaymentWatcher {
  #running: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #lastError: string | undefined;

  constructor(
    private readonly chain: ProviderChain,
    private readonly db: ProviderDb,
    private readonly metrics: ProviderMetrics,
    private readonly onPayments: () => void,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts from the saved block, or from the chain's current block on a fresh database. */
  async start(pollIntervalMs: number): Promise<void> {
    if (this.db.lastBlock() === undefined)
      this.db.setLastBlock(Number(await this.chain.publicClient.getBlockNumber({ cacheTime: 0 })));
    const tick = () => {
      if (this.#stopped) return;
      void this.catchUp().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, pollIntervalMs);
      });
    };
    tick();
  }

  /** Processes every block up to the chain's head; resolves when done (errors are logged). */
  catchUp(): Promise<void> {
    this.#running = this.#running.then(() =>
      this.#poll().then(
        () => (this.#lastError = undefined),
        (error: unknown) => {
          const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
          // Log a failing chain once, not every poll.
          if (message !== this.#lastError) this.log(`payment watcher: ${message}`);
          this.#lastError = message;
        },
      ),
    );
    return this.#running;
  }

  /**
   * Catches up, but waits at most `maxWaitMs`: a slow or unreachable chain must not hold up a
   * store, which then simply caches what it cannot yet see paid.
   */
  catchUpWithin(maxWaitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    return Promise.race([this.catchUp(), waited]).finally(() => clearTimeout(timer));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  async #poll(): Promise<void> {
    // cacheTime 0: viem otherwise reuses a block number for a whole polling interval.
    const head = await this.chain.publicClient.getBlockNumber({ cacheTime: 0 });
    let from = BigInt(this.db.lastBlock()!) + 1n;
    while (from <= head && !this.#stopped) {
      const to = from + MAX_BLOCK_SPAN - 1n < head ? from + MAX_BLOCK_SPAN - 1n : head;
      const logs = await this.chain.contracts.paymentVault.getEvents.QuotePaid(
        { provider: this.chain.address },
        { fromBlock: from, toBlock: to },
      );
      const payments = logs.map((log) => ({
        quoteDigest: (log.args.quoteDigest as Hex).toLowerCase() as Hex,
        blockNumber: Number(log.blockNumber),
      }));
      const marked = this.db.transaction(() => {
        const count = this.db.markPaid(payments);
        this.db.setLastBlock(Number(to));
        return count;
      });
      if (marked > 0) {
        this.metrics.paymentsSeen(marked);
        this.onPayments();
      }
      from = to + 1n;
    }
  }
}
