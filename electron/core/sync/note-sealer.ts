/**
 * Sealing note secrets for storage. A recovered note's random seed is what lets its owner spend it
 * later, so the sync store never holds it in clear: the engine takes a `NoteSealer` from its
 * caller (the wallet, with a key derived from the wallet's secret) and stores only sealed bytes.
 *
 *   sealed = version (1) ‖ nonce (24) ‖ XChaCha20-Poly1305(key, nonce, seed, aad = context)
 *
 * The context names the note (account and index), so a sealed seed copied onto another row of the
 * database does not open there. XChaCha's 24-byte random nonces make reuse under one long-lived
 * key negligible.
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export interface NoteSealer {
  seal(plaintext: Uint8Array, context: Uint8Array): Uint8Array;
  /** The plaintext, or an error when the bytes were not sealed under this key and context. */
  unseal(sealed: Uint8Array, context: Uint8Array): Uint8Array;
}

const VERSION = 1;
const NONCE_BYTES = 24;
export const SEALING_KEY_BYTES = 32;

/** The context a note's seed is sealed under. */
export const seedContext = (account: number, index: number): Uint8Array =>
  utf8ToBytes(`coffer/sync/note-seed/v1/${account}/${index}`);

/** A sealer over its own copy of `key`; `dispose` wipes it. */
export function createNoteSealer(key: Uint8Array): NoteSealer & { dispose(): void } {
  if (!(key instanceof Uint8Array) || key.length !== SEALING_KEY_BYTES)
    throw new RangeError(`sealing key: expected ${SEALING_KEY_BYTES} bytes`);
  const own = key.slice();
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const sealed = xchacha20poly1305(own, nonce, context).encrypt(plaintext);
      const out = new Uint8Array(1 + NONCE_BYTES + sealed.length);
      out[0] = VERSION;
      out.set(nonce, 1);
      out.set(sealed, 1 + NONCE_BYTES);
      return out;
    },
    unseal(sealed, context) {
      if (sealed.length < 1 + NONCE_BYTES + 16 || sealed[0] !== VERSION)
        throw new Error('sealed note secret: unknown format');
      try {
        return xchacha20poly1305(own, sealed.subarray(1, 1 + NONCE_BYTES), context).decrypt(
          sealed.subarray(1 + NONCE_BYTES),
        );
      } catch {
        throw new Error(
          'sealed note secret: does not open with this wallet key (or belongs to another note)',
        );
      }
    },
    dispose() {
      own.fill(0);
    },
  };
}
