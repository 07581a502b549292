/**
 * What an upload stores: its files cut into chunks, the distinct pieces (identical chunks are one
 * piece, stored once), the root manifest piece, and the waves the pieces travel in. The plan is
 * made by hashing every file once before anything is sent (the payer's AddPieces signature names
 * every piece up front), and can be rebuilt from the journal for a resume without reading the
 * files again.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { CofferError } from '../../../shared/api/errors';
import { pieceDigestOf, parsePieceCid } from '../../../shared/pieces/cid';
import {
  decodeManifest,
  encodeManifest,
  isPlainFileName,
  type ManifestFile,
} from '../../../shared/pieces/upload-manifest';
import { hashFiles } from './file-hashing';
import { mediaTypeOf } from './media-type';

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;
export const DEFAULT_WAVE_SIZE = 64;

export interface PlanFile {
  index: number;
  name: string;
  path: string;
  size: number;
  /** Seen when the plan was made: a resume refuses a file that changed since. */
  mtimeMs: number;
  mediaType: string;
  chunkSize: number;
}

/** Where a piece's bytes come from: a range of one of the files, or the manifest itself. */
export type PieceSource = { kind: 'file'; fileIndex: number; offset: number } | { kind: 'root' };

export interface PlanPiece {
  index: number;
  cid: string;
  digest: `0x${string}`;
  size: number;
  wave: number;
  source: PieceSource;
}

export interface UploadPlan {
  files: PlanFile[];
  /** Distinct pieces in the order they are sent; the root manifest is the last. */
  pieces: PlanPiece[];
  /** Piece indices per wave. */
  waves: number[][];
  /** For each file, the piece index of each of its chunks (duplicates point at one piece). */
  fileChunks: number[][];
  root: { cid: string; size: number; bytes: Uint8Array };
  chunkSize: number;
  waveSize: number;
  /** Sum of the files' sizes. */
  totalBytes: number;
  /** Bytes of the distinct pieces, root included: what each copy stores and is paid for. */
  uniqueBytes: number;
}

export interface PlanInput {
  path: string;
  /** The name in the manifest; default: the file's base name. */
  name?: string;
}

export interface PlanOptions {
  chunkSize?: number;
  waveSize?: number;
  signal?: AbortSignal;
  /** Bytes hashed so far across all files. */
  onHashed?: (bytes: number, total: number) => void;
}

/** Checks the inputs (readable regular files, plain distinct names) and returns their facts. */
export async function inspectFiles(inputs: readonly PlanInput[], chunkSize: number): Promise<PlanFile[]> {
  if (inputs.length === 0) throw new CofferError('INVALID_INPUT', 'Choose at least one file to upload');
  const seen = new Set<string>();
  return Promise.all(
    inputs.map(async (input, index) => {
      const filePath = path.resolve(input.path);
      const name = input.name ?? path.basename(filePath);
      const info = await stat(filePath).catch(() => null);
      if (!info) throw new CofferError('INVALID_INPUT', `${filePath} does not exist`);
      if (!info.isFile()) throw new CofferError('INVALID_INPUT', `${filePath} is not a regular file`);
      await access(filePath, constants.R_OK).catch(() => {
        throw new CofferError('INVALID_INPUT', `${filePath} cannot be read (permission denied)`);
      });
      if (!isPlainFileName(name))
        throw new CofferError('INVALID_INPUT', `${JSON.stringify(name)} cannot be used as a file name`);
      if (seen.has(name))
        throw new CofferError('INVALID_INPUT', `Two files are named ${JSON.stringify(name)}; rename one`);
      seen.add(name);
      return {
        index,
        name,
        path: filePath,
        size: info.size,
        mtimeMs: Math.floor(info.mtimeMs),
        mediaType: mediaTypeOf(name),
        chunkSize,
      };
    }),
  );
}

