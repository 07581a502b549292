/**
 * The upload engine's features on a real devnet, each checked against an oracle of its own: the
 * providers' metrics (requests per wave, pieces stored, batch or single), the chain's events
 * (payment transactions per wave, pieces added), the bytes downloaded back. Dedup, batch fallback,
 * one payment and one store request per wave, pause and resume, cancel, top-up and retry-commit.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UploadView } from '../../../shared/api/upload';
import { pieceDigestOf, parsePieceCid } from '../../../shared/pieces/cid';
import { startUploadTestbed, type UploadTestbed } from '../test-support/upload-testbed';
import { CommitError } from './upload-errors';

const CHUNK = 64 * 1024;
let bed: UploadTestbed;
let byId: (id: number) => UploadTestbed['devnet']['providers'][number];
let noBatch: number;
let account = 0;

beforeAll(async () => {
  // Provider slot 4 takes no batch stores; the first two are endorsed.
  bed = await startUploadTestbed({
    providers: [{}, {}, {}, {}, { batch: false }],
    // Payments of a wave for two copies carry 8 quotes: two such payments may be in flight at once.
    upload: { chunkSize: CHUNK, waveSize: 4, runOptions: { quotesInFlight: 16 } },
  });
  byId = (id) => bed.devnet.providers.find((provider) => provider.providerId === id)!;
  noBatch = bed.devnet.providers[4]!.providerId;
}, 180_000);
afterAll(() => bed?.stop());

beforeEach(async () => {
  bed.clearFaults();
  bed.approver = () => 'approve';
  const { vault, chain } = bed.core.wallet;
  account = (await vault.addAccount()).accounts.length - 1;
  await chain!.faucet(account);
  await chain!.deposit(account, '100');
});

const uploads = () => bed.core.uploads!;
const endorsedIds = () =>
  bed.devnet.providers
    .filter((p) => p.endorsed)
    .map((p) => p.providerId)
    .sort((x, y) => x - y);
const stored = (id: number) => {
  const metrics = byId(id).metrics();
  return {
    batch: metrics.piecesStored.batch ?? 0,
    single: metrics.piecesStored.single ?? 0,
    requests: metrics.batchRequests,
  };
};

async function settledView(uploadId: string): Promise<UploadView> {
  await uploads().session(uploadId).settled();
  return uploads().get(uploadId);
}

/** Resolves with the upload's view once `ready` holds for a progress event of it. */
function when(uploadId: string, ready: (view: UploadView) => boolean): Promise<UploadView> {
  return new Promise((resolve) => {
    const off = bed.core.events.on('upload.progress', (view) => {
      if (view.uploadId === uploadId && ready(view)) {
        off();
        resolve(view);
      }
    });
  });
}

