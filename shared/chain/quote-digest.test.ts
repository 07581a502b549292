/**
 * The direct quote digest against viem's hashTypedData (the independent oracle, which PaymentVault
 * agrees with: provider-store.test.ts) over random quotes and domains, edge values included, and
 * its refusal of quotes that are out of shape.
 */
import fc from 'fast-check';
import { getAddress, hashTypedData, type Hex, toHex } from 'viem';
import { describe, expect, it } from 'vitest';
import { domainFor, type Quote, quoteTypes } from './eip712';
import { QuoteDigestError, quoteDigest } from './quote-digest';

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
const address = fc
  .tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.boolean())
  .map(([b, checksummed]) => (checksummed ? getAddress(toHex(b)) : toHex(b)));
const uint = (bits: number) =>
  fc.oneof(
    fc.constantFrom(0n, 1n, (1n << BigInt(bits)) - 1n),
    fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
  );
const quote = fc.record({
  provider: address,
  payer: address,
  pieceDigest: bytes32,
  size: uint(64),
  price: uint(256),
  expiry: uint(64),
  nonce: bytes32,
});
const domain = fc
  .tuple(fc.integer({ min: 1, max: 2 ** 31 }), address)
  .map(([chainId, contract]) => domainFor('paymentVault', chainId, contract));

const oracle = (d: ReturnType<typeof domainFor>, q: Quote) =>
  hashTypedData({ domain: d, types: quoteTypes, primaryType: 'Quote', message: q });

/** A well-formed quote with a distinct value in every field. */
const SAMPLE: Quote = {
  provider: `0x${'22'.repeat(20)}`,
  payer: `0x${'33'.repeat(20)}`,
  pieceDigest: `0x${'44'.repeat(32)}`,
  size: 1n,
  price: 2n,
  expiry: 3n,
  nonce: `0x${'55'.repeat(32)}`,
};

describe('quoteDigest', () => {
  it('is the EIP-712 digest viem computes, for any quote in any domain', () => {
    fc.assert(
      fc.property(domain, quote, (d, q) => {
        expect(quoteDigest(d, q)).toBe(oracle(d, q));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses quotes out of shape instead of hashing them', () => {
    const d = domainFor('paymentVault', 31337, `0x${'11'.repeat(20)}`);
    const good = SAMPLE;
    expect(quoteDigest(d, good)).toBe(oracle(d, good));
    const bad: [Partial<Record<keyof Quote, unknown>>, RegExp][] = [
      [{ size: 1n << 64n }, /size is not a uint64/],
      [{ expiry: -1n }, /expiry is not a uint64/],
      [{ price: 1n << 256n }, /price is not a uint256/],
      [{ size: 5 }, /size is not a uint64/],
      [{ pieceDigest: `0x${'44'.repeat(31)}` }, /pieceDigest is not 32 bytes/],
      [{ nonce: `0x${'zz'.repeat(32)}` }, /nonce is not 32 bytes/],
      [{ provider: `0x${'22'.repeat(19)}` }, /provider is not an address/],
      // A mixed-case address with a wrong checksum, as viem refuses it.
      [{ payer: '0xAAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, /payer is not an address/],
    ];
    for (const [change, reason] of bad) {
      const malformed = { ...good, ...change } as Quote;
      expect(() => quoteDigest(d, malformed)).toThrow(QuoteDigestError);
      expect(() => quoteDigest(d, malformed)).toThrow(reason);
    }
  });

  it('depends on every field and on the domain', () => {
    const d = domainFor('paymentVault', 1, `0x${'11'.repeat(20)}`);
    const q = SAMPLE;
    const seen = new Set<Hex>([quoteDigest(d, q)]);
    seen.add(quoteDigest({ ...d, chainId: 2 }, q));
    seen.add(quoteDigest({ ...d, verifyingContract: `0x${'12'.repeat(20)}` }, q));
    for (const field of quoteTypes.Quote) {
      const value = q[field.name];
      const changed = typeof value === 'bigint' ? value + 1n : (`${value.slice(0, -1)}9` as Hex);
      seen.add(quoteDigest(d, { ...q, [field.name]: changed }));
    }
    expect(seen.size).toBe(3 + quoteTypes.Quote.length);
  });
});
