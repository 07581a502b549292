/**
 * Serving a piece's bytes: `Range` parsing (one `bytes=a-b`, `a-` or `-n` range; anything else
 * is served whole, as RFC 9110 allows) and the two faults that make this provider a lying source
 * for pulls and downloads — one byte flipped, or the body cut off halfway with the connection
 * dropped.
 */
import type { ServerResponse } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpError } from './provider-http';

export type ByteRange = { start: number; end: number };

/** The range to serve: the whole piece when there is no (usable) Range header. Throws 416. */
export function rangeToServe(
  header: string | undefined,
  size: number,
): { range: ByteRange; partial: boolean } {
  const whole = { range: { start: 0, end: size - 1 }, partial: false };
  const match = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return whole;
  const unsatisfiable = () =>
    new HttpError(416, 'RANGE_NOT_SATISFIABLE', `range ${header} is outside the piece's ${size} bytes`, {
      size,
    });
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { range: { start: Math.max(0, size - suffix), end: size - 1 }, partial: true };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) throw unsatisfiable();
  return { range: { start, end }, partial: true };
}

export type ServeFault = 'corrupt' | 'truncate' | undefined;

/** Flips the first byte that passes through. */
function corruptor(): Transform {
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!done && chunk.length > 0) {
        chunk = Buffer.from(chunk);
        chunk[0] = chunk[0]! ^ 0xff;
        done = true;
      }
      callback(null, chunk);
    },
  });
}

/**
 * Sends whole pieces one after another after `res`'s headers (a batch read), each with its own
 * fault; returns the bytes written. A truncated piece ends the answer there, the connection
 * dropped.
 */
export async function streamPieces(
  res: ServerResponse,
  pieces: readonly { open(): Readable; length: number; fault: ServeFault }[],
): Promise<number> {
  let written = 0;
  async function* bytes(): AsyncGenerator<Buffer> {
    for (const piece of pieces) {
      const limit = piece.fault === 'truncate' ? Math.floor(piece.length / 2) : piece.length;
      let sent = 0;
      const source = piece.open();
      const body = piece.fault === 'corrupt' ? source.pipe(corruptor()) : source;
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          const out = chunk.subarray(0, limit - sent);
          sent += out.length;
          written += out.length;
          yield out;
          if (sent >= limit) break;
        }
      } finally {
        source.destroy();
        body.destroy();
      }
      if (piece.fault === 'truncate') throw new Error('the answer was cut off (injected)');
    }
  }
  try {
    await pipeline(bytes, res);
  } catch (error) {
    if (!res.destroyed) res.destroy();
    if (!(error instanceof Error && error.message.endsWith('(injected)'))) throw error;
  }
  return written;
}

/** Sends `body` (already opened on the range) after `res`'s headers; returns the bytes written. */
export async function streamBody(
  res: ServerResponse,
  body: Readable,
  length: number,
  fault: ServeFault,
): Promise<number> {
  let written = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      written += chunk.length;
      callback(null, chunk);
    },
  });
  if (fault === 'truncate') {
    const half = Math.floor(length / 2);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const take = chunk.subarray(0, half - written);
      if (take.length > 0) {
        written += take.length;
        res.write(take);
      }
      if (written >= half) break;
    }
    body.destroy();
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    res.destroy();
    return written;
  }
  await pipeline(fault === 'corrupt' ? [body, corruptor(), count, res] : [body, count, res]);
  return written;
}
