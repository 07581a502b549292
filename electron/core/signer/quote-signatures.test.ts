/**
 * The fast quote-signature check agrees with a plain recovery (viem's recoverAddress, the
 * independent oracle) on signatures from known and unknown providers, right and wrong hashes,
 * and refuses what PaymentVault would refuse.
 */
import fc from 'fast-check';
import { keccak256, recoverAddress, toHex, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, sign } from 'viem/accounts';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { MalformedSignatureError, QuoteSignatures } from './quote-signatures';

const providerKey = generatePrivateKey();
const providerAddress = privateKeyToAccount(providerKey).address;
const otherKey = generatePrivateKey();
const signWith = (key: Hex, hash: Hex) => sign({ hash, privateKey: key, to: 'hex' });

describe('quote signatures', () => {
  it('agrees with a full recovery, first and later quotes, right and wrong signers', async () => {
    const checker = new QuoteSignatures();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 40 }),
        fc.boolean(),
        fc.boolean(),
        async (data, byOther, tamper) => {
          const hash = keccak256(data);
          const signature = await signWith(byOther ? otherKey : providerKey, hash);
          const checked = tamper ? keccak256(toHex(hash)) : hash;
          const expected = await recoverAddress({ hash: checked, signature });
          expect(await checker.signer(checked, signature, providerAddress)).toBe(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses high-s and malformed signatures', async () => {
    const checker = new QuoteSignatures();
    const hash = keccak256(toHex('quote'));
    const signature = await signWith(providerKey, hash);
    expect(await checker.signer(hash, signature, providerAddress)).toBe(providerAddress);
    const n = secp256k1.Point.CURVE().n;
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    const v = parseInt(signature.slice(130), 16);
    const malleated =
      `${signature.slice(0, 66)}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
    await expect(checker.signer(hash, malleated, providerAddress)).rejects.toBeInstanceOf(
      MalformedSignatureError,
    );
    await expect(checker.signer(hash, '0x1234', providerAddress)).rejects.toBeInstanceOf(
      MalformedSignatureError,
    );
  });
});
