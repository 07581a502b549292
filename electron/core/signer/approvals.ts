/**
 * Approval requests: raised by the main process, shown to the user (approval window, browser
 * modal, CLI prompt), answered with the request's id and the hash that was shown. A request waits
 * until it is answered, expires, or the operation that raised it is cancelled; the waiting
 * operation sees APPROVAL_REJECTED / APPROVAL_EXPIRED / CANCELLED and ends cleanly.
 */
import { randomBytes } from 'node:crypto';
import type { ApprovalOutcome, ApprovalRequest } from '../../../shared/api/approval';
import { CofferError } from '../../../shared/api/errors';

export const DEFAULT_APPROVAL_TTL_MS = 10 * 60_000;

export type ApprovalSpec = Pick<ApprovalRequest, 'kind' | 'hash' | 'domains' | 'summary'>;

export interface ApprovalBrokerOptions {
  ttlMs?: number;
  onRequested?: (request: ApprovalRequest) => void;
  onSettled?: (settled: { id: string; outcome: ApprovalOutcome }) => void;
}

interface Pending {
  request: ApprovalRequest;
  resolve: () => void;
  reject: (error: CofferError) => void;
  timer: NodeJS.Timeout;
}

export class ApprovalBroker {
  readonly #pending = new Map<string, Pending>();
  readonly #ttlMs: number;
  readonly #listeners = new Set<(request: ApprovalRequest) => void>();

  constructor(private readonly options: ApprovalBrokerOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
  }

  /**
   * Asks the user; resolves with the request once approved. `signal` cancels the request when the
   * operation that raised it is abandoned.
   */
  async request(spec: ApprovalSpec, signal?: AbortSignal): Promise<ApprovalRequest> {
    signal?.throwIfAborted();
    const now = Date.now();
    const request: ApprovalRequest = {
      id: randomBytes(12).toString('base64url'),
      ...spec,
      createdAt: now,
      expiresAt: now + this.#ttlMs,
    };
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.#settle(
            request.id,
            'expired',
            new CofferError('APPROVAL_EXPIRED', 'The approval request expired unanswered'),
          ),
        this.#ttlMs,
      );
      timer.unref();
      this.#pending.set(request.id, { request, resolve, reject, timer });
    });
    const onAbort = () =>
      this.#settle(
        request.id,
        'cancelled',
        new CofferError('CANCELLED', 'The operation was cancelled before approval'),
      );
    signal?.addEventListener('abort', onAbort, { once: true });
    this.options.onRequested?.(request);
    for (const listener of this.#listeners) listener(request);
    try {
      await answered;
      return request;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Requests waiting for an answer, oldest first. */
  list(): ApprovalRequest[] {
    return [...this.#pending.values()].map((p) => p.request);
  }

  /**
   * Answers a request. The hash must be the one shown; a different hash leaves the request
   * waiting (CONFLICT), so an answer meant for other terms can never approve these.
   */
  respond(answer: { id: string; hash: string; decision: 'approve' | 'reject' }): ApprovalOutcome {
    const pending = this.#pending.get(answer.id);
    if (!pending)
      throw new CofferError(
        'NOT_FOUND',
        'No approval with this id is waiting (answered, expired or cancelled)',
      );
    if (answer.hash.toLowerCase() !== pending.request.hash.toLowerCase())
      throw new CofferError('CONFLICT', 'The hash does not match the approval request; nothing was approved');
    if (answer.decision === 'approve') {
      this.#settle(answer.id, 'approved');
      return 'approved';
    }
    this.#settle(answer.id, 'rejected', new CofferError('APPROVAL_REJECTED', 'The request was rejected'));
    return 'rejected';
  }

  /** In-process presenters (the CLI prompt) subscribe here. */
  onRequested(listener: (request: ApprovalRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cancels everything still waiting (shutdown). */
  cancelAll(): void {
    for (const id of [...this.#pending.keys()])
      this.#settle(id, 'cancelled', new CofferError('CANCELLED', 'Coffer is shutting down'));
  }

  #settle(id: string, outcome: ApprovalOutcome, error?: CofferError): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve();
    this.options.onSettled?.({ id, outcome });
  }
}
