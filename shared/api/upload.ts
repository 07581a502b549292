/**
 * The `upload`, `download` and `providers` namespaces: storing files with several copies on
 * storage providers, following each copy provider by provider, and getting files back verified.
 *
 * `upload.start` answers at once with the upload's id; the approval request and the progress
 * follow as events (`approval.requested`, `upload.progress`). Progress is a whole `UploadView`
 * each time — per file, per provider (role, stage, bytes, chunks, throughput, ETA, transaction
 * hashes, errors with their stage) — so a screen can draw the file × provider grid from any one
 * event. Errors are plain sentences written by the core.
 */
import { z } from 'zod';
import { Address, Hash32, TokenAmount } from './chain-values';
import { method } from './define';

/** A piece or root CID: CIDv1, base32. */
export const Cid = z.string().regex(/^b[a-z2-7]{20,100}$/, 'expected a CIDv1 in base32');
/** An on-chain id (data set, piece), as a decimal string. */
export const ChainId = z.string().regex(/^\d{1,78}$/, 'expected a decimal id');
export const UploadId = z.string().regex(/^u-[A-Za-z0-9_-]{16}$/, 'expected an upload id');
export const DownloadId = z.string().regex(/^d-[A-Za-z0-9_-]{16}$/, 'expected a download id');
export const StagedId = z.string().regex(/^s-[A-Za-z0-9_-]{16}$/, 'expected a staged file id');

export const UploadStage = z.enum([
  'selecting',
  'quoting',
  'paying',
  'storing',
  'pulling',
  'committing',
  'confirmed',
  'failed',
]);
export type UploadStage = z.infer<typeof UploadStage>;

export const UploadState = z.enum([
  'preparing',
  'awaiting-approval',
  'running',
  'paused',
  'interrupted',
  'completed',
  'partial',
  'failed',
  'cancelled',
]);
export type UploadState = z.infer<typeof UploadState>;

export const CopyRole = z.enum(['primary', 'secondary']);

export const UploadFileInput = z.discriminatedUnion('kind', [
  /** Electron and the CLI: a file main reads itself (checked to be a readable regular file). */
  z.object({ kind: z.literal('path'), path: z.string().min(1).max(4096) }).strict(),
  /** Browser mode: a file the page streamed to the host's staging route first. */
  z.object({ kind: z.literal('staged'), stagedId: StagedId }).strict(),
]);

export const MAX_COPIES = 8;
export const MIN_CHUNK_SIZE = 1024;
export const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
export const MAX_WAVE_SIZE = 128;

export const StartUploadInput = z
  .object({
    files: z.array(UploadFileInput).min(1).max(10_000),
    /** Copies wanted (default: the setting, 2 unless changed); with providerIds or dataSetIds, their count. */
    copies: z.number().int().min(1).max(MAX_COPIES).optional(),
    /** Use exactly these providers (first = primary), without replacing any that fails. */
    providerIds: z.array(z.number().int().positive()).min(1).max(MAX_COPIES).optional(),
    /** Use exactly these data sets of this account (first = primary), without replacement. */
    dataSetIds: z.array(ChainId).min(1).max(MAX_COPIES).optional(),
    /** Requests in flight at once (quotes, single stores, status checks); default: the setting. */
    chunkConcurrency: z.number().int().min(1).max(64).optional(),
    /** Bytes per chunk (default 1 MiB). */
    chunkSize: z.number().int().min(MIN_CHUNK_SIZE).max(MAX_CHUNK_SIZE).optional(),
    /** Chunks per wave: quoted and paid in one transaction, stored in one request (default 64). */
    waveSize: z.number().int().min(1).max(MAX_WAVE_SIZE).optional(),
    account: z.number().int().min(0).max(0x7fffffff).default(0),
  })
  .strict()
  .refine((input) => !(input.providerIds && input.dataSetIds), {
    message: 'give providerIds or dataSetIds, not both',
  });

const ErrorInfo = z.object({ code: z.string().max(40), message: z.string(), stage: UploadStage.nullable() });

export const CopyResult = z.object({
  providerId: z.number().int(),
  role: CopyRole,
  dataSetId: ChainId,
  /** One per piece, in the order of the upload's pieces (the root manifest last). */
  pieceIds: z.array(ChainId),
  isNewDataSet: z.boolean(),
  /** Where the root manifest can be fetched from this provider. */
  retrievalUrl: z.string().url(),
});

