/**
 * One upload's life: from files to a result, and every way back into it.
 *
 * - Start: hash the files into a plan (journaled), choose the providers, get quotes for the first
 *   wave to price the upload, check the deposit, ask ONE approval (files, size, copies, providers,
 *   the most it may spend, until when, what it signs), sign each copy's authorisations, run the
 *   waves and the commits (upload-run.ts), and write down the outcome.
 * - Resume (after a pause, a crash, a SIGKILL): rebuild the plan and copies from the journal,
 *   wait until the account has no transaction in flight, ask the chain which journaled quotes are
 *   paid (`isPaid`) and the providers which pieces they hold, then approve only what remains and
 *   run again — nothing is paid twice, no stored piece is sent again.
 * - Top-up: more copies for an upload that has fewer than wanted, pulled from a copy it has.
 * - Retry commit: sign fresh AddPieces for the copies whose commit failed, and commit again.
 * - Pause and cancel stop the run after the step in flight; cancel says what was paid and
 *   committed.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { CofferError } from '../../../shared/api/errors';
import { formatBytes } from '../../../shared/format-bytes';
import type { CancelSummary, UploadResult, UploadStage, UploadState } from '../../../shared/api/upload';
import type { Address, NetworkManifest } from '../../../shared/network-manifest';
import type { ProviderDirectory, ProviderInfo } from '../providers/provider-directory';
import type { GrantHandle, Signer } from '../signer/signer';
import type { Vault } from '../vault/vault';
import type { WalletChain } from '../wallet/wallet-chain';
import { authorizationUsable } from './authorizations';
import { ConcurrencyLimit } from './concurrency-limit';
import { followSentCommit } from './copy-commit';
import { holdingOf } from './primary-store';
import { type Candidate, ReplacementPool, selectMore, selectProviders } from './provider-selection';
import { DEFAULT_RUN_OPTIONS, type RunContext, type RunOptions, type UploadCallbacks } from './run-context';
import { Copy } from './upload-copy';
import type { UploadChain } from './upload-chain';
import { CommitError, CopyFailed, messageOf, StoreError, UploadHalted } from './upload-errors';
import {
  FINAL_STATES,
  type JournalFile,
  type UploadJournal,
  type UploadOptionsRecord,
  type UploadRow,
} from './upload-journal';
import { type PlanInput, planUpload, restorePlan, type UploadPlan } from './upload-plan';
import { commitAll, presignAll, resultOf, RunState, transferAll } from './upload-run';

/** Most pieces in one upload: its AddPieces must fit in one transaction under the block gas limit. */
export const MAX_PIECES_PER_UPLOAD = 1_200;
/** How long an upload's approval (and the authorisations signed under it) lasts. */
export const APPROVAL_LIFETIME_SECONDS = 6 * 60 * 60;
/** How long a resume waits for the account's transactions in flight to be mined. */
const SETTLE_TIMEOUT_MS = 60_000;
/** How long a cancel follows a commit already sent before it reports without it. */
const SENT_COMMIT_WAIT_MS = 30_000;

export interface UploadEnvironment {
  network: NetworkManifest;
  journal: UploadJournal;
  vault: Vault;
  signer: Signer;
  wallet: WalletChain;
  chain: UploadChain;
  directory: ProviderDirectory;
  /** Overrides of the run's timing and limits (tests use short timeouts). */
  runOptions?: Partial<RunOptions>;
  /** Shuffle providers within a selection tier (default true). */
  shuffle?: boolean;
  callbacks?: UploadCallbacks;
}

export interface UploadRequest extends UploadOptionsRecord {
  files: (PlanInput & { stagedId?: string | null })[];
  account: number;
  /** This upload's own callbacks (besides the environment's). */
  callbacks?: UploadCallbacks;
}

/** What a cancelled upload leaves behind; amounts as base units (the service formats them). */
export type CancelFacts = Omit<CancelSummary, 'paid' | 'payments'> & {
  payments: { txHash: `0x${string}`; amount: bigint }[];
};

/** Why a run was stopped from outside. */
export class RunStopped extends Error {
  override name = 'RunStopped';
  constructor(readonly kind: 'paused' | 'cancelled') {
    super(kind === 'paused' ? 'The upload was paused' : 'The upload was cancelled');
  }
}

