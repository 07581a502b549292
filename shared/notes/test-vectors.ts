/**
 * The shape of the fixed test vectors (test-vectors.json, written by generate-test-vectors.ts)
 * and the rng that replays a vector's randomness. Every byte string is lowercase hex; `rng` is
 * the exact sequence encryptNote draws (seed 32, detection 32, viewing 32, nonce 12).
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Rng } from './note-crypto';
import vectorsFile from './test-vectors.json';

export interface TestVector {
  name: string;
  detectionSeed: string;
  viewingSeed: string;
  /** Decimal (u64). */
  value: string;
  memo: string;
  rng: string;
  detectionPublicKeySha256: string;
  viewingPublicKeySha256: string;
  address: string;
  commitment: string;
  tag: number;
  note: string;
}

export const testVectors: readonly TestVector[] = vectorsFile.vectors;

/** An rng that hands out `bytes` in order and fails loudly if asked for more. */
export function vectorRng(bytes: Uint8Array | string): Rng {
  const source = typeof bytes === 'string' ? hexToBytes(bytes) : bytes;
  let offset = 0;
  return (length) => {
    if (offset + length > source.length)
      throw new Error(`vector rng exhausted: ${length} bytes asked at offset ${offset} of ${source.length}`);
    offset += length;
    return source.slice(offset - length, offset);
  };
}
