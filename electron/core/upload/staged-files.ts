/**
 * Browser mode's file input: a page cannot hand main a path, so it streams a dropped file's bytes
 * to the browser host, which keeps them here (`<dataDir>/staging/<id>`) under a random id that
 * `upload.start` then names. A staged file lives until the upload that uses it ends (or, unused,
 * until Coffer next starts).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CofferError } from '../../../shared/api/errors';
import { StagedId } from '../../../shared/api/upload';
import { isPlainFileName } from '../../../shared/pieces/upload-manifest';

export class StagedFiles {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'staging');
  }

  /** Stores `body` (exactly `size` bytes) as a staged file named `name`; returns its id. */
  async stage(
    body: AsyncIterable<Uint8Array>,
    name: string,
    size: number,
  ): Promise<{ stagedId: string; size: number }> {
    if (!isPlainFileName(name))
      throw new CofferError(
        'INVALID_INPUT',
        `${JSON.stringify(name.slice(0, 80))} is not a usable file name`,
      );
    const stagedId = `s-${randomBytes(12).toString('base64url')}`;
    const folder = path.join(this.dir, stagedId);
    await mkdir(folder, { recursive: true });
    let received = 0;
    try {
      await pipeline(
        body,
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            received += chunk.length;
            if (received > size)
              throw new CofferError('INVALID_INPUT', `The file is larger than the ${size} bytes announced`);
            yield chunk;
          }
        },
        createWriteStream(path.join(folder, 'data')),
      );
      if (received !== size)
        throw new CofferError(
          'INVALID_INPUT',
          `The file ended after ${received} of the ${size} bytes announced`,
        );
      await writeFile(path.join(folder, 'name'), name);
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
    return { stagedId, size: received };
  }

  /** The staged file's path and original name. */
  async resolve(stagedId: string): Promise<{ path: string; name: string }> {
    if (!StagedId.safeParse(stagedId).success) throw new CofferError('INVALID_INPUT', 'Not a staged file id');
    const folder = path.join(this.dir, stagedId);
    const name = await readFile(path.join(folder, 'name'), 'utf8').catch(() => null);
    if (name === null) throw new CofferError('NOT_FOUND', 'That staged file is gone; drop the file again');
    return { path: path.join(folder, 'data'), name };
  }

  async remove(stagedId: string): Promise<void> {
    if (StagedId.safeParse(stagedId).success)
      await rm(path.join(this.dir, stagedId), { recursive: true, force: true });
  }

  /** Removes staged files no upload refers to (left from an earlier run). */
  async sweep(inUse: ReadonlySet<string>): Promise<void> {
    const entries = await readdir(this.dir).catch(() => [] as string[]);
    await Promise.all(entries.filter((entry) => !inUse.has(entry)).map((entry) => this.remove(entry)));
  }
}
