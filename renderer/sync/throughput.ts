/**
 * The sync's throughput over time, for the live chart: the `scanned` count of each `sync.progress`
 * event, stamped with when it arrived, turned into notes per second over a trailing window.
 *
 * The engine's own `notesPerSecond` is the average of the whole pass; the chart shows how the rate
 * moves, so it is computed here from the counts. Events come when batches commit (at most ten a
 * second), so a window of a couple of seconds smooths the steps of batch-sized jumps. While a run is
 * active, the UI's clock adds a sample when no event came for a while (`recordTick`): a stalled
 * sync then shows its rate falling to zero, instead of a straight line to the next event.
 */
import type { SyncProgress } from '../../shared/api/sync';

export interface ThroughputSample {
  /** When the event arrived, in ms (any monotonic clock). */
  t: number;
  scanned: number;
}

export interface RatePoint {
  t: number;
  /** Notes per second over the window ending at `t`. */
  rate: number;
}

/** How much history the chart keeps. */
export const HISTORY_MS = 120_000;
/** The trailing window a rate is measured over. */
export const RATE_WINDOW_MS = 2_000;

/** A tick adds a sample when the last one is this old. */
export const TICK_MS = 1_000;

const ACTIVE: ReadonlySet<SyncProgress['state']> = new Set(['syncing', 'stopping', 'watching']);

const keepRecent = (history: readonly ThroughputSample[], now: number) =>
  history.filter((s) => s.t >= now - HISTORY_MS);

/**
 * The history after one progress event. A new run (the state coming back to syncing from idle or
 * error) or fewer notes scanned than before (a rescan) starts a fresh history; events of a run
 * that is not running (idle, error) leave it as it was, so the chart keeps the last run's shape.
 * Events before the run knows the tree size are not samples.
 */
export function recordProgress(
  history: readonly ThroughputSample[],
  previous: SyncProgress['state'] | undefined,
  progress: Pick<SyncProgress, 'state' | 'scanned' | 'total'>,
  now: number,
): readonly ThroughputSample[] {
  if (!ACTIVE.has(progress.state)) return history;
  const restarted = previous !== undefined && !ACTIVE.has(previous);
  const base = restarted ? [] : history;
  // A run reports before it knows the tree size; its `scanned` means nothing until then.
  if (progress.total === null) return base;
  const last = base[base.length - 1];
  const kept = last && progress.scanned < last.scanned ? [] : keepRecent(base, now);
  return [...kept, { t: now, scanned: progress.scanned }];
}

/**
 * The history after a tick of the UI's clock: while the run is active and no event came for a
 * tick, nothing was scanned since the last one — a sample says so.
 */
export function recordTick(
  history: readonly ThroughputSample[],
  state: SyncProgress['state'] | undefined,
  now: number,
): readonly ThroughputSample[] {
  const last = history[history.length - 1];
  if (!last || !state || !ACTIVE.has(state) || now - last.t < TICK_MS) return history;
  return [...keepRecent(history, now), { t: now, scanned: last.scanned }];
}

/**
 * Notes per second at each sample, over the trailing window: from the last sample at least a
 * window older (or the first one) to this one. The first sample is the start of the curve, at 0.
 */
export function ratesOf(history: readonly ThroughputSample[], windowMs = RATE_WINDOW_MS): RatePoint[] {
  const points: RatePoint[] = [];
  let from = 0;
  history.forEach((sample, i) => {
    if (i === 0) {
      points.push({ t: sample.t, rate: 0 });
      return;
    }
    while (from + 1 < i && history[from + 1]!.t <= sample.t - windowMs) from++;
    const ref = history[from]!;
    const elapsed = sample.t - ref.t;
    if (elapsed <= 0) return;
    points.push({ t: sample.t, rate: ((sample.scanned - ref.scanned) * 1000) / elapsed });
  });
  return points;
}
