/**
 * Reads an Ethereum V3 keystore ("Web3 Secret Storage": geth, MetaMask exports, `cast wallet new`)
 * and returns its private key. Both key-derivation functions of the format are supported (scrypt
 * and PBKDF2-HMAC-SHA256); the cipher is AES-128-CTR and the MAC keccak256(dk[16..32] ‖ ciphertext).
 *
 * A malformed file is INVALID_INPUT naming the field; a MAC mismatch is WRONG_PASSWORD (the MAC is
 * the only way the format tells a wrong password from a right one).
 */
import { createDecipheriv, pbkdf2 as pbkdf2Callback, timingSafeEqual } from 'node:crypto';
import { bytesToHex, hexToBytes, keccak256 } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { z } from 'zod';
import { CofferError, describeIssues } from '../../../shared/api/errors';
import type { Address } from '../../../shared/network-manifest';
import { scrypt, scryptParamsProblem } from './scrypt';

/** Largest keystore file accepted: real ones are well under 1 KiB. */
export const MAX_KEYSTORE_BYTES = 64 * 1024;
const MAX_PBKDF2_ROUNDS = 10_000_000;

const hexString = (bytes?: number) =>
  z
    .string()
    .transform((value) => value.replace(/^0x/i, ''))
    .refine((value) => /^[0-9a-fA-F]*$/.test(value) && value.length % 2 === 0, 'expected a hex string')
    .refine((value) => bytes === undefined || value.length === bytes * 2, `expected ${bytes} bytes of hex`);

const ScryptParams = z.object({
  n: z.number().int(),
  r: z.number().int(),
  p: z.number().int(),
  dklen: z.literal(32),
  salt: hexString(),
});
const Pbkdf2Params = z.object({
  c: z.number().int().min(1).max(MAX_PBKDF2_ROUNDS),
  dklen: z.literal(32),
  prf: z.literal('hmac-sha256'),
  salt: hexString(),
});

const CryptoSection = z.discriminatedUnion('kdf', [
  z.object({
    kdf: z.literal('scrypt'),
    kdfparams: ScryptParams,
    cipher: z.literal('aes-128-ctr'),
    cipherparams: z.object({ iv: hexString(16) }),
    ciphertext: hexString(32),
    mac: hexString(32),
  }),
  z.object({
    kdf: z.literal('pbkdf2'),
    kdfparams: Pbkdf2Params,
    cipher: z.literal('aes-128-ctr'),
    cipherparams: z.object({ iv: hexString(16) }),
    ciphertext: hexString(32),
    mac: hexString(32),
  }),
]);

const KeystoreFile = z
  .object({
    version: z.literal(3),
    address: z.string().optional(),
    crypto: CryptoSection.optional(),
    // Some geth versions capitalise the section.
    Crypto: CryptoSection.optional(),
  })
  .refine((file) => file.crypto || file.Crypto, {
    message: 'missing the "crypto" section',
    path: ['crypto'],
  });

export interface DecryptedKeystore {
  privateKey: Uint8Array;
  address: Address;
}

export async function decryptKeystore(text: string, password: string): Promise<DecryptedKeystore> {
  if (text.length > MAX_KEYSTORE_BYTES)
    throw invalid(`the file is ${text.length} bytes; a keystore is at most ${MAX_KEYSTORE_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('it is not JSON');
  }
  const parsed = KeystoreFile.safeParse(json);
  if (!parsed.success) throw invalid(describeIssues(parsed.error));
  const section = (parsed.data.crypto ?? parsed.data.Crypto)!;

  // The raw UTF-8 bytes, as geth and MetaMask use them: normalising would lock some users out.
  const passwordBytes = new TextEncoder().encode(password);
  let dk: Buffer;
  if (section.kdf === 'scrypt') {
    const { n, r, p, salt } = section.kdfparams;
    const params = { N: n, r, p, dkLen: 32 };
    const problem = scryptParamsProblem(params);
    if (problem) throw invalid(`crypto.kdfparams: ${problem}`);
    dk = await scrypt(passwordBytes, hexToBytes(`0x${salt}`), params);
  } else {
    const { c, salt } = section.kdfparams;
    dk = await pbkdf2(passwordBytes, Buffer.from(salt, 'hex'), c);
  }
  passwordBytes.fill(0);

  const ciphertext = Buffer.from(section.ciphertext, 'hex');
  const mac = Buffer.from(hexToBytes(keccak256(Buffer.concat([dk.subarray(16, 32), ciphertext]))));
  if (!timingSafeEqual(mac, Buffer.from(section.mac, 'hex'))) {
    dk.fill(0);
    throw new CofferError('WRONG_PASSWORD', 'The keystore password is wrong');
  }
  const decipher = createDecipheriv(
    'aes-128-ctr',
    dk.subarray(0, 16),
    Buffer.from(section.cipherparams.iv, 'hex'),
  );
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  dk.fill(0);
  const privateKey = new Uint8Array(plain);
  plain.fill(0);

  let address: Address;
  try {
    address = privateKeyToAddress(bytesToHex(privateKey));
  } catch {
    privateKey.fill(0);
    throw invalid('the decrypted key is not a valid secp256k1 private key');
  }
  const claimed = parsed.data.address?.replace(/^(0x)?/i, '0x').toLowerCase();
  if (claimed && claimed !== address.toLowerCase()) {
    privateKey.fill(0);
    throw invalid(`it names address ${claimed} but its key belongs to ${address}`);
  }
  return { privateKey, address };
}

function invalid(reason: string): CofferError {
  return new CofferError('INVALID_INPUT', `This is not a usable V3 keystore file: ${reason}`);
}

function pbkdf2(password: Uint8Array, salt: Uint8Array, rounds: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2Callback(password, salt, rounds, 32, 'sha256', (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}
