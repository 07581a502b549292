import type { ApprovalRequest } from '../../shared/api/approval';
import { shortHash } from '../format';
import { Button } from './ui/primitives';

/**
 * One approval request as the user sees it: what, how much at most, until when, with whom, the
 * typed-data domains and the hash the answer carries. Used by the Electron approval window and by
 * the browser-mode modal.
 */
export function ApprovalDetails({
  request,
  busy,
  onAnswer,
}: {
  request: ApprovalRequest;
  busy: boolean;
  onAnswer: (decision: 'approve' | 'reject') => void;
}) {
  const { summary } = request;
  return (
    <div className="approval" data-testid="approval">
      <p>{summary.title}</p>
      <dl className="facts">
        <dt>Account</dt>
        <dd className="mono">{summary.account}</dd>
        <dt>Up to</dt>
        <dd>
          {summary.amount.formatted} {summary.amount.symbol}
        </dd>
        <dt>Until</dt>
        <dd>{new Date(summary.deadline * 1000).toLocaleString()}</dd>
        {summary.counterparties.map((c) => (
          <Fact
            key={`${c.role}-${c.address}`}
            label={c.role}
            value={`${c.label ? `${c.label} · ` : ''}${c.address}`}
            mono
          />
        ))}
        {summary.details.map((d) => (
          <Fact key={d.label} label={d.label} value={d.value} />
        ))}
        {request.domains.map((d) => (
          <Fact
            key={d.verifyingContract}
            label="Signs for"
            value={`${d.name} v${d.version} · chain ${d.chainId} · ${d.verifyingContract}`}
            mono
          />
        ))}
        <dt>Hash</dt>
        <dd className="mono" title={request.hash}>
          {shortHash(request.hash, 10)}
        </dd>
      </dl>
      <div className="modal-actions">
        <Button disabled={busy} onClick={() => onAnswer('reject')}>
          Reject
        </Button>
        <Button variant="primary" disabled={busy} onClick={() => onAnswer('approve')}>
          Approve
        </Button>
      </div>
    </div>
  );
}

function Fact({ label, value, mono = false }: { label: string; value: string; mono?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined}>{value}</dd>
    </>
  );
}
