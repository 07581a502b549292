/**
 * Errors that cross the renderer/main boundary as data: a stable code, a human message and
 * optional details. Thrown errors lose everything but their message over IPC, so every transport
 * sends `Envelope` values and the client turns a failure back into a `CofferError`.
 */
import { z } from 'zod';

export const ErrorCode = z.enum([
  'INVALID_INPUT',
  'UNKNOWN_METHOD',
  'FORBIDDEN',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'LOCKED',
  'WRONG_PASSWORD',
  'NO_WALLET',
  'WALLET_EXISTS',
  'APPROVAL_REJECTED',
  'APPROVAL_EXPIRED',
  'NETWORK_OFFLINE',
  'PROVIDER_ERROR',
  'STORE_FAILED',
  'COMMIT_FAILED',
  'VERIFY_FAILED',
  'INSUFFICIENT_FUNDS',
  'CHAIN_ERROR',
  'SYNC_FAILED',
  'CANCELLED',
  'LIMIT_EXCEEDED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

export const EnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: ErrorBody }),
]);

export class CofferError extends Error {
  override readonly name = 'CofferError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}

/** Turns whatever was thrown into an error body; unknown errors become INTERNAL without leaking stacks. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof CofferError) return error.toBody();
  if (isErrorBody(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message };
}

function isErrorBody(value: unknown): value is ErrorBody {
  return ErrorBody.safeParse(value).success;
}

/** Client side: an envelope's value, or a thrown CofferError carrying the remote code. */
export function unwrapEnvelope<T>(raw: unknown): T {
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) throw new CofferError('INTERNAL', 'Malformed response from the Coffer core');
  if (parsed.data.ok) return parsed.data.value as T;
  const { code, message, details } = parsed.data.error;
  throw new CofferError(code, message, details);
}

/** Describes a schema failure by naming the first bad field, e.g. `copies: Too big: expected number to be <=8`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
}
