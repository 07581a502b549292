/**
 * The Upload screen's queue: files still on their way to the host (browser mode), then the uploads
 * of this session and any waiting to be resumed, newest first, each as its card.
 */
import type { UploadSummary } from '../../../shared/api/upload';
import type { z } from 'zod';
import { ErrorNotice } from '../../components/error-notice';
import { CloseIcon, UploadIcon } from '../../components/ui/icons';
import { EmptyState, IconButton, ProgressBar, Spinner } from '../../components/ui/primitives';
import { formatBytes } from '../../format';
import { useRecentUploads, useUploadQueue, type Sending } from '../../upload/use-uploads';
import { UploadCardById } from './upload-card';

type Summary = z.infer<typeof UploadSummary>;

/** This session's uploads, then the history's unfinished ones (paused, interrupted), newest first. */
export function queueIds(sessionIds: readonly string[], recent: readonly Summary[]): string[] {
  const unfinished = recent
    .filter((upload) => upload.state === 'paused' || upload.state === 'interrupted' || upload.actions.pause)
    .map((upload) => upload.uploadId);
  const order = new Map(recent.map((upload, i) => [upload.uploadId, i]));
  const ids = [...new Set([...sessionIds, ...unfinished])];
  // Newest first: by the history's order where known; ones not listed yet (just started) on top.
  return ids.sort((a, b) => (order.get(a) ?? -1) - (order.get(b) ?? -1));
}

export function UploadQueue({ compact = false }: { compact?: boolean }) {
  const { ids, sending, dismiss, setSending } = useUploadQueue();
  const recent = useRecentUploads();
  const shown = queueIds(ids, recent.data?.uploads ?? []);
  if (shown.length === 0 && sending.length === 0)
    return (
      <EmptyState icon={<UploadIcon />} title="Nothing uploading">
        {compact
          ? 'Drop files above.'
          : 'Dropped files appear here with each copy’s progress, provider by provider. Past uploads are in History.'}
      </EmptyState>
    );
  return (
    <div className="upload-queue" data-testid="upload-queue">
      {sending.map((entry) => (
        <SendingRow key={entry.key} entry={entry} onDismiss={() => setSending(entry.key, null)} />
      ))}
      {shown.map((uploadId) => (
        <UploadCardById key={uploadId} uploadId={uploadId} onDismiss={() => dismiss(uploadId)} />
      ))}
    </div>
  );
}

/** Files being sent to the host before their upload can start (browser mode). */
function SendingRow({ entry, onDismiss }: { entry: Sending; onDismiss: () => void }) {
  const names =
    entry.names.length === 1 ? entry.names[0] : `${entry.names[0]} and ${entry.names.length - 1} more`;
  return (
    <section className="card sending" data-testid="sending" aria-label={`Sending ${names}`}>
      <div className="row between">
        <strong>{names}</strong>
        {entry.error !== null ? (
          <IconButton label="Dismiss" onClick={onDismiss}>
            <CloseIcon />
          </IconButton>
        ) : (
          <span className="muted small" role="status">
            <Spinner /> Handing the files to Coffer: {formatBytes(entry.sent)} of {formatBytes(entry.size)}
          </span>
        )}
      </div>
      {entry.error === null ? (
        <ProgressBar value={entry.sent} max={Math.max(1, entry.size)} label={`Sending ${names} to Coffer`} />
      ) : (
        <ErrorNotice error={entry.error} testId="sending-error" />
      )}
    </section>
  );
}
