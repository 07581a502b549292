/**
 * The upload, download and providers namespaces through the dispatcher, as the renderer calls
 * them: input checks, the one approval and what it shows, a rejection that pays nothing, progress
 * events per provider, settings, staged (browser-mode) files, and download by root.
 */
import { Readable } from 'node:stream';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadSettings, UploadView } from '../../../shared/api/upload';
import { startUploadTestbed, TESTBED_PASSWORD, type UploadTestbed } from '../test-support/upload-testbed';

let bed: UploadTestbed;

beforeAll(async () => {
  bed = await startUploadTestbed({ upload: { chunkSize: 128 * 1024, waveSize: 4 } });
}, 180_000);
afterAll(() => bed?.stop());

async function call<T>(channel: string, input: unknown): Promise<T> {
  const envelope = await bed.core.dispatch(channel, input, { transport: 'test' });
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
  return envelope.value as T;
}

async function refusal(channel: string, input: unknown): Promise<{ code: string; message: string }> {
  const envelope = await bed.core.dispatch(channel, input, { transport: 'test' });
  if (envelope.ok) throw new Error(`${channel} should have been refused`);
  return envelope.error;
}

/** Every progress event of one upload until its run has ended. */
function progressOf(uploadId: () => string | undefined): { views: UploadView[]; done: Promise<UploadView> } {
  const views: UploadView[] = [];
  const done = new Promise<UploadView>((resolve) => {
    const off = bed.core.events.on('upload.progress', (view) => {
      if (view.uploadId !== uploadId()) return;
      views.push(view);
      const over = ['completed', 'partial', 'failed', 'cancelled', 'interrupted', 'paused'].includes(
        view.state,
      );
      if (over && !view.actions.pause) {
        off();
        resolve(view);
      }
    });
  });
  return { views, done };
}

