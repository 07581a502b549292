/**
 * Browser mode's file routes on a real browser host over a real core and devnet: a page stages a
 * file, uploads it by its staged id, downloads it by root and receives the file back — and nobody
 * without the token, or from another origin, can do either.
 */
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUploadTestbed, type UploadTestbed } from '../core/test-support/upload-testbed';
import { type BrowserHost, startBrowserHost } from './browser-host';
import { downloadFileRoute, stagingRoute } from './file-routes';

let bed: UploadTestbed;
let host: BrowserHost;

beforeAll(async () => {
  bed = await startUploadTestbed({ providers: 2 });
  const staticDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-host-files-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startBrowserHost({
    dispatch: bed.core.dispatch,
    subscribeEvents: (listener) => bed.core.events.subscribeAll(listener),
    staticDir,
    routes: [stagingRoute(bed.core.staging), downloadFileRoute(bed.core.downloads)],
  });
}, 180_000);
afterAll(async () => {
  await host?.close();
  await bed?.stop();
});

const post = (route: string, body?: Buffer, headers: Record<string, string> = {}) =>
  fetch(`${host.origin}${route}`, {
    method: 'POST',
    body,
    headers: { origin: host.origin, authorization: `Bearer ${host.token}`, ...headers },
  });

describe('browser-mode file routes', () => {
  it('stages a dropped file, uploads it, and hands the download back', async () => {
    const bytes = Buffer.from('a file dropped on the page\n'.repeat(5000));
    const staged = await post('/files/stage?name=notes.txt', bytes);
    expect(staged.status).toBe(201);
    const { stagedId, size } = (await staged.json()) as { stagedId: string; size: number };
    expect(size).toBe(bytes.length);
    const result = await bed.core.uploads!.upload({ files: [{ kind: 'staged', stagedId }], copies: 1 });
    const { downloadId } = bed.core.downloads!.start({ root: result.root });
    expect((await bed.core.downloads!.settled(downloadId)).state).toBe('completed');
    const file = await post(`/files/download/${downloadId}/0`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''notes.txt");
    expect(Buffer.from(await file.arrayBuffer()).equals(bytes)).toBe(true);
    const view = bed.core.downloads!.get(downloadId);
    expect((await readFile(path.join(view.destination, 'notes.txt'))).equals(bytes)).toBe(true);
    expect((await post(`/files/download/${downloadId}/1`)).status).toBe(404);
  });

  it('answers only its own pages holding the token', async () => {
    const bytes = Buffer.from('x');
    expect((await post('/files/stage?name=a.txt', bytes, { authorization: 'Bearer nope' })).status).toBe(403);
    expect((await post('/files/stage?name=a.txt', bytes, { origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await fetch(`${host.origin}/files/stage?name=a.txt`)).status).toBe(405);
    expect(
      (await post('/files/download/d-AAAAAAAAAAAAAAAA/0', undefined, { authorization: 'Bearer nope' }))
        .status,
    ).toBe(403);
    const badName = await post('/files/stage?name=..', bytes);
    expect(badName.status).toBe(400);
    expect(((await badName.json()) as { error: { message: string } }).error.message).toMatch(
      /not a usable file name/,
    );
  });
});
