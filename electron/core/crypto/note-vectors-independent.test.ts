// An independent oracle for the note format: rebuilds every fixed test vector from the
// specification in shared/notes/note-crypto.ts with other implementations — ML-KEM from liboqs,
// SHA-256, HKDF and ChaCha20-Poly1305 from OpenSSL (node:crypto), the layout written out by hand
// — and checks the committed bytes. The codec (noble) reproduces the same vectors in
// shared/notes/test-vectors.test.ts, so the two implementations agree through them.
import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Kem } from '../../../shared/notes/kem';
import { testVectors } from '../../../shared/notes/test-vectors';
import { loadLiboqsKem } from './liboqs-kem';

const hex = (text: string) => Buffer.from(text, 'hex');
const sha = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const label = (text: string) => Buffer.from(`coffer/${text}\0`);
const u64 = (value: bigint) => {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(value);
  return out;
};

function chachaSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  cipher.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function chachaOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  decipher.setAAD(aad, { plaintextLength: sealed.length - 16 });
  decipher.setAuthTag(sealed.subarray(-16));
  return Buffer.concat([decipher.update(sealed.subarray(0, -16)), decipher.final()]);
}

describe('note test vectors, re-derived with liboqs and OpenSSL', () => {
  let liboqs: Kem;
  beforeAll(async () => {
    liboqs = await loadLiboqsKem();
  });

  for (const vector of testVectors) {
    it(`rebuilds "${vector.name}" from the specification`, () => {
      const detection = liboqs.keygen(hex(vector.detectionSeed));
      const viewing = liboqs.keygen(hex(vector.viewingSeed));
      expect(sha(detection.publicKey).toString('hex')).toBe(vector.detectionPublicKeySha256);
      expect(sha(viewing.publicKey).toString('hex')).toBe(vector.viewingPublicKeySha256);

      const rng = hex(vector.rng);
      const [seed, detectionRandomness, viewingRandomness, nonce] = [
        rng.subarray(0, 32),
        rng.subarray(32, 64),
        rng.subarray(64, 96),
        rng.subarray(96, 108),
      ];
      const value = BigInt(vector.value);
      const memo = hex(vector.memo);

      const addressBytes = Buffer.concat([Buffer.of(1), detection.publicKey, viewing.publicKey]);
      const commitment = sha(
        label('note/v1/commitment'),
        sha(label('address/v1'), addressBytes),
        u64(value),
        seed!,
        sha(label('note/v1/memo'), memo),
      );
      const detectionEncaps = liboqs.encapsulate(detection.publicKey, detectionRandomness);
      const tagHash = sha(label('note/v1/tag'), detectionEncaps.sharedSecret);
      const tag = tagHash.readUInt16BE(0) >> 4;
      const compact = Buffer.concat([
        Buffer.of(1),
        commitment,
        detectionEncaps.cipherText,
        Buffer.of(tag >> 8, tag & 0xff),
      ]);

      const viewingEncaps = liboqs.encapsulate(viewing.publicKey, viewingRandomness);
      const key = Buffer.from(
        hkdfSync('sha256', viewingEncaps.sharedSecret, 'coffer/note/v1/aead-key', commitment, 32),
      );
      const plaintext = Buffer.alloc(8 + 32 + 2 + 1024);
      plaintext.writeBigUInt64BE(value, 0);
      seed!.copy(plaintext, 8);
      plaintext.writeUInt16BE(memo.length, 40);
      memo.copy(plaintext, 42);
      const payload = Buffer.concat([
        Buffer.of(1),
        viewingEncaps.cipherText,
        nonce!,
        chachaSeal(key, nonce!, compact, plaintext),
      ]);

      expect(commitment.toString('hex')).toBe(vector.commitment);
      expect(tag).toBe(vector.tag);
      expect(Buffer.concat([compact, payload]).toString('hex')).toBe(vector.note);

      // And read back the committed bytes the recipient's way, with liboqs decapsulation.
      const wire = hex(vector.note);
      const wireCompact = wire.subarray(0, 1123);
      const secret = liboqs.decapsulate(wireCompact.subarray(33, 33 + 1088), detection.secretKey);
      expect(sha(label('note/v1/tag'), secret).readUInt16BE(0) >> 4).toBe(wireCompact.readUInt16BE(1121));
      const viewingSecret = liboqs.decapsulate(wire.subarray(1124, 1124 + 1088), viewing.secretKey);
      const openKey = Buffer.from(
        hkdfSync('sha256', viewingSecret, 'coffer/note/v1/aead-key', wireCompact.subarray(1, 33), 32),
      );
      const opened = chachaOpen(openKey, wire.subarray(2212, 2224), wireCompact, wire.subarray(2224));
      expect(opened.readBigUInt64BE(0)).toBe(value);
      expect(opened.subarray(42, 42 + opened.readUInt16BE(40)).toString('hex')).toBe(vector.memo);
    });

    it(`spells the address of "${vector.name}" as specified`, () => {
      const detection = liboqs.keygen(hex(vector.detectionSeed));
      const viewing = liboqs.keygen(hex(vector.viewingSeed));
      const body = Buffer.concat([Buffer.of(1), detection.publicKey, viewing.publicKey]);
      const all = Buffer.concat([body, sha(Buffer.from('coffer1'), body).subarray(0, 4)]);
      let bits = [...all].map((byte) => byte.toString(2).padStart(8, '0')).join('');
      bits = bits.padEnd(Math.ceil(bits.length / 5) * 5, '0');
      const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
      expect('coffer1' + bits.replace(/.{5}/g, (group) => alphabet[parseInt(group, 2)]!)).toBe(
        vector.address,
      );
    });
  }
});
