/**
 * Direct I/O against the file system under the temp folder: what DirectFileWriter writes is read
 * back by ordinary reads byte for byte, at every awkward length (below, at and across block and
 * slot boundaries), and readDirect returns exactly the bytes of any range ordinary reads give.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BLOCK, DirectFileWriter, directIoWorks, readDirect, SLOT_BYTES } from './direct-io';

const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-direct-io-'));
const works = await directIoWorks(dir);
if (!works) console.warn(`direct I/O tests skipped: ${dir} refuses O_DIRECT (tmpfs, or no O_DIRECT here)`);
afterAll(() => rm(dir, { recursive: true, force: true }));

const sizes = [
  1,
  BLOCK - 1,
  BLOCK,
  BLOCK + 1,
  SLOT_BYTES - 1,
  SLOT_BYTES,
  SLOT_BYTES + 1,
  2.5 * SLOT_BYTES + 7,
];

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

describe.skipIf(!works)('direct I/O', () => {
  it.each(sizes)(
    'writes %i bytes, given in odd chunks, that ordinary reads get back exactly',
    async (size) => {
      const bytes = randomBytes(size);
      const file = path.join(dir, `w-${size}`);
      const writer = await DirectFileWriter.create(file);
      for (let at = 0; at < size; at += 65_537) await writer.write(bytes.subarray(at, at + 65_537));
      await writer.finish();
      await writer.file.close();
      expect((await stat(file)).size).toBe(size);
      expect((await readFile(file)).equals(bytes)).toBe(true);
    },
  );

  it('refuses to write over a file that exists', async () => {
    const file = path.join(dir, 'exists');
    await writeFile(file, 'x');
    await expect(DirectFileWriter.create(file)).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('reads any range of a file, aligned or not, as ordinary reads do', async () => {
    const size = 2 * SLOT_BYTES + 12_345;
    const bytes = randomBytes(size);
    const file = path.join(dir, 'ranges');
    await writeFile(file, bytes);
    const ranges: [number, number][] = [
      [0, size - 1],
      [1, 1],
      [BLOCK - 1, BLOCK],
      [BLOCK, SLOT_BYTES + BLOCK - 1],
      [SLOT_BYTES - 3, 2 * SLOT_BYTES + 5],
      [size - 10, size - 1],
      [size - 10, size + 100],
    ];
    for (const [start, end] of ranges) {
      const got = await collect(readDirect(file, start, end));
      expect(got.equals(bytes.subarray(start, end + 1)), `range ${start}-${end}`).toBe(true);
    }
    // Past the end: nothing, as a read stream gives.
    expect((await collect(readDirect(file, size + BLOCK, size + 2 * BLOCK))).length).toBe(0);
  });

  it('goes through the page cache, by the same code, when every aligned slot is in use', async () => {
    // More writers at once than there are slots: the last ones get ordinary memory and files.
    const writers = await Promise.all(
      Array.from({ length: 70 }, (_, i) => DirectFileWriter.create(path.join(dir, `busy-${i}`))),
    );
    try {
      const bytes = randomBytes(SLOT_BYTES + 12_345);
      const last = writers.at(-1)!;
      await last.write(bytes);
      await last.finish();
      expect((await readFile(path.join(dir, 'busy-69'))).equals(bytes)).toBe(true);
      const read = await collect(readDirect(path.join(dir, 'busy-69'), 7, SLOT_BYTES + 100));
      expect(read.equals(bytes.subarray(7, SLOT_BYTES + 101))).toBe(true);
    } finally {
      for (const writer of writers) {
        writer.release();
        await writer.file.close();
      }
    }
  });

  it('names a missing file', async () => {
    await expect(collect(readDirect(path.join(dir, 'missing'), 0, 10))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});

it('says no for a folder that does not exist, instead of throwing', async () => {
  expect(await directIoWorks(path.join(dir, 'no-such-folder'))).toBe(false);
});
