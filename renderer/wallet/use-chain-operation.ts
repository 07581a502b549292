/**
 * Runs one wallet operation (deposit, withdraw, faucet) and follows it through its phases from the
 * core's own events: `approval.requested` for this kind of operation moves it to "waiting for your
 * approval", `approval.settled` (approved) to "sending", and the call's answer to done or failed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApprovalKind } from '../../shared/api/approval';
import { api } from '../api/client';

export type OperationPhase = 'idle' | 'preparing' | 'approving' | 'sending' | 'done' | 'failed';

export type OperationState<T> =
  | { phase: 'idle' | 'preparing' | 'approving' | 'sending' }
  | { phase: 'done'; result: T }
  | { phase: 'failed'; error: unknown };

/** `approvalKind`: the approval this operation asks for, or null when it needs none (faucet). */
export function useChainOperation<T>(approvalKind: ApprovalKind | null) {
  const [state, setState] = useState<OperationState<T>>({ phase: 'idle' });
  const phase = useRef<OperationPhase>('idle');
  const approvalId = useRef<string | null>(null);
  const update = useCallback((next: OperationState<T>) => {
    phase.current = next.phase;
    setState(next);
  }, []);

  useEffect(() => {
    if (!approvalKind) return;
    const offRequested = api.on('approval.requested', (request) => {
      if (phase.current !== 'preparing' || request.kind !== approvalKind) return;
      approvalId.current = request.id;
      update({ phase: 'approving' });
    });
    const offSettled = api.on('approval.settled', ({ id, outcome }) => {
      if (id !== approvalId.current || phase.current !== 'approving') return;
      // Rejected or expired: the call itself fails next with the reason.
      if (outcome === 'approved') update({ phase: 'sending' });
    });
    return () => {
      offRequested();
      offSettled();
    };
  }, [approvalKind, update]);

  const run = useCallback(
    async (work: () => Promise<T>): Promise<T | null> => {
      approvalId.current = null;
      update({ phase: approvalKind ? 'preparing' : 'sending' });
      try {
        const result = await work();
        update({ phase: 'done', result });
        return result;
      } catch (error) {
        update({ phase: 'failed', error });
        return null;
      }
    },
    [approvalKind, update],
  );

  const reset = useCallback(() => update({ phase: 'idle' }), [update]);
  const busy = state.phase === 'preparing' || state.phase === 'approving' || state.phase === 'sending';
  return { state, busy, run, reset };
}