export class UploadSession {
  state: UploadState;
  plan: UploadPlan | null = null;
  copies: Copy[] = [];
  hashing: { bytesDone: number; bytesTotal: number } | null = null;
  estimated: bigint | null = null;
  approved: bigint | null = null;
  result: UploadResult | null;
  error: UploadRow['error'];
  readonly createdAt: number;
  updatedAt: number;
  /** The last run's context (bytes sent, for the benchmark and the view). */
  lastContext: RunContext | null = null;
  /** What ended the last run badly (a StoreError, a CommitError, …), for the core API to throw. */
  lastError: Error | null = null;
  #grant: GrantHandle | null = null;
  #controller: AbortController | null = null;
  #task: Promise<void> | null = null;
  #payer: Address | null;

  private constructor(
    private readonly env: UploadEnvironment,
    readonly id: string,
    readonly request: UploadRequest,
    row: Pick<UploadRow, 'state' | 'result' | 'error' | 'createdAt' | 'updatedAt'> & {
      payer: Address | null;
    },
    private readonly onChange: (session: UploadSession) => void,
  ) {
    this.state = row.state;
    this.result = row.result as UploadResult | null;
    this.error = row.error;
    this.createdAt = row.createdAt;
    this.updatedAt = row.updatedAt;
    this.#payer = row.payer;
  }

  /** A new upload, not started yet. */
  static create(
    env: UploadEnvironment,
    request: UploadRequest,
    onChange: (s: UploadSession) => void,
  ): UploadSession {
    const now = Date.now();
    const id = `u-${randomBytes(12).toString('base64url')}`;
    return new UploadSession(
      env,
      id,
      request,
      { state: 'preparing', result: null, error: null, createdAt: now, updatedAt: now, payer: null },
      onChange,
    );
  }

  /** An upload from the journal, as it was left (nothing is asked of the network). */
  static load(env: UploadEnvironment, row: UploadRow, onChange: (s: UploadSession) => void): UploadSession {
    const files = env.journal.files(row.id);
    const session = new UploadSession(
      env,
      row.id,
      {
        files: files.map((file) => ({ path: file.path, name: file.name, stagedId: file.stagedId })),
        account: row.account,
        copies: row.options.copies,
        providerIds: row.options.providerIds,
        dataSetIds: row.options.dataSetIds,
        chunkConcurrency: row.options.chunkConcurrency,
        chunkSize: row.options.chunkSize,
        waveSize: row.options.waveSize,
      },
      { ...row, payer: row.payer },
      onChange,
    );
    session.plan = restorePlan(files, env.journal.pieces(row.id), row.manifest, row.options.waveSize);
    session.#restoreCopies();
    return session;
  }

  get running(): boolean {
    return this.#task !== null;
  }

  get payer(): Address | null {
    return this.#payer;
  }

  /** Resolves when the current run (if any) has ended. */
  async settled(): Promise<void> {
    await this.#task;
  }

  start(): void {
    this.#run((context, controller) => this.#fresh(context, controller));
  }

  resume(): void {
    if (this.running) throw new CofferError('CONFLICT', 'This upload is already running');
    if (FINAL_STATES.has(this.state) || this.state === 'preparing')
      throw new CofferError('CONFLICT', `A ${this.state} upload cannot be resumed`);
    this.#run((context) => this.#resumed(context));
  }

  topUp(copies: number): void {
    if (this.running) throw new CofferError('CONFLICT', 'This upload is still running');
    if (this.state !== 'completed' && this.state !== 'partial')
      throw new CofferError(
        'CONFLICT',
        `Only a completed upload can gain copies (this one is ${this.state})`,
      );
    const have = this.copies.filter((copy) => copy.state === 'committed').length;
    if (copies <= have) throw new CofferError('INVALID_INPUT', `This upload already has ${have} copies`);
    this.#run((context) => this.#toppedUp(context, copies));
  }

  retryCommit(): void {
    if (this.running) throw new CofferError('CONFLICT', 'This upload is still running');
    if (!this.copies.some((copy) => copy.state === 'failed' && copy.failure?.stage === 'committing'))
      throw new CofferError('CONFLICT', 'No copy of this upload failed at its commit');
    this.#run((context) => this.#recommitted(context));
  }

