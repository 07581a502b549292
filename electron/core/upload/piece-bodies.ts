/**
 * The bytes of a piece, read from its file range when a request asks for them and not before:
 * a wave's pieces are streamed from disk one after another, never buffered whole, and each byte
 * handed to a request is counted (what the client sent).
 */
import { createReadStream } from 'node:fs';
import type { UploadPlan } from './upload-plan';

const READ_BUFFER_BYTES = 256 * 1024;

/** A lazily opened stream of piece `index`'s bytes; `onBytes` sees each block as it goes out. */
export function pieceBody(
  plan: UploadPlan,
  index: number,
  onBytes: (count: number) => void,
): AsyncIterable<Uint8Array> {
  const piece = plan.pieces[index]!;
  return {
    async *[Symbol.asyncIterator]() {
      if (piece.source.kind === 'root') {
        onBytes(plan.root.bytes.length);
        yield plan.root.bytes;
        return;
      }
      const file = plan.files[piece.source.fileIndex]!;
      if (piece.size === 0) return;
      const stream = createReadStream(file.path, {
        start: piece.source.offset,
        end: piece.source.offset + piece.size - 1,
        highWaterMark: Math.min(READ_BUFFER_BYTES, piece.size),
      });
      for await (const block of stream as AsyncIterable<Buffer>) {
        onBytes(block.length);
        yield block;
      }
    },
  };
}
