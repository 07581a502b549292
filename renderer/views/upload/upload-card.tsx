/**
 * One upload as a card: its files, size, copies, cost (estimated, approved, paid), the state it
 * is in with what can be done now (pause, resume, cancel), every copy provider by provider, the
 * files × copies grid of a multi-file upload, the payments with their transactions, the outcome in
 * one line, each failure explained with its fix, and download-and-verify once a copy is stored.
 */
import { useState } from 'react';
import type { CancelSummary, UploadView } from '../../../shared/api/upload';
import { uploadOutcome } from '../../../shared/upload-outcome';
import { ErrorNotice, ExplainedNotice } from '../../components/error-notice';
import { CloseIcon, FileIcon, PauseIcon, PlayIcon, PlusIcon } from '../../components/ui/icons';
import {
  Button,
  CopyButton,
  IconButton,
  Notice,
  OutOf,
  ProgressBar,
  Spinner,
  Stat,
} from '../../components/ui/primitives';
import { explainUploadError } from '../../errors/explain-error';
import { formatBytes, formatCount, formatUnits } from '../../format';
import { topUpTarget, useUploadActions } from '../../upload/use-upload-actions';
import { useUpload } from '../../upload/use-uploads';
import { isActive, preparingLine, STATE_LABELS, stateTone } from '../../upload/upload-stages';
import { TxHash } from '../wallet/tx-hash';
import { CopyRow } from './copy-row';
import { DownloadPanel } from './download-panel';

/** A card for an upload known by id: loading and failing to load included. */
export function UploadCardById({ uploadId, onDismiss }: { uploadId: string; onDismiss?: () => void }) {
  const upload = useUpload(uploadId);
  if (upload.data) return <UploadCard view={upload.data} onDismiss={onDismiss} />;
  return (
    <section className="card upload-card">
      {upload.isError ? (
        <ErrorNotice error={upload.error} onRetry={() => void upload.refetch()} />
      ) : (
        <p className="loading" role="status">
          <Spinner /> Reading the upload…
        </p>
      )}
    </section>
  );
}

/** A token amount with enough decimals for small storage costs. */
export function Cost({ value }: { value: UploadView['cost']['paid'] }) {
  if (!value) return <>—</>;
  return (
    <>
      {formatUnits(value.raw, value.decimals, 6)} <span className="unit">{value.symbol}</span>
    </>
  );
}

export function uploadTitle(view: Pick<UploadView, 'files'>, fallback = 'Preparing the files…'): string {
  const [first] = view.files;
  if (!first) return fallback;
  return view.files.length === 1 ? first.name : `${first.name} and ${view.files.length - 1} more`;
}

