/**
 * The reference's behaviour matrix (reference/004, "Behaviour Matrix" and the failure table), one
 * test per row, each with its exact expected result, on a real devnet of 7 providers (3 endorsed)
 * whose faults are switched on for the test. Each test pays from a fresh account, so which provider
 * is primary follows from the tiers alone (no data sets yet: endorsed first, by id) — the tiers
 * test checks that order separately. The chain's events are the oracle for "nothing on chain".
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CofferError } from '../../../shared/api/errors';
import type { UploadResult } from '../../../shared/api/upload';
import { pieceDigestOf, parsePieceCid } from '../../../shared/pieces/cid';
import { startUploadTestbed, type UploadTestbed } from '../test-support/upload-testbed';
import { CommitError, StoreError } from './upload-errors';

let bed: UploadTestbed;
/** The providers in tier order for a payer without data sets: endorsed first, then by id. */
let order: UploadTestbed['devnet']['providers'];
let account = 0;

beforeAll(async () => {
  bed = await startUploadTestbed({
    providers: 7,
    upload: { chunkSize: 256 * 1024, waveSize: 4, runOptions: { parkTimeoutMs: 2_000 } },
  });
  order = [...bed.devnet.providers].sort(
    (a, b) => Number(b.endorsed) - Number(a.endorsed) || a.providerId - b.providerId,
  );
}, 180_000);
afterAll(() => bed?.stop());

beforeEach(async () => {
  bed.clearFaults();
  const { vault, chain } = bed.core.wallet;
  account = (await vault.addAccount()).accounts.length - 1;
  await chain!.faucet(account);
  await chain!.deposit(account, '100');
});

const id = (i: number) => order[i]!.providerId;

async function upload(extra: { copies?: number; providerIds?: number[] } = {}): Promise<UploadResult> {
  const file = await bed.file(`matrix-${account}.bin`, 1024 * 1024);
  return bed.core.uploads!.upload({ files: [{ kind: 'path', path: file }], account, ...extra });
}

/** Upload started, failed; returns the error and the upload's digests. */
async function failedUpload(extra: Parameters<typeof upload>[0] = {}) {
  const error = await upload(extra).then(
    () => {
      throw new Error('the upload should have failed');
    },
    (e: unknown) => e as Error,
  );
  const [latest] = (await bed.core.uploads!.list({ offset: 0, limit: 1 })).uploads;
  return { error, view: await bed.core.uploads!.get(latest!.uploadId) };
}

async function digestsOnChain(): Promise<Set<string>> {
  return new Set(
    (await bed.chain.piecesAdded()).flatMap((event) => event.pieceDigests.map((d) => d.toLowerCase())),
  );
}

const copyIds = (result: UploadResult) => result.copies.map((copy) => [copy.providerId, copy.role]);

