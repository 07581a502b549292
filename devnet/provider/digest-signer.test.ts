import { randomBytes } from 'node:crypto';
import { bytesToHex, type Hex, recoverAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { digestSigner } from './digest-signer';

const privateKey = bytesToHex(randomBytes(32));
const account = privateKeyToAccount(privateKey);
const digests: Hex[] = [
  ...Array.from({ length: 200 }, () => bytesToHex(randomBytes(32))),
  `0x${'00'.repeat(32)}`,
];
/**
 * Above the curve order (a keccak digest is one with a chance of ~2^-128): both reduce it to sign,
 * but libsecp256k1 derives its nonce from the digest as given and noble from the reduced one, so the
 * two signatures differ; each is valid.
 */
const aboveOrder: Hex = `0x${'ff'.repeat(32)}`;

describe('digestSigner', () => {
  it('uses the native libsecp256k1 binding where it is prebuilt (here: Linux x64)', () => {
    if (process.platform !== 'linux' || process.arch !== 'x64')
      return console.log(`skipped: no prebuilt binding is expected on ${process.platform}-${process.arch}`);
    expect(digestSigner(privateKey).implementation).toBe('libsecp256k1');
  });

  it('signs exactly as viem does, and the signature recovers to the key’s address', async () => {
    const fast = digestSigner(privateKey);
    const viem = digestSigner(privateKey, 'viem');
    expect(viem.implementation).toBe('viem');
    for (const digest of digests) {
      const signature = await fast.sign(digest);
      expect(signature).toBe(await account.sign({ hash: digest }));
      expect(await viem.sign(digest)).toBe(signature);
      expect(await recoverAddress({ hash: digest, signature })).toBe(account.address);
    }
    const signature = await fast.sign(aboveOrder);
    expect(await recoverAddress({ hash: aboveOrder, signature })).toBe(account.address);
  });
});
