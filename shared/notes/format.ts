/**
 * The byte layout of a shielded note on the wire, and its strict decoder.
 *
 * A note has two self-describing parts, each led by the format version byte, so a part served
 * alone (the compact part of a range read, a payload of a batch read) can be checked on its own:
 *
 *   compact (1123 bytes) = version (1) ‖ commitment (32) ‖ detection ciphertext (1088) ‖ tag (2)
 *   payload (2183 bytes) = version (1) ‖ viewing ciphertext (1088) ‖ nonce (12) ‖ sealed (1082)
 *   note    (3306 bytes) = compact ‖ payload
 *
 * `sealed` is the ChaCha20-Poly1305 ciphertext (with its 16-byte tag) of
 *   value u64 BE (8) ‖ seed (32) ‖ memo length u16 BE (2) ‖ memo, zero-padded to 1024 bytes.
 * The memo is always padded to its full size, so every note has the same length and the server
 * (or anyone watching) learns nothing about a memo from its size. The price is a larger payload,
 * but payloads are fetched only for the rare notes whose tag matched.
 *
 * The tag is 12 bits (TAG_BITS) stored big-endian in 2 bytes; the 4 high bits must be zero.
 * See note-crypto.ts for how the fields are computed and checked.
 */

export const NOTE_FORMAT_VERSION = 1;

export const KEM_CIPHERTEXT_BYTES = 1088;
export const KEM_PUBLIC_KEY_BYTES = 1184;
export const KEM_SECRET_KEY_BYTES = 2400;
export const KEM_SHARED_SECRET_BYTES = 32;
export const KEM_KEYGEN_SEED_BYTES = 64;
export const KEM_ENCAPS_RANDOMNESS_BYTES = 32;

export const COMMITMENT_BYTES = 32;
export const TAG_BITS = 12;
export const TAG_BYTES = 2;
export const NOTE_SEED_BYTES = 32;
export const NONCE_BYTES = 12;
export const AEAD_TAG_BYTES = 16;
export const MEMO_MAX_BYTES = 1024;
/** value (8) ‖ seed (32) ‖ memo length (2) ‖ padded memo (1024). */
export const PLAINTEXT_BYTES = 8 + NOTE_SEED_BYTES + 2 + MEMO_MAX_BYTES;
export const SEALED_BYTES = PLAINTEXT_BYTES + AEAD_TAG_BYTES;

export const COMPACT_BYTES = 1 + COMMITMENT_BYTES + KEM_CIPHERTEXT_BYTES + TAG_BYTES;
export const PAYLOAD_BYTES = 1 + KEM_CIPHERTEXT_BYTES + NONCE_BYTES + SEALED_BYTES;
export const NOTE_BYTES = COMPACT_BYTES + PAYLOAD_BYTES;

/** Largest value a note can carry (u64). */
export const MAX_NOTE_VALUE = (1n << 64n) - 1n;

/** The public part every reader trial-decrypts. Byte fields are views into the decoded buffer. */
export interface CompactNote {
  commitment: Uint8Array;
  detectionCipherText: Uint8Array;
  /** 0 … 2^TAG_BITS − 1 */
  tag: number;
}

/** The part only a recipient can open. Byte fields are views into the decoded buffer. */
export interface NotePayload {
  viewingCipherText: Uint8Array;
  nonce: Uint8Array;
  sealed: Uint8Array;
}

export interface Note {
  compact: CompactNote;
  payload: NotePayload;
}

/** A note (or part of one) whose bytes do not follow the format above. */
export class NoteFormatError extends Error {
  override readonly name = 'NoteFormatError';
  constructor(
    message: string,
    /** Position of the offending record within a multi-record buffer, where known. */
    readonly index?: number,
  ) {
    super(message);
  }
}

function expectLength(bytes: Uint8Array, expected: number, what: string): void {
  if (!(bytes instanceof Uint8Array))
    throw new NoteFormatError(`${what}: expected bytes, got ${typeof bytes}`);
  if (bytes.length !== expected)
    throw new NoteFormatError(
      `${what}: expected ${expected} bytes, got ${bytes.length} (${bytes.length < expected ? 'truncated' : 'trailing bytes'})`,
    );
}

function expectVersion(bytes: Uint8Array, what: string): void {
  if (bytes[0] !== NOTE_FORMAT_VERSION)
    throw new NoteFormatError(
      `${what}: unsupported format version ${bytes[0]} (this build reads version ${NOTE_FORMAT_VERSION})`,
    );
}

export function decodeCompact(bytes: Uint8Array): CompactNote {
  expectLength(bytes, COMPACT_BYTES, 'compact part');
  expectVersion(bytes, 'compact part');
  const tagOffset = COMPACT_BYTES - TAG_BYTES;
  const tag = (bytes[tagOffset]! << 8) | bytes[tagOffset + 1]!;
  if (tag >> TAG_BITS !== 0)
    throw new NoteFormatError(
      `compact part: tag 0x${tag.toString(16)} has bits set above its ${TAG_BITS} bits`,
    );
  return {
    commitment: bytes.subarray(1, 1 + COMMITMENT_BYTES),
    detectionCipherText: bytes.subarray(1 + COMMITMENT_BYTES, tagOffset),
    tag,
  };
}