/** Hashes every file (streamed: one chunk in memory per file or thread at a time) and plans the upload. */
export async function planUpload(
  inputs: readonly PlanInput[],
  options: PlanOptions = {},
): Promise<UploadPlan> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const waveSize = options.waveSize ?? DEFAULT_WAVE_SIZE;
  const files = await inspectFiles(inputs, chunkSize);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  const scanned = await hashFiles(files, {
    chunkSize,
    signal: options.signal,
    onBytes: (hashed) => options.onHashed?.(hashed, total),
  });
  // Pieces are numbered in file order whatever order the files were hashed in.
  const pieces: Omit<PlanPiece, 'wave'>[] = [];
  const byDigest = new Map<string, number>();
  const fileChunks: number[][] = [];
  const manifestFiles: ManifestFile[] = [];
  for (const [at, file] of files.entries()) {
    const chunks: number[] = [];
    for (const chunk of scanned[at]!) {
      let index = byDigest.get(chunk.digest);
      if (index === undefined) {
        index = pieces.length;
        byDigest.set(chunk.digest, index);
        pieces.push({
          index,
          cid: chunk.cid,
          digest: chunk.digest,
          size: chunk.size,
          source: { kind: 'file', fileIndex: file.index, offset: chunk.offset },
        });
      }
      chunks.push(index);
    }
    fileChunks.push(chunks);
    manifestFiles.push({ ...manifestFileOf(file), chunks: scanned[at]!.map((chunk) => chunk.cid) });
  }
  const root = encodeManifest({ files: manifestFiles });
  return assemble(files, pieces, fileChunks, root, chunkSize, waveSize);
}

/**
 * Rebuilds a plan from what the journal kept: the files, the distinct pieces in order (their CID,
 * size and source) and the manifest, without reading the files again.
 */
export function restorePlan(
  files: PlanFile[],
  journaled: readonly { cid: string; size: number; source: PieceSource }[],
  manifestBytes: Uint8Array,
  waveSize: number,
): UploadPlan {
  const root = encodeManifest(decodeManifest(manifestBytes));
  const pieces = journaled
    .filter((piece) => piece.source.kind === 'file')
    .map((piece, index) => ({
      ...piece,
      index,
      digest: pieceDigestOf(parsePieceCid(piece.cid)),
    }));
  const byCid = new Map(pieces.map((piece) => [piece.cid, piece.index]));
  const fileChunks = decodeManifest(root.bytes).files.map((entry) =>
    entry.chunks.map((cid) => {
      const index = byCid.get(cid);
      if (index === undefined) throw new Error(`the journal has no source for chunk ${cid}`);
      return index;
    }),
  );
  return assemble(files, pieces, fileChunks, root, files[0]?.chunkSize ?? DEFAULT_CHUNK_SIZE, waveSize);
}

function manifestFileOf(file: PlanFile): Omit<ManifestFile, 'chunks'> {
  return { name: file.name, size: file.size, mediaType: file.mediaType, chunkSize: file.chunkSize };
}

function assemble(
  files: PlanFile[],
  chunkPieces: Omit<PlanPiece, 'wave'>[],
  fileChunks: number[][],
  root: { bytes: Uint8Array; cid: string },
  chunkSize: number,
  waveSize: number,
): UploadPlan {
  if (!Number.isInteger(waveSize) || waveSize < 1)
    throw new CofferError('INVALID_INPUT', `A wave holds at least one piece, not ${waveSize}`);
  const rootDigest = pieceDigestOf(parsePieceCid(root.cid));
  const all = [...chunkPieces];
  // The manifest is a piece like the others, unless (astronomically unlikely) a chunk has its bytes.
  if (!all.some((piece) => piece.digest === rootDigest))
    all.push({
      index: all.length,
      cid: root.cid,
      digest: rootDigest,
      size: root.bytes.length,
      source: { kind: 'root' },
    });
  // Waves of `waveSize` chunks; the manifest rides with the last one (it is written last, once
  // every chunk it names is known), so an upload of N chunks is paid in ceil(N / waveSize) waves.
  const lastChunkWave = Math.max(0, Math.ceil(chunkPieces.length / waveSize) - 1);
  const pieces = all.map((piece) => ({
    ...piece,
    wave: piece.index < chunkPieces.length ? Math.floor(piece.index / waveSize) : lastChunkWave,
  }));
  const waves: number[][] = [];
  for (const piece of pieces) (waves[piece.wave] ??= []).push(piece.index);
  return {
    files,
    pieces,
    waves,
    fileChunks,
    root: { cid: root.cid, size: root.bytes.length, bytes: root.bytes },
    chunkSize,
    waveSize,
    totalBytes: files.reduce((sum, file) => sum + file.size, 0),
    uniqueBytes: pieces.reduce((sum, piece) => sum + piece.size, 0),
  };
}
