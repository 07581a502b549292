import { describe, expect, it } from 'vitest';
import { chartPaths, niceCeiling, timeSpan } from './chart-geometry';

describe('chart geometry', () => {
  it('rounds the axis top up to 1, 2, 2.5 or 5 × a power of ten', () => {
    expect([0, -3, NaN].map(niceCeiling)).toEqual([1, 1, 1]);
    expect(niceCeiling(1)).toBe(1);
    expect(niceCeiling(3)).toBe(5);
    expect(niceCeiling(2.2)).toBe(2.5);
    expect(niceCeiling(1001)).toBe(2000);
    expect(niceCeiling(7_300)).toBe(10_000);
    expect(niceCeiling(0.04)).toBeCloseTo(0.05, 12);
  });

  it('spans the history up to the last point, at most a maximum and at least a minimum', () => {
    expect(timeSpan([], 10, 100)).toBeNull();
    expect(
      timeSpan(
        [
          { t: 0, v: 0 },
          { t: 2, v: 0 },
        ],
        10,
        100,
      ),
    ).toEqual({ start: -8, end: 2 });
    expect(
      timeSpan(
        [
          { t: 0, v: 0 },
          { t: 50, v: 0 },
        ],
        10,
        100,
      ),
    ).toEqual({ start: 0, end: 50 });
    expect(
      timeSpan(
        [
          { t: 0, v: 0 },
          { t: 500, v: 0 },
        ],
        10,
        100,
      ),
    ).toEqual({ start: 400, end: 500 });
  });

  it('draws the points in the box, clamped to the axis, with the area closed on the baseline', () => {
    const { line, area } = chartPaths(
      [
        { t: -5, v: 99 }, // outside the span: not drawn
        { t: 0, v: 0 },
        { t: 50, v: 50 },
        { t: 100, v: 400 }, // above the top: drawn at the top
      ],
      { width: 200, height: 100 },
      { start: 0, end: 100 },
      100,
    );
    expect(line).toBe('M0,100L100,50L200,0');
    expect(area).toBe('M0,100L100,50L200,0L200,100L0,100Z');
    expect(chartPaths([], { width: 1, height: 1 }, { start: 0, end: 1 }, 1)).toEqual({ line: '', area: '' });
  });
});
