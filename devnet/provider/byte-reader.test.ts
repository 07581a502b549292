// The batch parser's reader and the retrieval range rules, on their own: ByteReader hands out
// exactly the bytes asked for however the stream is chunked, and says when it ran out; Range
// headers map to the right bytes, or 416, or (when unusable) the whole piece.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, StreamEndedError } from './byte-reader';
import { HttpError } from './provider-http';
import { rangeToServe } from './retrieval';

async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const cut of [...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
}

describe('ByteReader', () => {
  it('splits a stream into the requested lengths, whatever its chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(300)),
        fc.array(fc.nat(60), { maxLength: 10 }),
        async (bytes, cuts, lengths) => {
          const reader = new ByteReader(chunked(bytes, cuts));
          let at = 0;
          for (const length of lengths) {
            const parts: Uint8Array[] = [];
            for await (const part of reader.take(length)) parts.push(part);
            const got = Buffer.concat(parts);
            expect(got).toEqual(Buffer.from(bytes.subarray(at, at + length)));
            at = Math.min(bytes.length, at + length);
            expect(reader.bytesRead).toBe(at);
          }
          expect(await reader.atEnd()).toBe(at === bytes.length);
        },
      ),
    );
  });

  it('readExact throws when the stream ends first', async () => {
    const reader = new ByteReader(chunked(new Uint8Array(5), [2]));
    await expect(reader.readExact(4)).resolves.toHaveLength(4);
    await expect(reader.readExact(4)).rejects.toThrow(StreamEndedError);
  });
});

describe('rangeToServe', () => {
  const range = (header: string | undefined, size = 100) => rangeToServe(header, size);
  it('serves the whole piece without a usable Range', () => {
    for (const header of [undefined, 'bytes=-', 'items=0-3', 'bytes=0-1,5-6', 'bytes=a-b'])
      expect(range(header)).toEqual({ range: { start: 0, end: 99 }, partial: false });
  });
  it('serves a, a-b, and suffix ranges, clamped to the piece', () => {
    expect(range('bytes=10-19')).toEqual({ range: { start: 10, end: 19 }, partial: true });
    expect(range('bytes=90-')).toEqual({ range: { start: 90, end: 99 }, partial: true });
    expect(range('bytes=90-500')).toEqual({ range: { start: 90, end: 99 }, partial: true });
    expect(range('bytes=-5')).toEqual({ range: { start: 95, end: 99 }, partial: true });
    expect(range('bytes=-500')).toEqual({ range: { start: 0, end: 99 }, partial: true });
  });
  it('refuses ranges outside the piece with 416', () => {
    for (const header of ['bytes=100-', 'bytes=20-10', 'bytes=-0']) {
      const error = (() => {
        try {
          range(header);
        } catch (caught) {
          return caught;
        }
      })();
      expect(error, header).toBeInstanceOf(HttpError);
      expect((error as HttpError).status).toBe(416);
    }
    expect(() => range('bytes=0-', 0)).toThrow(/outside/);
  });
});
