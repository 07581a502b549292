/**
 * A secondary gets its pieces from the source copy (the primary), provider to provider: one pull
 * request per batch of pieces, authorised by the payer's presigned AddPieces for that secondary,
 * followed until every piece has arrived. The client sends no piece bytes for a secondary. A pull
 * that is refused, loses a piece, or makes no progress for too long fails the copy (stage
 * `pulling`), and the run decides whether to replace it.
 */
import type { AddPiecesAuthorization, PullProgress } from '../../../shared/provider/wire';
import { addPiecesWire } from './authorizations';
import { holdingOf } from './primary-store';
import { type RunContext, cacheRoom, sizeOf } from './run-context';
import type { Copy } from './upload-copy';
import { followStatus } from './status-follow';
import { CopyFailed, messageOf } from './upload-errors';
import type { HoldingStatus } from './upload-journal';

/** Pulls every piece of `pieces` that `copy` lacks from `source`. */
export async function pullPieces(
  context: RunContext,
  copy: Copy,
  source: Copy,
  pieces: readonly number[],
): Promise<void> {
  const missing = pieces.filter((piece) => !copy.holds(piece));
  if (missing.length === 0) return;
  const authorization = addPiecesWire(context, copy);
  if (!authorization)
    throw new CopyFailed('pulling', `${copy.label} has no signed authorisation to pull with`);
  copy.stage = 'pulling';
  context.changed();
  const perPull = Math.max(1, copy.capabilities.maxBatchCount);
  for (let i = 0; i < missing.length; i += perPull) {
    const group = missing.slice(i, i + perPull);
    await cacheRoom(
      context,
      copy,
      group.reduce((sum, piece) => sum + sizeOf(context)(piece), 0),
    );
    await pullGroup(context, copy, source, group, authorization);
  }
}

async function pullGroup(
  context: RunContext,
  copy: Copy,
  source: Copy,
  group: readonly number[],
  authorization: AddPiecesAuthorization,
): Promise<void> {
  const { plan } = context;
  context.journal.step(context.uploadId, 'pull', 'before', copy.id, {
    pieces: group.length,
    from: source.id,
  });
  let progress: PullProgress;
  try {
    progress = await copy.client.pull(
      {
        sourceUrl: source.provider.url,
        payer: context.payer,
        clientDataSetId: copy.clientDataSetId,
        pieces: group.map((piece) => ({ cid: plan.pieces[piece]!.cid, size: plan.pieces[piece]!.size })),
        authorization,
      },
      { signal: context.signal },
    );
  } catch (error) {
    context.signal.throwIfAborted();
    throw new CopyFailed(
      'pulling',
      `${copy.label} refused to pull from ${source.label}: ${messageOf(error)}`,
    );
  }
  let lastBytes = -1;
  let lastMove = Date.now();
  try {
    progress = await followStatus(
      context,
      progress,
      (status) => status.state === 'running',
      (waitMs) =>
        copy.client.pullStatus(progress.pullId, {
          signal: context.signal,
          waitMs: Math.min(waitMs, context.options.pullStallMs),
        }),
      (status) => {
        const bytes = status.pieces.reduce((sum, item) => sum + item.bytes, 0);
        if (bytes !== lastBytes) {
          lastBytes = bytes;
          lastMove = Date.now();
        } else if (Date.now() - lastMove > context.options.pullStallMs)
          throw new CopyFailed(
            'pulling',
            `${copy.label}'s pull made no progress for ${context.options.pullStallMs} ms`,
          );
      },
    );
  } catch (error) {
    context.signal.throwIfAborted();
    if (error instanceof CopyFailed) throw error;
    throw new CopyFailed('pulling', `${copy.label} lost track of its pull: ${messageOf(error)}`);
  }
  const byCid = new Map(progress.pieces.map((item) => [item.cid, item]));
  const held: { pieceIndex: number; status: HoldingStatus }[] = [];
  for (const piece of group) {
    const item = byCid.get(plan.pieces[piece]!.cid);
    if (item && (item.state === 'parked' || item.state === 'cached-unpaid' || item.state === 'committed'))
      held.push({ pieceIndex: piece, status: holdingOf(item.state) });
  }
  for (const { pieceIndex, status } of held) copy.held.set(pieceIndex, status);
  context.journal.recordHoldings(context.uploadId, copy.id, held, { step: 'pulled' });
  copy.changed();
  context.changed();
  if (held.length > 0)
    context.callbacks.onStored?.(
      copy.id,
      held.map(({ pieceIndex }) => plan.pieces[pieceIndex]!.cid),
    );
  if (held.length < group.length) {
    const failed = progress.pieces.find((item) => item.error);
    throw new CopyFailed(
      'pulling',
      `${copy.label} pulled ${held.length} of ${group.length} pieces from ${source.label}` +
        (failed?.error ? `: ${failed.error.code}: ${failed.error.message}` : ''),
    );
  }
}
