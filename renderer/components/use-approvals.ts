import { useCallback, useEffect, useState } from 'react';
import { type approvalContract, type ApprovalRequest } from '../../shared/api/approval';
import type { ClientApi, EventSubscriber } from '../../shared/api/define';

export type ApprovalApi = ClientApi<typeof approvalContract> & EventSubscriber<typeof approvalContract>;

/** The approvals waiting for an answer, kept current from the approval events; and how to answer. */
export function useApprovals(api: ApprovalApi) {
  const [pending, setPending] = useState<ApprovalRequest[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const offRequested = api.on('approval.requested', (request) =>
      setPending((list) => (list.some((r) => r.id === request.id) ? list : [...list, request])),
    );
    const offSettled = api.on('approval.settled', ({ id }) =>
      setPending((list) => list.filter((r) => r.id !== id)),
    );
    void api.approval.list({}).then(
      ({ approvals }) => setPending(approvals),
      () => undefined,
    );
    return () => {
      offRequested();
      offSettled();
    };
  }, [api]);
  const answer = useCallback(
    async (request: ApprovalRequest, decision: 'approve' | 'reject') => {
      setBusy(true);
      setError(null);
      try {
        await api.approval.respond({ id: request.id, hash: request.hash, decision });
        setPending((list) => list.filter((r) => r.id !== request.id));
      } catch (e) {
        setError((e as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [api],
  );
  return { current: pending[0] ?? null, waiting: pending.length, busy, error, answer };
}
