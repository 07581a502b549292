/**
 * Download and verify: fetches an upload back by its root from the providers holding it, every
 * chunk checked against its CID before it is written, with its progress; a chunk a provider
 * served wrong is fetched from another and said so. In browser mode the verified file is then
 * saved through the host; in Electron it is in the folder shown.
 */
import { useState } from 'react';
import type { DownloadView } from '../../../shared/api/upload';
import { api, transportKind } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { useAction } from '../../components/use-action';
import { DownloadIcon, ShieldIcon } from '../../components/ui/icons';
import { Button, Notice, ProgressBar, Spinner } from '../../components/ui/primitives';
import { CofferError, ErrorCode } from '../../../shared/api/errors';
import { formatBytes, formatCount, formatRate } from '../../format';
import { saveDownloadedFile } from '../../upload/host-files';
import { useDownload } from '../../upload/use-uploads';

export function DownloadPanel({ root }: { root: string }) {
  const [downloadId, setDownloadId] = useState<string | null>(null);
  const download = useDownload(downloadId);
  const { busy, error, run } = useAction();
  const start = () =>
    run(async () => {
      const started = await api.download.start({ root });
      setDownloadId(started.downloadId);
    });
  const view = download.data;
  return (
    <div className="download-panel" data-testid="download-panel">
      {!view || view.state === 'failed' ? (
        <div className="row">
          <Button
            onClick={() => void start()}
            disabled={busy || download.isFetching}
            data-testid="download-verify"
          >
            <ShieldIcon /> {view ? 'Try the download again' : 'Download and verify'}
          </Button>
          <span className="muted small">Every chunk is checked against its CID before it is written.</span>
        </div>
      ) : null}
      {view?.state === 'running' && <DownloadProgress view={view} />}
      {view?.state === 'completed' && <DownloadDone view={view} />}
      {view?.state === 'failed' && view.error && (
        <ErrorNotice error={failureOf(view.error)} testId="download-error" />
      )}
      {error !== null && <ErrorNotice error={error} />}
    </div>
  );
}

/** A download's recorded failure as the error the notices explain. */
function failureOf(error: NonNullable<DownloadView['error']>): CofferError {
  const code = ErrorCode.safeParse(error.code);
  return new CofferError(code.success ? code.data : 'INTERNAL', error.message);
}

function DownloadProgress({ view }: { view: DownloadView }) {
  return (
    <div className="download-progress" role="status" data-testid="download-progress">
      <div className="row between">
        <span>
          <Spinner /> Verifying chunk {formatCount(view.chunksDone)} of {formatCount(view.chunksTotal || 1)}
        </span>
        <span className="muted small">
          {formatBytes(view.bytesDone)} of {formatBytes(view.bytesTotal)}
          {view.throughput > 0 && ` · ${formatRate(view.throughput)}`}
        </span>
      </div>
      <ProgressBar
        value={view.bytesDone}
        max={Math.max(1, view.bytesTotal)}
        label="Bytes downloaded and verified"
      />
      <Fallbacks view={view} />
    </div>
  );
}

function DownloadDone({ view }: { view: DownloadView }) {
  const { busy, error, run } = useAction();
  return (
    <Notice
      tone="ok"
      title={`Verified: the manifest and all ${formatCount(view.chunksTotal)} chunks match their CIDs`}
      testId="download-verified"
    >
      {formatBytes(view.bytesTotal)} downloaded and checked.{' '}
      {transportKind === 'electron' ? (
        <>
          Saved in <span className="mono">{view.destination}</span>.
        </>
      ) : (
        'Save the files to keep them:'
      )}
      {transportKind !== 'electron' && (
        <div className="row download-files">
          {view.files.map((file, index) => (
            <Button
              key={file.name}
              variant="primary"
              disabled={busy}
              onClick={() => void run(() => saveDownloadedFile(view.downloadId, index, file.name))}
            >
              <DownloadIcon /> Save {file.name}
            </Button>
          ))}
        </div>
      )}
      <Fallbacks view={view} />
      {error !== null && <ErrorNotice error={error} />}
    </Notice>
  );
}

function Fallbacks({ view }: { view: DownloadView }) {
  if (view.fallbacks.length === 0) return null;
  return (
    <ul className="fallbacks small">
      {view.fallbacks.map((fallback) => (
        <li key={`${fallback.providerId}-${fallback.cid}`}>
          Provider {fallback.providerId} served a chunk that failed its check ({fallback.reason}); it came
          from another provider instead.
        </li>
      ))}
    </ul>
  );
}
