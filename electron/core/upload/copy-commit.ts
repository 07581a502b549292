/**
 * Commits a copy: the provider submits AddPieces (creating the data set first when it is new) with
 * the payer's presigned signatures, and the commit is followed to confirmation — the data set id
 * and one piece id per piece. Journaled before it is sent, once sent (commit id, transaction) and
 * once settled; a resume asks the provider about a commit already sent (same payer and nonce gives
 * the same commit) instead of sending another.
 */
import type { CommitStatus } from '../../../shared/provider/wire';
import { addPiecesWire } from './authorizations';
import type { RunContext } from './run-context';
import type { Copy } from './upload-copy';
import { followStatus } from './status-follow';
import { CopyFailed, messageOf } from './upload-errors';

export async function commitCopy(context: RunContext, copy: Copy): Promise<void> {
  const { plan, journal } = context;
  const authorization = copy.authorization;
  const addPieces = addPiecesWire(context, copy);
  if (!authorization || !addPieces)
    throw new CopyFailed('committing', `${copy.label} has no signed authorisation to commit with`);
  copy.stage = 'committing';
  copy.commit = {
    state: 'submitting',
    commitId: copy.commit?.commitId ?? null,
    txHash: null,
    dataSetId: null,
    pieceIds: null,
  };
  journal.putCopy(context.uploadId, copy.toRow());
  context.changed();
  let status: CommitStatus;
  try {
    status = await copy.client.commit(
      {
        payer: context.payer,
        clientDataSetId: copy.clientDataSetId,
        createDataSet: authorization.createDataSet,
        addPieces,
      },
      { signal: context.signal },
    );
  } catch (error) {
    context.signal.throwIfAborted();
    throw new CopyFailed('committing', `${copy.label} did not commit: ${messageOf(error)}`);
  }
  copy.commit = { ...copy.commit, state: 'pending', commitId: status.commitId, txHash: status.txHash };
  copy.isNewDataSet = status.isNewDataSet;
  journal.putCopy(context.uploadId, copy.toRow());
  context.changed();
  context.callbacks.onPiecesAdded?.(
    copy.id,
    status.txHash,
    plan.pieces.map((piece) => piece.cid),
  );
  await followCommit(context, copy, status);
}

/** Follows a commit the provider already took (a resume, a cancel) to its end, by its commit id. */
export async function followSentCommit(context: RunContext, copy: Copy): Promise<void> {
  const status = await copy.client.commitStatus(copy.commit!.commitId!, { signal: context.signal });
  await followCommit(context, copy, status);
}

/** Follows a submitted commit until it is confirmed (or fails, or takes too long). */
export async function followCommit(context: RunContext, copy: Copy, first: CommitStatus): Promise<void> {
  const { plan, journal, options } = context;
  const deadline = Date.now() + options.commitTimeoutMs;
  let status: CommitStatus;
  try {
    status = await followStatus(
      context,
      first,
      (answer) => answer.status === 'pending',
      (waitMs) =>
        copy.client.commitStatus(first.commitId, {
          signal: context.signal,
          waitMs: Math.max(1, Math.min(waitMs, deadline - Date.now())),
        }),
      (answer) => {
        if (Date.now() > deadline)
          throw new CopyFailed(
            'committing',
            `${copy.label}'s commit ${answer.txHash} was not confirmed in time`,
          );
      },
    );
  } catch (error) {
    context.signal.throwIfAborted();
    if (error instanceof CopyFailed) throw error;
    throw new CopyFailed('committing', `${copy.label} lost track of its commit: ${messageOf(error)}`);
  }
  if (status.status === 'failed' || !status.dataSetId || !status.pieceIds) {
    copy.commit = {
      state: 'failed',
      commitId: status.commitId,
      txHash: status.txHash,
      dataSetId: null,
      pieceIds: null,
    };
    journal.putCopy(context.uploadId, copy.toRow());
    throw new CopyFailed(
      'committing',
      `${copy.label}'s commit failed: ${status.error ? status.error.message : 'no piece ids came back'}`,
    );
  }
  copy.commit = {
    state: 'confirmed',
    commitId: status.commitId,
    txHash: status.txHash,
    dataSetId: status.dataSetId,
    pieceIds: status.pieceIds,
  };
  copy.dataSetId = status.dataSetId;
  copy.isNewDataSet = status.isNewDataSet;
  copy.state = 'committed';
  copy.stage = 'confirmed';
  journal.transaction(() => {
    journal.putCopy(context.uploadId, copy.toRow());
    journal.rememberDataSet({
      payer: context.payer,
      providerAddress: copy.provider.address,
      providerId: copy.id,
      clientDataSetId: copy.clientDataSetId,
      dataSetId: status.dataSetId!,
    });
    journal.recordHoldings(
      context.uploadId,
      copy.id,
      plan.pieces.map((piece) => ({ pieceIndex: piece.index, status: 'committed' as const })),
      { step: 'committed', detail: { dataSetId: status.dataSetId, txHash: status.txHash } },
    );
  });
  for (const piece of plan.pieces) copy.held.set(piece.index, 'committed');
  context.changed();
  context.callbacks.onPiecesConfirmed?.(
    copy.id,
    status.dataSetId,
    plan.pieces.map((piece, i) => ({ cid: piece.cid, pieceId: status.pieceIds![i]! })),
  );
}