export function decodePayload(bytes: Uint8Array): NotePayload {
  expectLength(bytes, PAYLOAD_BYTES, 'payload');
  expectVersion(bytes, 'payload');
  const nonceOffset = 1 + KEM_CIPHERTEXT_BYTES;
  return {
    viewingCipherText: bytes.subarray(1, nonceOffset),
    nonce: bytes.subarray(nonceOffset, nonceOffset + NONCE_BYTES),
    sealed: bytes.subarray(nonceOffset + NONCE_BYTES),
  };
}

export function decodeNote(bytes: Uint8Array): Note {
  expectLength(bytes, NOTE_BYTES, 'note');
  return {
    compact: decodeCompact(bytes.subarray(0, COMPACT_BYTES)),
    payload: decodePayload(bytes.subarray(COMPACT_BYTES)),
  };
}

function expectField(bytes: Uint8Array, expected: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== expected)
    throw new NoteFormatError(`${what}: expected ${expected} bytes, got ${bytes?.length}`);
}

export function encodeCompact(compact: CompactNote): Uint8Array {
  expectField(compact.commitment, COMMITMENT_BYTES, 'commitment');
  expectField(compact.detectionCipherText, KEM_CIPHERTEXT_BYTES, 'detection ciphertext');
  if (!Number.isInteger(compact.tag) || compact.tag < 0 || compact.tag >> TAG_BITS !== 0)
    throw new NoteFormatError(`tag: expected an integer in [0, ${(1 << TAG_BITS) - 1}], got ${compact.tag}`);
  const out = new Uint8Array(COMPACT_BYTES);
  out[0] = NOTE_FORMAT_VERSION;
  out.set(compact.commitment, 1);
  out.set(compact.detectionCipherText, 1 + COMMITMENT_BYTES);
  out[COMPACT_BYTES - 2] = compact.tag >> 8;
  out[COMPACT_BYTES - 1] = compact.tag & 0xff;
  return out;
}

export function encodePayload(payload: NotePayload): Uint8Array {
  expectField(payload.viewingCipherText, KEM_CIPHERTEXT_BYTES, 'viewing ciphertext');
  expectField(payload.nonce, NONCE_BYTES, 'nonce');
  expectField(payload.sealed, SEALED_BYTES, 'sealed plaintext');
  const out = new Uint8Array(PAYLOAD_BYTES);
  out[0] = NOTE_FORMAT_VERSION;
  out.set(payload.viewingCipherText, 1);
  out.set(payload.nonce, 1 + KEM_CIPHERTEXT_BYTES);
  out.set(payload.sealed, 1 + KEM_CIPHERTEXT_BYTES + NONCE_BYTES);
  return out;
}

export function encodeNote(note: Note): Uint8Array {
  const out = new Uint8Array(NOTE_BYTES);
  out.set(encodeCompact(note.compact), 0);
  out.set(encodePayload(note.payload), COMPACT_BYTES);
  return out;
}

/**
 * Splits a buffer of `expectedCount` fixed-size records (a range of compact parts, a batch of
 * payloads or notes) into views, checking the total length first and then each record with
 * `decode`. An error names the record's position in the buffer.
 */
function decodeRecords<T>(
  bytes: Uint8Array,
  expectedCount: number,
  recordBytes: number,
  what: string,
  decode: (record: Uint8Array) => T,
): T[] {
  if (bytes.length !== expectedCount * recordBytes)
    throw new NoteFormatError(
      `${what}: expected ${expectedCount} records of ${recordBytes} bytes (${expectedCount * recordBytes} bytes), got ${bytes.length} bytes`,
    );
  const out: T[] = [];
  for (let i = 0; i < expectedCount; i++) {
    try {
      out.push(decode(bytes.subarray(i * recordBytes, (i + 1) * recordBytes)));
    } catch (error) {
      if (error instanceof NoteFormatError)
        throw new NoteFormatError(`record ${i} of ${expectedCount} ${what}: ${error.message}`, i);
      throw error;
    }
  }
  return out;
}

export function decodeCompactRecords(bytes: Uint8Array, expectedCount: number): CompactNote[] {
  return decodeRecords(bytes, expectedCount, COMPACT_BYTES, 'compact parts', decodeCompact);
}

export function decodePayloadRecords(bytes: Uint8Array, expectedCount: number): NotePayload[] {
  return decodeRecords(bytes, expectedCount, PAYLOAD_BYTES, 'payloads', decodePayload);
}

export function decodeNoteRecords(bytes: Uint8Array, expectedCount: number): Note[] {
  return decodeRecords(bytes, expectedCount, NOTE_BYTES, 'notes', decodeNote);
}
