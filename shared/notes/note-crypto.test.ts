import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeNote, encodeCompact, encodeNote, MAX_NOTE_VALUE, PLAINTEXT_BYTES, type Note } from './format';
import { nobleKem } from './noble-kem';
import {
  createNoteReceiver,
  encryptNote,
  openPayload,
  trialDecryptCompact,
  type NoteKeys,
  type OpenResult,
} from './note-crypto';
import { vectorRng } from './test-vectors';

const FC_SEED = 424242;

function walletKeys(n: number): NoteKeys {
  return {
    detection: nobleKem.keygen(new Uint8Array(64).fill(n)),
    viewing: nobleKem.keygen(new Uint8Array(64).fill(n + 128)),
  };
}

const recipientOf = (keys: NoteKeys) => ({
  detectionPublicKey: keys.detection.publicKey,
  viewingPublicKey: keys.viewing.publicKey,
});

/** Deterministic randomness for note i (108 bytes: what encryptNote draws). */
const rngFor = (i: number) => vectorRng(new Uint8Array(108).map((_, j) => (i * 31 + j * 7) & 0xff));

function receive(keys: NoteKeys, note: Note): OpenResult | 'no tag match' {
  const receiver = createNoteReceiver(keys, nobleKem);
  try {
    return receiver.tagMatches(note.compact) ? receiver.open(note.compact, note.payload) : 'no tag match';
  } finally {
    receiver.dispose();
  }
}

