/**
 * The root of an upload: a dag-cbor document listing its files, each with its name, size, media
 * type, chunk size and the CIDs of its chunks in order. It is stored as a piece of its own, and its
 * CID (dag-cbor, sha2-256) is the upload's root CID: whoever has it can find, fetch and verify
 * every byte of every file.
 *
 * Decoding is for untrusted bytes (a download reads the root from any provider): every field is
 * checked, chunk counts must match the sizes, and file names must be plain names, so a manifest
 * can never make a download write outside its folder.
 */
import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { cidOf, parsePieceCid, pieceCodecOf } from './cid';

export const MANIFEST_KIND = 'coffer-upload';
export const MANIFEST_VERSION = 1;
/** Longest file name kept in a manifest, in UTF-8 bytes (what common file systems allow). */
export const MAX_FILE_NAME_BYTES = 255;

export interface ManifestFile {
  name: string;
  size: number;
  mediaType: string;
  chunkSize: number;
  /** Chunk CIDs (raw, sha2-256), in file order; the last chunk may be shorter. */
  chunks: string[];
}

export interface UploadManifest {
  files: ManifestFile[];
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** The dag-cbor bytes of a manifest and their CID (the upload's root). */
export function encodeManifest(manifest: UploadManifest): { bytes: Uint8Array; cid: string } {
  for (const file of manifest.files) checkFile(file);
  const bytes = dagCbor.encode({
    kind: MANIFEST_KIND,
    version: MANIFEST_VERSION,
    files: manifest.files.map((file) => ({
      name: file.name,
      size: file.size,
      mediaType: file.mediaType,
      chunkSize: file.chunkSize,
      chunks: file.chunks.map((cid) => CID.parse(cid)),
    })),
  });
  return { bytes, cid: cidOf(bytes, 'dag-cbor').toString() };
}

/** Parses and checks manifest bytes from anywhere; throws ManifestError saying what is wrong. */
export function decodeManifest(bytes: Uint8Array): UploadManifest {
  let value: unknown;
  try {
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw new ManifestError(`the root is not dag-cbor: ${(error as Error).message}`);
  }
  const root = value as Record<string, unknown> | null;
  if (!root || typeof root !== 'object' || root.kind !== MANIFEST_KIND)
    throw new ManifestError('the root is not a Coffer upload manifest');
  if (root.version !== MANIFEST_VERSION)
    throw new ManifestError(`manifest version ${String(root.version)} is not supported`);
  if (!Array.isArray(root.files)) throw new ManifestError('the manifest has no file list');
  const files = root.files.map((entry: unknown, i: number): ManifestFile => {
    const file = entry as Record<string, unknown> | null;
    if (!file || typeof file !== 'object') throw new ManifestError(`file ${i} is not a record`);
    const { name, size, mediaType, chunkSize, chunks } = file;
    if (typeof name !== 'string' || typeof mediaType !== 'string')
      throw new ManifestError(`file ${i} lacks a name or media type`);
    if (!isCount(size) || !isCount(chunkSize) || chunkSize === 0)
      throw new ManifestError(`file ${i} has a bad size or chunk size`);
    if (!Array.isArray(chunks)) throw new ManifestError(`file ${i} has no chunk list`);
    const parsed = {
      name,
      size,
      mediaType,
      chunkSize,
      chunks: chunks.map((chunk: unknown, j: number) => {
        const cid = CID.asCID(chunk);
        if (!cid) throw new ManifestError(`chunk ${j} of file ${i} is not a CID link`);
        try {
          const checked = parsePieceCid(cid.toString());
          if (pieceCodecOf(checked) !== 'raw') throw new ManifestError('not a raw chunk');
          return checked.toString();
        } catch (error) {
          throw new ManifestError(`chunk ${j} of file ${i}: ${(error as Error).message}`);
        }
      }),
    };
    checkFile(parsed, i);
    return parsed;
  });
  return { files };
}

/** The byte size of chunk `index` of `file`. */
export function chunkSizeAt(file: Pick<ManifestFile, 'size' | 'chunkSize'>, index: number): number {
  return Math.min(file.chunkSize, file.size - index * file.chunkSize);
}

export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/**
 * Whether `name` is a plain file name: not empty, no path separators, not `.` or `..`, no control
 * characters, at most MAX_FILE_NAME_BYTES of UTF-8.
 */
export function isPlainFileName(name: string): boolean {
  return (
    name.length > 0 &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\]/.test(name) &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(name) &&
    new TextEncoder().encode(name).length <= MAX_FILE_NAME_BYTES
  );
}

function checkFile(file: ManifestFile, index?: number): void {
  const which = index === undefined ? JSON.stringify(file.name) : `file ${index}`;
  if (!isPlainFileName(file.name))
    throw new ManifestError(`${which}: ${JSON.stringify(file.name.slice(0, 80))} is not a plain file name`);
  if (file.mediaType.length > 200) throw new ManifestError(`${which}: the media type is too long`);
  if (file.chunks.length !== chunkCount(file.size, file.chunkSize))
    throw new ManifestError(
      `${which}: ${file.chunks.length} chunks do not fit ${file.size} bytes in chunks of ${file.chunkSize}`,
    );
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
