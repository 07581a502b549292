/**
 * Sealing a note to a recipient and recognising one's own notes (trial decryption).
 *
 * Sending (`encryptNote`), with rng draws in this order: seed (32), detection randomness (32),
 * viewing randomness (32), nonce (12):
 *   1. commitment = SHA-256("coffer/note/v1/commitment\0" ‖ SHA-256("coffer/address/v1\0" ‖
 *      version ‖ detection key ‖ viewing key) ‖ value u64 BE ‖ seed ‖
 *      SHA-256("coffer/note/v1/memo\0" ‖ memo)).
 *   2. (ctD, ssD) = ML-KEM.Encaps(detection key); tag = the first TAG_BITS bits of
 *      SHA-256("coffer/note/v1/tag\0" ‖ ssD).
 *   3. (ctV, ssV) = ML-KEM.Encaps(viewing key);
 *      key = HKDF-SHA256(ikm = ssV, salt = "coffer/note/v1/aead-key", info = commitment);
 *      sealed = ChaCha20-Poly1305(key, nonce, plaintext, aad = the encoded compact part).
 *
 * Why this shape:
 * - The tag depends on the detection secret only, so detection can be delegated (a holder of the
 *   detection key finds candidate notes) without revealing amounts or memos. 12 bits keep a
 *   stranger's note a false hit with probability 2^-12 while fitting in 2 bytes.
 * - The AEAD key depends on the viewing secret only, so a viewing key alone reads amounts.
 *   Binding it to the commitment (HKDF info) and the whole compact part (AAD) means a payload
 *   cannot be spliced onto another note's compact part and still open.
 * - ChaCha20-Poly1305 with a 12-byte nonce: each key is used for exactly one message (a fresh
 *   KEM secret per note), so nonce reuse cannot happen; the nonce stays random for defence in
 *   depth. The IETF construction also lets tests check vectors against an independent
 *   implementation (OpenSSL through node:crypto).
 * - ML-KEM decapsulation never fails (implicit rejection returns a pseudo-random secret), so a
 *   note is ours only when the tag matches AND the AEAD opens AND the commitment recomputes with
 *   our own address.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { addressBytes, type RecipientKeys } from './address';
import {
  encodeCompact,
  MAX_NOTE_VALUE,
  MEMO_MAX_BYTES,
  NONCE_BYTES,
  NOTE_SEED_BYTES,
  PLAINTEXT_BYTES,
  TAG_BITS,
  type CompactNote,
  type Note,
  type NotePayload,
} from './format';
import type { Decapsulator, Kem, KemKeyPair } from './kem';

const domain = (name: string) => utf8ToBytes(`coffer/${name}\0`);
const TAG_DOMAIN = domain('note/v1/tag');
const COMMITMENT_DOMAIN = domain('note/v1/commitment');
const MEMO_DOMAIN = domain('note/v1/memo');
const ADDRESS_DOMAIN = domain('address/v1');
const AEAD_KEY_SALT = utf8ToBytes('coffer/note/v1/aead-key');

/** A wallet's two key pairs; the public halves make its address. */
export interface NoteKeys {
  detection: KemKeyPair;
  viewing: KemKeyPair;
}

/** What a note carries, as the recipient reads it. */
export interface NoteContents {
  value: bigint;
  seed: Uint8Array;
  memo: Uint8Array;
}

export interface ReceivedNote extends NoteContents {
  commitment: Uint8Array;
}

/** Why a note whose tag matched is still not ours; counted by the sync engine. */
export type RejectReason = 'aead' | 'plaintext' | 'commitment';
export type OpenResult = { ok: true; note: ReceivedNote } | { ok: false; reason: RejectReason };

export type Rng = (length: number) => Uint8Array;

export function tagOf(detectionSecret: Uint8Array): number {
  const digest = sha256(concatBytes(TAG_DOMAIN, detectionSecret));
  return ((digest[0]! << 8) | digest[1]!) >> (16 - TAG_BITS);
}

export const addressDigest = (keys: RecipientKeys): Uint8Array =>
  sha256(concatBytes(ADDRESS_DOMAIN, addressBytes(keys)));

export function commitmentOf(recipientDigest: Uint8Array, contents: NoteContents): Uint8Array {
  const value = new Uint8Array(8);
  new DataView(value.buffer).setBigUint64(0, contents.value);
  return sha256(
    concatBytes(
      COMMITMENT_DOMAIN,
      recipientDigest,
      value,
      contents.seed,
      sha256(concatBytes(MEMO_DOMAIN, contents.memo)),
    ),
  );
}

const aeadKey = (viewingSecret: Uint8Array, commitment: Uint8Array) =>
  hkdf(sha256, viewingSecret, AEAD_KEY_SALT, commitment, 32);

function encodePlaintext(contents: NoteContents): Uint8Array {
  const out = new Uint8Array(PLAINTEXT_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, contents.value);
  out.set(contents.seed, 8);
  view.setUint16(8 + NOTE_SEED_BYTES, contents.memo.length);
  out.set(contents.memo, 8 + NOTE_SEED_BYTES + 2);
  return out;
}

/** The plaintext's fields, or null when it breaks the layout (memo too long, padding not zero). */
function decodePlaintext(plaintext: Uint8Array): NoteContents | null {
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const memoStart = 8 + NOTE_SEED_BYTES + 2;
  const memoLength = view.getUint16(8 + NOTE_SEED_BYTES);
  if (memoLength > MEMO_MAX_BYTES) return null;
  if (plaintext.subarray(memoStart + memoLength).some((byte) => byte !== 0)) return null;
  return {
    value: view.getBigUint64(0),
    seed: plaintext.slice(8, 8 + NOTE_SEED_BYTES),
    memo: plaintext.slice(memoStart, memoStart + memoLength),
  };
}