describe('behaviour matrix', () => {
  it('primary store fails → StoreError, nothing stored anywhere', async () => {
    order[0]!.setFaults({ failStore: true });
    const { error, view } = await failedUpload();
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).providerId).toBe(id(0));
    expect(view.state).toBe('failed');
    expect(view.error?.code).toBe('STORE_FAILED');
    const payer = await bed.core.wallet.vault.address(account);
    const pieces = bed.core.uploads!.session(view.uploadId).plan!.pieces;
    for (const provider of bed.devnet.providers) {
      const client = bed.core.uploads!.directory.clientFor(provider);
      for (const piece of pieces) expect((await client.pieceStatus(piece.cid, payer)).status).toBe('unknown');
    }
    for (const provider of order.slice(1)) expect(provider.metrics().pulls.started ?? 0).toBe(0);
    const onChain = await digestsOnChain();
    expect(onChain.has(pieceDigestOf(parsePieceCid(view.root!)))).toBe(false);
  });

  it('primary park timeout → StoreError', async () => {
    order[0]!.setFaults({ stallParking: true });
    const { error, view } = await failedUpload();
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toMatch(/did not park/);
    expect(view.error?.code).toBe('STORE_FAILED');
    expect((await digestsOnChain()).has(pieceDigestOf(parsePieceCid(view.root!)))).toBe(false);
  });

  it('secondary pull fails (auto-selected) → retried with the next provider', async () => {
    order[1]!.setFaults({ failPull: true });
    const result = await upload({ copies: 2 });
    expect(copyIds(result)).toEqual([
      [id(0), 'primary'],
      [id(2), 'secondary'],
    ]);
    expect(result.failures).toEqual([
      {
        providerId: id(1),
        role: 'secondary',
        stage: 'pulling',
        error: expect.stringMatching(/refused to pull/),
      },
    ]);
  });

  it('secondary pull fails (explicit) → recorded in failures, no retry', async () => {
    order[1]!.setFaults({ failPull: true });
    const quotesBefore = order.slice(2).map((p) => p.metrics().requests.quotes?.count ?? 0);
    const result = await upload({ providerIds: [id(0), id(1)] });
    expect(copyIds(result)).toEqual([[id(0), 'primary']]);
    expect(result.failures).toEqual([
      {
        providerId: id(1),
        role: 'secondary',
        stage: 'pulling',
        error: expect.stringMatching(/refused to pull/),
      },
    ]);
    expect(order.slice(2).map((p) => p.metrics().requests.quotes?.count ?? 0)).toEqual(quotesBefore);
    const [latest] = (await bed.core.uploads!.list({ offset: 0, limit: 1 })).uploads;
    expect(latest!.state).toBe('partial');
  });

  it('all secondary attempts exhausted → primary-only copy, failures for the 5 tried', async () => {
    for (const provider of order.slice(1)) provider.setFaults({ failPull: true });
    const untried = order[6]!.metrics().requests.pull?.count ?? 0;
    const result = await upload({ copies: 2 });
    expect(copyIds(result)).toEqual([[id(0), 'primary']]);
    expect(result.failures.map((f) => [f.providerId, f.role, f.stage])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [id(i), 'secondary', 'pulling']),
    );
    // The sixth candidate is never asked: five secondaries in all.
    expect(order[6]!.metrics().requests.pull?.count ?? 0).toBe(untried);
  });

  it('primary commit fails, secondary succeeds → partial result, the primary in failures', async () => {
    order[0]!.setFaults({ failCommit: 'http' });
    const result = await upload({ copies: 2 });
    expect(copyIds(result)).toEqual([[id(1), 'secondary']]);
    expect(result.failures).toEqual([
      {
        providerId: id(0),
        role: 'primary',
        stage: 'committing',
        error: expect.stringMatching(/did not commit/),
      },
    ]);
    const onChain = await digestsOnChain();
    expect(onChain.has(pieceDigestOf(parsePieceCid(result.root)))).toBe(true);
  });

  it('all commits fail → CommitError, nothing on chain', async () => {
    order[0]!.setFaults({ failCommit: 'revert' });
    order[1]!.setFaults({ failCommit: 'revert' });
    const { error, view } = await failedUpload({ copies: 2 });
    expect(error).toBeInstanceOf(CommitError);
    expect((error as CommitError).failures.map((f) => [f.providerId, f.stage])).toEqual([
      [id(0), 'committing'],
      [id(1), 'committing'],
    ]);
    expect(view.error?.code).toBe('COMMIT_FAILED');
    expect(view.actions.retryCommit).toBe(true);
    expect((await digestsOnChain()).has(pieceDigestOf(parsePieceCid(view.root!)))).toBe(false);
  });

  it('secondary commit fails → recorded in failures', async () => {
    order[1]!.setFaults({ failCommit: 'http' });
    const result = await upload({ copies: 2 });
    expect(copyIds(result)).toEqual([[id(0), 'primary']]);
    expect(result.failures).toEqual([
      {
        providerId: id(1),
        role: 'secondary',
        stage: 'committing',
        error: expect.stringMatching(/did not commit/),
      },
    ]);
  });

  it('failover creates a new data set → isNewDataSet: true', async () => {
    const first = await upload({ copies: 2 });
    expect(first.copies.map((copy) => copy.isNewDataSet)).toEqual([true, true]);
    order[1]!.setFaults({ failPull: true });
    const second = await upload({ copies: 2 });
    expect(second.copies.map((copy) => [copy.providerId, copy.isNewDataSet])).toEqual([
      [id(0), false],
      [id(2), true],
    ]);
    expect(second.copies[0]!.dataSetId).toBe(first.copies[0]!.dataSetId);
  });

  it('copies < count → partial success, the shortfall in failures', async () => {
    order[2]!.setFaults({ outOfSpace: true });
    const result = await upload({ providerIds: [id(0), id(1), id(2)] });
    expect(result.copies).toHaveLength(2);
    expect(result.failures).toEqual([
      {
        providerId: id(2),
        role: 'secondary',
        stage: 'pulling',
        error: expect.stringMatching(/OUT_OF_SPACE/),
      },
    ]);
  });
});

describe('selection', () => {
  it('every provider failing its health check → a clear error, nothing paid', async () => {
    for (const provider of order) provider.setFaults({ failPing: true });
    const paymentsBefore = (await bed.chain.paymentTransactions()).size;
    const { error, view } = await failedUpload();
    expect(error).toBeInstanceOf(CofferError);
    expect(error.message).toMatch(/^All 7 providers failed health check/);
    expect(view.state).toBe('failed');
    expect((await bed.chain.paymentTransactions()).size).toBe(paymentsBefore);
  });

  it('a deposit smaller than the upload costs → INSUFFICIENT_FUNDS, saying how much, before anything is paid', async () => {
    const { vault, chain } = bed.core.wallet;
    account = (await vault.addAccount()).accounts.length - 1;
    await chain!.faucet(account); // coin and test tokens, but nothing deposited in the PaymentVault
    const paymentsBefore = (await bed.chain.paymentTransactions()).size;
    const { error, view } = await failedUpload();
    expect(error).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      message: expect.stringMatching(/Deposit more first/),
    });
    expect(view.state).toBe('failed');
    expect((await bed.chain.paymentTransactions()).size).toBe(paymentsBefore);
  });

  it('an explicit primary that does not answer stops the upload before anything is paid', async () => {
    order[3]!.setFaults({ failPing: true });
    const { error } = await failedUpload({ providerIds: [id(3), id(4)] });
    expect(error.message).toMatch(new RegExp(`Provider ${id(3)} .*chosen as primary, failed health check`));
  });

  it('tiers: existing endorsed data set, then endorsed, then existing non-endorsed, then the rest; a failed ping moves on', async () => {
    // Data sets with an endorsed provider that is not first by id, and with a non-endorsed one.
    await upload({ providerIds: [id(1)] });
    await upload({ providerIds: [id(4)] });
    expect(copyIds(await upload({ copies: 2 }))).toEqual([
      [id(1), 'primary'],
      [id(0), 'secondary'],
    ]);
    // Every endorsed provider down: the non-endorsed one with a data set comes first.
    for (const i of [0, 1, 2]) order[i]!.setFaults({ failPing: true });
    expect(copyIds(await upload({ copies: 2 }))).toEqual([
      [id(4), 'primary'],
      [id(3), 'secondary'],
    ]);
  });
});
