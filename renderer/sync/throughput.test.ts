import { describe, expect, it } from 'vitest';
import { HISTORY_MS, ratesOf, recordProgress, recordTick, type ThroughputSample } from './throughput';

type State = 'idle' | 'syncing' | 'watching' | 'error';
const feed = (events: Array<[number, State, number | null]>) => {
  let history: readonly ThroughputSample[] = [];
  let previous: State | undefined;
  for (const [t, state, scanned] of events) {
    // `null`: the run does not know the tree size yet (and reports 0 scanned).
    const progress =
      scanned === null ? { state, scanned: 0, total: null } : { state, scanned, total: 10_000 };
    history = recordProgress(history, previous, progress, t);
    previous = state;
  }
  return history;
};

describe('throughput history', () => {
  it('records a running sync, and keeps the last run as it was once it ends', () => {
    const history = feed([
      [0, 'syncing', 0],
      [100, 'syncing', 250],
      [200, 'syncing', 500],
      [300, 'idle', 500],
      [400, 'idle', 500],
    ]);
    expect(history.map((s) => s.scanned)).toEqual([0, 250, 500]);
  });

  it('starts afresh for a new run after idle or error, and after a rescan goes back', () => {
    expect(
      feed([
        [0, 'syncing', 0],
        [100, 'syncing', 500],
        [200, 'error', 500],
        [300, 'syncing', 500],
        [400, 'syncing', 750],
      ]).map((s) => s.t),
    ).toEqual([300, 400]);
    expect(
      feed([
        [0, 'watching', 2000],
        [100, 'syncing', 400],
        [200, 'syncing', 650],
      ]).map((s) => s.scanned),
    ).toEqual([400, 650]);
  });

  it('ignores the events of a run that does not know the tree size yet', () => {
    // Restarted at 2,000 scanned: the first event says 0 (no snapshot yet), then 2,000 at once.
    const history = feed([
      [0, 'idle', 2000],
      [10, 'syncing', null],
      [15, 'watching', 2000],
      [1015, 'syncing', 2300],
    ]);
    expect(history).toEqual([
      { t: 15, scanned: 2000 },
      { t: 1015, scanned: 2300 },
    ]);
    expect(ratesOf(history).at(-1)!.rate).toBe(300);
  });

  it('keeps only the last two minutes', () => {
    const events: Array<[number, 'syncing', number]> = [];
    for (let t = 0; t <= HISTORY_MS + 10_000; t += 1000) events.push([t, 'syncing', t]);
    const history = feed(events);
    expect(history[0]!.t).toBe(10_000);
    expect(history.at(-1)!.t).toBe(HISTORY_MS + 10_000);
  });

  it('adds a sample on a tick of the clock only while the run is active and no event came for a while', () => {
    const history = feed([
      [0, 'syncing', 0],
      [100, 'syncing', 250],
    ]);
    expect(recordTick(history, 'syncing', 600)).toBe(history);
    expect(recordTick(history, 'syncing', 1200)).toEqual([...history, { t: 1200, scanned: 250 }]);
    expect(recordTick(history, 'idle', 5000)).toBe(history);
    expect(recordTick([], 'syncing', 5000)).toEqual([]);
    // A stall shows as the rate falling to zero once the window has passed it.
    const stalled = recordTick(recordTick(history, 'syncing', 1200), 'syncing', 2300);
    expect(ratesOf(stalled, 2000).at(-1)).toEqual({ t: 2300, rate: 0 });
  });

  it('turns counts into notes per second over the trailing window', () => {
    // 500 notes a second for 3 s, then a stall.
    const history: ThroughputSample[] = [];
    for (let t = 0; t <= 3000; t += 100) history.push({ t, scanned: t / 2 });
    history.push({ t: 5000, scanned: 1500 });
    const rates = ratesOf(history, 2000);
    expect(rates[0]).toEqual({ t: 0, rate: 0 });
    for (const point of rates.slice(1, -1)) expect(point.rate).toBeCloseTo(500, 6);
    // The window ending at 5 s reaches back to the sample at 3 s: nothing scanned since.
    expect(rates.at(-1)).toEqual({ t: 5000, rate: 0 });
  });

  it('skips a second event at the same instant instead of dividing by zero', () => {
    const rates = ratesOf([
      { t: 0, scanned: 0 },
      { t: 0, scanned: 10 },
      { t: 1000, scanned: 110 },
    ]);
    expect(rates.every((p) => Number.isFinite(p.rate))).toBe(true);
    expect(rates.at(-1)!.rate).toBe(110);
  });
});