describe('note encryption and trial decryption', () => {
  const alice = walletKeys(1);
  const bob = walletKeys(2);
  const memo = utf8ToBytes('coffee money ☕');

  it('round-trips value, seed and memo for the recipient, through the wire encoding', () => {
    const sent = encryptNote({ recipient: recipientOf(alice), value: 4200n, memo }, nobleKem, rngFor(1));
    const onWire = decodeNote(encodeNote(sent));
    const result = receive(alice, onWire);
    expect(result).toMatchObject({ ok: true, note: { value: 4200n, memo } });
    if (result === 'no tag match' || !result.ok) throw new Error('unreachable');
    expect(result.note.seed).toEqual(rngFor(1)(32));
    expect(result.note.commitment).toEqual(sent.compact.commitment);
    expect(trialDecryptCompact(onWire.compact, alice.detection.secretKey, nobleKem)).toBe(true);
    expect(openPayload(onWire.payload, onWire.compact, alice, nobleKem)).toEqual({
      value: 4200n,
      seed: result.note.seed,
      memo,
    });
  });

  it('is not ours under another wallet’s keys', () => {
    let tagHits = 0;
    for (let i = 0; i < 40; i++) {
      const note = encryptNote(
        { recipient: recipientOf(alice), value: BigInt(i), memo },
        nobleKem,
        rngFor(i),
      );
      const result = receive(bob, note);
      if (result !== 'no tag match') {
        tagHits++;
        expect(result).toEqual({ ok: false, reason: 'aead' });
      }
      expect(openPayload(note.payload, note.compact, bob, nobleKem)).toBeNull();
    }
    expect(tagHits).toBeLessThan(3); // expected 40 / 4096
  });

  it('is not ours when the tag matches but the payload was sealed for someone else', () => {
    // The effect of a tag collision: our detection key, Bob's viewing key.
    const mixed = { detectionPublicKey: alice.detection.publicKey, viewingPublicKey: bob.viewing.publicKey };
    const note = encryptNote({ recipient: mixed, value: 1n }, nobleKem, rngFor(7));
    expect(trialDecryptCompact(note.compact, alice.detection.secretKey, nobleKem)).toBe(true);
    expect(receive(alice, note)).toEqual({ ok: false, reason: 'aead' });
  });

  it('is not ours when the payload opens but the commitment is to another address', () => {
    const note = encryptNote({ recipient: recipientOf(alice), value: 9n }, nobleKem, rngFor(8));
    // Alice's secrets, but claiming Bob's public keys: the commitment cannot recompute.
    const impostor: NoteKeys = {
      detection: { publicKey: bob.detection.publicKey, secretKey: alice.detection.secretKey },
      viewing: { publicKey: bob.viewing.publicKey, secretKey: alice.viewing.secretKey },
    };
    expect(receive(impostor, note)).toEqual({ ok: false, reason: 'commitment' });
  });

  it('rejects an authenticated plaintext that breaks the layout (a malicious sender)', () => {
    const honest = encryptNote({ recipient: recipientOf(alice), value: 5n }, nobleKem, rngFor(9));
    const viewing = nobleKem.encapsulate(alice.viewing.publicKey, new Uint8Array(32).fill(3));
    const plaintext = new Uint8Array(PLAINTEXT_BYTES);
    new DataView(plaintext.buffer).setUint16(40, 2000); // memo length beyond 1 KiB
    const key = hkdf(
      sha256,
      viewing.sharedSecret,
      utf8ToBytes('coffer/note/v1/aead-key'),
      honest.compact.commitment,
      32,
    );
    const nonce = new Uint8Array(12);
    const forged: Note = {
      compact: honest.compact,
      payload: {
        viewingCipherText: viewing.cipherText,
        nonce,
        sealed: chacha20poly1305(key, nonce, encodeCompact(honest.compact)).encrypt(plaintext),
      },
    };
    expect(receive(alice, forged)).toEqual({ ok: false, reason: 'plaintext' });
  });

  it('detects tampering: any change to commitment, nonce or sealed bytes, or a spliced payload', () => {
    const note = encryptNote({ recipient: recipientOf(alice), value: 77n, memo }, nobleKem, rngFor(10));
    const other = encryptNote({ recipient: recipientOf(alice), value: 78n, memo }, nobleKem, rngFor(11));
    const flip = (bytes: Uint8Array, at: number) => Object.assign(bytes.slice(), { [at]: bytes[at]! ^ 1 });
    const cases: Note[] = [
      { ...note, compact: { ...note.compact, commitment: flip(note.compact.commitment, 5) } },
      { ...note, payload: { ...note.payload, nonce: flip(note.payload.nonce, 0) } },
      { ...note, payload: { ...note.payload, sealed: flip(note.payload.sealed, 100) } },
      { ...note, payload: other.payload },
    ];
    for (const tampered of cases) expect(receive(alice, tampered)).toEqual({ ok: false, reason: 'aead' });
  });

  it('refuses bad sender input with a message naming it', () => {
    const recipient = recipientOf(alice);
    expect(() => encryptNote({ recipient, value: -1n }, nobleKem)).toThrow(
      /value must be a bigint in \[0, 2\^64 - 1\]/,
    );
    expect(() => encryptNote({ recipient, value: MAX_NOTE_VALUE + 1n }, nobleKem)).toThrow(/value/);
    expect(() => encryptNote({ recipient, value: 5 as unknown as bigint }, nobleKem)).toThrow(/bigint/);
    expect(() => encryptNote({ recipient, value: 1n, memo: new Uint8Array(1025) }, nobleKem)).toThrow(
      /memo must be at most 1024 bytes, got 1025/,
    );
    expect(() =>
      encryptNote(
        { recipient: { ...recipient, viewingPublicKey: new Uint8Array(1184).fill(0xff) }, value: 1n },
        nobleKem,
      ),
    ).toThrow(/not a valid ML-KEM-768 key/);
  });

  it('property: every note to us opens to what was sent; the same note never opens for Bob', () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_NOTE_VALUE }),
        fc.uint8Array({ maxLength: 1024 }),
        fc.uint8Array({ minLength: 108, maxLength: 108 }),
        (value, memo, randomness) => {
          runs++;
          const note = decodeNote(
            encodeNote(
              encryptNote({ recipient: recipientOf(alice), value, memo }, nobleKem, vectorRng(randomness)),
            ),
          );
          const mine = receive(alice, note);
          const theirs = receive(bob, note);
          return (
            mine !== 'no tag match' &&
            mine.ok &&
            mine.note.value === value &&
            mine.note.memo.join() === memo.join() &&
            (theirs === 'no tag match' || !theirs.ok)
          );
        },
      ),
      { seed: FC_SEED, numRuns: 60 },
    );
    console.log(`note round-trip property: ${runs} runs (fast-check seed ${FC_SEED})`);
    expect(runs).toBe(60);
  });
});