describe('upload API', () => {
  it('refuses bad input with a message naming what is wrong', async () => {
    expect(await refusal('upload.start', { files: [] })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      (await refusal('upload.start', { files: [{ kind: 'path', path: '/nope/x.bin' }] })).message,
    ).toMatch(/\/nope\/x\.bin does not exist/);
    const file = await bed.file('api-a.bin', 1000);
    expect(
      (
        await refusal('upload.start', {
          files: [{ kind: 'path', path: file }],
          providerIds: [1, 2],
          copies: 3,
        })
      ).message,
    ).toMatch(/2 providers or data sets are named but 3 copies/);
    expect(
      (await refusal('upload.start', { files: [{ kind: 'path', path: path.dirname(file) }] })).message,
    ).toMatch(/is not a regular file/);
    expect(
      (
        await refusal('upload.start', {
          files: [
            { kind: 'path', path: file },
            { kind: 'path', path: file },
          ],
        })
      ).message,
    ).toMatch(/Two files are named "api-a\.bin"/);
    bed.core.wallet.vault.lock();
    expect(await refusal('upload.start', { files: [{ kind: 'path', path: file }] })).toMatchObject({
      code: 'LOCKED',
    });
    await bed.core.wallet.vault.unlock(TESTBED_PASSWORD);
  });

  it('asks one approval showing what it covers; rejected, it ends cleanly with nothing paid', async () => {
    const file = await bed.file('api-rejected.bin', 300 * 1024);
    bed.approver = () => 'reject';
    const before = (await bed.chain.paymentTransactions()).size;
    const started: { uploadId?: string } = {};
    const { done, views } = progressOf(() => started.uploadId);
    started.uploadId = (
      await call<{ uploadId: string }>('upload.start', { files: [{ kind: 'path', path: file }] })
    ).uploadId;
    const end = await done;
    bed.approver = () => 'approve';
    expect(end.state).toBe('cancelled');
    expect(end.error).toMatchObject({ code: 'APPROVAL_REJECTED' });
    expect(views.map((view) => view.state)).toContain('awaiting-approval');
    expect((await bed.chain.paymentTransactions()).size).toBe(before);
    const request = bed.approvals.at(-1)!;
    expect(request.kind).toBe('upload');
    expect(request.summary.title).toBe('Upload api-rejected.bin (300.0 KiB), 2 copies');
    const details = Object.fromEntries(request.summary.details.map((d) => [d.label, d.value]));
    expect(details.Size).toMatch(/^300\.0 KiB/);
    expect(details.Root).toBe(end.root);
    expect(details['Expected cost']).toMatch(/tUSD$/);
    expect(details.Signs).toMatch(/CreateDataSet and AddPieces \(4 pieces\) for each provider/);
    expect(details.Pays).toMatch(/one transaction per wave of up to 4 chunks \(1 wave\)/);
    // Primary, secondary, then the standby providers a failed copy could be replaced with.
    expect(request.summary.counterparties).toHaveLength(4);
    expect(BigInt(request.summary.amount.raw)).toBeGreaterThan(BigInt(end.cost.estimated!.raw));
  });

  it('uploads through the contract with progress per provider, then downloads by root', async () => {
    const file = await bed.file('api-b.bin', 900 * 1024);
    const started: { uploadId?: string } = {};
    const { done, views } = progressOf(() => started.uploadId);
    const { uploadId } = await call<{ uploadId: string }>('upload.start', {
      files: [{ kind: 'path', path: file }],
      copies: 2,
    });
    started.uploadId = uploadId;
    const end = await done;
    expect(end.state).toBe('completed');
    const stages = (role: string) => [
      ...new Set(views.flatMap((view) => view.providers.filter((p) => p.role === role).map((p) => p.stage))),
    ];
    expect(stages('primary')).toEqual(expect.arrayContaining(['storing', 'committing', 'confirmed']));
    expect(stages('secondary')).toEqual(expect.arrayContaining(['pulling', 'confirmed']));
    expect(end.providers.every((p) => p.bytesDone === p.bytesTotal && p.commitTxHash)).toBe(true);
    expect(end.files[0]!.providers.every((p) => p.chunksDone === end.files[0]!.chunks)).toBe(true);
    expect(end.payments.every((p) => p.state === 'confirmed' && p.txHash)).toBe(true);
    expect(BigInt(end.cost.paid!.raw)).toBeGreaterThan(0n);

    const listed = await call<{ uploads: { uploadId: string; state: string }[] }>('upload.list', {});
    expect(listed.uploads[0]).toMatchObject({ uploadId, state: 'completed' });
    const providers = await call<{ providers: { id: number; online: boolean; dataSets: unknown[] }[] }>(
      'providers.list',
      {},
    );
    expect(providers.providers).toHaveLength(4);
    expect(providers.providers.every((p) => p.online)).toBe(true);
    expect(providers.providers.filter((p) => p.dataSets.length > 0)).toHaveLength(2);

    const out = path.join(bed.dataDir, 'api-b-out.bin');
    const { downloadId } = await call<{ downloadId: string }>('download.start', {
      root: end.root,
      destination: out,
    });
    await bed.core.downloads!.settled(downloadId);
    const download = await call<{ state: string; bytesDone: number }>('download.get', { downloadId });
    expect(download).toMatchObject({ state: 'completed', bytesDone: 900 * 1024 });
    expect((await readFile(out)).equals(await readFile(file))).toBe(true);
  });

  it('keeps the chunk-concurrency and copies settings and uses them', async () => {
    const settings = await call<UploadSettings>('upload.settings', {});
    expect(settings.defaultChunkConcurrency).toBeGreaterThanOrEqual(1);
    expect(settings).toMatchObject({ copies: 2, defaultCopies: 2 });
    expect(await call('upload.setSettings', { chunkConcurrency: 3 })).toMatchObject({
      chunkConcurrency: 3,
      copies: 2,
    });
    // Each setting changes alone; the other keeps its value.
    expect(await call('upload.setSettings', { copies: 1 })).toMatchObject({ chunkConcurrency: 3, copies: 1 });
    expect((await refusal('upload.setSettings', { chunkConcurrency: 0 })).code).toBe('INVALID_INPUT');
    expect((await refusal('upload.setSettings', { copies: 9 })).message).toMatch(/copies/);
    const file = await bed.file('api-c.bin', 10_000);
    const { uploadId } = await call<{ uploadId: string }>('upload.start', {
      files: [{ kind: 'path', path: file }],
    });
    const { request } = bed.core.uploads!.session(uploadId);
    expect(request).toMatchObject({ chunkConcurrency: 3, copies: 1 });
    await bed.core.uploads!.session(uploadId).settled();
    await call('upload.setSettings', { copies: 2 });
  });

  it('uploads a staged file (browser mode) and removes it afterwards', async () => {
    const bytes = Buffer.from('staged bytes, dropped on a page'.repeat(1000));
    const { stagedId } = await bed.core.staging.stage(Readable.from([bytes]), 'dropped.txt', bytes.length);
    const { uploadId } = await call<{ uploadId: string }>('upload.start', {
      files: [{ kind: 'staged', stagedId }],
      copies: 1,
    });
    await bed.core.uploads!.session(uploadId).settled();
    const view = await call<UploadView>('upload.get', { uploadId });
    expect(view.state).toBe('completed');
    expect(view.files[0]).toMatchObject({ name: 'dropped.txt', mediaType: 'text/plain', size: bytes.length });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readdir(bed.core.staging.dir)).toEqual([]);
    await expect(
      bed.core.staging.stage(Readable.from([bytes]), 'short.txt', bytes.length + 1),
    ).rejects.toThrow(/ended after/);
    await expect(bed.core.staging.stage(Readable.from([bytes]), '../x', bytes.length)).rejects.toThrow(
      /not a usable file name/,
    );
  });
});
