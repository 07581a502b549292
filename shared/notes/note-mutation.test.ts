/**
 * Hostile input: real encrypted notes, mutated the ways a lying or broken note server could
 * (bit flips, truncation, extension, splices of two notes). Every mutant must be refused — by the
 * codec with a NoteFormatError, or by the receiver (AEAD, plaintext layout or commitment) — and
 * never open to a note. The receiver is asked to open every mutant that decodes, skipping the tag
 * gate, so the AEAD is what is tested, not the 1-in-4096 tag filter.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMPACT_BYTES,
  decodeNote,
  encodeNote,
  NOTE_BYTES,
  NOTE_FORMAT_VERSION,
  NoteFormatError,
  TAG_BYTES,
} from './format';
import { nobleKem } from './noble-kem';
import { createNoteReceiver, encryptNote, type NoteKeys } from './note-crypto';
import { vectorRng } from './test-vectors';

const FC_SEED = 909090;
const RUNS = 400;

const keys: NoteKeys = {
  detection: nobleKem.keygen(new Uint8Array(64).fill(11)),
  viewing: nobleKem.keygen(new Uint8Array(64).fill(12)),
};
const recipient = { detectionPublicKey: keys.detection.publicKey, viewingPublicKey: keys.viewing.publicKey };
const sealFor = (value: bigint, fill: number) =>
  encodeNote(
    encryptNote(
      { recipient, value, memo: utf8ToBytes(`note ${fill}`) },
      nobleKem,
      vectorRng(new Uint8Array(108).fill(fill)),
    ),
  );
const original = sealFor(1234n, 3);
const other = sealFor(99n, 4);
const genuine = new Set([bytesToHex(original), bytesToHex(other)]);

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; byte: number }
  | { kind: 'truncate'; length: number }
  | { kind: 'extend'; extra: Uint8Array }
  | { kind: 'splice'; from: number; to: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(NOTE_BYTES - 1), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(NOTE_BYTES - 1), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), length: fc.nat(NOTE_BYTES - 1) }),
  fc.record({ kind: fc.constant('extend' as const), extra: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  // Bytes [from, to) taken from another genuine note to the same wallet.
  fc
    .tuple(fc.nat(NOTE_BYTES - 1), fc.nat(NOTE_BYTES - 1))
    .map(([a, b]) => ({ kind: 'splice' as const, from: Math.min(a, b), to: Math.max(a, b) + 1 })),
);

function apply(m: Mutation): Uint8Array {
  const bytes = original.slice();
  switch (m.kind) {
    case 'flip':
      bytes[m.at]! ^= 1 << m.bit;
      return bytes;
    case 'set':
      bytes[m.at] = m.byte;
      return bytes;
    case 'truncate':
      return bytes.subarray(0, m.length);
    case 'extend':
      return Uint8Array.from([...bytes, ...m.extra]);
    case 'splice':
      bytes.set(other.subarray(m.from, m.to), m.from);
      return bytes;
  }
}

describe('mutated notes', () => {
  it('the genuine notes open (the oracle the mutants are measured against)', () => {
    const receiver = createNoteReceiver(keys, nobleKem);
    const note = decodeNote(original);
    expect(receiver.tagMatches(note.compact)).toBe(true);
    expect(receiver.open(note.compact, note.payload)).toMatchObject({ ok: true, note: { value: 1234n } });
    receiver.dispose();
  });

  it('property: a mutant is a NoteFormatError or a refused open, never a note', () => {
    const receiver = createNoteReceiver(keys, nobleKem);
    const counts = { tried: 0, unchanged: 0, format: 0, aead: 0, plaintext: 0, commitment: 0, accepted: 0 };
    fc.assert(
      fc.property(mutation, (m) => {
        const bytes = apply(m);
        counts.tried++;
        if (genuine.has(bytesToHex(bytes))) {
          counts.unchanged++; // a set to the same value, or a splice that copied all of the other note
          return true;
        }
        let note;
        try {
          note = decodeNote(bytes);
        } catch (error) {
          if (!(error instanceof NoteFormatError)) throw error;
          counts.format++;
          return true;
        }
        const result = receiver.open(note.compact, note.payload);
        if (result.ok) {
          counts.accepted++;
          return false;
        }
        counts[result.reason]++;
        return true;
      }),
      { seed: FC_SEED, numRuns: RUNS },
    );
    receiver.dispose();
    console.log(
      `note mutations: ${counts.tried} inputs tried (seed ${FC_SEED}), ${counts.accepted} accepted wrongly; ` +
        `${counts.format} codec errors, ${counts.aead} AEAD, ${counts.plaintext} plaintext, ` +
        `${counts.commitment} commitment refusals, ${counts.unchanged} unchanged`,
    );
    expect(counts.tried).toBe(RUNS);
    expect(counts.accepted).toBe(0);
    // Both layers were exercised: the codec and the AEAD each refused a good share of the mutants.
    expect(counts.format).toBeGreaterThan(RUNS / 10);
    expect(counts.aead).toBeGreaterThan(RUNS / 10);
  });

  it('property: random bytes of a note’s length never open either', () => {
    const receiver = createNoteReceiver(keys, nobleKem);
    let tried = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: NOTE_BYTES, maxLength: NOTE_BYTES }), (bytes) => {
        tried++;
        // Right versions and a 12-bit tag, so the bytes reach the receiver instead of the codec.
        bytes[0] = NOTE_FORMAT_VERSION;
        bytes[COMPACT_BYTES] = NOTE_FORMAT_VERSION;
        bytes[COMPACT_BYTES - TAG_BYTES]! &= 0x0f;
        const note = decodeNote(bytes);
        return !receiver.open(note.compact, note.payload).ok;
      }),
      { seed: FC_SEED, numRuns: 100 },
    );
    receiver.dispose();
    console.log(`random notes: ${tried} inputs tried (seed ${FC_SEED}), 0 accepted wrongly`);
    expect(tried).toBe(100);
  });
});
