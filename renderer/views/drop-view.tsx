/**
 * The drop window (`?view=drop`): a compact page of its own — Electron opens it as a small
 * always-on-top window, browser mode as a popup — with the drop zone, the copies, and this
 * session's uploads as slim rows, one thin bar per copy. It reads only what it shows; the wallet
 * is unlocked (and approvals answered) in Coffer's main window.
 */
import { useState } from 'react';
import type { UploadView } from '../../shared/api/upload';
import { uploadOutcome } from '../../shared/upload-outcome';
import { ApprovalModal } from '../components/approval-modal';
import { ErrorNotice } from '../components/error-notice';
import { LockIcon } from '../components/ui/icons';
import { EmptyState, ProgressBar, Spinner } from '../components/ui/primitives';
import { useTheme } from '../components/use-theme';
import { formatBytes } from '../format';
import { useSelectedAccount, useStatusEvents, useWalletStatus } from '../wallet/use-wallet';
import { copyBadge, copyFraction, STATE_LABELS, stateTone } from '../upload/upload-stages';
import { useRecentUploads, useUpload, useUploadEvents, useUploadQueue } from '../upload/use-uploads';
import { DropZone } from './upload/drop-zone';
import { CopiesOptions } from './upload/upload-options';
import { queueIds } from './upload/upload-queue';
import { uploadTitle } from './upload/upload-card';
import { useDropHandler } from './upload-view';
import { Brand } from '../components/brand';

export function DropApp() {
  useTheme();
  useStatusEvents();
  useUploadEvents();
  const status = useWalletStatus();
  const wallet = status.data;
  return (
    <div className="drop-app">
      <header className="drop-header">
        <Brand />
        <span className="muted small">Drop to upload</span>
      </header>
      <main className="drop-main" id="main">
        {status.error ? (
          <ErrorNotice error={status.error} onRetry={() => void status.refetch()} />
        ) : !wallet ? (
          <p className="loading" role="status">
            <Spinner /> Connecting to Coffer…
          </p>
        ) : !wallet.exists || wallet.locked ? (
          <EmptyState icon={<LockIcon />} title={wallet.exists ? 'Coffer is locked' : 'No wallet yet'}>
            {wallet.exists
              ? 'Unlock Coffer in its main window, then drop files here.'
              : 'Create or import a wallet in Coffer’s main window first.'}
          </EmptyState>
        ) : (
          <DropPanel />
        )}
      </main>
      <ApprovalModal />
    </div>
  );
}

function DropPanel() {
  const [copies, setCopies] = useState<number | null>(null);
  const onFiles = useDropHandler(
    useSelectedAccount(),
    copies === null ? null : { copies, providerIds: null },
  );
  const { ids } = useUploadQueue();
  const recent = useRecentUploads();
  const shown = queueIds(ids, recent.data?.uploads ?? []);
  return (
    <>
      <DropZone onFiles={onFiles} compact />
      <label className="drop-copies small">
        Copies
        <select
          value={copies ?? ''}
          onChange={(event) => setCopies(event.target.value ? Number(event.target.value) : null)}
        >
          <option value="">As in Settings</option>
          <CopiesOptions />
        </select>
      </label>
      <SendingLines />
      {shown.length === 0 ? (
        <p className="muted small drop-empty">Dropped files show here, copy by copy.</p>
      ) : (
        <ul className="drop-list" aria-label="Uploads">
          {shown.map((uploadId) => (
            <CompactUpload key={uploadId} uploadId={uploadId} />
          ))}
        </ul>
      )}
    </>
  );
}

function SendingLines() {
  const sending = useUploadQueue((state) => state.sending);
  return (
    <>
      {sending.map((entry) =>
        entry.error !== null ? (
          <ErrorNotice key={entry.key} error={entry.error} />
        ) : (
          <div key={entry.key} className="drop-sending" role="status">
            <span className="small">Handing {entry.names.join(', ')} to Coffer…</span>
            <ProgressBar
              value={entry.sent}
              max={Math.max(1, entry.size)}
              label={`Sending ${entry.names.join(', ')}`}
            />
          </div>
        ),
      )}
    </>
  );
}

function CompactUpload({ uploadId }: { uploadId: string }) {
  const upload = useUpload(uploadId).data;
  if (!upload) return null;
  return (
    <li className="drop-item" data-testid="drop-item">
      <div className="drop-item-head">
        <span className="drop-item-name" title={upload.files.map((f) => f.name).join(', ')}>
          {uploadTitle(upload)}
        </span>
        <span className={`badge badge-${stateTone(upload.state)}`}>{STATE_LABELS[upload.state]}</span>
      </div>
      <div className="muted small">
        {formatBytes(upload.size)} · {upload.copiesConfirmed} of {upload.copiesRequested} copies
      </div>
      {upload.providers.map((provider) => (
        <CompactCopy
          key={`${provider.providerId}-${provider.role}`}
          provider={provider}
          state={upload.state}
        />
      ))}
      <Outcome upload={upload} />
    </li>
  );
}

function CompactCopy({
  provider,
  state,
}: {
  provider: UploadView['providers'][number];
  state: UploadView['state'];
}) {
  const failed = provider.stage === 'failed';
  const badge = copyBadge(provider, state);
  return (
    <div className="drop-copy">
      <span className="small">
        <span className={`role-badge role-${provider.role}`}>{provider.role === 'primary' ? 'P' : 'S'}</span>{' '}
        Provider {provider.providerId}
      </span>
      <ProgressBar
        value={Math.round(copyFraction(provider) * 1000)}
        max={1000}
        label={`Provider ${provider.providerId}`}
        tone={failed ? 'bad' : provider.stage === 'confirmed' ? 'ok' : 'accent'}
      />
      <span className={`stage-badge stage-${badge.tone}`}>{badge.label}</span>
    </div>
  );
}

function Outcome({ upload }: { upload: UploadView }) {
  const outcome = uploadOutcome(upload);
  if (!outcome) return null;
  return <div className={`drop-outcome tone-${outcome.tone} small`}>{outcome.line}</div>;
}
