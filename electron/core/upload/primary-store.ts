/**
 * Stores a wave's pieces on the primary: in ONE batch request when the provider offers batch
 * store (as many requests as its batch limits need), otherwise one request per piece with at most
 * `chunkConcurrency` in flight. The batch answers per piece; pieces that failed are tried once
 * more, one by one, before the store counts as failed — all of a wave must be stored, or the
 * upload stops with a StoreError (the reference's store stage).
 */
import type { BatchStoreResponse, PieceRef, StoreResult } from '../../../shared/provider/wire';
import { ProviderError } from '../providers/provider-client';
import { batchBodies, pieceBody } from './piece-bodies';
import type { RunContext } from './run-context';
import type { Copy } from './upload-copy';
import { messageOf, StoreError } from './upload-errors';
import type { HoldingStatus } from './upload-journal';

type Outcome = { piece: number; status: HoldingStatus } | { piece: number; error: string };

export const holdingOf = (status: StoreResult['status']): HoldingStatus =>
  status === 'cached-unpaid' ? 'cached' : status;

/** Stores every piece of `pieces` the copy does not hold yet; throws StoreError if any fails. */
export async function storePieces(context: RunContext, copy: Copy, pieces: readonly number[]): Promise<void> {
  const missing = pieces.filter((piece) => !copy.holds(piece));
  if (missing.length === 0) return;
  copy.stage = 'storing';
  context.changed();
  context.journal.step(context.uploadId, 'store', 'before', copy.id, { pieces: missing.length });
  for (const piece of missing) copy.sending.add(piece);
  let outcomes: Outcome[];
  try {
    outcomes =
      copy.capabilities.batch && !copy.batchRefused
        ? await storeBatches(context, copy, missing)
        : await storeSingly(context, copy, missing);
    const retry = outcomes.filter((outcome) => 'error' in outcome).map((outcome) => outcome.piece);
    if (retry.length > 0) {
      const second = await storeSingly(context, copy, retry);
      outcomes = [...outcomes.filter((outcome) => !('error' in outcome)), ...second];
    }
  } finally {
    for (const piece of missing) copy.sending.delete(piece);
  }
  record(context, copy, outcomes);
  const failed = outcomes.filter(
    (outcome): outcome is { piece: number; error: string } => 'error' in outcome,
  );
  if (failed.length > 0)
    throw new StoreError(
      `${copy.label} did not store ${failed.length} of ${missing.length} pieces: ${failed[0]!.error}`,
      copy.id,
      'storing',
    );
}

async function storeBatches(context: RunContext, copy: Copy, pieces: readonly number[]): Promise<Outcome[]> {
  const { maxBatchCount, maxBatchBytes } = copy.capabilities;
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const piece of pieces) {
    const size = context.plan.pieces[piece]!.size;
    if (current.length > 0 && (current.length >= maxBatchCount || bytes + size > maxBatchBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(piece);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  const outcomes: Outcome[] = [];
  for (const batch of batches) {
    let results: BatchStoreResponse['results'];
    try {
      const bodies = batchBodies(context.plan, batch, countSent(context));
      results = await copy.client.storeBatch(
        context.payer,
        batch.map((piece, at) => ({ ...refOf(context, piece), body: bodies[at]! })),
        { signal: context.signal },
      );
    } catch (error) {
      context.signal.throwIfAborted();
      if (error instanceof ProviderError && error.code === 'BATCH_UNSUPPORTED') {
        // Its ping said batch; its answer says otherwise: believe the answer from now on.
        copy.batchRefused = true;
        outcomes.push(...(await storeSingly(context, copy, batch)));
        continue;
      }
      outcomes.push(...batch.map((piece) => ({ piece, error: messageOf(error) })));
      continue;
    }
    results.forEach((result, i) =>
      outcomes.push(
        result.ok
          ? { piece: batch[i]!, status: holdingOf(result.status) }
          : { piece: batch[i]!, error: `${result.error.code}: ${result.error.message}` },
      ),
    );
  }
  return outcomes;
}

function storeSingly(context: RunContext, copy: Copy, pieces: readonly number[]): Promise<Outcome[]> {
  return context.limit.map(pieces, async (piece): Promise<Outcome> => {
    try {
      const result = await copy.client.storePiece(
        context.payer,
        refOf(context, piece),
        body(context, piece),
        {
          signal: context.signal,
        },
      );
      return { piece, status: holdingOf(result.status) };
    } catch (error) {
      context.signal.throwIfAborted();
      return { piece, error: messageOf(error) };
    }
  });
}

function record(context: RunContext, copy: Copy, outcomes: readonly Outcome[]): void {
  const held = outcomes.filter(
    (outcome): outcome is { piece: number; status: HoldingStatus } => 'status' in outcome,
  );
  if (held.length === 0) return;
  for (const { piece, status } of held) copy.held.set(piece, status);
  context.journal.recordHoldings(
    context.uploadId,
    copy.id,
    held.map(({ piece, status }) => ({ pieceIndex: piece, status })),
    { step: 'stored' },
  );
  copy.changed();
  context.changed();
  context.callbacks.onStored?.(
    copy.id,
    held.map(({ piece }) => context.plan.pieces[piece]!.cid),
  );
}

const refOf = (context: RunContext, piece: number): PieceRef => ({
  cid: context.plan.pieces[piece]!.cid,
  size: context.plan.pieces[piece]!.size,
});

const countSent = (context: RunContext) => (count: number) => {
  context.bytesSent += count;
};

const body = (context: RunContext, piece: number) => pieceBody(context.plan, piece, countSent(context));
