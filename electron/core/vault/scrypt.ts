/**
 * scrypt with its memory ceiling set from the parameters (Node's default maxmem of 32 MiB refuses
 * the vault's own N = 2^17, r = 8), and a hard upper bound so a hostile keystore file cannot ask
 * for gigabytes.
 */
import { scrypt as scryptCallback } from 'node:crypto';
import { scryptAsync } from '@noble/hashes/scrypt.js';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
  dkLen: number;
}

/** The most memory one derivation may use: 2^20 × r=8 × 128 bytes = 1 GiB is already too much. */
export const SCRYPT_MAX_MEMORY = 512 * 1024 * 1024;

export function scryptMemory(params: Pick<ScryptParams, 'N' | 'r'>): number {
  return 128 * params.N * params.r;
}

/** Why these parameters are unusable, or null when they are fine. */
export function scryptParamsProblem(params: ScryptParams): string | null {
  const { N, r, p, dkLen } = params;
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0) return `N must be a power of two, got ${N}`;
  if (!Number.isInteger(r) || r < 1 || r > 64) return `r must be an integer from 1 to 64, got ${r}`;
  if (!Number.isInteger(p) || p < 1 || p > 16) return `p must be an integer from 1 to 16, got ${p}`;
  if (!Number.isInteger(dkLen) || dkLen < 16 || dkLen > 64) return `dkLen must be 16 to 64, got ${dkLen}`;
  if (scryptMemory(params) > SCRYPT_MAX_MEMORY)
    return `N × r needs ${Math.round(scryptMemory(params) / 2 ** 20)} MiB, more than the ${SCRYPT_MAX_MEMORY / 2 ** 20} MiB allowed`;
  return null;
}

export function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const problem = scryptParamsProblem(params);
  if (problem) return Promise.reject(new RangeError(`Unusable scrypt parameters: ${problem}`));
  const { N, r, p, dkLen } = params;
  // OpenSSL enforces RFC 7914's N < 2^(16·r), which the keystore spec's own vector (N = 2^18,
  // r = 1) and files written from it break; geth accepts them, so these go to noble's scrypt.
  if (N >= 2 ** (16 * r)) {
    return scryptAsync(password, salt, {
      N,
      r,
      p,
      dkLen,
      maxmem: scryptMemory(params) + 2 * 1024 * 1024,
    }).then((key) => Buffer.from(key));
  }
  return new Promise((resolve, reject) => {
    scryptCallback(
      password,
      salt,
      dkLen,
      { N, r, p, maxmem: scryptMemory(params) + 2 * 1024 * 1024 },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}