  async pause(): Promise<void> {
    if (!this.#controller) throw new CofferError('CONFLICT', `This upload is not running (${this.state})`);
    this.#controller.abort(new RunStopped('paused'));
    await this.settled();
  }

  /** Stops the upload for good (running or not) and says what was paid and committed. */
  async cancel(): Promise<CancelFacts> {
    if (FINAL_STATES.has(this.state) && this.state !== 'failed' && !this.running)
      throw new CofferError('CONFLICT', `This upload is ${this.state}; there is nothing to cancel`);
    if (this.#controller) {
      this.#controller.abort(new RunStopped('cancelled'));
      await this.settled();
    } else this.#setState('cancelled', this.error);
    await this.#followSentCommits();
    return this.cancelSummary();
  }

  /**
   * A commit already sent goes on chain whatever the cancel: it is followed (for a while) so that
   * the summary says whether it landed, instead of leaving it out.
   */
  async #followSentCommits(): Promise<void> {
    const sent = this.copies.filter(
      (copy) => copy.active && copy.commit?.state === 'pending' && copy.commit.commitId,
    );
    if (sent.length === 0 || !this.plan) return;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('gave up following')), SENT_COMMIT_WAIT_MS);
    const context = this.#context(controller);
    try {
      // One not confirmed (failed, or still pending at the deadline) stays in the journal with its
      // transaction, and the summary does not count it.
      await Promise.allSettled(sent.map((copy) => followSentCommit(context, copy)));
    } finally {
      clearTimeout(timer);
    }
  }

  cancelSummary(): CancelFacts {
    const payments = this.#journaled()
      ? this.env.journal
          .payments(this.id)
          .filter((payment) => payment.state === 'confirmed' && payment.txHash)
          .map((payment) => ({ txHash: payment.txHash!, amount: BigInt(payment.amount) }))
      : [];
    return {
      uploadId: this.id,
      state: this.state,
      payments,
      committed: this.copies
        .filter((copy) => copy.state === 'committed' && copy.dataSetId)
        .map((copy) => ({
          providerId: copy.id,
          dataSetId: copy.dataSetId!,
          pieces: this.plan?.pieces.length ?? 0,
        })),
      stored: this.copies
        .filter((copy) => copy.state !== 'committed')
        .map((copy) => ({
          providerId: copy.id,
          pieces: [...copy.held.values()].filter((s) => s === 'parked').length,
        }))
        .filter((entry) => entry.pieces > 0),
    };
  }

  // --- the flows ---

  async #fresh(context: RunContext, controller: AbortController): Promise<UploadResult> {
    const { env, request } = this;
    this.#payer = await env.vault.address(request.account);
    this.hashing = { bytesDone: 0, bytesTotal: 0 };
    const plan = await planUpload(request.files, {
      chunkSize: request.chunkSize,
      waveSize: request.waveSize,
      signal: controller.signal,
      onHashed: (bytesDone, bytesTotal) => {
        this.hashing = { bytesDone, bytesTotal };
        this.#changed();
      },
    });
    this.hashing = null;
    if (plan.pieces.length > MAX_PIECES_PER_UPLOAD)
      throw new CofferError(
        'INVALID_INPUT',
        `This upload would be ${plan.pieces.length} pieces; one upload holds at most ${MAX_PIECES_PER_UPLOAD} ` +
          '(its commit must fit one transaction). Split the files over several uploads or use larger chunks.',
      );
    this.plan = plan;
    env.journal.createUpload(
      {
        id: this.id,
        account: request.account,
        payer: this.#payer,
        state: 'preparing',
        options: this.#options(),
        rootCid: plan.root.cid,
        manifest: plan.root.bytes,
        totalBytes: plan.totalBytes,
        uniqueBytes: plan.uniqueBytes,
        pieceCount: plan.pieces.length,
        startBlock: Number(await env.chain.blockNumber()),
      },
      plan.files.map(
        (file, i) => ({ ...file, stagedId: request.files[i]?.stagedId ?? null }) satisfies JournalFile,
      ),
      plan.pieces.map((piece) => ({
        index: piece.index,
        cid: piece.cid,
        size: piece.size,
        source: piece.source,
      })),
    );
    this.#changed();

    const { pool, reserve } = await this.#selectCopies(context);
    const run = this.#runState(context, pool);
    await this.#approve(run, reserve, `Upload ${describeFiles(plan)}`);
    await presignAll(run);
    await transferAll(run);
    return commitAll(run);
  }

  async #resumed(context: RunContext): Promise<UploadResult> {
    const plan = this.plan!;
    this.#setState('preparing', null);
    for (const file of plan.files) {
      const info = await stat(file.path).catch(() => null);
      if (!info || info.size !== file.size || Math.floor(info.mtimeMs) !== file.mtimeMs)
        throw new CofferError(
          'CONFLICT',
          `${file.path} changed (or is gone) since this upload started; start a new upload for it`,
        );
    }
    await this.#reconcile(context);
    // Stopped (e.g. killed) after the upload was journaled but before its providers were chosen.
    const selected = this.copies.length === 0 ? await this.#selectCopies(context) : null;
    const run = this.#runState(context, selected ? selected.pool : await this.#poolFor(context));
    await this.#approve(run, selected?.reserve ?? [], `Resume the upload of ${describeFiles(plan)}`);
    await presignAll(run);
    await transferAll(run);
    return commitAll(run);
  }

  async #toppedUp(context: RunContext, copies: number): Promise<UploadResult> {
    const { env } = this;
    const plan = this.plan!;
    const have = this.copies.filter((copy) => copy.state === 'committed');
    env.journal.setOptions(this.id, { ...this.#options(), copies });
    this.request.copies = copies;
    const more = await selectMore(env.directory, {
      payer: this.#payer!,
      count: copies - have.length,
      exclude: new Set(this.copies.map((copy) => copy.id)),
      dataSets: env.journal.dataSets(this.#payer!),
      maxSecondaryAttempts: context.options.maxSecondaryAttempts,
      shuffle: env.shuffle,
    });
    if (more.secondaries.length === 0)
      throw new CofferError('PROVIDER_ERROR', 'No other healthy provider can take another copy right now');
    for (const candidate of more.secondaries) this.#addCopy(candidate, 'secondary', false);
    const run = this.#runState(context, new ReplacementPool(env.directory, more.reserve));
    await this.#approve(run, more.reserve, `Add copies of ${describeFiles(plan)}`);
    await presignAll(run);
    await transferAll(run);
    return commitAll(run);
  }

  async #recommitted(context: RunContext): Promise<UploadResult> {
    const plan = this.plan!;
    for (const copy of this.copies)
      if (copy.state === 'failed' && copy.failure?.stage === 'committing') {
        copy.state = 'active';
        copy.stage = 'committing';
        copy.failure = null;
        // A reverted commit used its nonce's attempt up: sign a new authorisation.
        copy.authorization = null;
        copy.commit = null;
        this.env.journal.putCopy(this.id, copy.toRow());
      }
    await this.#reconcile(context);
    const run = this.#runState(context, null);
    await this.#approve(run, [], `Commit ${describeFiles(plan)} again`);
    await presignAll(run);
    await transferAll(run);
    return commitAll(run);
  }

  // --- steps shared by the flows ---

  /**
   * Prices what is left to pay (from quotes for the next wave, or the providers' prices), checks
   * the deposit, and asks the one approval for it — unless nothing is left to pay or sign.
   */
  async #approve(run: RunState, reserve: readonly Candidate[], title: string): Promise<void> {
    const { env } = this;
    const context = run.context;
    const plan = this.plan!;
    let expected = 0n;
    // Copies may be added while pricing: a secondary that gives no quote is replaced here already.
    for (let i = 0; i < this.copies.length; i++) {
      const copy = this.copies[i]!;
      if (!copy.active) continue;
      const unpaid = plan.pieces.filter((piece) => !copy.hasPaymentFor(piece.index));
      if (unpaid.length === 0) continue;
      const sample = unpaid.slice(0, plan.waveSize).map((piece) => piece.index);
      let quoted;
      try {
        quoted = await run.payments.quote(copy, sample);
      } catch (error) {
        if (!(error instanceof CopyFailed)) throw error;
        if (copy.role === 'primary')
          throw new StoreError(`The primary, ${copy.label}, failed: ${error.message}`, copy.id, 'quoting');
        copy.fail(error.stage, error.message);
        env.journal.putCopy(this.id, copy.toRow());
        const candidate =
          !copy.explicit && run.secondaryAttempts < context.options.maxSecondaryAttempts
            ? await context.pool?.next()
            : null;
        if (candidate) {
          run.secondaryAttempts++;
          this.#addCopy(candidate, 'secondary', false);
        }
        continue;
      }
      run.payments.keep(quoted);
      const quotedBytes = quoted.reduce((sum, q) => sum + q.quote.quote.size, 0n);
      const quotedPrice = quoted.reduce((sum, q) => sum + q.quote.quote.price, 0n);
      const unpaidBytes = unpaid.reduce((sum, piece) => sum + BigInt(piece.size), 0n);
      expected += quotedBytes === 0n ? 0n : (quotedPrice * unpaidBytes + quotedBytes - 1n) / quotedBytes;
    }
    const active = this.copies.filter((copy) => copy.active);
    const replacementReserve = reserve.reduce((most, candidate) => {
      const cost = BigInt(candidate.ping.pricePerByte) * BigInt(plan.uniqueBytes);
      return cost > most ? cost : most;
    }, 0n);
    const needsSigning = active.some((copy) => !authorizationUsable(copy));
    this.estimated = expected;
    if (expected === 0n && !needsSigning) {
      this.#setState('running', null);
      return;
    }
    const balances = await env.wallet.balances(this.request.account);
    if (BigInt(balances.deposit.raw) < expected)
      throw new CofferError(
        'INSUFFICIENT_FUNDS',
        `This upload costs about ${format(expected, balances.deposit)} ${balances.deposit.symbol}; the ` +
          `PaymentVault holds ${balances.deposit.formatted} ${balances.deposit.symbol} for this account. Deposit more first.`,
      );
    const maxAmount = expected + replacementReserve;
    const grantLeft = this.#grant ? safeRemaining(env.signer, this.#grant) : null;
    if (this.#grant && grantLeft !== null && grantLeft >= maxAmount && !needsSigning) {
      context.grant = this.#grant;
      this.#setState('running', null);
      return;
    }
    this.approved = maxAmount;
    this.#setState('awaiting-approval', null);
    const deadline = run.deadline;
    const counterparties = [...active.map((copy) => copy.provider), ...reserve.map((c) => c.provider)].filter(
      (provider, i, all) => all.findIndex((other) => other.id === provider.id) === i,
    );
    const grant = await env.signer.approveUpload({
      account: this.request.account,
      providers: counterparties.map((provider) => ({
        address: provider.address,
        label: `provider ${provider.id}${provider.endorsed ? ', endorsed' : ''} (${provider.url})`,
      })),
      maxAmount,
      deadline,
      summary: {
        title: `${title}, ${this.request.copies} ${this.request.copies === 1 ? 'copy' : 'copies'}`.slice(
          0,
          200,
        ),
        amount: amountOf(maxAmount, balances.deposit),
        details: approvalDetails(
          plan,
          active,
          reserve,
          expected,
          replacementReserve,
          deadline,
          balances.deposit,
        ),
      },
      signal: context.signal,
    });
    if (this.#grant) env.signer.close(this.#grant);
    this.#grant = grant;
    context.grant = grant;
    this.env.journal.step(this.id, 'approved', 'after', null, { amount: maxAmount.toString() });
    this.#setState('running', null);
  }

  /**
   * Brings the copies in line with the chain and the providers: waits for the account's
   * transactions in flight, marks the journaled quotes that are paid, drops payments that never
   * happened, re-pings the copies still at work and asks each which pieces it holds.
   */
  async #reconcile(context: RunContext): Promise<void> {
    const { env } = this;
    const plan = this.plan!;
    const journal = env.journal;
    if (!(await env.chain.settled(this.#payer!, SETTLE_TIMEOUT_MS, context.signal)))
      throw new UploadHalted(
        'CHAIN_ERROR',
        'Transactions from this account are still pending; resume again once they are mined',
      );
    const quotes = journal.quotes(this.id);
    const unpaid = quotes.filter((quote) => !quote.paid);
    const paidNow = await env.chain.paidQuotes(unpaid.map((quote) => quote.quoteDigest));
    journal.markQuotesPaid(this.id, [...paidNow]);
    for (const payment of journal.payments(this.id))
      if (payment.state === 'sending' || payment.state === 'sent') {
        const its = quotes.filter((quote) => quote.paymentId === payment.id);
        if (its.every((quote) => quote.paid || paidNow.has(quote.quoteDigest.toLowerCase())))
          journal.paymentConfirmed(this.id, payment.id);
        else journal.paymentFailed(this.id, payment.id, 'not paid on chain (checked on resume)');
      }
    this.#restoreCopies();
    for (const copy of this.copies.filter((c) => c.active)) {
      const outcome = await env.directory.ping(copy.provider);
      if (!outcome.ok) {
        if (copy.role === 'primary')
          throw new UploadHalted(
            'PROVIDER_ERROR',
            `The primary, ${copy.label}, does not answer (${outcome.error}); resume again once it does`,
          );
        copy.fail('selecting', `does not answer on resume: ${outcome.error}`);
        journal.putCopy(this.id, copy.toRow());
        continue;
      }
      this.#replaceCopy(
        copy,
        new Copy(
          copy.provider,
          copy.client,
          outcome.ping,
          copy.role,
          copy.explicit,
          copy.attempt,
          copy.clientDataSetId,
          copy.toRow(),
        ),
      );
    }
    // Copy after copy: the limit bounds the status requests, and must not be held while waiting on itself.
    for (const copy of this.copies.filter((c) => c.active)) {
      const unsure = plan.pieces.filter(
        (piece) => copy.held.get(piece.index) !== 'parked' && copy.held.get(piece.index) !== 'committed',
      );
      const statuses = await context.limit.map(unsure, async (piece) =>
        copy.client.pieceStatus(piece.cid, this.#payer!, { signal: context.signal }).then(
          (status) => status.status,
          () => 'unknown' as const,
        ),
      );
      const held = unsure.flatMap((piece, i) =>
        statuses[i] === 'unknown' ? [] : [{ pieceIndex: piece.index, status: holdingOf(statuses[i]!) }],
      );
      const gone = unsure.filter((_, i) => statuses[i] === 'unknown').map((piece) => piece.index);
      journal.recordHoldings(this.id, copy.id, held, {
        step: 'checked',
        detail: { held: held.length, gone: gone.length },
      });
      journal.dropHoldings(this.id, copy.id, gone);
      for (const { pieceIndex, status } of held) copy.held.set(pieceIndex, status);
      for (const piece of gone) copy.held.delete(piece);
    }
    this.#changed();
  }

  /** Rebuilds the copies (held, paid, commits) from the journal; failed ones become failures. */
  #restoreCopies(): void {
    const { journal, directory } = this.env;
    const rows = journal.copies(this.id);
    const holdings = journal.holdings(this.id);
    const paid = journal.quotes(this.id).filter((quote) => quote.paid);
    this.copies = rows.map((row) => {
      const provider = { id: row.providerId, address: row.address, url: row.url, endorsed: row.endorsed };
      const copy = new Copy(
        provider,
        directory.clientFor(provider),
        null,
        row.role,
        row.explicit,
        row.attempt,
        row.clientDataSetId,
        row,
      );
      for (const holding of holdings)
        if (holding.providerId === row.providerId) copy.held.set(holding.pieceIndex, holding.status);
      for (const quote of paid) if (quote.providerId === row.providerId) copy.paid.add(quote.pieceIndex);
      return copy;
    });
  }

  /** Chooses the providers of a new upload and journals its copies; the rest are kept for replacements. */
  async #selectCopies(context: RunContext): Promise<{ pool: ReplacementPool | null; reserve: Candidate[] }> {
    const { env, request } = this;
    const selection = await selectProviders(env.directory, env.chain, {
      payer: this.#payer!,
      copies: request.copies,
      providerIds: request.providerIds,
      dataSetIds: request.dataSetIds,
      dataSets: env.journal.dataSets(this.#payer!),
      maxSecondaryAttempts: context.options.maxSecondaryAttempts,
      shuffle: env.shuffle,
    });
    [selection.primary, ...selection.secondaries].forEach((candidate, i) =>
      this.#addCopy(candidate, i === 0 ? 'primary' : 'secondary', selection.explicit),
    );
    for (const { provider, role, error } of selection.skipped) this.#addFailedCopy(provider, role, error);
    const pool = selection.explicit ? null : new ReplacementPool(env.directory, selection.reserve);
    return { pool, reserve: selection.reserve };
  }

  async #poolFor(context: RunContext): Promise<ReplacementPool | null> {
    if (this.request.providerIds || this.request.dataSetIds) return null;
    const more = await selectMore(this.env.directory, {
      payer: this.#payer!,
      count: 0,
      exclude: new Set(this.copies.map((copy) => copy.id)),
      dataSets: this.env.journal.dataSets(this.#payer!),
      maxSecondaryAttempts: context.options.maxSecondaryAttempts,
      shuffle: this.env.shuffle,
    });
    return new ReplacementPool(this.env.directory, more.reserve);
  }

  #addCopy(candidate: Candidate, role: 'primary' | 'secondary', explicit: boolean): Copy {
    const copy = new Copy(
      candidate.provider,
      this.env.directory.clientFor(candidate.provider),
      candidate.ping,
      role,
      explicit,
      Math.max(-1, ...this.copies.map((c) => c.attempt)) + 1,
      candidate.clientDataSetId,
      { dataSetId: candidate.dataSetId },
    );
    this.copies.push(copy);
    this.env.journal.putCopy(this.id, copy.toRow());
    return copy;
  }

  #replaceCopy(old: Copy, copy: Copy): void {
    for (const [piece, status] of old.held) copy.held.set(piece, status);
    for (const piece of old.paid) copy.paid.add(piece);
    this.copies[this.copies.indexOf(old)] = copy;
  }

  /** A provider that could not be used at all (it failed its health check): a failure of its own. */
  #addFailedCopy(provider: ProviderInfo, role: 'primary' | 'secondary', error: string): void {
    const copy = new Copy(
      provider,
      this.env.directory.clientFor(provider),
      null,
      role,
      Boolean(this.request.providerIds || this.request.dataSetIds),
      Math.max(-1, ...this.copies.map((c) => c.attempt)) + 1,
      '0',
      { state: 'failed', failure: { stage: 'selecting', error } },
    );
    this.copies.push(copy);
    this.env.journal.putCopy(this.id, copy.toRow());
  }

  #runState(context: RunContext, pool: ReplacementPool | null): RunState {
    (context as { pool: ReplacementPool | null }).pool = pool;
    return new RunState(context, BigInt(Math.floor(Date.now() / 1000) + APPROVAL_LIFETIME_SECONDS));
  }

  // --- the run wrapper ---

  #run(flow: (context: RunContext, controller: AbortController) => Promise<UploadResult>): void {
    const controller = new AbortController();
    // Every wave waiting for its parking check listens on the run's signal until woken (and then
    // stops): with small waves, hundreds at once is normal, not a leak.
    setMaxListeners(0, controller.signal);
    this.#controller = controller;
    const context = this.#context(controller);
    this.lastContext = context;
    this.lastError = null;
    this.#setState(this.state === 'preparing' ? 'preparing' : 'running', null);
    this.#task = (async () => {
      try {
        const result = await flow(context, controller);
        const committed = result.copies.length;
        this.result = result;
        this.#finish(committed >= this.request.copies ? 'completed' : 'partial', null);
      } catch (error) {
        this.lastError = error as Error;
        this.#settleFailure(error, context);
      } finally {
        this.#controller = null;
        this.#task = null;
        if (FINAL_STATES.has(this.state) && this.#grant) {
          this.env.signer.close(this.#grant);
          this.#grant = null;
        }
        this.#changed();
      }
    })();
  }

  #settleFailure(error: unknown, context: RunContext): void {
    const failure = (code: string, stage: UploadStage | null) => ({ code, message: messageOf(error), stage });
    if (error instanceof RunStopped) {
      this.#finish(error.kind, error.kind === 'cancelled' ? this.error : null);
      return;
    }
    if (error instanceof StoreError) return this.#finish('failed', failure('STORE_FAILED', error.stage));
    if (error instanceof CommitError) {
      this.result = resultOf(context);
      return this.#finish('failed', failure('COMMIT_FAILED', 'committing'));
    }
    if (error instanceof CofferError && ['APPROVAL_REJECTED', 'CANCELLED'].includes(error.code))
      return this.#finish('cancelled', failure(error.code, null));
    if (error instanceof CofferError && error.code === 'CONFLICT')
      return this.#finish('failed', failure(error.code, null));
    if (
      error instanceof CofferError &&
      ['INVALID_INPUT', 'INSUFFICIENT_FUNDS'].includes(error.code) &&
      !this.#hasPaid()
    )
      return this.#finish('failed', failure(error.code, 'selecting'));
    if (error instanceof CofferError && error.code === 'PROVIDER_ERROR' && !this.#hasPaid())
      return this.#finish('failed', failure(error.code, 'selecting'));
    const code = error instanceof UploadHalted || error instanceof CofferError ? error.code : 'INTERNAL';
    const stage = error instanceof UploadHalted ? error.stage : null;
    if (!this.#journaled()) return this.#finish('failed', failure(code, stage));
    this.#finish('interrupted', failure(code, stage));
  }

  #finish(state: UploadState, error: UploadRow['error']): void {
    this.state = state;
    this.error = error;
    this.updatedAt = Date.now();
    if (this.#journaled()) this.env.journal.setResult(this.id, state, this.result, error);
  }

  #setState(state: UploadState, error: UploadRow['error']): void {
    this.state = state;
    this.error = error;
    this.updatedAt = Date.now();
    if (this.#journaled()) this.env.journal.setState(this.id, state, error);
    this.#changed();
  }

  #journaled(): boolean {
    return this.plan !== null && this.env.journal.upload(this.id) !== undefined;
  }

  #hasPaid(): boolean {
    return (
      this.#journaled() && this.env.journal.payments(this.id).some((payment) => payment.state !== 'failed')
    );
  }

  #options(): UploadOptionsRecord {
    const { request } = this;
    return {
      copies: request.copies,
      providerIds: request.providerIds,
      dataSetIds: request.dataSetIds,
      chunkConcurrency: request.chunkConcurrency,
      chunkSize: request.chunkSize,
      waveSize: request.waveSize,
    };
  }

  #context(controller: AbortController): RunContext {
    const { env } = this;
    const options = {
      ...DEFAULT_RUN_OPTIONS,
      ...env.runOptions,
      chunkConcurrency: this.request.chunkConcurrency,
    };
    // The plan, the payer and the copies are set (or replaced) while the run goes on.
    const current = { plan: () => this.plan!, payer: () => this.#payer!, copies: () => this.copies };
    return {
      uploadId: this.id,
      get plan() {
        return current.plan();
      },
      account: this.request.account,
      get payer() {
        return current.payer();
      },
      journal: env.journal,
      signer: env.signer,
      grant: this.#grant,
      chain: env.chain,
      directory: env.directory,
      get copies() {
        return current.copies();
      },
      options,
      limit: new ConcurrencyLimit(options.chunkConcurrency),
      signal: controller.signal,
      callbacks: mergeCallbacks(env.callbacks, this.request.callbacks),
      pool: null,
      bytesSent: 0,
      changed: () => this.#changed(),
      halt: (error) => {
        if (!controller.signal.aborted) controller.abort(error);
      },
    };
  }

  #changed(): void {
    this.updatedAt = Date.now();
    this.onChange(this);
  }
}

