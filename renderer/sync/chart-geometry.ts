/**
 * The geometry of a small time-series chart drawn as SVG: the time span it shows, a round top for
 * its value axis, and the line and area paths. Pure, so the chart component only draws.
 */

export interface Point {
  t: number;
  v: number;
}

export interface Box {
  width: number;
  height: number;
}

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (and above 0), for a readable axis top. */
export function niceCeiling(value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value * (1 - 1e-9)) return step * power;
  return 10 * power;
}

/**
 * The time span [start, end] to draw, ending at the last point: the whole history up to `maxMs`
 * (so the curve fills the width), and at least `minMs` so a run that just began does not stretch
 * its first moment across the chart.
 */
export function timeSpan(
  points: readonly Point[],
  minMs: number,
  maxMs: number,
): { start: number; end: number } | null {
  if (points.length === 0) return null;
  const end = points[points.length - 1]!.t;
  const length = Math.min(Math.max(end - points[0]!.t, minMs), maxMs);
  return { start: end - length, end };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The line through the points (those in the span) and the area under it, down to the baseline. */
export function chartPaths(
  points: readonly Point[],
  box: Box,
  span: { start: number; end: number },
  top: number,
): { line: string; area: string } {
  const shown = points.filter((p) => p.t >= span.start && p.t <= span.end);
  if (shown.length === 0) return { line: '', area: '' };
  const x = (t: number) => round(((t - span.start) / (span.end - span.start)) * box.width);
  const y = (v: number) => round(box.height - (Math.min(Math.max(v, 0), top) / top) * box.height);
  const coords = shown.map((p) => `${x(p.t)},${y(p.v)}`);
  const line = `M${coords.join('L')}`;
  const area = `${line}L${x(shown[shown.length - 1]!.t)},${box.height}L${x(shown[0]!.t)},${box.height}Z`;
  return { line, area };
}
