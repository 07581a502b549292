/**
 * Where the wallet sync stands, as the sync panel says it: the engine's state refined by what the
 * progress shows (an idle sync may be paused half-way, up to date, or never run), with the badge
 * tone and the main button that goes with it.
 */
import type { SyncProgress } from '../../shared/api/sync';

export type SyncPhase = 'never' | 'paused' | 'synced' | 'syncing' | 'watching' | 'stopping' | 'error';
export type SyncAction = 'start' | 'stop';

export interface PhaseView {
  label: string;
  tone: 'neutral' | 'accent' | 'ok' | 'warn' | 'bad';
  /** The main button: what it says, and what it does (null: nothing to do now). */
  primary: { label: string; action: SyncAction | null };
}

export const PHASES: Record<SyncPhase, PhaseView> = {
  never: { label: 'Not synced yet', tone: 'neutral', primary: { label: 'Sync now', action: 'start' } },
  paused: { label: 'Paused', tone: 'warn', primary: { label: 'Resume', action: 'start' } },
  synced: { label: 'Synced', tone: 'ok', primary: { label: 'Sync now', action: 'start' } },
  syncing: { label: 'Syncing', tone: 'accent', primary: { label: 'Pause', action: 'stop' } },
  watching: { label: 'Watching for new notes', tone: 'ok', primary: { label: 'Pause', action: 'stop' } },
  stopping: { label: 'Pausing…', tone: 'warn', primary: { label: 'Pausing…', action: null } },
  // The error notice has its own "Try again"; this one says what starting again does.
  error: { label: 'Stopped by an error', tone: 'bad', primary: { label: 'Resume', action: 'start' } },
};

export function phaseOf(
  progress: Pick<SyncProgress, 'state' | 'total' | 'scanned' | 'found' | 'pendingHits' | 'lastSynced'>,
): SyncPhase {
  if (progress.state !== 'idle') return progress.state;
  // Stopped during this run of Coffer before reaching the snapshot, or with tag hits still to open
  // (the balances are not final until they are).
  if (progress.total !== null && progress.scanned < progress.total) return 'paused';
  if (progress.pendingHits > 0) return 'paused';
  if (progress.lastSynced) return 'synced';
  // After a restart the engine has no snapshot yet: notes found but never completed means paused.
  return progress.found > 0 ? 'paused' : 'never';
}

/** Scanned as a share of the snapshot, 0–100; null before the tree size is known. */
export function percentOf(progress: Pick<SyncProgress, 'total' | 'scanned'>): number | null {
  if (progress.total === null) return null;
  if (progress.total === 0) return 100;
  return Math.min(100, (progress.scanned / progress.total) * 100);
}
