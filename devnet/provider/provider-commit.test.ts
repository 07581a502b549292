// Commits on a real anvil: parked pieces go on chain with the payer's signatures, the provider
// answers with the transaction hash at once and reports confirmation with the piece ids the
// chain's PiecesAdded event gives; unpaid, unknown or already-committed pieces, bad signatures
// and calls the chain would reject are refused before any transaction; a reverted commit frees
// its payments for a retry; a pending commit is followed again after a restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Hex, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSetRegistryAbi } from '../../shared/contracts/abis';
import type { CommitStatus } from '../../shared/provider/wire';
import { devUserAccount } from '../chain/dev-accounts';
import {
  randomPiece,
  refusal,
  refOf,
  startTestProvider,
  type TestPiece,
  TestPayer,
  type TestProvider,
} from '../test-support/provider-kit';
import { startTestChain, type TestChain } from '../test-support/test-chain';

let chain: TestChain;
let provider: TestProvider;
let payer: TestPayer;
let nextClientDataSetId = 100n;

beforeAll(async () => {
  chain = await startTestChain();
  provider = await startTestProvider(chain, 0);
  payer = new TestPayer(chain, 0);
  await payer.deposit();
});
afterAll(async () => {
  await provider?.stop();
  await chain?.stop();
});

/** Pieces stored on `on`; paid (so parked) unless told otherwise. */
async function stored(
  count: number,
  options: { pay?: boolean; on?: TestProvider } = {},
): Promise<TestPiece[]> {
  const on = options.on ?? provider;
  const pieces = Array.from({ length: count }, (_, i) => randomPiece(100 + i));
  const quotes = await on.client.quote(payer.address, pieces.map(refOf));
  for (const piece of pieces) await on.client.storePiece(payer.address, refOf(piece), piece.bytes);
  if (options.pay ?? true) {
    await payer.pay(quotes);
    for (const piece of pieces)
      await expect
        .poll(async () => (await on.client.pieceStatus(piece.cid, payer.address)).status)
        .toBe('parked');
  }
  return pieces;
}

async function commitRequest(
  pieces: TestPiece[],
  options: {
    clientDataSetId?: bigint;
    create?: boolean;
    on?: TestProvider;
    signer?: TestPayer['actor'];
    deadline?: bigint;
  } = {},
) {
  const on = options.on ?? provider;
  const clientDataSetId = options.clientDataSetId ?? nextClientDataSetId++;
  return {
    payer: payer.address,
    clientDataSetId: clientDataSetId.toString(),
    ...((options.create ?? true) && {
      createDataSet: await payer.signCreateDataSet(on.address, clientDataSetId),
    }),
    addPieces: await payer.signAddPieces(
      on.address,
      clientDataSetId,
      pieces.map((piece) => piece.digest),
      {
        signer: options.signer,
        deadline: options.deadline,
      },
    ),
  };
}

async function confirmed(commitId: string, on = provider): Promise<CommitStatus> {
  let status = await on.client.commitStatus(commitId);
  await expect.poll(async () => (status = await on.client.commitStatus(commitId)).status).not.toBe('pending');
  return status;
}

const sentTransactions = () => chain.publicClient.getTransactionCount({ address: provider.address });

/** What the chain itself says the transaction added: the independent oracle for piece ids. */
async function piecesAddedBy(txHash: Hex) {
  const receipt = await chain.publicClient.getTransactionReceipt({ hash: txHash });
  const [added] = parseEventLogs({ abi: dataSetRegistryAbi, logs: receipt.logs, eventName: 'PiecesAdded' });
  return {
    status: receipt.status,
    dataSetId: added!.args.dataSetId.toString(),
    pieceIds: added!.args.pieceDigests.map((_, i) => (added!.args.firstPieceId + BigInt(i)).toString()),
    digests: added!.args.pieceDigests,
  };
}

