/**
 * An upload's stages as the screens draw them: each copy's pipeline (selecting → quoting → paying →
 * storing → pulling → committing → confirmed, or failed at one of them), what a copy's bar and
 * status line say, and what the upload as a whole is doing, in words.
 */
import type { UploadStage, UploadState, UploadView } from '../../shared/api/upload';
import { formatBytes, formatDuration, formatRate } from '../format';

type Provider = UploadView['providers'][number];

type WorkingStage = Exclude<UploadStage, 'confirmed' | 'failed'>;

/**
 * A copy's working stages, in order; `confirmed` follows the last, `failed` replaces any. The
 * primary receives the pieces from this computer (storing); a secondary fetches them from the
 * primary (pulling).
 */
export function pipelineFor(role: Provider['role']): readonly WorkingStage[] {
  return role === 'primary'
    ? ['selecting', 'quoting', 'paying', 'storing', 'committing']
    : ['selecting', 'quoting', 'paying', 'pulling', 'committing'];
}

export const STAGE_LABELS: Record<UploadStage, string> = {
  selecting: 'Selecting',
  quoting: 'Quoting',
  paying: 'Paying',
  storing: 'Storing',
  pulling: 'Pulling',
  committing: 'Committing',
  confirmed: 'Confirmed',
  failed: 'Failed',
};

/** What each stage means, for the badge's tooltip. */
export const STAGE_HINTS: Record<UploadStage, string> = {
  selecting: 'Checking that the provider answers',
  quoting: 'Getting the provider’s signed price',
  paying: 'Paying the quotes on chain',
  storing: 'Sending the pieces to the primary',
  pulling: 'The provider fetches the pieces from the primary',
  committing: 'Recording the pieces on chain',
  confirmed: 'The copy is on chain',
  failed: 'This copy failed',
};

export type StageTone = 'done' | 'current' | 'todo' | 'failed';

/** Each working stage of a copy, for its stepper: done, current, to do, or where it failed. */
export function pipelineOf(
  provider: Pick<Provider, 'stage' | 'error' | 'role'>,
): { stage: WorkingStage; tone: StageTone }[] {
  const stages = pipelineFor(provider.role);
  const position = (stage: UploadStage) =>
    stage === 'confirmed' ? stages.length : Math.max(0, stages.indexOf(stage as WorkingStage));
  const failed = provider.stage === 'failed';
  const at = position(failed ? (provider.error?.stage ?? 'selecting') : provider.stage);
  return stages.map((stage, i) => ({
    stage,
    tone: i < at ? 'done' : i === at ? (failed ? 'failed' : 'current') : 'todo',
  }));
}

/** A copy's bar: bytes it holds of the bytes every copy stores. */
export function copyFraction(provider: Pick<Provider, 'bytesDone' | 'bytesTotal' | 'stage'>): number {
  if (provider.stage === 'confirmed') return 1;
  return provider.bytesTotal > 0 ? Math.min(1, provider.bytesDone / provider.bytesTotal) : 0;
}

/** "1.14 MiB of 2.29 MiB · 2.96 MiB/s · 1 s left"; rate and time left only while bytes move. */
export function copyStatusLine(
  provider: Pick<Provider, 'bytesDone' | 'bytesTotal' | 'throughput' | 'etaSeconds' | 'stage'>,
): string {
  // A confirmed copy holds everything, whatever the last count of pieces held said.
  const done = provider.stage === 'confirmed' ? provider.bytesTotal : provider.bytesDone;
  const parts = [`${formatBytes(done)} of ${formatBytes(provider.bytesTotal)}`];
  const moving = provider.stage === 'storing' || provider.stage === 'pulling';
  if (moving && provider.throughput > 0) parts.push(formatRate(provider.throughput));
  if (moving && provider.etaSeconds !== null && provider.etaSeconds > 0)
    parts.push(`${formatDuration(provider.etaSeconds)} left`);
  return parts.join(' · ');
}

export const STATE_LABELS: Record<UploadState, string> = {
  preparing: 'Preparing',
  'awaiting-approval': 'Waiting for your approval',
  running: 'Uploading',
  paused: 'Paused',
  interrupted: 'Interrupted',
  completed: 'Stored',
  partial: 'Fewer copies',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** The badge colour of an upload's state. */
export function stateTone(state: UploadState): 'ok' | 'warn' | 'bad' | 'accent' | 'neutral' {
  switch (state) {
    case 'completed':
      return 'ok';
    case 'partial':
    case 'paused':
    case 'interrupted':
      return 'warn';
    case 'failed':
      return 'bad';
    case 'cancelled':
      return 'neutral';
    default:
      return 'accent';
  }
}

/** Whether the engine is at work on it now (its bars move, it can be paused). */
export function isActive(state: UploadState): boolean {
  return state === 'preparing' || state === 'awaiting-approval' || state === 'running';
}

/**
 * A copy's badge: its stage while the upload runs; once it stopped, a copy caught midway is
 * "Paused" (it can resume) or "Stopped" (it never will), not frozen at a working stage.
 */
export function copyBadge(
  provider: Pick<Provider, 'stage'>,
  state: UploadState,
): { label: string; tone: UploadStage | 'stopped' } {
  if (isActive(state) || provider.stage === 'confirmed' || provider.stage === 'failed')
    return { label: STAGE_LABELS[provider.stage], tone: provider.stage };
  const resumable = state === 'paused' || state === 'interrupted';
  return { label: resumable ? `Paused at ${provider.stage}` : 'Stopped', tone: 'stopped' };
}

/** What a preparing upload is doing: hashing its files, or choosing providers and pricing. */
export function preparingLine(view: Pick<UploadView, 'hashing' | 'providers'>): string {
  if (view.hashing && view.hashing.bytesTotal > 0)
    return `Reading and hashing the files: ${formatBytes(view.hashing.bytesDone)} of ${formatBytes(view.hashing.bytesTotal)}`;
  if (view.providers.length === 0) return 'Choosing storage providers…';
  return 'Getting prices from the providers…';
}