export function UploadCard({ view, onDismiss }: { view: UploadView; onDismiss?: () => void }) {
  const actions = useUploadActions(view);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const outcome = uploadOutcome(view);
  const started = new Date(view.createdAt);
  // A copy's own failure is explained on its row; the upload's error says how the whole stopped.
  const showUploadError =
    view.error && !(view.state === 'partial' || view.state === 'completed') && !actions.cancelled;
  return (
    <section
      className={`card upload-card upload-${view.state}`}
      data-testid="upload-card"
      data-upload-id={view.uploadId}
      aria-label={`Upload of ${uploadTitle(view)}`}
    >
      <header className="upload-head">
        <div className="icon-tile icon-tile-accent" aria-hidden="true">
          <FileIcon />
        </div>
        <div className="upload-title-block">
          <h3 className="upload-title" title={view.files.map((f) => f.name).join(', ')}>
            {uploadTitle(view)}
          </h3>
          <div className="upload-meta muted small">
            {view.size > 0 && <span>{formatBytes(view.size)}</span>}
            {view.pieceCount > 0 && <span>{formatCount(view.pieceCount)} pieces</span>}
            <span>
              {view.copiesRequested} {view.copiesRequested === 1 ? 'copy' : 'copies'}
            </span>
            <span>
              <time dateTime={started.toISOString()}>{started.toLocaleString()}</time>
            </span>
          </div>
        </div>
        <span className={`badge badge-${stateTone(view.state)}`} data-testid="upload-state">
          <span className="dot" aria-hidden="true" />
          {STATE_LABELS[view.state]}
        </span>
        <div className="upload-actions">
          {view.actions.pause && (
            <Button onClick={() => void actions.pause()} disabled={actions.busy}>
              <PauseIcon /> Pause
            </Button>
          )}
          {view.actions.resume && (
            <Button variant="primary" onClick={() => void actions.resume()} disabled={actions.busy}>
              <PlayIcon /> Resume
            </Button>
          )}
          {view.actions.cancel && !confirmCancel && (
            <Button variant="ghost" onClick={() => setConfirmCancel(true)} disabled={actions.busy}>
              Cancel…
            </Button>
          )}
          {onDismiss && !isActive(view.state) && (
            <IconButton label="Remove from this list (it stays in History)" onClick={onDismiss}>
              <CloseIcon />
            </IconButton>
          )}
        </div>
      </header>

      {confirmCancel && view.actions.cancel && (
        <Notice
          tone="warn"
          title="Cancel this upload for good?"
          actions={
            <>
              <Button
                variant="danger"
                data-autofocus
                onClick={() => {
                  setConfirmCancel(false);
                  void actions.cancel();
                }}
              >
                Cancel the upload
              </Button>
              <Button onClick={() => setConfirmCancel(false)}>Keep it</Button>
            </>
          }
        >
          What was paid stays paid, and copies already recorded on chain stay stored. Pieces a provider holds
          without a commit expire there.
        </Notice>
      )}
      {actions.cancelled && <CancelledNotice summary={actions.cancelled} view={view} />}

      {view.state === 'preparing' && (
        <div className="upload-preparing" role="status">
          <Spinner /> {preparingLine(view)}
          {view.hashing && view.hashing.bytesTotal > 0 && (
            <ProgressBar value={view.hashing.bytesDone} max={view.hashing.bytesTotal} label="Files hashed" />
          )}
        </div>
      )}
      {view.state === 'awaiting-approval' && (
        <Notice tone="info" title="Waiting for your approval" testId="upload-awaiting">
          Check the files, the providers and the most it may cost in the approval request. Nothing is paid
          until you approve.
        </Notice>
      )}

      <div className="stats stats-4 upload-stats">
        <Stat
          label="Copies stored"
          value={<OutOf value={view.copiesConfirmed} total={view.copiesRequested} />}
          testId="upload-copies-stored"
          accent
        />
        <Stat
          label="Estimated cost"
          value={<Cost value={view.cost.estimated} />}
          hint="From the providers’ quotes"
        />
        <Stat
          label="Approved up to"
          value={<Cost value={view.cost.approved} />}
          hint="With a reserve for a replacement"
        />
        <Stat label="Paid" value={<Cost value={view.cost.paid} />} hint="From your PaymentVault deposit" />
      </div>

      {view.providers.length > 0 && (
        <ul className="copies" aria-label="Copies, provider by provider">
          {view.providers.map((provider) => (
            <CopyRow
              key={`${provider.providerId}-${provider.role}`}
              provider={provider}
              upload={view}
              // When the upload's own notice offers the fix (every commit failed), the rows don't repeat it.
              fixes={showUploadError ? {} : actions.fixes}
              busy={actions.busy}
            />
          ))}
        </ul>
      )}

      {view.files.length > 1 && <FilesGrid view={view} />}

      {outcome && view.state !== 'failed' && (
        <Notice
          tone={
            outcome.tone === 'warn'
              ? 'warn'
              : outcome.tone === 'bad'
                ? 'bad'
                : outcome.tone === 'ok'
                  ? 'ok'
                  : 'info'
          }
          title={outcome.line}
          testId="upload-outcome"
        />
      )}
      {showUploadError && view.error && (
        <ExplainedNotice
          explained={explainUploadError(view.error)}
          fixes={actions.fixes}
          busy={actions.busy}
          testId="upload-error"
        />
      )}
      {actions.error !== null && <ErrorNotice error={actions.error} testId="upload-action-error" />}

      {(view.root || view.payments.length > 0) && (
        <details className="advanced upload-more">
          <summary>Root, payments and transactions</summary>
          <dl className="facts">
            {view.root && (
              <>
                <dt>Root CID</dt>
                <dd className="mono root-cid">
                  {view.root} <CopyButton text={view.root} label="Copy the root CID" />
                </dd>
              </>
            )}
            <dt>Distinct bytes</dt>
            <dd>
              {formatBytes(view.uniqueBytes)} per copy, in {view.waves} {view.waves === 1 ? 'wave' : 'waves'}
            </dd>
          </dl>
          {view.payments.length > 0 && (
            <ul className="payments" aria-label="Payments">
              {view.payments.map((payment, i) => (
                <li key={payment.txHash ?? i} className="payment">
                  <span>{payment.wave === null ? 'Catch-up payment' : `Wave ${payment.wave + 1}`}</span>
                  <span className="muted">
                    {payment.quotes} {payment.quotes === 1 ? 'quote' : 'quotes'}
                  </span>
                  <span>
                    <Cost value={payment.amount} />
                  </span>
                  <span
                    className={`badge badge-${payment.state === 'confirmed' ? 'ok' : payment.state === 'failed' ? 'bad' : 'accent'}`}
                  >
                    {payment.state}
                  </span>
                  {payment.txHash && <TxHash hash={payment.txHash} />}
                </li>
              ))}
            </ul>
          )}
        </details>
      )}

      {/* Fewer copies or a failed commit: the failure notices above carry the fix. */}
      {view.actions.topUp && view.state === 'completed' && (
        <div className="row upload-followups">
          <Button onClick={() => void actions.topUp()} disabled={actions.busy} data-testid="top-up">
            <PlusIcon /> Add a copy ({topUpTarget(view)} in all)
          </Button>
        </div>
      )}
      {view.root && view.copiesConfirmed > 0 && <DownloadPanel root={view.root} />}
    </section>
  );
}

