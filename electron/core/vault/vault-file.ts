/**
 * The vault file (`<data dir>/vault.json`): the wallet's root secret, encrypted at rest.
 *
 * Two layers, so a password change or an OS-keychain unlock never needs the secret in clear on disk:
 * - the secret (BIP-39 entropy or an imported private key) is sealed with AES-256-GCM under a random
 *   32-byte data key; the additional data binds the public part (kind, account addresses), so an
 *   edited address list fails to open;
 * - the data key is wrapped by "slots": the password slot (scrypt(password, salt, N, r=8, p=1) →
 *   AES-256-GCM, the KDF parameters bound as additional data) and, when the user asks for it, a
 *   keychain slot (the data key encrypted by the OS keychain through a KeychainAdapter).
 *
 * Everything needed to open the file again (format, version, KDF parameters, salts, nonces) is in
 * the JSON. Writes are atomic (tmp + fsync + rename). Nothing here keeps a secret after returning.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CofferError, describeIssues } from '../../../shared/api/errors';
import { Address } from '../../../shared/network-manifest';
import { writeFileAtomic } from '../fs/atomic-write';
import { scrypt, scryptParamsProblem, type ScryptParams } from './scrypt';

export const VAULT_FORMAT = 'coffer-vault';
export const VAULT_VERSION = 1;

/** The production KDF cost. Tests pass a lower N explicitly; at least one test uses this. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1, dkLen: 32 };
/** The lowest N a vault file may carry (tests use cheap vaults; no real vault is written below 2^17). */
export const MIN_SCRYPT_N = 2 ** 10;

export const DEFAULT_AUTO_LOCK_MINUTES = 15;
export const MAX_AUTO_LOCK_MINUTES = 24 * 60;

const base64 = (bytes?: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')
    .refine(
      (value) => bytes === undefined || Buffer.from(value, 'base64').length === bytes,
      `expected ${bytes} bytes`,
    );

const Sealed = z.object({
  cipher: z.literal('aes-256-gcm'),
  nonce: base64(12),
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: base64(),
});
type Sealed = z.infer<typeof Sealed>;

const ScryptKdf = z.object({
  name: z.literal('scrypt'),
  N: z.number().int().min(MIN_SCRYPT_N),
  r: z.number().int(),
  p: z.number().int(),
  dkLen: z.literal(32),
  salt: base64(32),
});

export const VaultPublic = z.object({
  kind: z.enum(['mnemonic', 'privateKey']),
  accounts: z.array(z.object({ index: z.number().int().nonnegative(), address: Address })).min(1),
  createdAt: z.string(),
});
export type VaultPublic = z.infer<typeof VaultPublic>;

export const VaultFile = z.object({
  format: z.literal(VAULT_FORMAT),
  version: z.literal(VAULT_VERSION),
  public: VaultPublic,
  secret: Sealed,
  slots: z.object({
    password: z.object({ kdf: ScryptKdf, key: Sealed }),
    keychain: z.object({ blob: base64() }).optional(),
  }),
  settings: z.object({
    autoLockMinutes: z.number().int().min(0).max(MAX_AUTO_LOCK_MINUTES),
  }),
});
export type VaultFile = z.infer<typeof VaultFile>;

/** The root secret as stored: entropy rather than words, so it lives in a buffer we can wipe. */
export type WalletSecret =
  { kind: 'mnemonic'; entropy: Uint8Array } | { kind: 'privateKey'; privateKey: Uint8Array };

export function wipeSecret(secret: WalletSecret): void {
  if (secret.kind === 'mnemonic') secret.entropy.fill(0);
  else secret.privateKey.fill(0);
}

/** Reads and validates the vault file; null when there is none. */
export async function readVaultFile(file: string): Promise<VaultFile | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CofferError('INTERNAL', `The vault file ${file} is damaged: it is not JSON`);
  }
  const parsed = VaultFile.safeParse(json);
  if (!parsed.success)
    throw new CofferError('INTERNAL', `The vault file ${file} is damaged: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export async function writeVaultFile(file: string, vault: VaultFile): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(VaultFile.parse(vault), null, 2)}\n`);
}

/** Seals a new secret under a fresh data key, wrapped by the password. Returns the data key too. */
export async function sealNewVault(options: {
  secret: WalletSecret;
  public: VaultPublic;
  password: string;
  scrypt: Omit<ScryptParams, 'dkLen'>;
  autoLockMinutes: number;
}): Promise<{ file: VaultFile; dataKey: Buffer }> {
  const dataKey = randomBytes(32);
  const kdf = {
    name: 'scrypt' as const,
    ...options.scrypt,
    dkLen: 32 as const,
    salt: randomBytes(32).toString('base64'),
  };
  const problem = scryptParamsProblem(kdf);
  if (problem) throw new RangeError(`Unusable scrypt parameters: ${problem}`);
  const kek = await passwordKey(options.password, kdf);
  const file: VaultFile = {
    format: VAULT_FORMAT,
    version: VAULT_VERSION,
    public: options.public,
    secret: sealSecret(options.secret, dataKey, options.public),
    slots: { password: { kdf, key: seal(dataKey, kek, slotAad(kdf)) } },
    settings: { autoLockMinutes: options.autoLockMinutes },
  };
  kek.fill(0);
  return { file, dataKey };
}

