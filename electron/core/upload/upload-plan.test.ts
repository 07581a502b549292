/**
 * Planning against an independent oracle: the test cuts the bytes itself and names each chunk
 * with noble's sha-256 (the planner reads the file in its own way and hashes with node:crypto).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { cidFromDigest } from '../../../shared/pieces/cid';
import { decodeManifest } from '../../../shared/pieces/upload-manifest';
import { planUpload, restorePlan } from './upload-plan';

const oracleCids = (bytes: Uint8Array, chunk: number) => {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += chunk)
    out.push(cidFromDigest(sha256(bytes.subarray(at, at + chunk)), 'raw').toString());
  return out;
};

async function files(entries: Record<string, Uint8Array>): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-plan-'));
  return Promise.all(
    Object.entries(entries).map(async ([name, bytes]) => {
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      return file;
    }),
  );
}

describe('upload plan', () => {
  it('names every chunk as the oracle does, the last one short, and lists them in the manifest', async () => {
    const bytes = randomBytes(5 * 1000 + 123);
    const [file] = await files({ 'a.bin': bytes });
    const plan = await planUpload([{ path: file! }], { chunkSize: 1000, waveSize: 2 });
    const manifest = decodeManifest(plan.root.bytes);
    expect(manifest.files[0]).toMatchObject({ name: 'a.bin', size: bytes.length, chunkSize: 1000 });
    expect(manifest.files[0]!.chunks).toEqual(oracleCids(bytes, 1000));
    expect(plan.pieces.map((p) => p.size)).toEqual([1000, 1000, 1000, 1000, 1000, 123, plan.root.size]);
    // Waves of two chunks; the manifest rides with the last.
    expect(plan.waves).toEqual([
      [0, 1],
      [2, 3],
      [4, 5, 6],
    ]);
    expect(plan.uniqueBytes).toBe(bytes.length + plan.root.size);
  });

  it('stores identical chunks once, across files too, and keeps every file whole in the manifest', async () => {
    const same = randomBytes(1000);
    const other = randomBytes(1000);
    const [x, y, empty] = await files({
      'x.bin': Buffer.concat([same, same, other]),
      'y.bin': Buffer.concat([other, same]),
      'empty.txt': new Uint8Array(0),
    });
    const plan = await planUpload([{ path: x! }, { path: y! }, { path: empty! }], { chunkSize: 1000 });
    expect(plan.pieces).toHaveLength(3);
    expect(plan.fileChunks).toEqual([[0, 0, 1], [1, 0], []]);
    expect(decodeManifest(plan.root.bytes).files.map((f) => [f.name, f.chunks.length, f.mediaType])).toEqual([
      ['x.bin', 3, 'application/octet-stream'],
      ['y.bin', 2, 'application/octet-stream'],
      ['empty.txt', 0, 'text/plain'],
    ]);
    const restored = restorePlan(
      plan.files,
      plan.pieces.map(({ cid, size, source }) => ({ cid, size, source })),
      plan.root.bytes,
      plan.waveSize,
    );
    expect(restored.root.cid).toBe(plan.root.cid);
    expect(restored.fileChunks).toEqual(plan.fileChunks);
    expect(restored.pieces.map((p) => [p.cid, p.size, p.wave])).toEqual(
      plan.pieces.map((p) => [p.cid, p.size, p.wave]),
    );
  });

  it('refuses what cannot be uploaded, saying why', async () => {
    const [a] = await files({ 'a.bin': randomBytes(10) });
    await expect(planUpload([])).rejects.toThrow(/at least one file/);
    await expect(planUpload([{ path: '/no/such/file' }])).rejects.toThrow(/does not exist/);
    await expect(planUpload([{ path: path.dirname(a!) }])).rejects.toThrow(/not a regular file/);
    await expect(planUpload([{ path: a! }, { path: a! }])).rejects.toThrow(/Two files are named "a\.bin"/);
    await expect(planUpload([{ path: a!, name: '../evil' }])).rejects.toThrow(
      /cannot be used as a file name/,
    );
  });
});
