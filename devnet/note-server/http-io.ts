/**
 * Small HTTP helpers for the note server: JSON and binary responses that the request counters
 * see, JSON errors in the wire format, and request bodies read with a size limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NoteServerErrorBody, NoteServerErrorCode } from '../../shared/notes/wire';
import type { RequestStats } from './request-stats';

/** An error the handler answers with `{ error: { code, message } }` and `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: NoteServerErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function send(
  res: ServerResponse,
  stats: RequestStats,
  status: number,
  body: Uint8Array | string,
  headers: Record<string, string | number>,
): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...headers, 'content-length': bytes.length });
  res.end(bytes);
  stats.response(status, bytes.length);
}

export function sendJson(res: ServerResponse, stats: RequestStats, status: number, value: unknown): void {
  send(res, stats, status, JSON.stringify(value), { 'content-type': 'application/json' });
}

export function sendError(res: ServerResponse, stats: RequestStats, error: HttpError): void {
  const body: NoteServerErrorBody = { error: { code: error.code, message: error.message } };
  if (error.status === 413) res.setHeader('connection', 'close');
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendJson(res, stats, error.status, body);
}

/** Reads the whole body, refusing (413) anything longer than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new HttpError(413, 'body_too_large', `request body exceeds ${limit} bytes`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

export function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