describe('upload features', () => {
  it('stores identical chunks once; a duplicate counts as stored only once its first copy is', async () => {
    const [a, b, c, d] = [0, 1, 2, 3].map(() => randomBytes(CHUNK));
    const file = await bed.file('dedup.bin', Buffer.concat([a!, b!, c!, d!, a!, b!, a!]));
    const primary = bed.devnet.providers[0]!.providerId;
    const before = stored(primary);
    const seen: number[] = [];
    const { uploadId } = await uploads().start(
      { files: [{ kind: 'path', path: file }], providerIds: [primary], waveSize: 2, account },
      {
        onStored: () => {
          // The file's chunks held by the primary, as the progress view counts them.
          const view = uploads().session(uploadId);
          const chunks = view.plan!.fileChunks[0]!;
          seen.push(chunks.filter((piece) => view.copies[0]!.holds(piece)).length);
        },
      },
    );
    const view = await settledView(uploadId);
    expect(view.state).toBe('completed');
    expect(view.pieceCount).toBe(5);
    expect(view.files[0]!.chunks).toBe(7);
    // Wave 1 holds a and b (and so their three duplicates): 5 of 7 chunks; then c, d: all 7.
    expect(seen).toEqual([5, 7]);
    const after = stored(primary);
    expect(after.batch - before.batch).toBe(5);
    const out = path.join(bed.dataDir, 'dedup-out.bin');
    const { downloadId } = bed.core.downloads!.start({ root: view.root!, destination: out });
    expect((await bed.core.downloads!.settled(downloadId)).state).toBe('completed');
    expect((await readFile(out)).equals(await readFile(file))).toBe(true);
  });

  it('runs many one-piece waves at once without a listener-leak warning', async () => {
    // Each wave waiting for its parking check listens on the run's abort signal until woken;
    // dozens at once tripped Node's MaxListenersExceededWarning (seen in the upload benchmark).
    // One-second blocks, as in the benchmark: waves are stored faster than their payments confirm.
    await bed.rpc('evm_setAutomine', [false]);
    await bed.rpc('evm_setIntervalMining', [1]);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const file = await bed.file('one-piece-waves.bin', 24 * 1024);
      const result = await uploads().upload({
        files: [{ kind: 'path', path: file }],
        providerIds: [bed.devnet.providers[0]!.providerId],
        chunkSize: 1024,
        waveSize: 1,
        account,
      });
      expect(result.copies).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
      await bed.rpc('evm_setIntervalMining', [0]);
      await bed.rpc('evm_setAutomine', [true]);
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });

  it('falls back to one request per piece where the provider takes no batch', async () => {
    const file = await bed.file('single.bin', 5 * CHUNK + 100);
    const before = stored(noBatch);
    const result = await uploads().upload({
      files: [{ kind: 'path', path: file }],
      providerIds: [noBatch],
      account,
    });
    expect(result.copies).toHaveLength(1);
    const after = stored(noBatch);
    expect(after.single - before.single).toBe(7);
    expect(after.batch - before.batch).toBe(0);
    expect(after.requests).toBe(before.requests);
  });

  it('pays each wave in one transaction for every provider, and stores each wave in one request', async () => {
    const file = await bed.file('waves.bin', 11 * CHUNK);
    const [primary, secondary] = endorsedIds();
    const storesBefore = byId(primary!).metrics().batchRequests;
    const pullsBefore = byId(secondary!).metrics().requests.pull?.count ?? 0;
    const paidBefore = new Set((await bed.chain.quotesPaid()).map((q) => q.quoteDigest));
    const result = await uploads().upload({ files: [{ kind: 'path', path: file }], copies: 2, account });
    expect(result.copies.map((copy) => copy.providerId)).toEqual([primary, secondary]);
    const waves = Math.ceil(12 / 4);
    const payments = (await bed.chain.quotesPaid()).filter((q) => !paidBefore.has(q.quoteDigest));
    const byTx = new Map<string, Set<string>>();
    for (const q of payments)
      byTx.set(q.txHash, (byTx.get(q.txHash) ?? new Set()).add(q.provider.toLowerCase()));
    expect(byTx.size).toBe(waves);
    for (const providers of byTx.values()) expect(providers.size).toBe(2);
    expect(payments).toHaveLength(12 * 2);
    expect(byId(primary!).metrics().batchRequests - storesBefore).toBe(waves);
    expect((byId(secondary!).metrics().requests.pull?.count ?? 0) - pullsBefore).toBe(waves);
  });

  it('commits the primary as soon as it holds everything, while the secondary is still pulling', async () => {
    const file = await bed.file('early-commit.bin', 12 * CHUNK);
    const [primary, secondary] = endorsedIds();
    // Every request to the secondary waits, so its pulls end well after the primary is parked.
    byId(secondary!).setFaults({ latencyMs: 250 });
    const { uploadId } = await uploads().start({ files: [{ kind: 'path', path: file }], copies: 2, account });
    const view = await settledView(uploadId);
    expect(view.result!.copies.map((copy) => copy.providerId)).toEqual([primary, secondary]);
    const steps = uploads().journal.steps(uploadId);
    const committed = steps.findIndex((s) => s.step === 'committed' && s.providerId === primary);
    const lastPull = steps.findLastIndex((s) => s.step === 'pulled' && s.providerId === secondary);
    expect(committed).toBeGreaterThan(-1);
    expect(lastPull).toBeGreaterThan(committed);
  });

  it('keeps several payment transactions in flight while blocks come every second, as many as quotesInFlight allows', async () => {
    const file = await bed.file('inflight.bin', 24 * CHUNK);
    await bed.rpc('evm_setAutomine', [false]);
    await bed.rpc('evm_setIntervalMining', [1]);
    let most = 0;
    const off = bed.core.events.on('upload.progress', (view) => {
      most = Math.max(most, view.payments.filter((payment) => payment.state === 'sent').length);
    });
    try {
      const result = await uploads().upload({ files: [{ kind: 'path', path: file }], copies: 2, account });
      expect(result.copies).toHaveLength(2);
    } finally {
      off();
      await bed.rpc('evm_setAutomine', [true]);
    }
    expect(most).toBe(2);
  });

  it('pauses after the step in flight and resumes without a second approval or a second payment', async () => {
    const file = await bed.file('pause.bin', 24 * CHUNK);
    for (const provider of bed.devnet.providers) provider.setFaults({ latencyMs: 40 });
    const { uploadId } = await uploads().start({ files: [{ kind: 'path', path: file }], copies: 2, account });
    await when(uploadId, (view) => view.payments.some((p) => p.state === 'confirmed'));
    const paused = await uploads().pause(uploadId);
    expect(paused.state).toBe('paused');
    expect(paused.actions.resume).toBe(true);
    bed.clearFaults();
    const approvals = bed.approvals.length;
    await uploads().resume(uploadId);
    const view = await settledView(uploadId);
    expect(view.state).toBe('completed');
    expect(bed.approvals.length).toBe(approvals);
    const digests = new Set(
      uploads()
        .session(uploadId)
        .plan!.pieces.map((piece) => piece.digest),
    );
    const mine = (await bed.chain.quotesPaid()).filter((q) => digests.has(q.pieceDigest));
    const keys = mine.map((q) => `${q.provider}/${q.pieceDigest}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(digests.size * 2);
  });

  it('halts on a payment the node dropped, naming it; a resume pays for its pieces once', async () => {
    const file = await bed.file('dropped.bin', 3 * CHUNK); // with the root, one wave
    // Nothing is mined until the payment is dropped (anvil drops on request what a full block drops).
    await bed.rpc('evm_setAutomine', [false]);
    await bed.rpc('evm_setIntervalMining', [0]);
    const { uploadId } = await uploads().start({ files: [{ kind: 'path', path: file }], copies: 1, account });
    let dropped: string;
    try {
      const sent = await when(uploadId, (view) => view.payments.some((p) => p.state === 'sent'));
      dropped = sent.payments[0]!.txHash!;
      await bed.rpc('anvil_dropTransaction', [dropped]);
    } finally {
      await bed.rpc('evm_setAutomine', [true]);
    }
    const halted = await settledView(uploadId);
    expect(halted.error?.message).toContain(`Transaction ${dropped} was dropped by the chain node`);
    expect(halted.payments.map((p) => p.state)).toEqual(['failed']);
    expect(halted.actions.resume).toBe(true);
    await uploads().resume(uploadId);
    const view = await settledView(uploadId);
    expect(view.state).toBe('completed');
    const digests = new Set(
      uploads()
        .session(uploadId)
        .plan!.pieces.map((piece) => piece.digest),
    );
    const paid = (await bed.chain.quotesPaid()).filter((q) => digests.has(q.pieceDigest));
    expect(paid).toHaveLength(digests.size);
    expect(new Set(paid.map((q) => q.pieceDigest)).size).toBe(digests.size);
  });

  it('cancels: stops paying and says what was paid and committed', async () => {
    const file = await bed.file('cancel.bin', 24 * CHUNK);
    for (const provider of bed.devnet.providers) provider.setFaults({ latencyMs: 40 });
    const { uploadId } = await uploads().start({ files: [{ kind: 'path', path: file }], copies: 2, account });
    await when(uploadId, (view) => view.payments.some((p) => p.state === 'confirmed'));
    const summary = await uploads().cancel(uploadId);
    expect(summary.state).toBe('cancelled');
    expect(summary.committed).toEqual([]);
    expect(summary.payments.length).toBeGreaterThan(0);
    const onChain = await bed.chain.paymentTransactions();
    for (const payment of summary.payments) expect(onChain.has(payment.txHash as `0x${string}`)).toBe(true);
    const paid = summary.payments.reduce((sum, p) => sum + BigInt(p.amount.raw), 0n);
    expect(summary.paid!.raw).toBe(paid.toString());
    const txs = (await bed.chain.paymentTransactions()).size;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await bed.chain.paymentTransactions()).size).toBe(txs);
    expect((await uploads().get(uploadId)).actions).toMatchObject({ resume: false, cancel: false });
  });

  it('cancelled once the primary’s commit is sent: waits for it, and says it is on chain', async () => {
    const file = await bed.file('cancel-commit.bin', 12 * CHUNK);
    const [primary, secondary] = endorsedIds();
    // The secondary is still pulling when the primary's commit goes out; blocks come every second,
    // so the commit is sent well before it is mined.
    byId(secondary!).setFaults({ latencyMs: 250 });
    await bed.rpc('evm_setAutomine', [false]);
    await bed.rpc('evm_setIntervalMining', [1]);
    try {
      let uploadId = '';
      let cancelled: Promise<Awaited<ReturnType<ReturnType<typeof uploads>['cancel']>>> | undefined;
      ({ uploadId } = await uploads().start(
        { files: [{ kind: 'path', path: file }], copies: 2, account },
        {
          onPiecesAdded: (providerId) => {
            if (providerId === primary) cancelled = uploads().cancel(uploadId);
          },
        },
      ));
      await expect.poll(() => cancelled, { timeout: 30_000 }).toBeDefined();
      const summary = await cancelled!;
      expect(summary.state).toBe('cancelled');
      expect(summary.committed.map((copy) => copy.providerId)).toEqual([primary]);
      const root = pieceDigestOf(parsePieceCid(uploads().session(uploadId).plan!.root.cid));
      const added = (await bed.chain.piecesAdded()).filter((event) => event.pieceDigests.includes(root));
      expect(added).toHaveLength(1);
    } finally {
      await bed.rpc('evm_setAutomine', [true]);
    }
  });

  it('tops up a copy later: pulled from the copy it has, committed; the client sends no piece bytes', async () => {
    const file = await bed.file('topup.bin', 6 * CHUNK);
    const [first, second] = endorsedIds();
    const one = await uploads().upload({
      files: [{ kind: 'path', path: file }],
      providerIds: [first!],
      account,
    });
    expect(one.copies).toHaveLength(1);
    const uploadId = (await uploads().list({ offset: 0, limit: 1 })).uploads[0]!.uploadId;
    const servedBefore = byId(first!).metrics().bytesOut;
    await uploads().topUp(uploadId, 2);
    const view = await settledView(uploadId);
    expect(view.state).toBe('completed');
    expect(view.result!.copies.map((copy) => [copy.providerId, copy.role])).toEqual([
      [first, 'primary'],
      [second, 'secondary'],
    ]);
    expect(uploads().session(uploadId).lastContext!.bytesSent).toBe(0);
    expect(byId(first!).metrics().bytesOut - servedBefore).toBeGreaterThanOrEqual(view.uniqueBytes);
    const added = (await bed.chain.piecesAdded()).filter((event) =>
      event.pieceDigests.includes(pieceDigestOf(parsePieceCid(view.root!))),
    );
    expect(added).toHaveLength(2);
  });

  it('retries the commit after every commit failed: the pieces were still parked', async () => {
    const file = await bed.file('recommit.bin', 3 * CHUNK);
    const [first, second] = endorsedIds().map(byId);
    first!.setFaults({ failCommit: 'revert' });
    second!.setFaults({ failCommit: 'http' });
    const error = await uploads()
      .upload({ files: [{ kind: 'path', path: file }], copies: 2, account })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommitError);
    const uploadId = (await uploads().list({ offset: 0, limit: 1 })).uploads[0]!.uploadId;
    bed.clearFaults();
    await uploads().retryCommit(uploadId);
    const view = await settledView(uploadId);
    expect(view.state).toBe('completed');
    expect(view.result!.copies).toHaveLength(2);
    expect(view.result!.failures).toEqual([]);
  });
});

describe('download', () => {
  it('falls back when a provider serves corrupt bytes, and writes nothing unverified', async () => {
    const file = await bed.file('corrupt.bin', 6 * CHUNK);
    const result = await uploads().upload({ files: [{ kind: 'path', path: file }], copies: 2, account });
    const session = uploads().session((await uploads().list({ offset: 0, limit: 1 })).uploads[0]!.uploadId);
    const [x, y] = session.plan!.pieces.map((piece) => piece.cid);
    const [a, b] = result.copies.map((copy) => byId(copy.providerId));
    // Each copy serves one chunk corrupt: whichever is asked first, one chunk needs the other.
    a!.setFaults({ corruptServedBytes: [x!] });
    b!.setFaults({ corruptServedBytes: [y!] });
    const out = path.join(bed.dataDir, 'corrupt-out.bin');
    const { downloadId } = bed.core.downloads!.start({ root: result.root, destination: out });
    const view = await bed.core.downloads!.settled(downloadId);
    expect(view.state).toBe('completed');
    expect(view.fallbacks.length).toBeGreaterThanOrEqual(1);
    expect(view.fallbacks[0]!.reason).toMatch(/do not match/);
    expect((await readFile(out)).equals(await readFile(file))).toBe(true);

    // Both copies corrupt the same chunk: the download fails and leaves no file behind.
    a!.setFaults({ corruptServedBytes: [x!] });
    b!.setFaults({ truncateServedBytes: [x!] });
    const bad = path.join(bed.dataDir, 'bad-out.bin');
    const failed = await bed.core.downloads!.settled(
      bed.core.downloads!.start({ root: result.root, destination: bad }).downloadId,
    );
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('VERIFY_FAILED');
    await expect(readFile(bad)).rejects.toThrow(/ENOENT/);
    await expect(readFile(`${bad}.coffer-partial`)).rejects.toThrow(/ENOENT/);
  });
});