describe('a commit', () => {
  it('creates the data set, adds the pieces, and reports the piece ids the chain gave', async () => {
    const pieces = await stored(3);
    const request = await commitRequest(pieces);
    const before = provider.metrics().commits;
    const submitted = await provider.client.commit(request);
    expect(submitted).toMatchObject({
      status: 'pending',
      isNewDataSet: true,
      clientDataSetId: request.clientDataSetId,
    });
    expect(submitted.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    const done = await confirmed(submitted.commitId);
    const chainSays = await piecesAddedBy(submitted.txHash);
    expect(done).toMatchObject({ status: 'confirmed', txHash: submitted.txHash, isNewDataSet: true });
    expect(done.dataSetId).toBe(chainSays.dataSetId);
    expect(done.pieceIds).toEqual(chainSays.pieceIds);
    expect(done.pieceIds).toEqual(['1', '2', '3']);
    expect(chainSays.digests).toEqual(pieces.map((piece) => piece.digest));
    const registry = payer.actor.contracts.dataSetRegistry;
    expect(
      (
        await registry.read.dataSetIdOf([payer.address, provider.address, BigInt(request.clientDataSetId)])
      ).toString(),
    ).toBe(done.dataSetId);
    for (const [i, piece] of pieces.entries()) {
      expect(await registry.read.getPiece([BigInt(done.dataSetId!), BigInt(done.pieceIds![i]!)])).toBe(
        piece.digest,
      );
      expect(await provider.client.pieceStatus(piece.cid, payer.address)).toMatchObject({
        status: 'committed',
        commitments: [{ dataSetId: done.dataSetId, pieceId: done.pieceIds![i], txHash: submitted.txHash }],
      });
    }
    const after = provider.metrics().commits;
    expect((after.submitted ?? 0) - (before.submitted ?? 0)).toBe(1);
    expect((after.confirmed ?? 0) - (before.confirmed ?? 0)).toBe(1);
  });

  it('adds to an existing data set, piece ids continuing where they were', async () => {
    const clientDataSetId = nextClientDataSetId++;
    const first = await confirmed(
      (await provider.client.commit(await commitRequest(await stored(2), { clientDataSetId }))).commitId,
    );
    const more = await stored(2);
    // createDataSet is sent again, as the upload engine may: the provider sees the set exists.
    const second = await provider.client.commit(await commitRequest(more, { clientDataSetId }));
    expect(second).toMatchObject({ isNewDataSet: false, dataSetId: first.dataSetId });
    const done = await confirmed(second.commitId);
    expect(done.pieceIds).toEqual(['3', '4']);
    expect(done.pieceIds).toEqual((await piecesAddedBy(second.txHash)).pieceIds);
    const third = await stored(1);
    const withoutCreate = await provider.client.commit(
      await commitRequest(third, { clientDataSetId, create: false }),
    );
    expect((await confirmed(withoutCreate.commitId)).pieceIds).toEqual(['5']);
  });

  it('answers the same commit twice without sending it twice', async () => {
    const request = await commitRequest(await stored(1));
    const first = await provider.client.commit(request);
    const sent = await sentTransactions();
    const again = await provider.client.commit(request);
    expect(again.commitId).toBe(first.commitId);
    expect(await sentTransactions()).toBe(sent);
  });
});

describe('a commit is refused, with no transaction sent,', () => {
  it('when pieces are unpaid or unknown here, naming each', async () => {
    const [parked] = await stored(1);
    const [unpaid] = await stored(1, { pay: false });
    const unknown = randomPiece(5);
    const sent = await sentTransactions();
    const error = await refusal(provider.client.commit(await commitRequest([parked!, unpaid!, unknown])));
    expect(error).toMatchObject({ status: 409, code: 'PIECES_NOT_PARKED' });
    expect(error.message).toMatch(/2 of 3 pieces cannot be committed/);
    expect(error.message).toContain(`${unpaid!.cid} (cached-unpaid: its payment has not been seen on chain)`);
    expect(error.message).toContain(`${unknown.digest} (unknown here`);
    expect(error.details?.pieces).toEqual([
      expect.objectContaining({ pieceDigest: unpaid!.digest, cid: unpaid!.cid }),
      expect.objectContaining({ pieceDigest: unknown.digest }),
    ]);
    expect(await sentTransactions()).toBe(sent);
    // The parked piece's payment was not used up by the refused commit.
    const done = await confirmed((await provider.client.commit(await commitRequest([parked!]))).commitId);
    expect(done.status).toBe('confirmed');
  });

  it('when a piece is already committed, or being committed', async () => {
    const pieces = await stored(2);
    const first = await provider.client.commit(await commitRequest(pieces.slice(0, 1)));
    let error = await refusal(provider.client.commit(await commitRequest(pieces)));
    expect(error.code).toBe('PIECES_NOT_PARKED');
    expect(error.message).toMatch(
      /1 of 2 pieces cannot be committed: .*(used by a commit in progress|already committed)/,
    );
    const done = await confirmed(first.commitId);
    error = await refusal(provider.client.commit(await commitRequest(pieces.slice(0, 1))));
    expect(error.message).toContain(
      `already committed as piece ${done.pieceIds![0]} of data set ${done.dataSetId}`,
    );
  });

  it('when the data set does not exist and no createDataSet came with it', async () => {
    const error = await refusal(
      provider.client.commit(await commitRequest(await stored(1), { create: false })),
    );
    expect(error).toMatchObject({ status: 409, code: 'DATA_SET_MISSING' });
    expect(error.message).toMatch(/send createDataSet/);
  });

  it('when the AddPieces signature is not the payer’s, or has expired', async () => {
    const pieces = await stored(1);
    const sent = await sentTransactions();
    let error = await refusal(
      provider.client.commit(
        await commitRequest(pieces, {
          signer: chain.as(devUserAccount(3)),
        }),
      ),
    );
    expect(error).toMatchObject({ status: 403, code: 'BAD_AUTHORIZATION' });
    error = await refusal(
      provider.client.commit(
        await commitRequest(pieces, { deadline: BigInt(Math.floor(Date.now() / 1000) - 10) }),
      ),
    );
    expect(error).toMatchObject({ status: 403, code: 'AUTHORIZATION_EXPIRED' });
    expect(await sentTransactions()).toBe(sent);
  });

  it('when the chain would reject it, naming the contract’s reason', async () => {
    const pieces = await stored(1);
    const request = await commitRequest(pieces);
    const wrongCreate = await payer.signCreateDataSet(
      provider.address,
      BigInt(request.clientDataSetId) + 1000n,
    );
    const sent = await sentTransactions();
    const error = await refusal(provider.client.commit({ ...request, createDataSet: wrongCreate }));
    expect(error).toMatchObject({ status: 409, code: 'CHAIN_REJECTED' });
    expect(error.message).toMatch(/the chain rejects this commit: BadSignature\(\)/);
    expect(await sentTransactions()).toBe(sent);
    expect((await confirmed((await provider.client.commit(request)).commitId)).status).toBe('confirmed');
  });

  it('when a request is malformed', async () => {
    const request = await commitRequest(await stored(1));
    const cases = [
      { ...request, payer: 'nobody' },
      { ...request, clientDataSetId: '-1' },
      { ...request, addPieces: { ...request.addPieces, pieceDigests: ['0x12'] } },
      {
        ...request,
        addPieces: {
          ...request.addPieces,
          pieceDigests: [request.addPieces.pieceDigests[0]!, request.addPieces.pieceDigests[0]!],
        },
      },
    ];
    for (const bad of cases) expect((await refusal(provider.client.commit(bad))).status).toBe(400);
    expect(await refusal(provider.client.commitStatus('f'.repeat(32)))).toMatchObject({
      status: 404,
      code: 'UNKNOWN_COMMIT',
    });
  });
});

describe('a commit that fails', () => {
  it('with an HTTP error is refused at once (fault)', async () => {
    const request = await commitRequest(await stored(1));
    provider.setFaults({ failCommit: 'http' });
    try {
      const error = await refusal(provider.client.commit(request));
      expect(error).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
      expect(error.message).toMatch(/injected fault/);
    } finally {
      provider.setFaults({});
    }
    expect((await confirmed((await provider.client.commit(request)).commitId)).status).toBe('confirmed');
  });

  it('by reverting on chain is reported failed with the reason, and can be retried', async () => {
    const pieces = await stored(2);
    const request = await commitRequest(pieces);
    provider.setFaults({ failCommit: 'revert' });
    let submitted;
    try {
      submitted = await provider.client.commit(request);
    } finally {
      provider.setFaults({});
    }
    expect(submitted.status).toBe('pending');
    const failed = await confirmed(submitted.commitId);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TX_REVERTED' } });
    expect(failed.error!.message).toMatch(/reverted in block \d+: BadSignature\(\)/);
    expect((await chain.publicClient.getTransactionReceipt({ hash: submitted.txHash })).status).toBe(
      'reverted',
    );
    for (const piece of pieces)
      expect((await provider.client.pieceStatus(piece.cid, payer.address)).status).toBe('parked');
    expect(provider.metrics().commits.failed).toBeGreaterThanOrEqual(1);

    // The same signed request goes through once the fault is gone.
    const retried = await provider.client.commit(request);
    expect(retried.commitId).not.toBe(submitted.commitId);
    expect((await confirmed(retried.commitId)).status).toBe('confirmed');
  });
});

describe('a pending commit', () => {
  it('is answered, to a status request that may wait, as soon as it confirms', async () => {
    const setAutomine = (on: boolean) =>
      chain.publicClient.request({ method: 'evm_setAutomine', params: [on] } as never);
    const request = await commitRequest(await stored(1));
    await setAutomine(false);
    try {
      const submitted = await provider.client.commit(request);
      const asked = Date.now();
      const waiting = provider.client.commitStatus(submitted.commitId, { waitMs: 8_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await chain.publicClient.request({ method: 'evm_mine', params: [] } as never);
      expect((await waiting).status).toBe('confirmed');
      expect(Date.now() - asked).toBeGreaterThanOrEqual(300);
      expect(Date.now() - asked).toBeLessThan(4_000);
    } finally {
      await setAutomine(true);
    }
  });
});

describe('a pending commit across a restart', () => {
  it('is followed again by the restarted provider until it confirms', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coffer-commit-restart-'));
    let node = await startTestProvider(chain, 1, { dataDir });
    const setAutomine = (on: boolean) =>
      chain.publicClient.request({ method: 'evm_setAutomine', params: [on] } as never);
    try {
      const pieces = await stored(2, { on: node });
      const request = await commitRequest(pieces, { on: node });
      await setAutomine(false);
      const submitted = await node.client.commit(request);
      await node.stop();
      await setAutomine(true);
      await chain.publicClient.request({ method: 'evm_mine', params: [] } as never);

      node = await startTestProvider(chain, 1, { dataDir });
      const done = await confirmed(submitted.commitId, node);
      expect(done).toMatchObject({ status: 'confirmed', pieceIds: ['1', '2'] });
      expect(done.pieceIds).toEqual((await piecesAddedBy(submitted.txHash)).pieceIds);
    } finally {
      await setAutomine(true);
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
