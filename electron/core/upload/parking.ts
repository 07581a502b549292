/**
 * Confirms that a provider has parked pieces: once their payment is mined, the provider must see
 * it and move them out of its pre-registration cache. Pieces the store or pull already reported
 * parked need no check; for the others one piece is watched until it moves (a payment promotes
 * its pieces together), then the rest are checked, several at once (status reads are cheap, and
 * are kept apart from the upload's request limit so they never hold up a store or a quote). A
 * provider that has not parked them within `parkTimeoutMs`, or has dropped one, fails — the
 * reference's "parked confirmation" sub-stage.
 */
import { ConcurrencyLimit } from './concurrency-limit';
import type { RunContext } from './run-context';
import { paymentsConfirmed } from './run-context';
import type { Copy } from './upload-copy';
import { sleep } from './upload-chain';
import { messageOf } from './upload-errors';

/** Status reads in flight at once per check. */
const STATUS_CONCURRENCY = 8;

/** Returns null when every piece is parked, else what went wrong. */
export async function confirmParked(
  context: RunContext,
  copy: Copy,
  pieces: readonly number[],
): Promise<string | null> {
  await paymentsConfirmed(context, copy, pieces);
  const { plan, options } = context;
  let pending = pieces.filter((piece) => copy.held.get(piece) !== 'parked');
  const deadline = Date.now() + options.parkTimeoutMs;
  const status = async (piece: number) => {
    try {
      return (
        await copy.client.pieceStatus(plan.pieces[piece]!.cid, context.payer, { signal: context.signal })
      ).status;
    } catch (error) {
      context.signal.throwIfAborted();
      return `unreachable (${messageOf(error)})`;
    }
  };
  while (pending.length > 0) {
    const canary = await status(pending[0]!);
    if (canary === 'parked') {
      const all = await new ConcurrencyLimit(STATUS_CONCURRENCY).map(pending, status);
      const parked = pending.filter((_, i) => all[i] === 'parked');
      for (const piece of parked) copy.held.set(piece, 'parked');
      if (parked.length > 0)
        context.journal.recordHoldings(
          context.uploadId,
          copy.id,
          parked.map((piece) => ({ pieceIndex: piece, status: 'parked' as const })),
          { step: 'parked' },
        );
      const lost = pending.filter((_, i) => all[i] === 'unknown');
      if (lost.length > 0)
        return `${copy.label} no longer holds ${lost.length} pieces (e.g. ${plan.pieces[lost[0]!]!.cid})`;
      pending = pending.filter((_, i) => all[i] !== 'parked');
      context.changed();
      continue;
    }
    if (canary === 'unknown') return `${copy.label} no longer holds piece ${plan.pieces[pending[0]!]!.cid}`;
    if (Date.now() > deadline)
      return `${copy.label} did not park ${pending.length} paid pieces within ${Math.round(options.parkTimeoutMs / 1000)} s (still ${canary})`;
    await sleep(options.pollIntervalMs, context.signal);
  }
  return null;
}
