/**
 * The ML-KEM-768 interface the note codec is written against, so the same code runs on the
 * audited pure-JS implementation (noble-kem.ts, everywhere) and on the faster liboqs WASM build
 * (electron/core/crypto/liboqs-kem.ts, Node only). Both are deterministic given their inputs:
 * `keygen` from a 64-byte seed (d ‖ z of FIPS 203), `encapsulate` from 32 bytes of randomness
 * (the message m), so they can be compared byte for byte.
 *
 * A `Decapsulator` is bound to one secret key, loaded once and used for many ciphertexts (the
 * trial-decryption hot path); `dispose` wipes the key.
 */
import {
  KEM_CIPHERTEXT_BYTES,
  KEM_ENCAPS_RANDOMNESS_BYTES,
  KEM_KEYGEN_SEED_BYTES,
  KEM_PUBLIC_KEY_BYTES,
  KEM_SECRET_KEY_BYTES,
} from './format';

export interface KemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface Encapsulation {
  cipherText: Uint8Array;
  sharedSecret: Uint8Array;
}

export interface Decapsulator {
  decapsulate(cipherText: Uint8Array): Uint8Array;
  /** Wipes and releases the secret key; the decapsulator must not be used afterwards. */
  dispose(): void;
}

export interface Kem {
  readonly name: 'noble' | 'liboqs';
  keygen(seed: Uint8Array): KemKeyPair;
  /** Fresh randomness when `randomness` is absent. */
  encapsulate(publicKey: Uint8Array, randomness?: Uint8Array): Encapsulation;
  decapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array;
  bind(secretKey: Uint8Array): Decapsulator;
}

const KEM_Q = 3329;
const ENCODED_POLYS_BYTES = 1152;

function checkLength(bytes: Uint8Array, expected: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`ML-KEM-768 ${what}: expected bytes`);
  if (bytes.length !== expected)
    throw new RangeError(`ML-KEM-768 ${what}: expected ${expected} bytes, got ${bytes.length}`);
}

/**
 * FIPS 203 §7.2 input check of an encapsulation key: every 12-bit coefficient of t̂ below q.
 * Returns a description of the first problem, or null for a valid key.
 */
export function encapsulationKeyProblem(publicKey: Uint8Array): string | null {
  if (publicKey.length !== KEM_PUBLIC_KEY_BYTES)
    return `expected ${KEM_PUBLIC_KEY_BYTES} bytes, got ${publicKey.length}`;
  for (let i = 0; i < ENCODED_POLYS_BYTES; i += 3) {
    const a = publicKey[i]! | ((publicKey[i + 1]! & 0x0f) << 8);
    const b = (publicKey[i + 1]! >> 4) | (publicKey[i + 2]! << 4);
    if (a >= KEM_Q) return `coefficient ${(i / 3) * 2} is ${a}, not below q = ${KEM_Q}`;
    if (b >= KEM_Q) return `coefficient ${(i / 3) * 2 + 1} is ${b}, not below q = ${KEM_Q}`;
  }
  return null;
}

/** Argument checks shared by the backends, so both fail the same way on bad input. */
export const checkKemInput = {
  seed: (seed: Uint8Array) => checkLength(seed, KEM_KEYGEN_SEED_BYTES, 'keygen seed'),
  publicKey(publicKey: Uint8Array) {
    checkLength(publicKey, KEM_PUBLIC_KEY_BYTES, 'public key');
    const problem = encapsulationKeyProblem(publicKey);
    if (problem) throw new RangeError(`ML-KEM-768 public key is invalid: ${problem}`);
  },
  randomness(randomness: Uint8Array | undefined) {
    if (randomness !== undefined)
      checkLength(randomness, KEM_ENCAPS_RANDOMNESS_BYTES, 'encapsulation randomness');
  },
  secretKey: (secretKey: Uint8Array) => checkLength(secretKey, KEM_SECRET_KEY_BYTES, 'secret key'),
  cipherText: (cipherText: Uint8Array) => checkLength(cipherText, KEM_CIPHERTEXT_BYTES, 'ciphertext'),
};

/** The encapsulation key embedded in an ML-KEM-768 decapsulation key (FIPS 203 §7.1). */
export const publicKeyOfSecretKey = (secretKey: Uint8Array): Uint8Array =>
  secretKey.subarray(ENCODED_POLYS_BYTES, ENCODED_POLYS_BYTES + KEM_PUBLIC_KEY_BYTES);
