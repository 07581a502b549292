/**
 * How `coffer upload` and `coffer uploads` show an upload in a terminal: one line for the upload,
 * one progress bar per provider (role, stage, percent, throughput, ETA, error), and the result.
 * Pure functions of an UploadView, so they are the same live and in the history.
 */
import type { UploadView } from '../../shared/api/upload';
import { formatBytes } from '../../shared/format-bytes';

const BAR_WIDTH = 24;

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

function bar(done: number, total: number): string {
  const fraction = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(fraction * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%`;
}

/** What the upload is: its files, size and copies, and where it stands. */
export function headline(view: UploadView): string {
  const files =
    view.files.length === 0
      ? 'files'
      : view.files.length === 1
        ? view.files[0]!.name
        : `${view.files.length} files`;
  const paid = view.cost.paid ? `, paid ${view.cost.paid.formatted} ${view.cost.paid.symbol}` : '';
  return `${view.uploadId}  ${files} (${formatBytes(view.size)}), ${view.copiesConfirmed}/${view.copiesRequested} copies, ${view.state}${paid}`;
}

/** The live lines: the headline, hashing while it lasts, then one bar per provider. */
export function progressLines(view: UploadView): string[] {
  const lines = [headline(view)];
  if (view.hashing) lines.push(`  hashing    ${bar(view.hashing.bytesDone, view.hashing.bytesTotal)}`);
  for (const provider of view.providers) {
    const speed = provider.throughput > 0 ? `  ${formatBytes(provider.throughput)}/s` : '';
    const eta =
      provider.etaSeconds !== null && provider.etaSeconds > 0 && provider.throughput > 0
        ? `  ETA ${formatSeconds(provider.etaSeconds)}`
        : '';
    const error = provider.error ? `  ${provider.error.message}` : '';
    lines.push(
      `  ${provider.role.padEnd(9)}  provider ${String(provider.providerId).padEnd(3)} ${provider.stage.padEnd(10)} ` +
        `${bar(provider.bytesDone, provider.bytesTotal)}${speed}${eta}${error}`,
    );
  }
  return lines;
}

/** The outcome: root, copies with their data sets and retrieval URLs, failures, the error. */
export function outcomeLines(view: UploadView): string[] {
  const lines = [headline(view)];
  if (view.root) lines.push(`  root       ${view.root}`);
  for (const copy of view.result?.copies ?? [])
    lines.push(
      `  ${copy.role.padEnd(9)}  provider ${copy.providerId}, data set ${copy.dataSetId}${copy.isNewDataSet ? ' (new)' : ''}, ${copy.pieceIds.length} pieces  ${copy.retrievalUrl}`,
    );
  for (const failure of view.result?.failures ?? [])
    lines.push(
      `  failed     provider ${failure.providerId} (${failure.role}) while ${failure.stage}: ${failure.error}`,
    );
  if (view.error)
    lines.push(`  error      ${view.error.message}${view.error.stage ? ` (while ${view.error.stage})` : ''}`);
  if (view.actions.resume) lines.push(`  resume with: coffer uploads resume ${view.uploadId}`);
  if (view.actions.retryCommit)
    lines.push(`  retry the commit with: coffer uploads retry-commit ${view.uploadId}`);
  if (view.actions.topUp && view.copiesConfirmed < view.copiesRequested)
    lines.push(`  add copies with: coffer uploads top-up ${view.uploadId} --copies ${view.copiesRequested}`);
  return lines;
}
