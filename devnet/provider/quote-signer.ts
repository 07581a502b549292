/**
 * Prices and signs quotes: one EIP-712 `Quote` per piece (PaymentVault domain), priced by bytes,
 * with an expiry and a random nonce, remembered in the database so a later store can check that
 * the piece was quoted and a payment event can be matched to it. The digest is computed directly
 * (shared/chain/quote-digest.ts) and signed as it is (digest-signer.ts) — the same signature
 * `signTypedData` makes, at a fraction of the cost, since a wave asks for 64 of them at a time.
 */
import { randomBytes } from 'node:crypto';
import { bytesToHex } from 'viem';
import { domainFor, type Quote } from '../../shared/chain/eip712';
import { quoteDigest } from '../../shared/chain/quote-digest';
import { parsePieceCid, pieceDigestOf } from '../../shared/pieces/cid';
import { type PieceRef, quoteToWire, type SignedQuote } from '../../shared/provider/wire';
import type { SignDigest } from './digest-signer';
import type { Hex, ProviderDb } from './provider-db';

export interface QuoteTerms {
  provider: Hex;
  sign: SignDigest;
  chainId: number;
  paymentVault: Hex;
  pricePerByte: bigint;
  ttlMs: number;
}

export async function signQuotes(
  terms: QuoteTerms,
  db: ProviderDb,
  payer: Hex,
  pieces: readonly PieceRef[],
): Promise<SignedQuote[]> {
  const domain = domainFor('paymentVault', terms.chainId, terms.paymentVault);
  const now = Date.now();
  const expiry = BigInt(Math.floor((now + terms.ttlMs) / 1000));
  const signed = await Promise.all(
    pieces.map(async ({ cid, size }) => {
      const quote: Quote = {
        provider: terms.provider,
        payer,
        pieceDigest: pieceDigestOf(parsePieceCid(cid)),
        size: BigInt(size),
        price: BigInt(size) * terms.pricePerByte,
        expiry,
        nonce: bytesToHex(randomBytes(32)),
      };
      const digest = quoteDigest(domain, quote);
      const signature = await terms.sign(digest);
      return { cid, quote: quoteToWire(quote), signature, quoteDigest: digest };
    }),
  );
  db.transaction(() => {
    for (const { cid, quote, signature, quoteDigest } of signed)
      db.insertQuote({
        quote_digest: quoteDigest,
        payer,
        piece_digest: quote.pieceDigest,
        cid,
        size: Number(quote.size),
        price: quote.price,
        expiry: Number(quote.expiry),
        nonce: quote.nonce,
        signature,
        created_at: now,
      });
  });
  return signed;
}