function mergeCallbacks(...sets: (UploadCallbacks | undefined)[]): UploadCallbacks {
  const all = sets.filter((set): set is UploadCallbacks => set !== undefined);
  return {
    onStored: (...args) => all.forEach((set) => set.onStored?.(...args)),
    onPiecesAdded: (...args) => all.forEach((set) => set.onPiecesAdded?.(...args)),
    onPiecesConfirmed: (...args) => all.forEach((set) => set.onPiecesConfirmed?.(...args)),
  };
}

function safeRemaining(signer: Signer, grant: GrantHandle): bigint | null {
  try {
    return signer.remaining(grant);
  } catch {
    return null;
  }
}

export function describeFiles(plan: UploadPlan): string {
  const [first] = plan.files;
  const size = formatBytes(plan.totalBytes);
  if (plan.files.length === 1) return `${first!.name} (${size})`;
  return `${plan.files.length} files (${size})`;
}

type TokenLike = { decimals: number; symbol: string };

function format(raw: bigint, token: TokenLike): string {
  return amountOf(raw, token).formatted;
}

export function amountOf(raw: bigint, token: TokenLike) {
  const base = 10n ** BigInt(token.decimals);
  const whole = raw / base;
  const fraction = (raw % base).toString().padStart(token.decimals, '0').replace(/0+$/, '');
  return {
    raw: raw.toString(),
    decimals: token.decimals,
    symbol: token.symbol,
    formatted: fraction ? `${whole}.${fraction}` : whole.toString(),
  };
}

