/**
 * Splits what is left to scan into batches: [0, size) minus what each account has scanned (its
 * cursor and the ranges completed beyond it), cut at multiples of K so a batch redone after a
 * crash is the very batch that was in flight. Each batch lists the accounts that still need it,
 * so an account added later is scanned from the start without rescanning the others.
 */
import type { AccountProgress } from './sync-store';

export interface PlannedBatch {
  start: number;
  count: number;
  accounts: number[];
}

/** The ranges of [0, size) an account has not scanned. */
function gapsOf(progress: AccountProgress, size: number): Array<[number, number]> {
  const gaps: Array<[number, number]> = [];
  let from = progress.cursor;
  for (const [start, end] of progress.ranges) {
    if (start > from) gaps.push([from, Math.min(start, size)]);
    from = Math.max(from, end);
  }
  if (from < size) gaps.push([from, size]);
  return gaps.filter(([start, end]) => end > start);
}

export function planBatches(
  size: number,
  progress: ReadonlyMap<number, AccountProgress>,
  batchSize: number,
): PlannedBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batch size must be ≥ 1, got ${batchSize}`);
  const gaps = [...progress].map(([account, p]) => ({ account, gaps: gapsOf(p, size) }));
  const cuts = new Set<number>();
  for (const { gaps: list } of gaps) for (const [start, end] of list) cuts.add(start).add(end);
  const points = [...cuts].sort((a, b) => a - b);

  const batches: PlannedBatch[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    const accounts = gaps
      .filter(({ gaps: list }) => list.some(([start, end]) => start <= from && to <= end))
      .map(({ account }) => account);
    if (accounts.length === 0) continue;
    for (let start = from; start < to;) {
      const end = Math.min(to, (Math.floor(start / batchSize) + 1) * batchSize);
      const last = batches.at(-1);
      // Join a piece cut off only by another account's boundary, when it fits the same batch.
      if (
        last &&
        last.start + last.count === start &&
        Math.floor(last.start / batchSize) === Math.floor(start / batchSize) &&
        last.accounts.join() === accounts.join()
      )
        last.count += end - start;
      else batches.push({ start, count: end - start, accounts });
      start = end;
    }
  }
  return batches;
}
