/**
 * The note server's HTTP API (the devnet "rollup node"), shared by the server, the seeder and the
 * sync engine. Binary bodies are `application/octet-stream` made of fixed-size records
 * (format.ts), so a client checks a body by its length alone: a range of n compact parts is
 * exactly n × COMPACT_BYTES bytes, in index order.
 *
 * Reads
 *   GET  /v1/info                      → NoteServerInfo (JSON). Read once per sync: tree size
 *                                        snapshot, root, and whether range reads are supported.
 *   GET  /v1/notes/:index              → one full note (NOTE_BYTES)
 *   GET  /v1/notes/:index/compact      → its compact part (COMPACT_BYTES): the per-note read
 *   GET  /v1/notes/:index/payload      → its payload (PAYLOAD_BYTES)
 *   GET  /v1/compact?start=S&count=N   → compact parts of [S, S+N), 1 ≤ N ≤ maxRangeCount,
 *                                        S+N ≤ tree size          (range capability)
 *   GET  /v1/payloads?indices=i,j,…    → payloads of those indices in the order asked,
 *   POST /v1/payloads {"indices":[…]}    1 ≤ count ≤ maxPayloadBatch, no duplicates
 *                                                                   (range capability)
 * Writes
 *   POST /v1/notes        body: one note (NOTE_BYTES)            → PublishResult (JSON)
 *   POST /v1/notes/batch  body: n notes, 1 ≤ n ≤ maxPublishBatch  → PublishResult (JSON)
 *   Notes are appended in body order; the first gets index `firstIndex`.
 * Observability
 *   GET  /v1/stats        → NoteServerStats (JSON)
 *   GET  /metrics         → the same counters in Prometheus text format
 * Devnet control (loopback clients only)
 *   POST /v1/admin {"faults"?: FaultRule[], "latencyMs"?: n, "resetStats"?: true}
 *                         → replaces the injected faults, the latency, clears the counters
 *                           (FaultRule: devnet/note-server/faults.ts)
 *
 * Binary reads carry `X-Coffer-Tree-Size` (the size when the read was served) and range reads
 * `X-Coffer-Start` / `X-Coffer-Count`. Every error is JSON `{ "error": { "code", "message" } }`
 * with an HTTP status that fits (400 bad input, 404 unknown index or route, 413 too large,
 * 501 range reads disabled, 503 unavailable, 500 internal).
 */
import { z } from 'zod';

export const NOTE_SERVER_API_VERSION = 1;
export const MAX_RANGE_COUNT = 1000;
export const MAX_PAYLOAD_BATCH = 256;
export const MAX_PUBLISH_BATCH = 1000;

export const TREE_SIZE_HEADER = 'x-coffer-tree-size';
export const RANGE_START_HEADER = 'x-coffer-start';
export const RANGE_COUNT_HEADER = 'x-coffer-count';

const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes as lowercase hex');
const Count = z.number().int().nonnegative();

export const NoteServerInfo = z.object({
  apiVersion: z.literal(NOTE_SERVER_API_VERSION),
  noteFormatVersion: z.number().int().positive(),
  treeSize: Count,
  /** Hex of the note tree root at `treeSize` (merkle.ts). */
  root: Hex32,
  capabilities: z.object({
    /** Range reads (`/v1/compact`, `/v1/payloads`); when false, clients read note by note. */
    range: z.boolean(),
    maxRangeCount: Count,
    maxPayloadBatch: Count,
    maxPublishBatch: Count,
  }),
  sizes: z.object({ compact: Count, payload: Count, note: Count }),
});
export type NoteServerInfo = z.infer<typeof NoteServerInfo>;

export const PublishResult = z.object({
  firstIndex: Count,
  count: Count,
  treeSize: Count,
  root: Hex32,
});
export type PublishResult = z.infer<typeof PublishResult>;

export const PayloadsRequest = z.object({ indices: z.array(Count) });

export const NoteServerErrorCode = z.enum([
  'bad_request',
  'not_found',
  'index_out_of_range',
  'range_too_large',
  'range_unsupported',
  'invalid_note',
  'body_too_large',
  'method_not_allowed',
  'forbidden',
  'unavailable',
  'internal',
]);
export type NoteServerErrorCode = z.infer<typeof NoteServerErrorCode>;

export const NoteServerErrorBody = z.object({
  error: z.object({ code: NoteServerErrorCode, message: z.string() }),
});
export type NoteServerErrorBody = z.infer<typeof NoteServerErrorBody>;

/** Route names used in the request counters. */
export const NOTE_SERVER_ROUTES = [
  'info',
  'note',
  'note_compact',
  'note_payload',
  'compact_range',
  'payloads',
  'publish',
  'publish_batch',
  'stats',
  'metrics',
  'admin',
  'unknown',
] as const;
export type NoteServerRoute = (typeof NOTE_SERVER_ROUTES)[number];

export const NoteServerStats = z.object({
  requestsTotal: Count,
  requestsByRoute: z.record(z.string(), Count),
  responsesByStatus: z.record(z.string(), Count),
  /** Response body bytes written (binary and JSON). */
  bytesServed: Count,
  /** TCP connections accepted: a client that keeps its connections alive opens few. */
  connectionsTotal: Count,
  faultsInjected: Count,
  treeSize: Count,
});
export type NoteServerStats = z.infer<typeof NoteServerStats>;
