/**
 * The storage provider's HTTP API, shared by the devnet provider node (devnet/provider/), its
 * client (electron/core/providers/provider-client.ts) and the upload engine. Every JSON body is
 * described by a zod schema here; integers that may exceed 2^53 (token amounts, deadlines, ids on
 * chain) travel as decimal strings.
 *
 * Pieces are named by canonical base32 CIDv1 (shared/pieces/cid.ts). A payer may store a piece
 * only after asking this provider for a quote for it: the quote says what storing it costs, and
 * paying it (PaymentVault.payForQuotes) is what makes the provider keep it.
 *
 *   GET  /v1/ping                         → Ping: health, version, price, capabilities, limits
 *   POST /v1/quotes                       QuoteRequest → QuoteResponse: one provider-signed
 *                                         EIP-712 Quote per piece, in request order
 *   PUT  /v1/pieces/:cid?payer=&size=     body: the piece's bytes (streamed) → StoreResult
 *   POST /v1/pieces/batch?payer=          body: the batch framing below → BatchStoreResponse
 *                                         (501 BATCH_UNSUPPORTED when ping says batch: false)
 *   GET  /v1/pieces/:cid/status[?payer=]  → PieceStatus
 *   GET  /v1/pieces/:cid                  → the bytes; honours one `Range: bytes=a-b` (206, or 416
 *                                         when unsatisfiable). This is the retrieval URL other
 *                                         providers pull from.
 *   POST /v1/pulls                        PullRequest → PullProgress (202; fetching continues)
 *   GET  /v1/pulls/:pullId[?waitMs=]      → PullProgress; with waitMs, a running pull is answered
 *                                         when it ends or after waitMs (at most MAX_WAIT_MS)
 *   POST /v1/commits                      CommitRequest → CommitStatus (202, status pending, with
 *                                         the transaction hash; confirmation follows)
 *   GET  /v1/commits/:commitId[?waitMs=]  → CommitStatus; with waitMs, a pending commit is answered
 *                                         when it settles or after waitMs (at most MAX_WAIT_MS)
 *   GET  /metrics                         → Prometheus text
 *   GET|PUT /v1/admin/faults              ProviderFaults (devnet only: loopback clients with
 *                                         `Authorization: Bearer <admin token>`)
 *
 * Store. The bytes are checked against the CID and size while they stream, written to a temp
 * file, fsynced and renamed into place: a piece is either whole and verified on disk or absent.
 * A piece whose quote is already paid is `parked` (held for commit). One whose quote is not yet
 * paid goes to the pre-registration cache as `cached-unpaid`, with a TTL and byte caps (global and
 * per payer), and is promoted to `parked` when the payment is seen on chain; a full cache answers
 * 507 CACHE_FULL at once.
 *
 * Batch framing (`Content-Type: application/vnd.coffer.piece-batch`):
 *
 *   [u32 big-endian: header length H][H bytes: UTF-8 JSON BatchHeader {"pieces":[{cid,size}…]}]
 *   [size₀ bytes of piece 0][size₁ bytes of piece 1]…   (back to back, in header order)
 *
 * The header declares every size up front, so the server stays in step whatever one piece holds:
 * a piece that is refused (not quoted, too large, cache full) is skipped, one whose bytes do not
 * match its CID fails alone, and the others are stored. Results come back per piece, in order. A
 * body that ends early fails the piece it cut and those after it. Bounds: `maxBatchCount` pieces,
 * `maxBatchBytes` declared bytes, a header of at most MAX_BATCH_HEADER_BYTES.
 *
 * Pull. A provider fetches pieces from another provider's retrieval URL, authorised only by the
 * payer's AddPieces signature for THIS provider (the same one it will commit with): the signer
 * must be the payer, the deadline not passed, the domain this chain's DataSetRegistry, and the
 * signed digests must cover every piece asked for. Each piece is verified while it streams;
 * anything that does not match (wrong bytes, cut short, too slow) fails that piece and nothing of
 * it is kept.
 *
 * Commit. The provider submits `addPieces` (or `createDataSetAndAddPieces` when `createDataSet` is
 * given and the data set does not exist yet) with the payer's signatures, after checking that
 * every piece is parked here; it answers with the transaction hash and follows it to confirmation
 * in the background.
 *
 * Errors are JSON `{ "error": { "code", "message", "details"? } }` with a fitting status: 400 bad
 * input, 403 not authorised / not quoted, 404 unknown, 405 wrong method, 409 state conflict, 413
 * too large, 416 bad range, 501 unsupported, 503 unavailable, 507 no room, 500 internal. Injected
 * faults say so in their message ("injected fault: …").
 */
