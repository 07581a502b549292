/**
 * The live chart of the sync's throughput: notes per second over the last two minutes, drawn as
 * an SVG area from the `sync.progress` events as they arrive, with the pass's average as a dashed
 * line and each stage's own rate beneath. Hand-made (chart-geometry.ts): no chart library.
 */
import type { SyncProgress } from '../../../shared/api/sync';
import { formatCount, formatDuration } from '../../format';
import { chartPaths, niceCeiling, timeSpan } from '../../sync/chart-geometry';
import { HISTORY_MS, ratesOf } from '../../sync/throughput';
import { useThroughput } from '../../sync/use-sync';

const BOX = { width: 600, height: 120 };
/** A run that just began still gets a few seconds of width, so its first moment is not stretched. */
const MIN_SPAN_MS = 5_000;

const STAGES: ReadonlyArray<{ key: keyof SyncProgress['stages']; label: string; hint: string }> = [
  { key: 'fetch', label: 'Fetch', hint: 'Reading notes from the note server, per worker' },
  { key: 'decrypt', label: 'Decrypt', hint: 'Trial-decrypting notes against your keys, per worker' },
  { key: 'commit', label: 'Save', hint: 'Saving checkpoints and notes found' },
];

export function ThroughputChart({ progress }: { progress: SyncProgress }) {
  const samples = useThroughput((state) => state.samples);
  const points = ratesOf(samples).map(({ t, rate }) => ({ t, v: rate }));
  const span = timeSpan(points, MIN_SPAN_MS, HISTORY_MS);
  const average = progress.notesPerSecond;
  const top = niceCeiling(Math.max(average, ...points.map((p) => p.v)));
  const now = points.at(-1)?.v ?? 0;
  const running =
    progress.state === 'syncing' || progress.state === 'stopping' || progress.state === 'watching';
  const paths = span ? chartPaths(points, BOX, span, top) : null;
  const averageY = BOX.height - (Math.min(average, top) / top) * BOX.height;
  const summary = span
    ? `Throughput over the last ${formatDuration((span.end - span.start) / 1000)}: ${formatCount(now)} notes per second ${running ? 'now' : 'at the end'}${average > 0 ? `, ${formatCount(average)} on average this pass` : ''}.`
    : 'No throughput to show yet.';

  return (
    <figure className="chart" data-testid="throughput-chart">
      <figcaption className="chart-caption">
        <span className="chart-title">Throughput</span>
        <span className="chart-legend">
          <span className="legend-item">
            <span className="legend-swatch legend-area" aria-hidden="true" />
            <strong>{formatCount(now)}</strong> notes/s {running ? 'now' : 'last'}
          </span>
          {average > 0 && (
            <span className="legend-item">
              <span className="legend-swatch legend-average" aria-hidden="true" />
              {formatCount(average)} average this pass
            </span>
          )}
        </span>
      </figcaption>
      <div className="chart-plot">
        <div className="chart-axis-y" aria-hidden="true">
          <span>{formatCount(top)}</span>
          <span>{formatCount(top / 2)}</span>
          <span>0</span>
        </div>
        <div className="chart-area">
          <svg
            viewBox={`0 0 ${BOX.width} ${BOX.height}`}
            preserveAspectRatio="none"
            role="img"
            aria-label={summary}
          >
            {[0, 0.5, 1].map((f) => (
              <line
                key={f}
                className="chart-grid"
                x1={0}
                x2={BOX.width}
                y1={f * BOX.height}
                y2={f * BOX.height}
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {paths && (
              <>
                <path className="chart-fill" d={paths.area} />
                <path className="chart-line" d={paths.line} vectorEffect="non-scaling-stroke" />
              </>
            )}
            {average > 0 && (
              <line
                className="chart-average"
                x1={0}
                x2={BOX.width}
                y1={averageY}
                y2={averageY}
                vectorEffect="non-scaling-stroke"
              />
            )}
          </svg>
          {!span && <div className="chart-empty">The chart fills in as the wallet syncs.</div>}
          {span && (
            <div className="chart-axis-x" aria-hidden="true">
              <span>−{formatDuration((span.end - span.start) / 1000)}</span>
              <span>{running ? 'now' : 'end'}</span>
            </div>
          )}
        </div>
      </div>
      <dl className="stage-rates" aria-label="Throughput of each stage">
        {STAGES.map(({ key, label, hint }) => (
          <div key={key} className="stage-rate" title={hint}>
            <dt>{label}</dt>
            <dd>{formatCount(progress.stages[key].notesPerSecond)} notes/s</dd>
          </div>
        ))}
      </dl>
    </figure>
  );
}