/** The data key, if the password is right; WRONG_PASSWORD otherwise. */
export async function unwrapWithPassword(vault: VaultFile, password: string): Promise<Buffer> {
  const { kdf, key } = vault.slots.password;
  const kek = await passwordKey(password, kdf);
  try {
    return open(key, kek, slotAad(kdf));
  } catch {
    throw new CofferError('WRONG_PASSWORD', 'The password is wrong');
  } finally {
    kek.fill(0);
  }
}

export function openSecret(vault: VaultFile, dataKey: Uint8Array): WalletSecret {
  let plain: Buffer;
  try {
    plain = open(vault.secret, dataKey, secretAad(vault.public));
  } catch {
    throw new CofferError(
      'INTERNAL',
      'The vault file has been altered: its secret does not match its accounts',
    );
  }
  try {
    return decodeSecret(plain);
  } finally {
    plain.fill(0);
  }
}

/** Re-seals the secret after the public part changed (an account was added). */
export function resealSecret(
  vault: VaultFile,
  dataKey: Uint8Array,
  secret: WalletSecret,
  next: VaultPublic,
): VaultFile {
  return { ...vault, public: next, secret: sealSecret(secret, dataKey, next) };
}

function sealSecret(secret: WalletSecret, dataKey: Uint8Array, pub: VaultPublic): Sealed {
  const plain = encodeSecret(secret);
  try {
    return seal(plain, dataKey, secretAad(pub));
  } finally {
    plain.fill(0);
  }
}

// Layout: [1: layout version = 1][1: kind (1 mnemonic entropy, 2 private key)][1: length][bytes].
function encodeSecret(secret: WalletSecret): Buffer {
  const bytes = secret.kind === 'mnemonic' ? secret.entropy : secret.privateKey;
  return Buffer.concat([Buffer.from([1, secret.kind === 'mnemonic' ? 1 : 2, bytes.length]), bytes]);
}

function decodeSecret(plain: Uint8Array): WalletSecret {
  const [layout, kind, length] = plain;
  // A copy, not a view: the caller wipes `plain`.
  const bytes = new Uint8Array(plain.subarray(3));
  if (layout !== 1 || bytes.length !== length || (kind !== 1 && kind !== 2))
    throw new CofferError('INTERNAL', 'The vault secret has an unknown layout');
  return kind === 1 ? { kind: 'mnemonic', entropy: bytes } : { kind: 'privateKey', privateKey: bytes };
}

function secretAad(pub: VaultPublic): Buffer {
  return Buffer.from(`${VAULT_FORMAT}/v${VAULT_VERSION}/secret\n${canonicalPublic(pub)}`);
}

function slotAad(kdf: z.infer<typeof ScryptKdf>): Buffer {
  return Buffer.from(
    `${VAULT_FORMAT}/v${VAULT_VERSION}/password-slot\n${kdf.name}:${kdf.N}:${kdf.r}:${kdf.p}:${kdf.salt}`,
  );
}

function canonicalPublic(pub: VaultPublic): string {
  const accounts = pub.accounts.map((a) => `${a.index}:${a.address.toLowerCase()}`).join(',');
  return `${pub.kind}|${accounts}|${pub.createdAt}`;
}

function passwordKey(password: string, kdf: z.infer<typeof ScryptKdf>): Promise<Buffer> {
  const bytes = Buffer.from(password.normalize('NFKC'), 'utf8');
  return scrypt(bytes, Buffer.from(kdf.salt, 'base64'), kdf).finally(() => bytes.fill(0));
}

function seal(plain: Uint8Array, key: Uint8Array, aad: Uint8Array): Sealed {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return {
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

function open(sealed: Sealed, key: Uint8Array, aad: Uint8Array): Buffer {
  const data = Buffer.from(sealed.ciphertext, 'base64');
  if (data.length < 16) throw new Error('sealed data too short');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.nonce, 'base64'));
  decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

/** For the keychain slot: the data key sealed by the OS keychain, as stored. */
export function withKeychainBlob(vault: VaultFile, blob: Uint8Array | null): VaultFile {
  const slots = { ...vault.slots };
  if (blob) slots.keychain = { blob: Buffer.from(blob).toString('base64') };
  else delete slots.keychain;
  return { ...vault, slots };
}