import { z } from 'zod';
import type { AddPieces, Quote } from '../chain/eip712';
import { Address, HttpUrl } from '../network-manifest';
import { parsePieceCid, PieceCidError } from '../pieces/cid';

export const PROVIDER_API_VERSION = 1;
export const BATCH_CONTENT_TYPE = 'application/vnd.coffer.piece-batch';
export const MAX_BATCH_HEADER_BYTES = 1024 * 1024;
/** The fixed prefix of a batch body holding the header's length. */
export const BATCH_LENGTH_PREFIX_BYTES = 4;

const Hex32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected 32 bytes as 0x-prefixed hex')
  .transform((value) => value.toLowerCase() as `0x${string}`);
const Signature = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte signature as 0x-prefixed hex')
  .transform((value) => value as `0x${string}`);
const TxHash = Hex32;
const AddressHex = Address.transform((value) => value as `0x${string}`);
/** An unsigned integer that may not fit a JS number (uint256 on chain), as a decimal string. */
export const Uint = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a non-negative decimal integer');
const Count = z.number().int().nonnegative();

/** Longest a status request may ask to wait for a change (`?waitMs=`). */
export const MAX_WAIT_MS = 10_000;
const Size = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** A piece CID from outside: canonical base32 CIDv1, raw or dag-cbor, sha2-256. */
export const PieceCid = z.string().superRefine((value, context) => {
  try {
    parsePieceCid(value);
  } catch (error) {
    if (!(error instanceof PieceCidError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
  }
});

export const PieceRef = z.object({ cid: PieceCid, size: Size }).strict();
export type PieceRef = z.infer<typeof PieceRef>;

export const ProviderErrorCode = z.enum([
  'BAD_REQUEST',
  'INVALID_CID',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'BODY_TOO_LARGE',
  'PIECE_TOO_LARGE',
  'SIZE_MISMATCH',
  'CID_MISMATCH',
  'TRUNCATED',
  'NOT_QUOTED',
  'QUOTE_EXPIRED',
  'CACHE_FULL',
  'OUT_OF_SPACE',
  'UNKNOWN_PIECE',
  'RANGE_NOT_SATISFIABLE',
  'BATCH_UNSUPPORTED',
  'BATCH_TOO_LARGE',
  'BAD_FRAMING',
  'BAD_AUTHORIZATION',
  'AUTHORIZATION_EXPIRED',
  'PIECES_NOT_COVERED',
  'SOURCE_FAILED',
  'TIMEOUT',
  'UNKNOWN_PULL',
  'PIECES_NOT_PARKED',
  'DATA_SET_MISSING',
  'CHAIN_REJECTED',
  'TX_REVERTED',
  'UNKNOWN_COMMIT',
  'FORBIDDEN',
  'UNAVAILABLE',
  'INTERRUPTED',
  'INTERNAL',
]);
export type ProviderErrorCode = z.infer<typeof ProviderErrorCode>;

export const ErrorInfo = z.object({
  code: ProviderErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;
export const ErrorBody = z.object({ error: ErrorInfo });
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Ping = z.object({
  ok: z.literal(true),
  apiVersion: z.literal(PROVIDER_API_VERSION),
  version: z.string(),
  provider: AddressHex,
  chainId: z.number().int().positive(),
  /** Token base units per byte stored; a quote's price is size × this. */
  pricePerByte: Uint,
  capabilities: z.object({
    /** False: send pieces one by one (PUT /v1/pieces/:cid). */
    batch: z.boolean(),
    pull: z.boolean(),
    maxPieceBytes: Count,
    maxBatchCount: Count,
    maxBatchBytes: Count,
  }),
  cache: z.object({ ttlMs: Count, maxBytes: Count, maxBytesPerPayer: Count }),
});
export type Ping = z.infer<typeof Ping>;

export const QuoteRequest = z.object({ payer: AddressHex, pieces: z.array(PieceRef).min(1) }).strict();
export type QuoteRequest = z.input<typeof QuoteRequest>;

/** shared/chain/eip712.ts `Quote` with its integers as decimal strings. */
export const WireQuote = z.object({
  provider: AddressHex,
  payer: AddressHex,
  pieceDigest: Hex32,
  size: Uint,
  price: Uint,
  expiry: Uint,
  nonce: Hex32,
});
export type WireQuote = z.infer<typeof WireQuote>;

export const SignedQuote = z.object({
  cid: PieceCid,
  quote: WireQuote,
  /** The provider's EIP-712 signature over `quote` (PaymentVault domain). */
  signature: Signature,
  /** The quote's EIP-712 digest: PaymentVault.quoteDigest / QuotePaid's first topic. */
  quoteDigest: Hex32,
});
export type SignedQuote = z.infer<typeof SignedQuote>;
export const QuoteResponse = z.object({ quotes: z.array(SignedQuote) });
export type QuoteResponse = z.infer<typeof QuoteResponse>;

export const HeldStatus = z.enum(['parked', 'cached-unpaid', 'committed']);
export type HeldStatus = z.infer<typeof HeldStatus>;

export const StoreResult = z.object({
  cid: PieceCid,
  size: Size,
  status: HeldStatus,
  /** When a cached-unpaid piece is dropped unless its payment is seen first (ms since epoch). */
  expiresAt: Count.optional(),
});
export type StoreResult = z.infer<typeof StoreResult>;

/**
 * A batch body's header. Its CIDs are plain strings here, checked piece by piece by the server,
 * so that a malformed one fails its own piece (INVALID_CID) and not the whole batch; the sizes
 * must be right, since they keep the framing in step.
 */
export const BatchHeader = z
  .object({
    pieces: z.array(z.object({ cid: z.string(), size: Size }).strict()).min(1),
  })
  .strict();
export type BatchHeader = z.infer<typeof BatchHeader>;

/** POST /v1/pieces/read: the answer is these pieces' bytes, whole, one after another. */
export const ReadRequest = z.object({ pieces: z.array(z.string()).min(1) }).strict();
export type ReadRequest = z.infer<typeof ReadRequest>;

export const BatchItemResult = z.discriminatedUnion('ok', [
  StoreResult.extend({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), cid: z.string(), error: ErrorInfo }),
]);
export type BatchItemResult = z.infer<typeof BatchItemResult>;
export const BatchStoreResponse = z.object({ results: z.array(BatchItemResult) });
export type BatchStoreResponse = z.infer<typeof BatchStoreResponse>;

export const Commitment = z.object({ dataSetId: Uint, pieceId: Uint, txHash: TxHash });
export type Commitment = z.infer<typeof Commitment>;

export const PieceStatus = z.object({
  cid: PieceCid,
  status: z.enum([...HeldStatus.options, 'unknown']),
  size: Size.optional(),
  expiresAt: Count.optional(),
  /** Set when the piece left the pre-registration cache unpaid (ms since epoch). */
  expiredAt: Count.optional(),
  /** Where this piece was added on chain, for the payer asked about (or any payer). */
  commitments: z.array(Commitment),
});
export type PieceStatus = z.infer<typeof PieceStatus>;

/** The payer's signed AddPieces for this provider: authorises a pull, then the commit. */
export const AddPiecesAuthorization = z
  .object({
    pieceDigests: z.array(Hex32).min(1),
    nonce: Hex32,
    deadline: Uint,
    signature: Signature,
  })
  .strict();
export type AddPiecesAuthorization = z.input<typeof AddPiecesAuthorization>;

export const PullRequest = z
  .object({
    /** The source provider's base URL; pieces are read from `<sourceUrl>/v1/pieces/<cid>`. */
    sourceUrl: HttpUrl,
    payer: AddressHex,
    clientDataSetId: Uint,
    pieces: z.array(PieceRef).min(1),
    authorization: AddPiecesAuthorization,
  })
  .strict();
export type PullRequest = z.input<typeof PullRequest>;

export const PullPieceState = z.enum(['pending', 'fetching', ...HeldStatus.options, 'failed']);
export const PullProgress = z.object({
  pullId: z.string(),
  /** running until every piece is settled; then complete (all held) or failed (any failed). */
  state: z.enum(['running', 'complete', 'failed']),
  sourceUrl: z.string(),
  payer: AddressHex,
  pieces: z.array(
    z.object({
      cid: z.string(),
      size: Size,
      state: PullPieceState,
      bytes: Count,
      error: ErrorInfo.optional(),
    }),
  ),
  createdAt: Count,
  updatedAt: Count,
});
export type PullProgress = z.infer<typeof PullProgress>;

export const CommitRequest = z
  .object({
    payer: AddressHex,
    clientDataSetId: Uint,
    /** The payer's CreateDataSet signature, used when the data set does not exist yet. */
    createDataSet: z.object({ deadline: Uint, signature: Signature }).strict().optional(),
    addPieces: AddPiecesAuthorization,
  })
  .strict();
export type CommitRequest = z.input<typeof CommitRequest>;

export const CommitStatus = z.object({
  commitId: z.string(),
  status: z.enum(['pending', 'confirmed', 'failed']),
  txHash: TxHash,
  payer: AddressHex,
  clientDataSetId: Uint,
  /** Known once confirmed (or at submission when the data set already existed). */
  dataSetId: Uint.optional(),
  isNewDataSet: z.boolean(),
  pieceDigests: z.array(Hex32),
  /** One per piece digest, in order, once confirmed (from the PiecesAdded event). */
  pieceIds: z.array(Uint).optional(),
  blockNumber: Uint.optional(),
  error: ErrorInfo.optional(),
});
export type CommitStatus = z.infer<typeof CommitStatus>;

/** Pieces a fault applies to: all of them (true) or those CIDs. */
const FaultTarget = z.union([z.boolean(), z.array(PieceCid)]);

/** Devnet fault injection; every field absent or false means "behave". */
export const ProviderFaults = z
  .object({
    /** Ping answers 503. */
    failPing: z.boolean().optional(),
    /** Stores (single and batch items) answer 503 UNAVAILABLE. */
    failStore: FaultTarget.optional(),
    /** Stores are accepted but never reach parked: pieces stay cached-unpaid, paid or not. */
    stallParking: z.boolean().optional(),
    /** Pull requests answer 503. */
    failPull: z.boolean().optional(),
    /** Commits answer 503 (`http`), or are submitted so that the transaction reverts (`revert`). */
    failCommit: z.enum(['http', 'revert']).optional(),
    /** Retrieval serves the piece with one byte flipped. */
    corruptServedBytes: FaultTarget.optional(),
    /** Retrieval promises the whole piece, sends half and drops the connection. */
    truncateServedBytes: FaultTarget.optional(),
    /** Added to every API request before it is handled (not /metrics or admin). */
    latencyMs: Count.optional(),
    /** Stores answer 507 OUT_OF_SPACE. */
    outOfSpace: z.boolean().optional(),
  })
  .strict();
export type ProviderFaults = z.infer<typeof ProviderFaults>;

/** The header of a batch body (see the framing above), length prefix included. */
export function encodeBatchHeader(pieces: readonly PieceRef[]): Uint8Array {
  const json = new TextEncoder().encode(
    JSON.stringify({ pieces: pieces.map(({ cid, size }) => ({ cid, size })) }),
  );
  if (json.length > MAX_BATCH_HEADER_BYTES)
    throw new Error(`batch header of ${json.length} bytes exceeds ${MAX_BATCH_HEADER_BYTES}`);
  const out = new Uint8Array(BATCH_LENGTH_PREFIX_BYTES + json.length);
  new DataView(out.buffer).setUint32(0, json.length, false);
  out.set(json, BATCH_LENGTH_PREFIX_BYTES);
  return out;
}

export function quoteToWire(quote: Quote): WireQuote {
  return {
    ...quote,
    size: quote.size.toString(),
    price: quote.price.toString(),
    expiry: quote.expiry.toString(),
  };
}

export function quoteFromWire(quote: WireQuote): Quote {
  return { ...quote, size: BigInt(quote.size), price: BigInt(quote.price), expiry: BigInt(quote.expiry) };
}

/** The wire form of a payer's signed AddPieces (for pull and commit). */
export function addPiecesAuthorization(
  message: Pick<AddPieces, 'pieceDigests' | 'nonce' | 'deadline'>,
  signature: `0x${string}`,
): AddPiecesAuthorization {
  return {
    pieceDigests: [...message.pieceDigests],
    nonce: message.nonce,
    deadline: message.deadline.toString(),
    signature,
  };
}
