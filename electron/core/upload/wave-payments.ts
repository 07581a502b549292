/**
 * Quotes and payments. Quotes are asked per provider (as many pieces per request as the provider
 * takes), checked against what was asked, and journaled; then every quote of a wave, for every
 * provider, is paid in ONE PaymentVault.payForQuotes transaction through the signer. A payment is
 * journaled before it is sent (its quotes), once sent (its hash) and once mined; confirmations are
 * followed in the background, so several payments may be in flight while pieces are stored.
 */
import type { Hex } from 'viem';
import { CofferError } from '../../../shared/api/errors';
import type { PieceRef } from '../../../shared/provider/wire';
import { TransactionDroppedError } from '../chain/receipt';
import type { ProviderQuote } from '../providers/provider-client';
import type { RunContext } from './run-context';
import type { Copy } from './upload-copy';
import { CopyFailed, messageOf, UploadHalted } from './upload-errors';

export interface QuotedPiece {
  copy: Copy;
  piece: number;
  quote: ProviderQuote;
}

/** Quotes must outlive their payment by this much, or they are asked for again. */
const QUOTE_MARGIN_SECONDS = 120n;
/** Gas PaymentVault spends per quote paid, recovering its signature (64 quotes: 2.31M gas). */
const GAS_PER_QUOTE = 36_200n;