/** For an upload of several files: how much of each file every copy holds. */
function FilesGrid({ view }: { view: UploadView }) {
  return (
    <div className="files-grid" role="table" aria-label="Files, copy by copy">
      <div role="row" className="files-grid-row files-grid-head">
        <span role="columnheader">File</span>
        {view.providers.map((provider) => (
          <span role="columnheader" key={`${provider.providerId}-${provider.role}`}>
            Provider {provider.providerId} <span className="muted">({provider.role})</span>
          </span>
        ))}
      </div>
      {view.files.map((file) => (
        <div role="row" className="files-grid-row" key={file.index}>
          <span role="cell" className="files-grid-name" title={file.name}>
            {file.name} <span className="muted small">{formatBytes(file.size)}</span>
          </span>
          {view.providers.map((provider) => {
            const held = file.providers.find((p) => p.providerId === provider.providerId);
            return (
              <span role="cell" key={`${provider.providerId}-${provider.role}`} className="files-grid-cell">
                <ProgressBar
                  value={held?.chunksDone ?? 0}
                  max={file.chunks}
                  label={`${file.name} on provider ${provider.providerId}`}
                  tone={
                    provider.stage === 'failed' ? 'bad' : provider.stage === 'confirmed' ? 'ok' : 'accent'
                  }
                />
                <span className="muted small">
                  {held?.chunksDone ?? 0}/{file.chunks} chunks
                </span>
              </span>
            );
          })}
        </div>
      ))}
    </div>
  );
}

/** After a cancel: what was paid and what stays stored. */
function CancelledNotice({ summary, view }: { summary: CancelSummary; view: UploadView }) {
  const paid = summary.paid && summary.paid.raw !== '0';
  return (
    <Notice tone="info" title="Upload cancelled" testId="cancel-summary">
      {paid ? (
        <>
          Paid <Cost value={summary.paid} /> in {summary.payments.length}{' '}
          {summary.payments.length === 1 ? 'transaction' : 'transactions'}.{' '}
        </>
      ) : (
        'Nothing was paid. '
      )}
      {summary.committed.length > 0
        ? `Stored on chain: ${summary.committed.map((c) => `provider ${c.providerId} (data set ${c.dataSetId}, ${c.pieces} pieces)`).join(', ')}. `
        : 'No copy was recorded on chain. '}
      {summary.stored.length > 0 &&
        `Held without a commit, to expire: ${summary.stored.map((s) => `${s.pieces} pieces on provider ${s.providerId}`).join(', ')}.`}
      {view.payments.some((p) => p.txHash) && (
        <ul className="tx-list">
          {summary.payments.map((p) => (
            <li key={p.txHash}>
              <TxHash hash={p.txHash} /> <Cost value={p.amount} />
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}
