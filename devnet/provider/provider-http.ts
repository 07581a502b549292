/**
 * HTTP plumbing of the provider node: errors answered in the wire format
 * (`{ error: { code, message, details } }`), JSON bodies read with a size limit and checked
 * against their schema, the refusal of a request whose body the server will not read, and the
 * wait of a status request that asked to be answered when something changes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ErrorBody, ProviderErrorCode } from '../../shared/provider/wire';
import { ByteReader } from './byte-reader';

/** An error answered with its status and `{ error: { code, message, details } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProviderErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get body(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details && { details: this.details }) },
    };
  }
}

export const injected = (status: number, code: ProviderErrorCode, what: string) =>
  new HttpError(status, code, `injected fault: ${what}`);

export function sendJson(res: ServerResponse, status: number, value: unknown): number {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
  return body.length;
}

/** Reads and parses a JSON body of at most `limit` bytes against `schema` (400/413 otherwise). */
export async function readJson<T extends z.ZodType>(
  body: AsyncIterable<Uint8Array>,
  req: IncomingMessage,
  schema: T,
  limit: number,
  what: string,
): Promise<z.output<T>> {
  const tooLarge = () => new HttpError(413, 'BODY_TOO_LARGE', `${what}: the body exceeds ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  const reader = new ByteReader(body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of reader.take(limit)) chunks.push(chunk);
  if (!(await reader.atEnd())) throw tooLarge();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', `${what}: the body is not valid JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'BAD_REQUEST', `${what}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** zod issues as one readable line: `pieces.2.cid: "x" is not a CIDv1 …; payer: expected …`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`)
    .join('; ');
}

/**
 * After refusing a request whose body was not read: a small body is drained so the connection
 * stays usable; a large (or unbounded) one is cut off by closing the connection once the answer
 * has gone out, rather than reading bytes that will be thrown away.
 */
export function discardBody(req: IncomingMessage, res: ServerResponse, drainLimit: number): void {
  if (req.readableEnded) return;
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) <= drainLimit) {
    req.resume();
    return;
  }
  res.setHeader('connection', 'close');
  res.once('finish', () => req.destroy());
}

/** Resolves when `task` settles or after `ms`, whichever comes first (never rejects). */
export async function settledWithin(task: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([task.then(noop, noop), elapsed]);
  clearTimeout(timer);
}

const noop = () => {};
