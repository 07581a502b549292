import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMPACT_BYTES,
  decodeCompact,
  decodeCompactRecords,
  decodeNote,
  decodeNoteRecords,
  decodePayload,
  decodePayloadRecords,
  encodeCompact,
  encodeNote,
  encodePayload,
  KEM_CIPHERTEXT_BYTES,
  NOTE_BYTES,
  NoteFormatError,
  PAYLOAD_BYTES,
  SEALED_BYTES,
} from './format';

const FC_SEED = 20260510;

function sampleNoteBytes(fill: number): Uint8Array {
  return encodeNote({
    compact: {
      commitment: new Uint8Array(32).fill(fill),
      detectionCipherText: new Uint8Array(KEM_CIPHERTEXT_BYTES).fill(fill + 1),
      tag: 0xabc,
    },
    payload: {
      viewingCipherText: new Uint8Array(KEM_CIPHERTEXT_BYTES).fill(fill + 2),
      nonce: new Uint8Array(12).fill(fill + 3),
      sealed: new Uint8Array(SEALED_BYTES).fill(fill + 4),
    },
  });
}

function expectFormatError(run: () => unknown, message: RegExp, index?: number): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NoteFormatError);
    expect((error as NoteFormatError).message).toMatch(message);
    expect((error as NoteFormatError).index).toBe(index);
    return;
  }
  throw new Error(`expected a NoteFormatError matching ${message}`);
}

describe('note format', () => {
  it('has the documented sizes', () => {
    expect([COMPACT_BYTES, PAYLOAD_BYTES, NOTE_BYTES]).toEqual([1123, 2183, 3306]);
  });

  it('lays the fields out where the format says, and decodes them back', () => {
    const bytes = sampleNoteBytes(10);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 33).every((b) => b === 10)).toBe(true);
    expect([bytes[COMPACT_BYTES - 2], bytes[COMPACT_BYTES - 1]]).toEqual([0x0a, 0xbc]);
    expect(bytes[COMPACT_BYTES]).toBe(1);
    const note = decodeNote(bytes);
    expect(note.compact.tag).toBe(0xabc);
    expect(note.compact.detectionCipherText.every((b) => b === 11)).toBe(true);
    expect(note.payload.nonce.every((b) => b === 13)).toBe(true);
    expect(note.payload.sealed.length).toBe(SEALED_BYTES);
    expect(encodeNote(note)).toEqual(bytes);
  });

  it('rejects short, long and non-byte input, naming the part and the lengths', () => {
    const bytes = sampleNoteBytes(1);
    expectFormatError(
      () => decodeNote(bytes.subarray(1)),
      /note: expected 3306 bytes, got 3305 \(truncated\)/,
    );
    expectFormatError(() => decodeNote(new Uint8Array(NOTE_BYTES + 1)), /got 3307 \(trailing bytes\)/);
    expectFormatError(() => decodeCompact(new Uint8Array(0)), /compact part: expected 1123 bytes, got 0/);
    expectFormatError(() => decodePayload(bytes.subarray(0, 100)), /payload: expected 2183 bytes/);
    expectFormatError(() => decodeNote('abc' as unknown as Uint8Array), /expected bytes, got string/);
  });

  it('rejects an unknown version in either part and a tag wider than 12 bits', () => {
    const badCompact = sampleNoteBytes(1);
    badCompact[0] = 2;
    expectFormatError(() => decodeNote(badCompact), /compact part: unsupported format version 2/);
    const badPayload = sampleNoteBytes(1);
    badPayload[COMPACT_BYTES] = 0;
    expectFormatError(() => decodeNote(badPayload), /payload: unsupported format version 0/);
    const badTag = sampleNoteBytes(1);
    badTag[COMPACT_BYTES - 2] = 0x10;
    expectFormatError(() => decodeNote(badTag), /tag 0x10bc has bits set above its 12 bits/);
  });

  it('refuses to encode fields of the wrong size or a tag out of range', () => {
    const { compact, payload } = decodeNote(sampleNoteBytes(1));
    expectFormatError(
      () => encodeCompact({ ...compact, tag: 4096 }),
      /tag: expected an integer in \[0, 4095\]/,
    );
    expectFormatError(() => encodeCompact({ ...compact, commitment: new Uint8Array(31) }), /commitment/);
    expectFormatError(
      () => encodePayload({ ...payload, nonce: new Uint8Array(24) }),
      /nonce: expected 12 bytes/,
    );
  });

  it('splits records, checking the total length and naming the bad record', () => {
    const notes = [sampleNoteBytes(1), sampleNoteBytes(2), sampleNoteBytes(3)];
    const compacts = concatBytes(...notes.map((n) => n.subarray(0, COMPACT_BYTES)));
    expect(decodeCompactRecords(compacts, 3).map((c) => c.commitment[0])).toEqual([1, 2, 3]);
    expectFormatError(() => decodeCompactRecords(compacts, 4), /expected 4 records of 1123 bytes/);
    expectFormatError(() => decodeCompactRecords(compacts.subarray(0, -1), 3), /got 3368 bytes/);
    compacts[2 * COMPACT_BYTES] = 7;
    expectFormatError(
      () => decodeCompactRecords(compacts, 3),
      /record 2 of 3 compact parts: compact part: unsupported format version 7/,
      2,
    );
    const payloads = concatBytes(...notes.map((n) => n.subarray(COMPACT_BYTES)));
    expect(decodePayloadRecords(payloads, 3)).toHaveLength(3);
    expect(decodeNoteRecords(concatBytes(...notes), 3)).toHaveLength(3);
  });

  it('property: any byte string either decodes and re-encodes to itself, or throws NoteFormatError', () => {
    let runs = 0;
    const valid = sampleNoteBytes(5);
    const mutated = fc
      .tuple(fc.nat(NOTE_BYTES - 1), fc.integer({ min: 0, max: 255 }))
      .map(([at, byte]) => Object.assign(valid.slice(), { [at]: byte }) as Uint8Array);
    const arbitraryBytes = fc.oneof(
      mutated,
      fc.uint8Array({ minLength: NOTE_BYTES - 2, maxLength: NOTE_BYTES + 2 }),
      fc.uint8Array({ maxLength: 64 }),
    );
    fc.assert(
      fc.property(arbitraryBytes, (bytes) => {
        runs++;
        let decoded;
        try {
          decoded = decodeNote(bytes);
        } catch (error) {
          return error instanceof NoteFormatError;
        }
        return bytesToHex(encodeNote(decoded)) === bytesToHex(bytes);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
    console.log(`format property: ${runs} runs (fast-check seed ${FC_SEED})`);
    expect(runs).toBe(500);
  });
});