export const CopyFailure = z.object({
  providerId: z.number().int(),
  role: CopyRole,
  stage: UploadStage,
  error: z.string(),
});

export const UploadResult = z.object({
  root: Cid,
  size: z.number().int().nonnegative(),
  copies: z.array(CopyResult),
  failures: z.array(CopyFailure),
});
export type UploadResult = z.infer<typeof UploadResult>;

export const ProviderProgress = z.object({
  providerId: z.number().int(),
  address: Address,
  url: z.string().url(),
  endorsed: z.boolean(),
  role: CopyRole,
  /** Chosen by the caller (no replacement when it fails). */
  explicit: z.boolean(),
  stage: UploadStage,
  bytesDone: z.number().int().nonnegative(),
  bytesTotal: z.number().int().nonnegative(),
  chunksDone: z.number().int().nonnegative(),
  chunksTotal: z.number().int().nonnegative(),
  /** Bytes per second over the last few seconds. */
  throughput: z.number().nonnegative(),
  etaSeconds: z.number().nonnegative().nullable(),
  dataSetId: ChainId.nullable(),
  isNewDataSet: z.boolean(),
  commitTxHash: Hash32.nullable(),
  error: ErrorInfo.nullable(),
});

/** A media type as the manifest keeps it, e.g. `image/png`. */
const MediaType = z.string().regex(/^[a-z]+\/[a-z0-9.+-]+$/, 'expected a media type');

export const FileProgress = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  size: z.number().int().nonnegative(),
  mediaType: MediaType,
  chunks: z.number().int().nonnegative(),
  providers: z.array(
    z.object({
      providerId: z.number().int(),
      chunksDone: z.number().int().nonnegative(),
      bytesDone: z.number().int().nonnegative(),
    }),
  ),
});

export const PaymentInfo = z.object({
  txHash: Hash32.nullable(),
  /** The wave paid, or null for a catch-up payment (a replacement or top-up copy). */
  wave: z.number().int().nullable(),
  quotes: z.number().int().nonnegative(),
  amount: TokenAmount,
  state: z.enum(['sending', 'sent', 'confirmed', 'failed']),
});