/** A recipient whose keys were checked and hashed once, for a sender of many notes to it. */
export interface PreparedRecipient extends RecipientKeys {
  readonly digest: Uint8Array;
}

export const preparedRecipient = (keys: RecipientKeys): PreparedRecipient => ({
  detectionPublicKey: keys.detectionPublicKey,
  viewingPublicKey: keys.viewingPublicKey,
  digest: addressDigest(keys),
});

export interface NoteToSend {
  recipient: RecipientKeys | PreparedRecipient;
  value: bigint;
  memo?: Uint8Array;
}

export function encryptNote(input: NoteToSend, kem: Kem, rng: Rng = randomBytes): Note {
  const memo = input.memo ?? new Uint8Array(0);
  if (typeof input.value !== 'bigint' || input.value < 0n || input.value > MAX_NOTE_VALUE)
    throw new RangeError(`note value must be a bigint in [0, 2^64 - 1], got ${String(input.value)}`);
  if (!(memo instanceof Uint8Array) || memo.length > MEMO_MAX_BYTES)
    throw new RangeError(`note memo must be at most ${MEMO_MAX_BYTES} bytes, got ${memo.length}`);
  const contents: NoteContents = { value: input.value, seed: rng(NOTE_SEED_BYTES), memo };
  const digest = 'digest' in input.recipient ? input.recipient.digest : addressDigest(input.recipient);
  const commitment = commitmentOf(digest, contents);
  const detection = kem.encapsulate(input.recipient.detectionPublicKey, rng(32));
  const compact: CompactNote = {
    commitment,
    detectionCipherText: detection.cipherText,
    tag: tagOf(detection.sharedSecret),
  };
  const viewing = kem.encapsulate(input.recipient.viewingPublicKey, rng(32));
  const nonce = rng(NONCE_BYTES);
  const cipher = chacha20poly1305(aeadKey(viewing.sharedSecret, commitment), nonce, encodeCompact(compact));
  const payload: NotePayload = {
    viewingCipherText: viewing.cipherText,
    nonce,
    sealed: cipher.encrypt(encodePlaintext(contents)),
  };
  detection.sharedSecret.fill(0);
  viewing.sharedSecret.fill(0);
  return { compact, payload };
}

function tagMatchesWith(detection: Decapsulator, compact: CompactNote): boolean {
  const secret = detection.decapsulate(compact.detectionCipherText);
  const match = tagOf(secret) === compact.tag;
  secret.fill(0);
  return match;
}

/**
 * A wallet's trial decryptor: holds its secret keys (bound once in the KEM backend) and its
 * address digest, and checks notes one by one. The sync engine keeps one per account per worker.
 */
export interface NoteReceiver {
  /** Decapsulates the detection ciphertext and compares tags: one KEM operation per note. */
  tagMatches(compact: CompactNote): boolean;
  /** For a tag hit: opens the payload and checks the commitment. */
  open(compact: CompactNote, payload: NotePayload): OpenResult;
  dispose(): void;
}

export function createNoteReceiver(keys: NoteKeys, kem: Kem): NoteReceiver {
  const digest = addressDigest({
    detectionPublicKey: keys.detection.publicKey,
    viewingPublicKey: keys.viewing.publicKey,
  });
  const detection: Decapsulator = kem.bind(keys.detection.secretKey);
  const viewing: Decapsulator = kem.bind(keys.viewing.secretKey);
  return {
    tagMatches: (compact) => tagMatchesWith(detection, compact),
    open(compact, payload) {
      const secret = viewing.decapsulate(payload.viewingCipherText);
      const key = aeadKey(secret, compact.commitment);
      secret.fill(0);
      let plaintext: Uint8Array;
      try {
        plaintext = chacha20poly1305(key, payload.nonce, encodeCompact(compact)).decrypt(payload.sealed);
      } catch {
        return { ok: false, reason: 'aead' };
      } finally {
        key.fill(0);
      }
      const contents = decodePlaintext(plaintext);
      plaintext.fill(0);
      if (!contents) return { ok: false, reason: 'plaintext' };
      const commitment = commitmentOf(digest, contents);
      if (!commitment.every((byte, i) => byte === compact.commitment[i]))
        return { ok: false, reason: 'commitment' };
      return { ok: true, note: { ...contents, commitment } };
    },
    dispose() {
      detection.dispose();
      viewing.dispose();
    },
  };
}

/** One-off form of `tagMatches` (binds the key for this call only; use a receiver for many notes). */
export function trialDecryptCompact(compact: CompactNote, detectionSecretKey: Uint8Array, kem: Kem): boolean {
  const detection = kem.bind(detectionSecretKey);
  try {
    return tagMatchesWith(detection, compact);
  } finally {
    detection.dispose();
  }
}

/** One-off form of `open`: the note's contents when it is ours, null when it is not. */
export function openPayload(
  payload: NotePayload,
  compact: CompactNote,
  keys: NoteKeys,
  kem: Kem,
): NoteContents | null {
  const receiver = createNoteReceiver(keys, kem);
  try {
    const result = receiver.open(compact, payload);
    return result.ok ? { value: result.note.value, seed: result.note.seed, memo: result.note.memo } : null;
  } finally {
    receiver.dispose();
  }
}
