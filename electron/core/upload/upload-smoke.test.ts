import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUploadTestbed, type UploadTestbed } from '../test-support/upload-testbed';

let bed: UploadTestbed;
beforeAll(async () => {
  console.log('before', new Date().toISOString());
  bed = await startUploadTestbed({ upload: { chunkSize: 256 * 1024, waveSize: 4 } });
  console.log('ready', new Date().toISOString());
}, 120_000);
afterAll(() => bed?.stop());

describe('smoke', () => {
  it('uploads with two copies and downloads it back', async () => {
    const t0 = Date.now();
    console.log('start', new Date().toISOString());
    const file = await bed.file('a.bin', 3 * 1024 * 1024);
    console.log('file ms', Date.now() - t0);
    const t = Date.now();
    const result = await bed.core.uploads!.upload({ files: [{ kind: 'path', path: file }], copies: 2 });
    console.log('upload ms', Date.now() - t, JSON.stringify(result).slice(0, 400));
    expect(result.copies).toHaveLength(2);
    expect(result.failures).toEqual([]);
    const { downloadId } = bed.core.downloads!.start({
      root: result.root,
      destination: path.join(bed.dataDir, 'out.bin'),
    });
    const t2 = Date.now();
    const view = await bed.core.downloads!.settled(downloadId);
    console.log('download ms', Date.now() - t2, JSON.stringify(view.fallbacks));
    expect(view.error).toBeNull();
    expect((await readFile(path.join(bed.dataDir, 'out.bin'))).equals(await readFile(file))).toBe(true);
    const t3 = Date.now();
    console.log((await bed.chain.paymentTransactions()).size, 'payment txs', Date.now() - t3);
    console.log('end', new Date().toISOString());
  });
});
