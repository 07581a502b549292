import * as dagCbor from '@ipld/dag-cbor';
import { CID } from 'multiformats/cid';
import { describe, expect, it } from 'vitest';
import { cidOf } from './cid';
import { decodeManifest, encodeManifest, isPlainFileName } from './upload-manifest';

const chunk = (n: number) => cidOf(new Uint8Array([n])).toString();

describe('upload manifest', () => {
  it('round-trips, and its CID is the dag-cbor CID of its bytes', () => {
    const manifest = {
      files: [
        { name: 'a.txt', size: 3, mediaType: 'text/plain', chunkSize: 2, chunks: [chunk(1), chunk(2)] },
      ],
    };
    const { bytes, cid } = encodeManifest(manifest);
    expect(cid).toBe(cidOf(bytes, 'dag-cbor').toString());
    expect(decodeManifest(bytes)).toEqual(manifest);
  });

  it('refuses manifests a download could be misled by', () => {
    const encode = (files: unknown[]) => dagCbor.encode({ kind: 'coffer-upload', version: 1, files });
    const file = (over: Record<string, unknown>) => ({
      name: 'a',
      size: 1,
      mediaType: 'x/y',
      chunkSize: 1,
      chunks: [CID.parse(chunk(1))],
      ...over,
    });
    expect(() => decodeManifest(new Uint8Array([1, 2, 3]))).toThrow(
      /not dag-cbor|not a Coffer upload manifest/,
    );
    expect(() => decodeManifest(dagCbor.encode({ kind: 'other' }))).toThrow(/not a Coffer upload manifest/);
    expect(() => decodeManifest(encode([file({ name: '../../etc/passwd' })]))).toThrow(
      /not a plain file name/,
    );
    expect(() => decodeManifest(encode([file({ name: 'a/b' })]))).toThrow(/not a plain file name/);
    expect(() => decodeManifest(encode([file({ size: 5 })]))).toThrow(/do not fit 5 bytes/);
    expect(() => decodeManifest(encode([file({ chunks: ['not a link'] })]))).toThrow(/not a CID link/);
    const cbor = cidOf(new Uint8Array([1]), 'dag-cbor');
    expect(() => decodeManifest(encode([file({ chunks: [cbor] })]))).toThrow(/not a raw chunk/);
  });

  it('knows a plain file name', () => {
    for (const name of ['a', 'report.pdf', 'é.txt']) expect(isPlainFileName(name)).toBe(true);
    for (const name of ['', '.', '..', 'a/b', 'a\\b', 'a\u0000b', 'x'.repeat(256)])
      expect(isPlainFileName(name)).toBe(false);
  });
});