function approvalDetails(
  plan: UploadPlan,
  copies: readonly Copy[],
  reserve: readonly Candidate[],
  expected: bigint,
  replacementReserve: bigint,
  deadline: bigint,
  token: TokenLike,
): { label: string; value: string }[] {
  const copyLine = (copy: Copy) =>
    `${copy.role}: provider ${copy.id} (${copy.provider.url})${copy.provider.endorsed ? ', endorsed' : ''}, ` +
    (copy.dataSetId ? `data set ${copy.dataSetId}` : 'new data set');
  const lines = [
    {
      label: 'Files',
      value:
        plan.files
          .slice(0, 5)
          .map((file) => `${file.name} (${formatBytes(file.size)})`)
          .join(', ') + (plan.files.length > 5 ? `, and ${plan.files.length - 5} more` : ''),
    },
    {
      label: 'Size',
      value: `${formatBytes(plan.totalBytes)}; ${formatBytes(plan.uniqueBytes)} distinct, with the manifest`,
    },
    { label: 'Root', value: plan.root.cid },
    ...copies.map((copy) => ({ label: 'Copy', value: copyLine(copy) })),
    { label: 'Expected cost', value: `${format(expected, token)} ${token.symbol}` },
    ...(reserve.length
      ? [
          {
            label: 'Reserve',
            value: `${format(replacementReserve, token)} ${token.symbol} to replace a failed copy with one of ${reserve.length} standby providers`,
          },
        ]
      : []),
    {
      label: 'Signs',
      value: `CreateDataSet and AddPieces (${plan.pieces.length} pieces) for each provider, valid until ${new Date(Number(deadline) * 1000).toISOString()}`,
    },
    {
      label: 'Pays',
      value: `PaymentVault.payForQuotes, one transaction per wave of up to ${plan.waveSize} chunks (${plan.waves.length} ${plan.waves.length === 1 ? 'wave' : 'waves'})`,
    },
  ];
  return lines.slice(0, 64).map((line) => ({ label: line.label, value: line.value.slice(0, 500) }));
}
