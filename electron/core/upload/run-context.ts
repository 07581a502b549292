/**
 * Everything one run of an upload works with — its plan and copies, the journal, the signer and
 * its grant, the chain, the request limit, the abort signal, the callbacks — and the small waits
 * the pipeline steps share: for a copy's payments to be confirmed, and for room in a provider's
 * pre-registration cache.
 */
import type { Address } from '../../../shared/network-manifest';
import type { ProviderDirectory } from '../providers/provider-directory';
import type { GrantHandle, Signer } from '../signer/signer';
import type { ConcurrencyLimit } from './concurrency-limit';
import type { Copy } from './upload-copy';
import type { UploadChain } from './upload-chain';
import type { UploadJournal } from './upload-journal';
import type { UploadPlan } from './upload-plan';
import type { ReplacementPool } from './provider-selection';

export interface RunOptions {
  /** Requests in flight at once: quotes, single-piece stores, status checks. */
  chunkConcurrency: number;
  /** How far quoting and paying may run ahead of the wave being stored (lastWaveToPay). */
  payAhead: PayAhead;
  /**
   * Quotes in payments sent and not yet mined, at most (a larger payment goes alone); null for
   * what three quarters of a block's gas pays for (PaymentLedger).
   */
  quotesInFlight: number | null;
  /** How long a provider may take to park pieces once their payment is mined. */
  parkTimeoutMs: number;
  /** How long a pull may go without progress before it counts as failed. */
  pullStallMs: number;
  /** How long a commit may take to be confirmed. */
  commitTimeoutMs: number;
  /** How often pulls, parking and commits are looked at. */
  pollIntervalMs: number;
  /** Secondary providers tried in all (the first choices and their replacements). */
  maxSecondaryAttempts: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = {
  chunkConcurrency: 4,
  payAhead: { waves: 16, bytes: 128 * 1024 * 1024 },
  quotesInFlight: null,
  parkTimeoutMs: 60_000,
  pullStallMs: 60_000,
  commitTimeoutMs: 5 * 60_000,
  pollIntervalMs: 100,
  maxSecondaryAttempts: 5,
};

/** The core API's callbacks, as in the reference SDK. */
export interface UploadCallbacks {
  /** Pieces are held by a provider (stored on the primary, or pulled by a secondary). */
  onStored?(providerId: number, cids: string[]): void;
  /** A provider submitted the commit transaction. */
  onPiecesAdded?(providerId: number, txHash: `0x${string}`, cids: string[]): void;
  /** The commit is confirmed on chain, with the piece ids it gave. */
  onPiecesConfirmed?(providerId: number, dataSetId: string, pieces: { cid: string; pieceId: string }[]): void;
}

export interface RunContext {
  readonly uploadId: string;
  readonly plan: UploadPlan;
  readonly account: number;
  readonly payer: Address;
  readonly journal: UploadJournal;
  readonly signer: Signer;
  grant: GrantHandle | null;
  readonly chain: UploadChain;
  readonly directory: ProviderDirectory;
  readonly copies: Copy[];
  readonly options: RunOptions;
  readonly limit: ConcurrencyLimit;
  readonly signal: AbortSignal;
  readonly callbacks: UploadCallbacks;
  /** Candidates for replacing a failed auto-selected secondary; null when none may be replaced. */
  readonly pool: ReplacementPool | null;
  /** Bytes of piece data this process has sent to providers. */
  bytesSent: number;
  /** Something the progress view shows has changed. */
  changed(): void;
  /** Stops the run with this error (the first one wins). */
  halt(error: Error): void;
}

/** Limits on the waves paid before they are stored; the next wave is always paid ahead. */
export interface PayAhead {
  /** At most this many waves: when waves are tiny, bounds the quotes asked for ahead. */
  waves: number;
  /** At most this many bytes of pieces: bounds what a primary failing now leaves paid for nothing. */
  bytes: number;
}

/**
 * The last wave to quote and pay while `wave` is being stored. Money paid ahead of storing is what
 * a failing primary can waste, and that is a matter of bytes: with the defaults a big file pays
 * two waves of 1 MiB chunks ahead, as it always has, while waves of small files (64 pieces of a
 * few KB) run up to 16 ahead: their payments are not held to the primary's pace, so the last one
 * is not sent only as the last store ends (and mined a block later, the commit a block after).
 */
export function lastWaveToPay(waveBytes: readonly number[], wave: number, limits: PayAhead): number {
  const last = waveBytes.length - 1;
  let ahead = Math.min(wave + 1, last);
  let bytes = ahead > wave ? waveBytes[ahead]! : 0;
  while (ahead < last && ahead + 1 - wave <= limits.waves && bytes + waveBytes[ahead + 1]! <= limits.bytes)
    bytes += waveBytes[++ahead]!;
  return ahead;
}

export const sizeOf = (context: Pick<RunContext, 'plan'>) => (piece: number) =>
  context.plan.pieces[piece]!.size;

/** Waits until every one of `pieces` is paid to `copy` (confirmed on chain). */
export async function paymentsConfirmed(
  context: RunContext,
  copy: Copy,
  pieces: readonly number[],
): Promise<void> {
  for (;;) {
    context.signal.throwIfAborted();
    const missing = pieces.filter((piece) => !copy.paid.has(piece));
    if (missing.length === 0) return;
    if (missing.some((piece) => !copy.paying.has(piece)))
      throw new Error(`${missing.length} pieces have no payment to ${copy.label} in flight`);
    await copy.nextChange(context.signal);
  }
}

/**
 * Waits until `copy`'s provider has room in its pre-registration cache for `bytes` more that may
 * arrive before their payment is seen: what it holds unconfirmed, and what is on its way there
 * unconfirmed (a store in flight), must leave room under half its per-payer cap. With nothing unconfirmed held — or no payment in flight that could free room —
 * anything may go.
 */
export async function cacheRoom(context: RunContext, copy: Copy, bytes: number): Promise<void> {
  const cache = copy.cacheLimits;
  const budget = Math.min(cache.maxBytesPerPayer, cache.maxBytes) / 2;
  for (;;) {
    context.signal.throwIfAborted();
    const waiting = copy.unpaidHeldBytes(sizeOf(context));
    if (waiting === 0 || waiting + bytes <= budget || copy.paying.size === 0) return;
    await copy.nextChange(context.signal);
  }
}

/** The copy every other copy pulls from: the primary, or a copy already committed (a top-up). */
export function sourceCopy(context: Pick<RunContext, 'copies'>): Copy | undefined {
  return (
    context.copies.find((copy) => copy.role === 'primary' && copy.state !== 'failed') ??
    context.copies.find((copy) => copy.state === 'committed')
  );
}
