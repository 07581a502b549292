/**
 * Every key of a Coffer wallet, derived deterministically from one root secret.
 *
 * Root secret:
 * - a BIP-39 mnemonic (English, 12–24 words; Coffer creates 24): the 64-byte BIP-39 seed
 *   (PBKDF2-HMAC-SHA512, 2048 rounds, empty passphrase) is the root, or
 * - an EVM private key imported from a V3 keystore: the 32-byte key is the root (one account only,
 *   as there is no HD tree to walk).
 *
 * Per account index i:
 * - EVM account: BIP-32 from the seed at BIP-44 path m/44'/60'/0'/0/i (what MetaMask, Ledger
 *   and viem's `mnemonicToAccount` use). For a keystore root, the key itself (i = 0 only).
 * - ML-KEM-768 detection and viewing key pairs: a 64-byte keygen seed
 *   `HKDF-SHA256(ikm = root, salt = "coffer/note-keys/v1", info = "<purpose>/<i>", L = 64)` with
 *   purpose `detection` or `viewing` and i in decimal, then `ml_kem768.keygen(seed64)` (FIPS 203
 *   ML-KEM.KeyGen_internal with d = seed[0..32), z = seed[32..64)). The two purposes give
 *   independent keys, so detection can be delegated without exposing the viewing key.
 *
 * docs/key-derivation.md has the same in prose and the test vectors; key-derivation.test.ts checks
 * them. Every secret here is a Uint8Array the caller can wipe.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { mnemonicToSeedSync } from '@scure/bip39';
import { bytesToHex } from 'viem';
import { HDKey, privateKeyToAddress } from 'viem/accounts';
import type { Address } from '../../../shared/network-manifest';

export const NOTE_KEY_SALT = 'coffer/note-keys/v1';
export const MAX_ACCOUNT_INDEX = 0x7fffffff;

export type RootSecret =
  { kind: 'mnemonic'; seed: Uint8Array } | { kind: 'privateKey'; privateKey: Uint8Array };

export interface KemKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface AccountKeys {
  index: number;
  address: Address;
  privateKey: Uint8Array;
  detection: KemKeyPair;
  viewing: KemKeyPair;
}

export function evmPath(index: number): string {
  return `m/44'/60'/0'/0/${index}`;
}

/** The BIP-39 seed of a (validated) mnemonic. */
export function seedFromMnemonic(mnemonic: string): Uint8Array {
  return mnemonicToSeedSync(mnemonic);
}

export function deriveEvmPrivateKey(root: RootSecret, index: number): Uint8Array {
  checkIndex(root, index);
  if (root.kind === 'privateKey') return new Uint8Array(root.privateKey);
  const master = HDKey.fromMasterSeed(root.seed);
  const child = master.derive(evmPath(index));
  const key = child.privateKey;
  if (!key) throw new Error(`BIP-32 derivation gave no private key at ${evmPath(index)}`);
  const copy = new Uint8Array(key);
  child.wipePrivateData();
  master.wipePrivateData();
  return copy;
}

export function kemSeed(root: RootSecret, purpose: 'detection' | 'viewing', index: number): Uint8Array {
  checkIndex(root, index);
  const ikm = root.kind === 'mnemonic' ? root.seed : root.privateKey;
  const enc = new TextEncoder();
  return hkdf(sha256, ikm, enc.encode(NOTE_KEY_SALT), enc.encode(`${purpose}/${index}`), 64);
}

export const NOTE_SEALING_SALT = 'coffer/note-sealing/v1';

/**
 * The wallet-wide key that seals note secrets (a note's seed) in the sync store: from the root,
 * so it outlives password changes and is rebuilt from the recovery phrase alone.
 */
export function noteSealingKey(root: RootSecret): Uint8Array {
  const ikm = root.kind === 'mnemonic' ? root.seed : root.privateKey;
  return hkdf(sha256, ikm, new TextEncoder().encode(NOTE_SEALING_SALT), new Uint8Array(0), 32);
}

export function deriveKemKeyPair(
  root: RootSecret,
  purpose: 'detection' | 'viewing',
  index: number,
): KemKeyPair {
  const seed = kemSeed(root, purpose, index);
  try {
    return ml_kem768.keygen(seed);
  } finally {
    seed.fill(0);
  }
}

export function deriveAccount(root: RootSecret, index: number): AccountKeys {
  const privateKey = deriveEvmPrivateKey(root, index);
  return {
    index,
    address: privateKeyToAddress(bytesToHex(privateKey)),
    privateKey,
    detection: deriveKemKeyPair(root, 'detection', index),
    viewing: deriveKemKeyPair(root, 'viewing', index),
  };
}

/** Overwrites every secret of an account with zeros (on lock). */
export function wipeAccount(account: AccountKeys): void {
  account.privateKey.fill(0);
  account.detection.secretKey.fill(0);
  account.viewing.secretKey.fill(0);
}

export function wipeRoot(root: RootSecret): void {
  if (root.kind === 'mnemonic') root.seed.fill(0);
  else root.privateKey.fill(0);
}

function checkIndex(root: RootSecret, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_ACCOUNT_INDEX)
    throw new RangeError(`Account index must be an integer from 0 to ${MAX_ACCOUNT_INDEX}, got ${index}`);
  if (root.kind === 'privateKey' && index !== 0)
    throw new RangeError('A wallet imported from a keystore has one account (index 0) only');
}
