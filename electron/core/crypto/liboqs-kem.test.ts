import { rngChacha20 } from '@noble/ciphers/chacha.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeNote, encodeNote, type Note } from '../../../shared/notes/format';
import type { Kem, KemKeyPair } from '../../../shared/notes/kem';
import { nobleKem } from '../../../shared/notes/noble-kem';
import { createNoteReceiver, encryptNote, type NoteKeys } from '../../../shared/notes/note-crypto';
import { loadLiboqsKem } from './liboqs-kem';

const FC_SEED = 8675309;
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const hex = (value: Uint8Array) => Buffer.from(value).toString('hex');

describe('liboqs ML-KEM-768 backend', () => {
  let liboqs: Kem;
  beforeAll(async () => {
    liboqs = await loadLiboqsKem();
  });

  it('is loaded once per thread', async () => {
    expect(await loadLiboqsKem()).toBe(liboqs);
    expect(liboqs.name).toBe('liboqs');
  });

  it('matches noble on fixed inputs: keygen, encapsulation, decapsulation', () => {
    for (const fill of [0x00, 0xff, 0x5a]) {
      const seed = new Uint8Array(64).fill(fill);
      const randomness = new Uint8Array(32).fill(fill ^ 0x0f);
      const ours = liboqs.keygen(seed);
      const reference = nobleKem.keygen(seed);
      expect(hex(ours.publicKey)).toBe(hex(reference.publicKey));
      expect(hex(ours.secretKey)).toBe(hex(reference.secretKey));
      const a = liboqs.encapsulate(ours.publicKey, randomness);
      const b = nobleKem.encapsulate(reference.publicKey, randomness);
      expect(hex(a.cipherText)).toBe(hex(b.cipherText));
      expect(hex(a.sharedSecret)).toBe(hex(b.sharedSecret));
      expect(hex(liboqs.decapsulate(a.cipherText, ours.secretKey))).toBe(hex(b.sharedSecret));
    }
  });

  it('property: matches noble on random keys, randomness and ciphertexts (implicit rejection included)', () => {
    let runs = 0;
    fc.assert(
      fc.property(bytes(64), bytes(32), bytes(1088), (seed, randomness, junk) => {
        runs++;
        const ours = liboqs.keygen(seed);
        const reference = nobleKem.keygen(seed);
        const a = liboqs.encapsulate(ours.publicKey, randomness);
        const b = nobleKem.encapsulate(reference.publicKey, randomness);
        const bound = liboqs.bind(ours.secretKey);
        const nobleBound = nobleKem.bind(reference.secretKey);
        try {
          return (
            hex(ours.secretKey) === hex(reference.secretKey) &&
            hex(a.cipherText) === hex(b.cipherText) &&
            hex(a.sharedSecret) === hex(b.sharedSecret) &&
            hex(bound.decapsulate(b.cipherText)) === hex(b.sharedSecret) &&
            // A ciphertext nobody made: both must derive the same implicit-rejection secret.
            hex(bound.decapsulate(junk)) === hex(nobleKem.decapsulate(junk, reference.secretKey)) &&
            hex(nobleBound.decapsulate(junk)) === hex(liboqs.decapsulate(junk, ours.secretKey))
          );
        } finally {
          bound.dispose();
          nobleBound.dispose();
        }
      }),
      { seed: FC_SEED, numRuns: 150 },
    );
    console.log(`liboqs = noble property: ${runs} runs (fast-check seed ${FC_SEED})`);
    expect(runs).toBe(150);
  });

  it('draws fresh randomness when none is given', () => {
    const { publicKey } = liboqs.keygen(new Uint8Array(64).fill(1));
    expect(hex(liboqs.encapsulate(publicKey).cipherText)).not.toBe(
      hex(liboqs.encapsulate(publicKey).cipherText),
    );
  });

  it('refuses bad input as noble does, and a decapsulator after dispose', () => {
    const { secretKey, publicKey } = liboqs.keygen(new Uint8Array(64).fill(2));
    for (const kem of [liboqs, nobleKem]) {
      expect(() => kem.keygen(new Uint8Array(63))).toThrow(
        'ML-KEM-768 keygen seed: expected 64 bytes, got 63',
      );
      expect(() => kem.encapsulate(publicKey.subarray(1))).toThrow(
        'public key: expected 1184 bytes, got 1183',
      );
      expect(() => kem.encapsulate(new Uint8Array(1184).fill(0xff))).toThrow(
        /public key is invalid: coefficient 0/,
      );
      expect(() => kem.encapsulate(publicKey, new Uint8Array(31))).toThrow(
        'randomness: expected 32 bytes, got 31',
      );
      expect(() => kem.decapsulate(new Uint8Array(1087), secretKey)).toThrow(
        'ciphertext: expected 1088 bytes',
      );
      expect(() => kem.bind(secretKey.subarray(0, 10))).toThrow('secret key: expected 2400 bytes, got 10');
      const bound = kem.bind(secretKey);
      bound.dispose();
      expect(() => bound.decapsulate(new Uint8Array(1088))).toThrow(/after dispose/);
    }
  });

  it('gives the same trial-decryption results as noble on a mixed log, and both equal the oracle', () => {
    const keysOf = (pairs: [KemKeyPair, KemKeyPair]): NoteKeys => ({
      detection: pairs[0],
      viewing: pairs[1],
    });
    const wallet = keysOf([
      liboqs.keygen(new Uint8Array(64).fill(7)),
      liboqs.keygen(new Uint8Array(64).fill(8)),
    ]);
    const strangers = [1, 2, 3].map((n) =>
      keysOf([
        liboqs.keygen(new Uint8Array(64).fill(20 + n)),
        liboqs.keygen(new Uint8Array(64).fill(40 + n)),
      ]),
    );
    const prg = rngChacha20(new Uint8Array(32).fill(9));
    const rng = (length: number) => prg.randomBytes(length);
    const oracle: boolean[] = [];
    const log: Note[] = [];
    for (let i = 0; i < 240; i++) {
      const ours = i % 8 === 3;
      const to = ours ? wallet : strangers[i % 3]!;
      const recipient = {
        detectionPublicKey: to.detection.publicKey,
        viewingPublicKey: to.viewing.publicKey,
      };
      // Senders use both backends; the receiver must not care.
      const sender = i % 2 ? liboqs : nobleKem;
      log.push(
        decodeNote(
          encodeNote(encryptNote({ recipient, value: BigInt(i), memo: Uint8Array.of(i) }, sender, rng)),
        ),
      );
      oracle.push(ours);
    }
    const scan = (kem: Kem) => {
      const receiver = createNoteReceiver(wallet, kem);
      const results = log.map((note) => {
        if (!receiver.tagMatches(note.compact)) return 'miss';
        const opened = receiver.open(note.compact, note.payload);
        return opened.ok ? `ours:${opened.note.value}` : `rejected:${opened.reason}`;
      });
      receiver.dispose();
      return results;
    };
    const withLiboqs = scan(liboqs);
    expect(scan(nobleKem)).toEqual(withLiboqs);
    expect(withLiboqs.map((result) => result.startsWith('ours:'))).toEqual(oracle);
    expect(withLiboqs.filter((r) => r.startsWith('ours:'))).toEqual(
      oracle.flatMap((ours, i) => (ours ? [`ours:${i}`] : [])),
    );
  });

  it('finds a real tag collision with a stranger’s note, which the AEAD then rejects', () => {
    const wallet: NoteKeys = {
      detection: liboqs.keygen(new Uint8Array(64).fill(11)),
      viewing: liboqs.keygen(new Uint8Array(64).fill(12)),
    };
    const stranger = {
      detectionPublicKey: liboqs.keygen(new Uint8Array(64).fill(13)).publicKey,
      viewingPublicKey: liboqs.keygen(new Uint8Array(64).fill(14)).publicKey,
    };
    const prg = rngChacha20(new Uint8Array(32).fill(15));
    const receiver = createNoteReceiver(wallet, liboqs);
    let attempts = 0;
    let collision: Note | undefined;
    // 2^-12 per note: 40,000 attempts miss a collision with probability e^-9.8.
    while (!collision && attempts < 40_000) {
      attempts++;
      const note = encryptNote({ recipient: stranger, value: 1n }, liboqs, (n) => prg.randomBytes(n));
      if (receiver.tagMatches(note.compact)) collision = note;
    }
    console.log(`tag collision after ${attempts} stranger notes`);
    expect(collision).toBeDefined();
    expect(receiver.open(collision!.compact, collision!.payload)).toEqual({ ok: false, reason: 'aead' });
    const nobleReceiver = createNoteReceiver(wallet, nobleKem);
    expect(nobleReceiver.tagMatches(collision!.compact)).toBe(true);
    expect(nobleReceiver.open(collision!.compact, collision!.payload)).toEqual({ ok: false, reason: 'aead' });
    receiver.dispose();
    nobleReceiver.dispose();
  });
});
