/**
 * One copy of an upload, on one provider, as a run sees it: the provider and its client, its role,
 * its data set, its presigned authorisation, which pieces it holds and which are paid there, its
 * stage for the progress view, and why it failed. A copy's pipeline tasks run one after another
 * on its own queue, so its pulls keep their order while other copies and the primary move on.
 */
import type { UploadStage } from '../../../shared/api/upload';
import type { Ping } from '../../../shared/provider/wire';
import type { ProviderClient } from '../providers/provider-client';
import type { ProviderInfo } from '../providers/provider-directory';
import type {
  AuthorizationRecord,
  CommitRecord,
  CopyRole,
  CopyRow,
  CopyState,
  HoldingStatus,
} from './upload-journal';

const FALLBACK_CAPABILITIES: Ping['capabilities'] = {
  batch: false,
  pull: true,
  maxPieceBytes: 16 * 1024 * 1024,
  maxBatchCount: 64,
  maxBatchBytes: 64 * 1024 * 1024,
};
const FALLBACK_CACHE: Ping['cache'] = {
  ttlMs: 60_000,
  maxBytes: 64 * 1024 * 1024,
  maxBytesPerPayer: 64 * 1024 * 1024,
};

export class Copy {
  state: CopyState;
  stage: UploadStage = 'selecting';
  failure: { stage: UploadStage; error: string } | null;
  authorization: AuthorizationRecord | null;
  commit: CommitRecord | null;
  dataSetId: string | null;
  isNewDataSet: boolean;
  /** Pieces this provider holds for the payer, as last seen. */
  readonly held = new Map<number, HoldingStatus>();
  /** Pieces whose payment to this provider is confirmed on chain. */
  readonly paid = new Set<number>();
  /** Pieces in a payment sent but not yet confirmed. */
  readonly paying = new Set<number>();
  /** Pieces in a store request to this provider that has not answered yet. */
  readonly sending = new Set<number>();
  /** The first wave whose quotes and payment include this copy; earlier waves it catches up. */
  joinedWave = 0;
  /** The provider answered a batch store BATCH_UNSUPPORTED though its ping offered batch. */
  batchRefused = false;
  #queue: Promise<void> = Promise.resolve();
  #waiters: (() => void)[] = [];

  constructor(
    readonly provider: ProviderInfo,
    readonly client: ProviderClient,
    /** What the provider said of itself when pinged (null for a copy restored as committed). */
    readonly ping: Ping | null,
    readonly role: CopyRole,
    readonly explicit: boolean,
    readonly attempt: number,
    readonly clientDataSetId: string,
    init: Partial<
      Pick<CopyRow, 'state' | 'failure' | 'authorization' | 'commit' | 'dataSetId' | 'isNewDataSet'>
    > = {},
  ) {
    this.state = init.state ?? 'active';
    this.failure = init.failure ?? null;
    this.authorization = init.authorization ?? null;
    this.commit = init.commit ?? null;
    this.dataSetId = init.dataSetId ?? null;
    this.isNewDataSet = init.isNewDataSet ?? this.dataSetId === null;
    if (this.state === 'failed') this.stage = 'failed';
    if (this.state === 'committed') this.stage = 'confirmed';
  }

  /** The provider's limits; conservative ones when it was not pinged. */
  get capabilities(): Ping['capabilities'] {
    return this.ping?.capabilities ?? FALLBACK_CAPABILITIES;
  }

  get cacheLimits(): Ping['cache'] {
    return this.ping?.cache ?? FALLBACK_CACHE;
  }

  get id(): number {
    return this.provider.id;
  }

  get active(): boolean {
    return this.state === 'active';
  }

  get label(): string {
    return `provider ${this.provider.id} (${this.provider.url})`;
  }

  /** Runs `task` after the copy's earlier tasks; skipped once the copy has failed. */
  enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(() => (this.active ? task() : undefined));
    this.#queue = next.catch(() => {});
    return next;
  }

  holds(piece: number): boolean {
    return this.held.has(piece);
  }

  hasPaymentFor(piece: number): boolean {
    return this.paid.has(piece) || this.paying.has(piece);
  }

  /**
   * Bytes that are (or may be, once a store in flight answers) in the provider's pre-registration
   * cache, their payment not yet confirmed: held there cached with the payment in flight, or on
   * their way there unpaid. Room that frees up once the payments are confirmed.
   */
  unpaidHeldBytes(sizeOf: (piece: number) => number): number {
    let bytes = 0;
    for (const [piece, status] of this.held)
      if (status === 'cached' && this.paying.has(piece)) bytes += sizeOf(piece);
    for (const piece of this.sending) if (!this.paid.has(piece)) bytes += sizeOf(piece);
    return bytes;
  }

  fail(stage: UploadStage, error: string): void {
    if (this.state === 'failed') return;
    this.state = 'failed';
    this.stage = 'failed';
    this.failure = { stage, error };
    this.changed();
  }

  /** Wakes whoever waits for this copy's payments or holdings to change. */
  changed(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves at the next change (a payment confirmed, a piece held, a failure). */
  nextChange(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  toRow(): CopyRow {
    return {
      providerId: this.provider.id,
      address: this.provider.address,
      url: this.provider.url,
      endorsed: this.provider.endorsed,
      role: this.role,
      explicit: this.explicit,
      attempt: this.attempt,
      clientDataSetId: this.clientDataSetId,
      dataSetId: this.dataSetId,
      isNewDataSet: this.isNewDataSet,
      state: this.state,
      failure: this.failure,
      authorization: this.authorization,
      commit: this.commit,
    };
  }
}
