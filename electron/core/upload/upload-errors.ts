/**
 * How an upload ends badly, as the reference failure table says:
 * - StoreError: the primary could not store (or confirm parked) the data — nothing was committed
 *   anywhere; safe to start again.
 * - CommitError: every provider's commit failed — the data is parked on the providers but nothing
 *   is on chain; safe to retry the commit.
 * - UploadHalted: the upload cannot go on for now (a payment failed, the chain or the wallet is
 *   unavailable); everything done so far is journaled and a resume continues from there.
 * Anything less than these is not an error: the upload returns its copies and its failures.
 */
import type { ErrorCode } from '../../../shared/api/errors';
import type { UploadStage } from '../../../shared/api/upload';

export interface CopyFailure {
  providerId: number;
  role: 'primary' | 'secondary';
  stage: UploadStage;
  error: string;
}

export class StoreError extends Error {
  override name = 'StoreError';
  readonly code = 'STORE_FAILED' as const;
  constructor(
    message: string,
    readonly providerId: number,
    readonly stage: UploadStage,
  ) {
    super(message);
  }
}

export class CommitError extends Error {
  override name = 'CommitError';
  readonly code = 'COMMIT_FAILED' as const;
  constructor(
    message: string,
    readonly failures: CopyFailure[],
  ) {
    super(message);
  }
}

export class UploadHalted extends Error {
  override name = 'UploadHalted';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly stage: UploadStage | null = null,
  ) {
    super(message);
  }
}

/** A copy's own failure: recorded in `failures`, and the copy replaced when it may be. */
export class CopyFailed extends Error {
  override name = 'CopyFailed';
  constructor(
    readonly stage: UploadStage,
    message: string,
  ) {
    super(message);
  }
}

/** The message of anything thrown, for an error a person reads. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
