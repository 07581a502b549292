/**
 * Confirms that a provider has parked pieces: once their payment is mined, the provider must see
 * it and move them out of its pre-registration cache — the reference's "parked confirmation"
 * sub-stage; a provider that has not within `parkTimeoutMs`, or has dropped a piece, fails.
 *
 * Pieces the store or pull already reported parked need no check. The others are checked one per
 * wave: a wave is paid in one transaction, and a provider promotes what a payment pays in one step
 * when it sees the payment, so one piece of the wave parked means the provider has seen that
 * payment and parked the rest. (The commit checks every piece once more, refusing before anything
 * is sent if one is not parked.) One status read per wave instead of one per piece keeps parking
 * cheap for the provider while it is busy storing the next wave.
 */
import type { RunContext } from './run-context';
import { paymentsConfirmed } from './run-context';
import type { Copy } from './upload-copy';
import { sleep } from './upload-chain';
import { messageOf } from './upload-errors';

/** Returns null when every piece is parked, else what went wrong. */
export async function confirmParked(
  context: RunContext,
  copy: Copy,
  pieces: readonly number[],
): Promise<string | null> {
  await paymentsConfirmed(context, copy, pieces);
  const { plan, options } = context;
  const waves = new Map<number, number[]>();
  for (const piece of pieces)
    if (copy.held.get(piece) !== 'parked') {
      const wave = plan.pieces[piece]!.wave;
      waves.set(wave, [...(waves.get(wave) ?? []), piece]);
    }
  const deadline = Date.now() + options.parkTimeoutMs;
  for (const pending of waves.values()) {
    const canary = plan.pieces[pending[0]!]!.cid;
    for (;;) {
      let status: string;
      try {
        status = (await copy.client.pieceStatus(canary, context.payer, { signal: context.signal })).status;
      } catch (error) {
        context.signal.throwIfAborted();
        status = `unreachable (${messageOf(error)})`;
      }
      if (status === 'parked') break;
      if (status === 'unknown') return `${copy.label} no longer holds piece ${canary}`;
      if (Date.now() > deadline)
        return `${copy.label} did not park ${pending.length} paid pieces within ${Math.round(options.parkTimeoutMs / 1000)} s (still ${status})`;
      await sleep(options.pollIntervalMs, context.signal);
    }
    for (const piece of pending) copy.held.set(piece, 'parked');
    context.journal.recordHoldings(
      context.uploadId,
      copy.id,
      pending.map((piece) => ({ pieceIndex: piece, status: 'parked' as const })),
      { step: 'parked', detail: { pieces: pending.length, checked: canary } },
    );
    context.changed();
  }
  return null;
}
