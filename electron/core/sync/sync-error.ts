/**
 * The sync engine's one error type. It carries what a person needs to act on a failure — the HTTP
 * status and the URL that failed, or what was wrong with a response — and it crosses the worker
 * boundary as plain data (`SyncErrorInfo`), since thrown errors lose their fields over
 * postMessage.
 *
 *   http       the note server answered with an error status (after retries, when transient)
 *   network    the connection failed, was reset or timed out (after retries)
 *   malformed  a response that does not follow the wire format: truncated, trailing or garbage
 *              bytes, a wrong range; never retried, since retrying would only hide a broken server
 *   config     a setting out of range (e.g. a request budget above the hard cap)
 *   worker     a worker thread died or could not start
 *   cancelled  the batch was cancelled because another one failed or the sync stopped
 *
 * The kinds are part of the API contract (`SyncErrorKind`): the UI explains each in its own words.
 */
import type { SyncErrorKind } from '../../../shared/api/sync';

export interface SyncErrorInfo {
  kind: SyncErrorKind;
  message: string;
  status?: number;
  url?: string;
}

export class SyncError extends Error {
  override readonly name = 'SyncError';
  readonly kind: SyncErrorKind;
  readonly status?: number;
  readonly url?: string;

  constructor(info: SyncErrorInfo) {
    super(info.message);
    this.kind = info.kind;
    if (info.status !== undefined) this.status = info.status;
    if (info.url !== undefined) this.url = info.url;
  }

  toInfo(): SyncErrorInfo {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.status !== undefined && { status: this.status }),
      ...(this.url !== undefined && { url: this.url }),
    };
  }
}

/** Any thrown value as a SyncError, keeping a SyncError as it is. */
export function asSyncError(error: unknown, kind: SyncErrorKind = 'worker'): SyncError {
  if (error instanceof SyncError) return error;
  return new SyncError({ kind, message: error instanceof Error ? error.message : String(error) });
}
