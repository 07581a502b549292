/**
 * Gets an upload back by its root CID: finds the providers holding the root, fetches and checks
 * the manifest, then every chunk of every file — each chunk held in memory only while it is
 * verified against its CID, and written to the file only once it matches. A provider that fails
 * or serves wrong bytes is passed over for that chunk and the next one is asked. Files are written
 * to a temporary name beside their destination and renamed into place once complete, so a
 * destination never holds a partial or unverified file.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { CofferError } from '../../../shared/api/errors';
import { parsePieceCid, PieceVerifier } from '../../../shared/pieces/cid';
import {
  chunkSizeAt,
  decodeManifest,
  ManifestError,
  type UploadManifest,
} from '../../../shared/pieces/upload-manifest';
import { discardBody, type ProviderClient } from '../providers/provider-client';
import type { ProviderInfo } from '../providers/provider-directory';
import { ConcurrencyLimit } from '../upload/concurrency-limit';

export interface DownloadSource {
  provider: ProviderInfo;
  client: ProviderClient;
}

export interface DownloadProgress {
  files: { name: string; size: number; bytesDone: number }[];
  bytesDone: number;
  bytesTotal: number;
  chunksDone: number;
  chunksTotal: number;
  fallbacks: { providerId: number; cid: string; reason: string }[];
}

export interface DownloadRequest {
  root: string;
  /** Where to write: a file for a one-file upload (or a folder to put it in), else a folder. */
  destination: string;
  /** Always treat `destination` as a folder, the files in it by name. */
  folder?: boolean;
  /** Providers to try, best first; those that do not hold the root are skipped. */
  sources: readonly DownloadSource[];
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
}

const PARTIAL_SUFFIX = '.coffer-partial';
/** Largest piece a download holds in memory to verify it (a chunk, or the manifest). */
const MAX_PIECE_BYTES = 64 * 1024 * 1024;

/** Downloads every file of the upload `root`; returns the paths written. */
export async function downloadRoot(
  request: DownloadRequest,
): Promise<{ paths: string[]; manifest: UploadManifest }> {
  parseRoot(request.root);
  const holders = await holdersOf(request.sources, request.root, request.signal);
  if (holders.length === 0)
    throw new CofferError(
      'NOT_FOUND',
      `No provider holds upload ${request.root} (asked ${request.sources.length})`,
    );
  const progress: DownloadProgress = {
    files: [],
    bytesDone: 0,
    bytesTotal: 0,
    chunksDone: 0,
    chunksTotal: 0,
    fallbacks: [],
  };
  const rootBytes = await fetchVerified(holders, request.root, undefined, progress, request.signal);
  let manifest: UploadManifest;
  try {
    manifest = decodeManifest(rootBytes);
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    throw new CofferError(
      'INVALID_INPUT',
      `${request.root} is not the root of a Coffer upload: ${error.message}`,
    );
  }
  const tooLarge = manifest.files.find((file) => file.chunkSize > MAX_PIECE_BYTES && file.size > 0);
  if (tooLarge)
    throw new CofferError(
      'INVALID_INPUT',
      `${tooLarge.name} has chunks of ${tooLarge.chunkSize} bytes, more than this app reads`,
    );
  progress.files = manifest.files.map((file) => ({ name: file.name, size: file.size, bytesDone: 0 }));
  progress.bytesTotal = manifest.files.reduce((sum, file) => sum + file.size, 0);
  progress.chunksTotal = manifest.files.reduce((sum, file) => sum + file.chunks.length, 0);
  request.onProgress?.(progress);
  const targets = await targetsFor(request.destination, manifest, request.folder ?? false);
  const limit = new ConcurrencyLimit(request.concurrency ?? 4);
  for (const [index, file] of manifest.files.entries()) {
    const target = targets[index]!;
    const partial = `${target}${PARTIAL_SUFFIX}`;
    const handle = await open(partial, 'w');
    try {
      await limit.map(file.chunks, async (cid, chunk) => {
        const size = chunkSizeAt(file, chunk);
        const bytes = await fetchVerified(holders, cid, size, progress, request.signal);
        await handle.write(bytes, 0, bytes.length, chunk * file.chunkSize);
        progress.files[index]!.bytesDone += bytes.length;
        progress.bytesDone += bytes.length;
        progress.chunksDone++;
        request.onProgress?.(progress);
      });
      await handle.sync();
      await handle.close();
      await rename(partial, target);
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(partial, { force: true });
      throw error;
    }
  }
  return { paths: targets, manifest };
}

/**
 * One piece's bytes, verified: from the first holder that serves the right bytes. `size` is what
 * the manifest says (unknown for the root, whose CID is all there is to check it with).
 */
async function fetchVerified(
  holders: readonly DownloadSource[],
  cidText: string,
  size: number | undefined,
  progress: DownloadProgress,
  signal?: AbortSignal,
): Promise<Buffer> {
  const cid = parsePieceCid(cidText);
  const problems: string[] = [];
  for (const holder of holders) {
    signal?.throwIfAborted();
    try {
      const piece = await holder.client.retrieve(cidText, undefined, { signal });
      const expected = size ?? piece.size;
      if (expected > MAX_PIECE_BYTES || piece.size !== expected) {
        discardBody(piece.body);
        throw new Error(`it serves ${piece.size} bytes, the manifest says ${expected}`);
      }
      const buffer = Buffer.allocUnsafe(expected);
      const verifier = new PieceVerifier(cid, expected, createHash('sha256'));
      let filled = 0;
      for await (const block of piece.body as AsyncIterable<Buffer>) {
        verifier.update(block);
        block.copy(buffer, filled);
        filled += block.length;
      }
      verifier.finish();
      return buffer;
    } catch (error) {
      signal?.throwIfAborted();
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(`provider ${holder.provider.id}: ${reason}`);
      progress.fallbacks.push({ providerId: holder.provider.id, cid: cidText, reason: reason.slice(0, 300) });
    }
  }
  throw new CofferError(
    'VERIFY_FAILED',
    `No provider served piece ${cidText} intact (${problems.join('; ').slice(0, 1000)}); nothing unverified was written`,
  );
}

/** The sources that say they hold the root, in the order given. */
async function holdersOf(
  sources: readonly DownloadSource[],
  root: string,
  signal?: AbortSignal,
): Promise<DownloadSource[]> {
  const held = await Promise.all(
    sources.map((source) =>
      source.client
        .pieceStatus(root, undefined, { signal })
        .then((status) => status.status !== 'unknown' && status.status !== 'cached-unpaid')
        .catch(() => false),
    ),
  );
  return sources.filter((_, i) => held[i]);
}

/** Where each file goes: a folder of files by name, or one file. */
async function targetsFor(destination: string, manifest: UploadManifest, folder: boolean): Promise<string[]> {
  const resolved = path.resolve(destination);
  const existing = await stat(resolved).catch(() => null);
  if (manifest.files.length === 1 && !folder && !existing?.isDirectory()) {
    await mkdir(path.dirname(resolved), { recursive: true });
    return [resolved];
  }
  if (existing && !existing.isDirectory())
    throw new CofferError(
      'INVALID_INPUT',
      `${resolved} is a file; this upload holds ${manifest.files.length} files: give a folder`,
    );
  await mkdir(resolved, { recursive: true });
  // decodeManifest has checked every name is a plain file name: nothing lands outside the folder.
  return manifest.files.map((file) => path.join(resolved, file.name));
}

function parseRoot(root: string) {
  try {
    return parsePieceCid(root);
  } catch (error) {
    throw new CofferError('INVALID_INPUT', `${root} is not a root CID: ${(error as Error).message}`);
  }
}
