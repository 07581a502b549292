/**
 * Piece identity. A piece (a file chunk, or an upload's manifest) is named by a CIDv1 with a
 * sha2-256 multihash: the `raw` codec for chunks, `dag-cbor` for manifests. On chain a piece is its
 * bare 32-byte sha-256 digest (`pieceDigest` in the EIP-712 structs), so the two codecs of the same
 * bytes are one piece to the contracts.
 *
 * Everything that takes a CID from outside (HTTP parameters, batch headers, manifests) goes through
 * `parsePieceCid`, which accepts only the canonical base32 text of such a CID — nothing that could
 * smuggle a path separator, a different hash or an identity multihash. `PieceVerifier` checks bytes
 * against their CID while they stream, so nobody has to hold a whole piece in memory to trust it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';

export const PIECE_CODECS = { raw: 0x55, 'dag-cbor': 0x71 } as const;
export type PieceCodec = keyof typeof PIECE_CODECS;
const SHA2_256 = 0x12;
const DIGEST_BYTES = 32;
/** A canonical CIDv1 (base32, sha2-256) is 59 characters; anything much longer is not one. */
const MAX_CID_TEXT = 100;

export type PieceDigest = `0x${string}`;

export class PieceCidError extends Error {
  override name = 'PieceCidError';
}

export function cidFromDigest(digest: Uint8Array | PieceDigest, codec: PieceCodec = 'raw'): CID {
  const bytes = typeof digest === 'string' ? digestBytes(digest) : digest;
  if (bytes.length !== DIGEST_BYTES)
    throw new PieceCidError(`a piece digest is ${DIGEST_BYTES} bytes, got ${bytes.length}`);
  return CID.createV1(PIECE_CODECS[codec], Digest.create(SHA2_256, bytes));
}

/** The CID of `bytes` under `codec` (raw for chunks, dag-cbor for manifests). */
export function cidOf(bytes: Uint8Array, codec: PieceCodec = 'raw'): CID {
  return cidFromDigest(sha256(bytes), codec);
}

/** The 32-byte sha-256 digest a CID names, as the contracts see it. */
export function pieceDigestOf(cid: CID): PieceDigest {
  return `0x${bytesToHex(cid.multihash.digest)}`;
}

export function pieceCodecOf(cid: CID): PieceCodec {
  const codec = (Object.keys(PIECE_CODECS) as PieceCodec[]).find((name) => PIECE_CODECS[name] === cid.code);
  if (!codec) throw new PieceCidError(`codec 0x${cid.code.toString(16)} is not a piece codec`);
  return codec;
}

/**
 * Parses a piece CID from untrusted text: CIDv1, codec raw or dag-cbor, sha2-256 multihash of 32
 * bytes, written in canonical base32 (so one piece has exactly one spelling). Throws
 * PieceCidError saying what is wrong.
 */
export function parsePieceCid(text: string): CID {
  const shown = JSON.stringify(text.length > 70 ? `${text.slice(0, 70)}…` : text);
  if (text.length === 0) throw new PieceCidError('the piece CID is empty');
  if (text.length > MAX_CID_TEXT) throw new PieceCidError(`${shown} is too long to be a piece CID`);
  if (!/^b[a-z2-7]+$/.test(text))
    throw new PieceCidError(`${shown} is not a CIDv1 in base32 (lowercase, starting with "b")`);
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (error) {
    throw new PieceCidError(`${shown} is not a valid CID: ${(error as Error).message}`);
  }
  if (cid.version !== 1) throw new PieceCidError(`${shown} is not a CIDv1`);
  pieceCodecOf(cid);
  if (cid.multihash.code !== SHA2_256 || cid.multihash.digest.length !== DIGEST_BYTES)
    throw new PieceCidError(`${shown} does not use a 32-byte sha2-256 multihash`);
  if (cid.toString() !== text) throw new PieceCidError(`${shown} is not in canonical form`);
  return cid;
}

/** Parses a `0x`-prefixed 32-byte hex digest from untrusted text. */
export function parsePieceDigest(text: string): PieceDigest {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text))
    throw new PieceCidError(`${JSON.stringify(text.slice(0, 80))} is not a 0x-prefixed 32-byte hex digest`);
  return text.toLowerCase() as PieceDigest;
}

function digestBytes(digest: PieceDigest): Uint8Array {
  return hexToBytes(parsePieceDigest(digest).slice(2));
}

export type PieceVerifyFailure = 'too-long' | 'too-short' | 'cid-mismatch';

export class PieceVerifyError extends Error {
  override name = 'PieceVerifyError';
  constructor(
    readonly failure: PieceVerifyFailure,
    message: string,
  ) {
    super(message);
  }
}

/** An incremental sha-256: noble's by default; Node callers may pass `createHash('sha256')`. */
export interface Sha256Hasher {
  update(bytes: Uint8Array): unknown;
  digest(): Uint8Array;
}

/**
 * Checks a piece's bytes against its CID and expected size as they stream: `update` each chunk
 * (throws as soon as there are more bytes than expected), then `finish` (throws if there were
 * fewer, or if the digest differs). In Node, pass `createHash('sha256')` as `hasher`: it is an
 * order of magnitude faster than the portable default.
 */
export class PieceVerifier {
  readonly #hash: Sha256Hasher;
  readonly #cid: CID;
  readonly #size: number;
  #received = 0;

  constructor(cid: CID, size: number, hasher: Sha256Hasher = sha256.create()) {
    this.#cid = cid;
    this.#size = size;
    this.#hash = hasher;
  }

  get received(): number {
    return this.#received;
  }

  update(chunk: Uint8Array): void {
    this.#received += chunk.length;
    if (this.#received > this.#size)
      throw new PieceVerifyError(
        'too-long',
        `piece ${this.#cid} has more than the ${this.#size} bytes expected`,
      );
    this.#hash.update(chunk);
  }

  finish(): void {
    if (this.#received < this.#size)
      throw new PieceVerifyError(
        'too-short',
        `piece ${this.#cid} ended after ${this.#received} of ${this.#size} bytes`,
      );
    const actual = this.#hash.digest();
    const expected = this.#cid.multihash.digest;
    if (bytesToHex(actual) !== bytesToHex(expected))
      throw new PieceVerifyError(
        'cid-mismatch',
        `the bytes received do not match piece ${this.#cid} (their sha-256 is ${bytesToHex(actual)})`,
      );
  }
}
