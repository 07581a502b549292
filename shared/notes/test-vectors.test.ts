// The codec against its fixed vectors (test-vectors.json), byte for byte. The same vectors are
// re-derived with liboqs and OpenSSL in electron/core/crypto/note-vectors-independent.test.ts.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { decodeAddress, encodeAddress } from './address';
import { decodeNote, encodeNote } from './format';
import { nobleKem } from './noble-kem';
import { createNoteReceiver, encryptNote } from './note-crypto';
import { testVectors, vectorRng } from './test-vectors';

describe('note test vectors', () => {
  it('has vectors to check', () => {
    expect(testVectors.length).toBeGreaterThanOrEqual(3);
  });

  for (const vector of testVectors) {
    it(`reproduces "${vector.name}" byte for byte and reads it back`, () => {
      const detection = nobleKem.keygen(hexToBytes(vector.detectionSeed));
      const viewing = nobleKem.keygen(hexToBytes(vector.viewingSeed));
      expect(bytesToHex(sha256(detection.publicKey))).toBe(vector.detectionPublicKeySha256);
      expect(bytesToHex(sha256(viewing.publicKey))).toBe(vector.viewingPublicKeySha256);
      const recipient = { detectionPublicKey: detection.publicKey, viewingPublicKey: viewing.publicKey };
      expect(encodeAddress(recipient)).toBe(vector.address);
      expect(decodeAddress(vector.address)).toEqual(recipient);

      const note = encryptNote(
        { recipient, value: BigInt(vector.value), memo: hexToBytes(vector.memo) },
        nobleKem,
        vectorRng(vector.rng),
      );
      expect(bytesToHex(encodeNote(note))).toBe(vector.note);
      expect(bytesToHex(note.compact.commitment)).toBe(vector.commitment);
      expect(note.compact.tag).toBe(vector.tag);

      const receiver = createNoteReceiver({ detection, viewing }, nobleKem);
      const wire = decodeNote(hexToBytes(vector.note));
      expect(receiver.tagMatches(wire.compact)).toBe(true);
      const opened = receiver.open(wire.compact, wire.payload);
      receiver.dispose();
      expect(opened.ok && opened.note.value.toString()).toBe(vector.value);
      expect(opened.ok && bytesToHex(opened.note.memo)).toBe(vector.memo);
    });
  }
});
