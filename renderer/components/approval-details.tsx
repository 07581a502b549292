import type { ApprovalKind, ApprovalRequest } from '../../shared/api/approval';
import { formatDuration, formatUnits, shortDecimal, shortHash } from '../format';
import { ArrowDownIcon, ArrowUpIcon, UploadIcon } from './ui/icons';
import { Button, CopyButton } from './ui/primitives';

export const APPROVAL_TITLES: Record<ApprovalKind, string> = {
  deposit: 'Approve a deposit',
  withdraw: 'Approve a withdrawal',
  upload: 'Approve an upload',
};

export const APPROVAL_ICONS: Record<ApprovalKind, typeof UploadIcon> = {
  deposit: ArrowDownIcon,
  withdraw: ArrowUpIcon,
  upload: UploadIcon,
};

/**
 * One approval request as the user sees it: what, how much at most, from which account, with
 * whom, until when, what exactly is signed (the typed-data summary and domains), and the hash the
 * answer carries. Used by the Electron approval window and by the browser-mode dialog.
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
  const deadline = new Date(summary.deadline * 1000);
  // From the request's own time, so the text does not change while the dialog is open.
  const lifetime = summary.deadline - request.createdAt / 1000;
  const upload = request.kind === 'upload' ? uploadFacts(summary.details) : null;
  // Every decimal of the most it may spend, for the record; the headline is cut for reading.
  const exact = formatUnits(summary.amount.raw, summary.amount.decimals, summary.amount.decimals);
  const facts = upload?.rest ?? summary.details;
  return (
    <div className="approval" data-testid="approval">
      <p className="approval-what">{summary.title}</p>
      <div className="approval-amount">
        <div className="approval-amount-label">At most</div>
        <div className="approval-amount-value" data-testid="approval-amount">
          {shortDecimal(exact)} <span className="unit">{summary.amount.symbol}</span>
        </div>
        {shortDecimal(exact) !== exact && (
          <div className="approval-amount-exact">
            exactly{' '}
            <span className="mono">
              {exact} {summary.amount.symbol}
            </span>
          </div>
        )}
        {upload?.expected && (
          <div className="approval-amount-expected" data-testid="approval-expected">
            Expected: {shortDecimal(upload.expected)}
          </div>
        )}
        <div className="approval-amount-from">
          from <span className="mono">{summary.account}</span>
        </div>
      </div>

      {upload && upload.copies.length > 0 && (
        <section aria-labelledby={`copies-${request.id}`}>
          <h3 className="approval-section" id={`copies-${request.id}`}>
            Files and copies
          </h3>
          {upload.files && <p className="approval-files">{upload.files}</p>}
          <ol className="approval-copies" data-testid="approval-copies">
            {upload.copies.map((copy, i) => (
              <li key={i} className="approval-copy">
                <span className={`role-badge role-${copy.role}`}>{copy.role}</span>
                <span>{copy.text}</span>
              </li>
            ))}
          </ol>
        </section>
      )}

      {summary.counterparties.length > 0 && (
        <section aria-labelledby={`with-${request.id}`}>
          <h3 className="approval-section" id={`with-${request.id}`}>
            {upload ? 'Providers it may pay (the copies, and standbys to replace one)' : 'With'}
          </h3>
          <ul className="parties">
            {summary.counterparties.map((c) => (
              <li key={`${c.role}-${c.address}`} className="party">
                <span className="badge party-role">{c.role}</span>
                <span className="party-name">{c.label ?? 'Unnamed'}</span>
                <span className="mono party-address" title={c.address}>
                  {shortHash(c.address, 6)}
                </span>
                <CopyButton text={c.address} label={`Copy the ${c.role} address`} />
              </li>
            ))}
          </ul>
        </section>
      )}

      <section aria-labelledby={`signs-${request.id}`}>
        <h3 className="approval-section" id={`signs-${request.id}`}>
          What Coffer will sign
        </h3>
        <dl className="facts approval-facts">
          <dt>Valid until</dt>
          <dd>
            {deadline.toLocaleString()}
            {lifetime > 0 && <span className="muted"> · {formatDuration(lifetime)} from the request</span>}
          </dd>
          {facts.map((d) => (
            <Fact key={d.label} label={d.label} value={d.value} />
          ))}
          {request.domains.map((d) => (
            <Fact
              key={d.verifyingContract}
              label="Typed data for"
              value={`${d.name} v${d.version} · chain ${d.chainId} · ${d.verifyingContract}`}
            />
          ))}
          <dt>Request hash</dt>
          <dd className="mono" title={request.hash}>
            {shortHash(request.hash, 10)}
          </dd>
        </dl>
      </section>

      <div className="approval-actions">
        <span className="muted small">Nothing is signed until you approve.</span>
        <Button disabled={busy} onClick={() => onAnswer('reject')} data-autofocus>
          Reject
        </Button>
        <Button variant="primary" disabled={busy} onClick={() => onAnswer('approve')}>
          Approve
        </Button>
      </div>
    </div>
  );
}

/**
 * An upload's approval details, grouped for reading: the files, one line per copy (its role
 * first), the expected cost next to the most it may spend, and the rest as facts.
 */
function uploadFacts(details: ApprovalRequest['summary']['details']) {
  const copies = details
    .filter((d) => d.label === 'Copy')
    .map((d) => {
      const [role, ...text] = d.value.split(': ');
      return role === 'primary' || role === 'secondary'
        ? { role, text: text.join(': ') }
        : { role: 'secondary' as const, text: d.value };
    });
  const files = details.find((d) => d.label === 'Files')?.value ?? null;
  const expected = details.find((d) => d.label === 'Expected cost')?.value ?? null;
  const rest = details
    .filter((d) => !['Copy', 'Files', 'Expected cost'].includes(d.label))
    .map((d) => (d.label === 'Reserve' ? { ...d, value: shortDecimal(d.value) } : d));
  return { copies, files, expected, rest };
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}
