/**
 * Wallet addresses for shielded notes: the recipient's ML-KEM-768 detection and viewing public
 * keys, written as text a person can copy.
 *
 *   address = "coffer1" ‖ base32(version ‖ detection key (1184) ‖ viewing key (1184) ‖ checksum (4))
 *   checksum = SHA-256("coffer1" ‖ version ‖ keys)[0..4]
 *
 * base32 uses the bech32 alphabet (lowercase, no 1/b/i/o), most significant bit first; the pad
 * bits of the last character must be zero so every address has exactly one spelling. Decoding
 * rejects a wrong prefix, a bad character (with its position), a wrong length, an unknown
 * version, a checksum mismatch and keys that are not valid ML-KEM-768 encapsulation keys. A
 * 32-bit checksum is plenty against typos; it is not meant to resist a forger, who could as well
 * hand out their own valid address.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { KEM_PUBLIC_KEY_BYTES } from './format';
import { encapsulationKeyProblem } from './kem';

export const ADDRESS_PREFIX = 'coffer1';
export const ADDRESS_VERSION = 1;
const CHECKSUM_BYTES = 4;
const BODY_BYTES = 1 + 2 * KEM_PUBLIC_KEY_BYTES + CHECKSUM_BYTES;
const ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BODY_CHARS = Math.ceil((BODY_BYTES * 8) / 5);
export const ADDRESS_LENGTH = ADDRESS_PREFIX.length + BODY_CHARS;

/** What a sender needs to send a note: the recipient's two public keys. */
export interface RecipientKeys {
  detectionPublicKey: Uint8Array;
  viewingPublicKey: Uint8Array;
}

export class AddressError extends Error {
  override readonly name = 'AddressError';
}

const CHAR_VALUES = new Map([...ALPHABET].map((char, value) => [char, value]));

function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function base32Decode(text: string, offset: number): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const value = CHAR_VALUES.get(text[i]!);
    if (value === undefined)
      throw new AddressError(
        `address: '${text[i]}' at position ${offset + i} is not a valid character (allowed: ${ALPHABET})`,
      );
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0)
    throw new AddressError('address: the last character has non-zero padding bits (mistyped?)');
  return out;
}

function checksum(versionAndKeys: Uint8Array): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(ADDRESS_PREFIX), versionAndKeys)).subarray(0, CHECKSUM_BYTES);
}

function checkKey(key: Uint8Array, which: string, Failure: new (message: string) => Error): void {
  const problem = encapsulationKeyProblem(key);
  if (problem) throw new Failure(`${which} public key is not a valid ML-KEM-768 key: ${problem}`);
}

/** version ‖ detection key ‖ viewing key: what the checksum and the note commitment bind. */
export function addressBytes(keys: RecipientKeys): Uint8Array {
  checkKey(keys.detectionPublicKey, 'detection', RangeError);
  checkKey(keys.viewingPublicKey, 'viewing', RangeError);
  return concatBytes(Uint8Array.of(ADDRESS_VERSION), keys.detectionPublicKey, keys.viewingPublicKey);
}

export function encodeAddress(keys: RecipientKeys): string {
  const body = addressBytes(keys);
  return ADDRESS_PREFIX + base32Encode(concatBytes(body, checksum(body)));
}

/** Parses an address (surrounding whitespace ignored), or throws an AddressError saying why not. */
export function decodeAddress(text: string): RecipientKeys {
  if (typeof text !== 'string') throw new AddressError('address: expected text');
  const address = text.trim();
  if (!address.startsWith(ADDRESS_PREFIX))
    throw new AddressError(`address: must start with '${ADDRESS_PREFIX}', got '${address.slice(0, 12)}…'`);
  if (address.length !== ADDRESS_LENGTH)
    throw new AddressError(
      `address: expected ${ADDRESS_LENGTH} characters, got ${address.length} (${address.length < ADDRESS_LENGTH ? 'truncated' : 'too long'}?)`,
    );
  const bytes = base32Decode(address.slice(ADDRESS_PREFIX.length), ADDRESS_PREFIX.length);
  const body = bytes.subarray(0, BODY_BYTES - CHECKSUM_BYTES);
  const expected = checksum(body);
  if (!expected.every((byte, i) => byte === bytes[BODY_BYTES - CHECKSUM_BYTES + i]))
    throw new AddressError('address: checksum mismatch (mistyped or damaged address)');
  if (body[0] !== ADDRESS_VERSION)
    throw new AddressError(
      `address: unsupported version ${body[0]} (this build reads version ${ADDRESS_VERSION})`,
    );
  const keys = {
    detectionPublicKey: body.slice(1, 1 + KEM_PUBLIC_KEY_BYTES),
    viewingPublicKey: body.slice(1 + KEM_PUBLIC_KEY_BYTES),
  };
  checkKey(keys.detectionPublicKey, 'address: detection', AddressError);
  checkKey(keys.viewingPublicKey, 'address: viewing', AddressError);
  return keys;
}