export class PaymentLedger {
  readonly #inFlight = new Set<Promise<void>>();
  #quotesInFlight = 0;
  #room: Promise<number> | null = null;
  /** Quotes obtained early (the cost estimate), used when their wave is paid if still fresh. */
  readonly #prefetched = new Map<string, ProviderQuote>();
  /**
   * The last payment handed to the signer. Payments are checked and sent one after another, in the
   * order asked: the earliest wave's goes out first (and is mined first, freeing the primary's
   * cache room) instead of sharing the signer's quote checks with the waves after it.
   */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly context: RunContext) {}

  /** Keeps quotes asked for before the run (the estimate) to pay with later. */
  keep(quoted: readonly QuotedPiece[]): void {
    for (const { copy, piece, quote } of quoted) this.#prefetched.set(`${copy.id}/${piece}`, quote);
  }

  /**
   * Signed quotes from `copy` for `pieces`, checked (provider, payer, piece, size, expiry) and
   * journaled. Throws CopyFailed at stage `quoting`.
   */
  async quote(copy: Copy, pieces: readonly number[]): Promise<QuotedPiece[]> {
    const { context } = this;
    const now = BigInt(Math.floor(Date.now() / 1000));
    const out: QuotedPiece[] = [];
    const ask: number[] = [];
    for (const piece of pieces) {
      const kept = this.#prefetched.get(`${copy.id}/${piece}`);
      this.#prefetched.delete(`${copy.id}/${piece}`);
      if (kept && kept.quote.expiry > now + QUOTE_MARGIN_SECONDS) out.push({ copy, piece, quote: kept });
      else ask.push(piece);
    }
    const perRequest = Math.max(1, copy.capabilities.maxBatchCount);
    const groups: number[][] = [];
    for (let i = 0; i < ask.length; i += perRequest) groups.push(ask.slice(i, i + perRequest));
    copy.stage = copy.stage === 'selecting' ? 'quoting' : copy.stage;
    context.changed();
    const answers = await context.limit.map(groups, async (group) => {
      const refs: PieceRef[] = group.map((piece) => ({
        cid: context.plan.pieces[piece]!.cid,
        size: context.plan.pieces[piece]!.size,
      }));
      let quotes: ProviderQuote[];
      try {
        quotes = await copy.client.quote(context.payer, refs, { signal: context.signal });
      } catch (error) {
        context.signal.throwIfAborted();
        throw new CopyFailed('quoting', `${copy.label} gave no quote: ${messageOf(error)}`);
      }
      return group.map((piece, i) => ({ copy, piece, quote: this.#check(copy, piece, quotes[i]!, now) }));
    });
    const fresh = answers.flat();
    context.journal.recordQuotes(
      context.uploadId,
      fresh.map(({ piece, quote }) => ({
        providerId: copy.id,
        pieceIndex: piece,
        quoteDigest: quote.quoteDigest,
        price: quote.quote.price.toString(),
        expiry: Number(quote.quote.expiry),
      })),
    );
    return [...out, ...fresh];
  }

  /**
   * Pays these quotes (any number of providers) in one transaction; resolves once it is sent.
   * Its confirmation is followed in the background: mined, the pieces count as paid; reverted,
   * the run halts (nothing can be parked unpaid).
   */
  async pay(wave: number | null, quoted: readonly QuotedPiece[]): Promise<Hex | null> {
    if (quoted.length === 0) return null;
    const { context } = this;
    if (!context.grant)
      throw new UploadHalted(
        'APPROVAL_EXPIRED',
        'There is no approval to pay with: resume the upload to approve',
      );
    const digests = quoted.map(({ quote }) => quote.quoteDigest);
    const amount = quoted.reduce((sum, { quote }) => sum + quote.quote.price, 0n);
    const paymentId = context.journal.beginPayment(context.uploadId, wave, digests, amount);
    for (const { copy, piece } of quoted) {
      copy.paying.add(piece);
      if (copy.active && (copy.stage === 'selecting' || copy.stage === 'quoting')) copy.stage = 'paying';
    }
    context.changed();
    let txHash: Hex;
    const grant = context.grant;
    const sending = this.#turn.then(async () => {
      const room = await this.#quoteRoom();
      while (this.#inFlight.size > 0 && this.#quotesInFlight + quoted.length > room)
        await Promise.race(this.#inFlight);
      // Stopped while waiting its turn: nothing is sent (the journal says so below).
      context.signal.throwIfAborted();
      const hash = await context.signer.payQuotes(
        grant,
        quoted.map(({ quote }) => ({ quote: quote.quote, signature: quote.signature })),
      );
      // Counted before the next payment's turn; uncounted once this one is followed to its end.
      this.#quotesInFlight += quoted.length;
      return hash;
    });
    this.#turn = sending.catch(() => {});
    try {
      txHash = await sending;
    } catch (error) {
      context.journal.paymentFailed(context.uploadId, paymentId, messageOf(error));
      for (const { copy, piece } of quoted) copy.paying.delete(piece);
      context.changed();
      if (error instanceof CofferError && error.code === 'LIMIT_EXCEEDED')
        throw new CopyFailed('paying', `The approved amount does not cover this payment: ${error.message}`);
      throw new UploadHalted(
        error instanceof CofferError ? error.code : 'CHAIN_ERROR',
        `Paying ${quoted.length} quotes failed: ${messageOf(error)}`,
        'paying',
      );
    }
    context.journal.paymentSent(context.uploadId, paymentId, txHash);
    context.changed();
    const following = this.#confirm(paymentId, txHash, quoted);
    this.#inFlight.add(following);
    void following.finally(() => {
      this.#inFlight.delete(following);
      this.#quotesInFlight -= quoted.length;
    });
    return txHash;
  }

  /**
   * How many quotes the payments in flight may carry: `quotesInFlight`, or three quarters of a
   * block's gas at GAS_PER_QUOTE. Past a block's worth, a node mines what fits and may drop the
   * sender's transactions after one that did not fit (anvil does); the quarter is left for other
   * senders (the providers' commits).
   */
  #quoteRoom(): Promise<number> {
    const { options, chain } = this.context;
    const roomIn = (blockGas: bigint) => Number((blockGas * 3n) / 4n / GAS_PER_QUOTE);
    this.#room ??=
      options.quotesInFlight !== null
        ? Promise.resolve(options.quotesInFlight)
        : // Unknown (the chain unreachable for a moment): as in a block of 30M gas.
          chain.blockGasLimit().then(roomIn, () => roomIn(30_000_000n));
    return this.#room;
  }

  /** Resolves when every payment sent so far is mined (or has failed and halted the run). */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #confirm(paymentId: number, txHash: Hex, quoted: readonly QuotedPiece[]): Promise<void> {
    const { context } = this;
    let ok: boolean;
    try {
      ok = await context.chain.mined(txHash, context.signal);
    } catch (error) {
      if (error instanceof TransactionDroppedError) {
        if (context.grant) context.signer.transactionDropped(context.grant);
        return this.#unpaid(
          paymentId,
          quoted,
          `transaction ${txHash} was dropped`,
          `${error.message}: nothing in it was paid; resume the upload to pay for its ${quoted.length} quotes again`,
        );
      }
      // Aborted (paused, cancelled) or the chain is unreachable: a resume finds out on chain.
      if (!context.signal.aborted)
        context.halt(
          new UploadHalted('NETWORK_OFFLINE', `Following payment ${txHash} failed: ${messageOf(error)}`),
        );
      return;
    }
    if (!ok)
      return this.#unpaid(
        paymentId,
        quoted,
        `transaction ${txHash} reverted`,
        `Payment ${txHash} reverted: nothing in it was paid`,
      );
    context.journal.paymentConfirmed(context.uploadId, paymentId);
    const touched = new Set<Copy>();
    for (const { copy, piece } of quoted) {
      copy.paying.delete(piece);
      copy.paid.add(piece);
      touched.add(copy);
    }
    for (const copy of touched) copy.changed();
    context.changed();
  }

  /** A payment that was never mined (reverted, dropped): journaled failed, and the run halts. */
  #unpaid(paymentId: number, quoted: readonly QuotedPiece[], journaled: string, message: string): void {
    const { context } = this;
    context.journal.paymentFailed(context.uploadId, paymentId, journaled);
    for (const { copy, piece } of quoted) copy.paying.delete(piece);
    context.halt(new UploadHalted('CHAIN_ERROR', message, 'paying'));
  }

  #check(copy: Copy, piece: number, quote: ProviderQuote, now: bigint): ProviderQuote {
    const expected = this.context.plan.pieces[piece]!;
    const q = quote.quote;
    const problem =
      q.provider.toLowerCase() !== copy.provider.address.toLowerCase()
        ? `names provider ${q.provider}`
        : q.payer.toLowerCase() !== this.context.payer.toLowerCase()
          ? `names payer ${q.payer}`
          : q.pieceDigest.toLowerCase() !== expected.digest
            ? `is for another piece`
            : q.size !== BigInt(expected.size)
              ? `is for ${q.size} bytes, not ${expected.size}`
              : q.expiry <= now + QUOTE_MARGIN_SECONDS
                ? 'expires too soon'
                : null;
    if (problem)
      throw new CopyFailed('quoting', `${copy.label} sent a quote for ${expected.cid} that ${problem}`);
    return quote;
  }
}
