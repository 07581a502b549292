/**
 * A batch's bodies against an independent oracle: every body's bytes must hash (noble's sha-256)
 * to its piece's CID, small pieces read ahead and large ones streamed alike, each counted once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { cidFromDigest } from '../../../shared/pieces/cid';
import { batchBodies } from './piece-bodies';
import { planUpload } from './upload-plan';

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}

describe('batch bodies', () => {
  it('gives every piece its own bytes, small ones read ahead and large ones streamed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-bodies-'));
    // 40 small files (read ahead), one file of two 300 KB chunks (streamed), and one whose second
    // chunk is small (read ahead, from its offset).
    const inputs = [];
    for (let i = 0; i < 40; i++) {
      const file = path.join(dir, `s${i}.bin`);
      await writeFile(file, randomBytes(1000 + i));
      inputs.push({ path: file });
    }
    const big = path.join(dir, 'big.bin');
    await writeFile(big, randomBytes(600_000));
    inputs.push({ path: big });
    const tail = path.join(dir, 'tail.bin');
    await writeFile(tail, randomBytes(450_000));
    inputs.push({ path: tail });
    const plan = await planUpload(inputs, { chunkSize: 300_000, waveSize: 64 });
    const pieces = plan.pieces.map((_, index) => index);
    let counted = 0;
    const bodies = batchBodies(plan, pieces, (n) => (counted += n));
    let total = 0;
    for (const [at, body] of bodies.entries()) {
      const bytes = await collect(body);
      expect(cidFromDigest(sha256(bytes), at === pieces.length - 1 ? 'dag-cbor' : 'raw').toString()).toBe(
        plan.pieces[at]!.cid,
      );
      total += bytes.length;
    }
    expect(total).toBe(plan.pieces.reduce((sum, piece) => sum + piece.size, 0));
    expect(counted).toBe(total);
    await rm(dir, { recursive: true, force: true });
  });

  it("fails a piece whose file is gone when that piece's turn comes, not before", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-bodies-'));
    const [a, b] = [path.join(dir, 'a.bin'), path.join(dir, 'b.bin')];
    await writeFile(a, randomBytes(2000));
    await writeFile(b, randomBytes(2000));
    const plan = await planUpload([{ path: a }, { path: b }], { chunkSize: 1000 });
    await rm(b);
    const bodies = batchBodies(plan, [0, 1, 2, 3], () => {});
    expect((await collect(bodies[0]!)).length).toBe(1000);
    expect((await collect(bodies[1]!)).length).toBe(1000);
    await expect(collect(bodies[2]!)).rejects.toThrow(/ENOENT/);
    await rm(dir, { recursive: true, force: true });
  });
});