export const UploadView = z.object({
  uploadId: UploadId,
  state: UploadState,
  account: z.number().int().nonnegative(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  root: Cid.nullable(),
  size: z.number().int().nonnegative(),
  /** Distinct bytes (identical chunks once, root included): what each copy stores. */
  uniqueBytes: z.number().int().nonnegative(),
  pieceCount: z.number().int().nonnegative(),
  waves: z.number().int().nonnegative(),
  copiesRequested: z.number().int().positive(),
  copiesConfirmed: z.number().int().nonnegative(),
  /** While the files are being read and hashed. */
  hashing: z.object({ bytesDone: z.number().int(), bytesTotal: z.number().int() }).nullable(),
  files: z.array(FileProgress),
  providers: z.array(ProviderProgress),
  payments: z.array(PaymentInfo),
  cost: z.object({
    estimated: TokenAmount.nullable(),
    approved: TokenAmount.nullable(),
    paid: TokenAmount.nullable(),
  }),
  result: UploadResult.nullable(),
  error: ErrorInfo.nullable(),
  /** What the user can do now. */
  actions: z.object({
    pause: z.boolean(),
    resume: z.boolean(),
    cancel: z.boolean(),
    topUp: z.boolean(),
    retryCommit: z.boolean(),
  }),
});
export type UploadView = z.infer<typeof UploadView>;

export const UploadSummary = UploadView.pick({
  uploadId: true,
  state: true,
  createdAt: true,
  updatedAt: true,
  root: true,
  size: true,
  copiesRequested: true,
  copiesConfirmed: true,
  error: true,
  actions: true,
}).extend({ fileNames: z.array(z.string()).max(5), fileCount: z.number().int().nonnegative() });

export const CancelSummary = z.object({
  uploadId: UploadId,
  state: UploadState,
  paid: TokenAmount.nullable(),
  payments: z.array(z.object({ txHash: Hash32, amount: TokenAmount })),
  committed: z.array(
    z.object({ providerId: z.number().int(), dataSetId: ChainId, pieces: z.number().int() }),
  ),
  /** Pieces each provider held (parked, uncommitted) when the upload stopped; they expire there. */
  stored: z.array(z.object({ providerId: z.number().int(), pieces: z.number().int() })),
});
export type CancelSummary = z.infer<typeof CancelSummary>;

const Copies = z.number().int().min(1).max(MAX_COPIES);
const ChunkConcurrency = z.number().int().min(1).max(64);

export const UploadSettings = z.object({
  chunkConcurrency: ChunkConcurrency,
  /** Half the machine's threads, at least one. */
  defaultChunkConcurrency: z.number().int().min(1),
  /** Copies an upload keeps when it does not say. */
  copies: Copies,
  defaultCopies: Copies,
});
export type UploadSettings = z.infer<typeof UploadSettings>;

const ById = z.object({ uploadId: UploadId }).strict();

export const uploadMethods = {
  start: method(
    'Start an upload; answers at once, approval and progress follow as events.',
    StartUploadInput,
    z.object({ uploadId: UploadId }),
  ),
  list: method(
    'Uploads, newest first (interrupted ones included).',
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    z.object({ uploads: z.array(UploadSummary), total: z.number().int().nonnegative() }),
  ),
  get: method('One upload in full: files × providers, payments, result.', ById, UploadView),
  pause: method('Stop after the step in flight; resume later.', ById, UploadView),
  resume: method(
    'Continue a paused or interrupted upload (asks approval for what remains).',
    ById,
    UploadView,
  ),
  cancel: method('Stop for good; says what was paid and committed.', ById, CancelSummary),
  topUp: method(
    'Add copies to an upload that has fewer than wanted (pulled from a copy it has, then committed).',
    z.object({ uploadId: UploadId, copies: z.number().int().min(1).max(MAX_COPIES) }).strict(),
    UploadView,
  ),
  retryCommit: method(
    'Commit again on the providers whose commit failed (pieces still parked).',
    ById,
    UploadView,
  ),
  settings: method('Upload settings.', z.object({}).strict(), UploadSettings),
  setSettings: method(
    'Change upload settings (those given).',
    z.object({ chunkConcurrency: ChunkConcurrency.optional(), copies: Copies.optional() }).strict(),
    UploadSettings,
  ),
};

export const DownloadState = z.enum(['running', 'completed', 'failed']);

export const DownloadView = z.object({
  downloadId: DownloadId,
  root: Cid,
  state: DownloadState,
  /** The file of a one-file upload downloaded to a file, else the folder holding the files by name. */
  destination: z.string(),
  files: z.array(z.object({ name: z.string(), size: z.number().int(), bytesDone: z.number().int() })),
  bytesDone: z.number().int().nonnegative(),
  bytesTotal: z.number().int().nonnegative(),
  chunksDone: z.number().int().nonnegative(),
  chunksTotal: z.number().int().nonnegative(),
  throughput: z.number().nonnegative(),
  /** Chunks a provider could not serve right, each then fetched from another provider. */
  fallbacks: z.array(z.object({ providerId: z.number().int(), cid: Cid, reason: z.string() })),
  error: z.object({ code: z.string().max(40), message: z.string() }).nullable(),
});
export type DownloadView = z.infer<typeof DownloadView>;

export const downloadMethods = {
  start: method(
    'Download an upload by its root CID, verified chunk by chunk, to a file or folder.',
    z
      .object({
        root: Cid,
        /** A file (one-file upload) or folder; default: a folder named by the root in the data folder. */
        destination: z.string().min(1).max(4096).optional(),
      })
      .strict(),
    z.object({ downloadId: DownloadId }),
  ),
  get: method('A download and its progress.', z.object({ downloadId: DownloadId }).strict(), DownloadView),
};

export const ProviderListing = z.object({
  id: z.number().int(),
  address: Address,
  url: z.string().url(),
  endorsed: z.boolean(),
  online: z.boolean(),
  latencyMs: z.number().int().nonnegative().nullable(),
  problem: z.string().nullable(),
  /** Token base units per byte, as the provider's ping says. */
  pricePerByte: z.string().regex(/^\d+$/).nullable(),
  batch: z.boolean().nullable(),
  /** This account's data sets with the provider. */
  dataSets: z.array(z.object({ dataSetId: ChainId, clientDataSetId: ChainId })),
});

export const providersMethods = {
  list: method(
    'Storage providers from the registry on chain, pinged, with this account’s data sets.',
    z.object({ account: z.number().int().min(0).max(0x7fffffff).default(0) }).strict(),
    z.object({ providers: z.array(ProviderListing) }),
  ),
};

export const uploadEvents = {
  'upload.progress': UploadView,
  'download.progress': DownloadView,
};
