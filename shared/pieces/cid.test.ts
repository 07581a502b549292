// Piece CIDs against independent oracles (WebCrypto's sha-256, the well-known CID of
// "hello world"), every way parsePieceCid refuses a bad name, and PieceVerifier on good bytes,
// wrong bytes, short and long streams, split at arbitrary points.
import fc from 'fast-check';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { describe, expect, it } from 'vitest';
import {
  cidFromDigest,
  cidOf,
  parsePieceCid,
  parsePieceDigest,
  pieceCodecOf,
  pieceDigestOf,
  PieceVerifier,
  PieceVerifyError,
} from './cid';

const text = (value: string) => new TextEncoder().encode(value);
/** sha-256 by WebCrypto: not the implementation under test. */
const webSha256 = async (bytes: Uint8Array) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', Uint8Array.from(bytes)));
const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

describe('cidOf / pieceDigestOf', () => {
  it('names "hello world" as every IPFS tool does', () => {
    expect(cidOf(text('hello world')).toString()).toBe(
      'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e',
    );
  });

  it('puts the sha-256 of the bytes on chain, whatever the codec', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
        const expected = `0x${hex(await webSha256(bytes))}`;
        const raw = cidOf(bytes);
        const cbor = cidOf(bytes, 'dag-cbor');
        expect(pieceDigestOf(raw)).toBe(expected);
        expect(pieceDigestOf(cbor)).toBe(expected);
        expect(pieceCodecOf(raw)).toBe('raw');
        expect(pieceCodecOf(cbor)).toBe('dag-cbor');
        expect(cidFromDigest(pieceDigestOf(raw)).equals(raw)).toBe(true);
        expect(parsePieceCid(cbor.toString()).equals(cbor)).toBe(true);
      }),
    );
  });
});

describe('parsePieceCid refuses', async () => {
  const sha = await webSha256(text('x'));
  const cases: [string, string, RegExp][] = [
    ['an empty string', '', /empty/],
    ['a path', '../../etc/passwd', /not a CIDv1 in base32/],
    ['a CIDv0', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', /not a CIDv1 in base32/],
    ['upper-case base32', cidOf(text('x')).toString().toUpperCase(), /not a CIDv1 in base32/],
    ['garbage in the base32 alphabet', 'bafkreiaaaa', /not a valid CID/],
    ['a dag-pb codec', CID.createV1(0x70, Digest.create(0x12, sha)).toString(), /not a piece codec/],
    ['an identity multihash', CID.createV1(0x55, Digest.create(0x00, sha)).toString(), /sha2-256/],
    ['a blake2b-256 multihash', CID.createV1(0x55, Digest.create(0xb220, sha)).toString(), /sha2-256/],
    [
      'a short sha2-256 digest',
      CID.createV1(0x55, Digest.create(0x12, sha.subarray(0, 16))).toString(),
      /32-byte/,
    ],
    ['a very long string', `b${'a'.repeat(200)}`, /too long/],
  ];
  for (const [what, input, message] of cases)
    it(what, () => expect(() => parsePieceCid(input)).toThrow(message));

  it('a digest that is not 32 bytes of hex', () => {
    expect(() => parsePieceDigest('0x1234')).toThrow(/32-byte hex digest/);
    expect(parsePieceDigest(`0x${'AB'.repeat(32)}`)).toBe(`0x${'ab'.repeat(32)}`);
  });
});

describe('PieceVerifier', () => {
  /** Feeds `bytes` split at `cuts`, then finishes: 'accepted', or how verification failed. */
  const verdict = (cid: CID, size: number, bytes: Uint8Array, cuts: number[]) => {
    const verifier = new PieceVerifier(cid, size);
    let at = 0;
    try {
      for (const cut of [...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
        verifier.update(bytes.subarray(at, cut));
        at = cut;
      }
      verifier.finish();
    } catch (error) {
      if (error instanceof PieceVerifyError) return error.failure;
      throw error;
    }
    return 'accepted';
  };

  it('accepts the right bytes however they are split, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.array(fc.nat(200)),
        fc.nat(),
        (bytes, cuts, flipAt) => {
          const cid = cidOf(bytes);
          const wrong = Uint8Array.from(bytes);
          wrong[flipAt % wrong.length]! ^= 1;
          expect(verdict(cid, bytes.length, bytes, cuts)).toBe('accepted');
          expect(verdict(cid, bytes.length, wrong, cuts)).toBe('cid-mismatch');
          expect(verdict(cid, bytes.length, bytes.subarray(0, bytes.length - 1), cuts)).toBe('too-short');
          expect(verdict(cid, bytes.length, Uint8Array.of(...bytes, 0), cuts)).toBe('too-long');
        },
      ),
    );
  });
});
