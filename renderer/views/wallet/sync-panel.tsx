/**
 * The wallet sync panel: where the sync stands (a badge), the balance and count of the notes it
 * recovered for this account, scanned of total with notes per second and the time left, when it
 * last reached the note server's tip, the live throughput chart, the buttons (sync / pause /
 * resume, keep watching), a failure in plain words with its fix, and a rescan from an index.
 * Everything shown comes from `sync.progress` events through the query cache.
 */
import { useState, type FormEvent } from 'react';
import type { SyncProgress } from '../../../shared/api/sync';
import { ErrorNotice, ExplainedNotice } from '../../components/error-notice';
import { useNow } from '../../components/use-now';
import { PauseIcon, PlayIcon, RefreshIcon } from '../../components/ui/icons';
import { Button, Field, ProgressBar, Spinner, Stat } from '../../components/ui/primitives';
import { explainSyncFailure } from '../../errors/explain-error';
import { formatAgo, formatCount, formatDuration } from '../../format';
import { PHASES, percentOf, phaseOf } from '../../sync/sync-phase';
import { useSyncActions } from '../../sync/use-sync';
import { ThroughputChart } from './throughput-chart';

export function SyncPanel({ progress, account }: { progress: SyncProgress; account: number }) {
  const actions = useSyncActions(progress.state);
  const phase = phaseOf(progress);
  const view = PHASES[phase];
  const mine = progress.balances.find((b) => b.account === account) ?? { balance: '0', notes: 0 };
  const percent = percentOf(progress);
  const live = progress.state === 'syncing' || progress.state === 'stopping';
  const primary = () => void (view.primary.action === 'stop' ? actions.stop() : actions.start());

  return (
    <div className="sync-panel" data-testid="sync-panel" data-phase={phase}>
      <div className="stats stats-4">
        <Stat
          label="Balance from notes"
          value={
            <span className={mine.balance.length > 12 ? 'long-number' : undefined}>
              {formatCount(mine.balance)}
            </span>
          }
          hint={`The sum of the ${formatCount(mine.notes)} notes of account ${account}`}
          testId="notes-balance"
          accent
        />
        <Stat
          label="Notes found"
          value={formatCount(mine.notes)}
          hint={[
            progress.found === mine.notes
              ? `In account ${account}`
              : `In account ${account}; ${formatCount(progress.found)} in all accounts`,
            progress.pendingHits > 0 &&
              `${formatCount(progress.pendingHits)} ${progress.pendingHits === 1 ? 'match' : 'matches'} still to open: the balance may grow`,
          ]
            .filter(Boolean)
            .join('; ')}
          testId="notes-found"
        />
        <Stat
          label="Scanned"
          value={
            progress.total === null ? (
              '—'
            ) : (
              <>
                {formatCount(progress.scanned)} <span className="unit">of {formatCount(progress.total)}</span>
              </>
            )
          }
          hint="Notes on the note server checked for this wallet"
          testId="notes-scanned"
        />
        <LastSynced lastSynced={progress.lastSynced} />
      </div>

      <div className="sync-progress">
        <div className="sync-progress-head">
          <span className="sync-progress-label">
            {percent === null ? (
              progress.state === 'syncing' ? (
                'Asking the note server how many notes it holds…'
              ) : (
                'Not started in this session'
              )
            ) : (
              <>
                <strong>{Math.floor(percent)}%</strong> scanned
              </>
            )}
          </span>
          {live && percent !== null && (
            <span className="sync-progress-rate" data-testid="sync-rate">
              {formatCount(progress.notesPerSecond)} notes/s
              {progress.etaSeconds !== null &&
                progress.etaSeconds > 0 &&
                (progress.etaSeconds < 1
                  ? ' · less than a second left'
                  : ` · about ${formatDuration(progress.etaSeconds)} left`)}
            </span>
          )}
        </div>
        <ProgressBar
          value={progress.scanned}
          max={progress.total ?? 0}
          label="Notes scanned"
          tone={phase === 'error' ? 'bad' : phase === 'synced' || phase === 'watching' ? 'ok' : 'accent'}
        />
      </div>

      <ThroughputChart progress={progress} />

      <div className="sync-controls">
        <Button
          variant={view.primary.action === 'start' ? 'primary' : 'secondary'}
          onClick={primary}
          disabled={view.primary.action === null || actions.busy}
          data-testid="sync-primary"
        >
          {view.primary.action === null || actions.busy ? (
            <Spinner />
          ) : view.primary.action === 'stop' ? (
            <PauseIcon />
          ) : (
            <PlayIcon />
          )}
          {view.primary.label}
        </Button>
        <label className="switch-field">
          <span className="switch">
            <input
              type="checkbox"
              role="switch"
              checked={actions.watch}
              disabled={actions.busy || progress.state === 'stopping'}
              onChange={(event) => void actions.changeWatch(event.target.checked)}
              data-testid="sync-watch"
            />
            <span className="switch-track" aria-hidden="true" />
          </span>
          <span>
            Keep watching for new notes
            <span className="switch-hint">Checks the note server again after catching up</span>
          </span>
        </label>
        {progress.readMode && (
          <span className="sync-facts muted small">
            {progress.readMode === 'range' ? 'Range reads' : 'Per-note reads'} ·{' '}
            {progress.workers === 1 ? '1 worker' : `${progress.workers} workers`}
          </span>
        )}
      </div>

      {progress.error && (
        <ExplainedNotice
          explained={explainSyncFailure(progress.error)}
          onRetry={() => void actions.start()}
          testId="sync-error"
        />
      )}
      {actions.failed && <ErrorNotice error={actions.error} testId="sync-action-error" />}

      <RescanForm
        treeSize={progress.total ?? progress.lastSynced?.treeSize ?? null}
        disabled={actions.busy || progress.state === 'stopping'}
        onRescan={actions.rescan}
      />
    </div>
  );
}

function LastSynced({ lastSynced }: { lastSynced: SyncProgress['lastSynced'] }) {
  const now = useNow();
  return (
    <Stat
      label="Last synced"
      value={
        lastSynced ? (
          <time
            dateTime={new Date(lastSynced.at).toISOString()}
            title={new Date(lastSynced.at).toLocaleString()}
          >
            {formatAgo(lastSynced.at, now)}
          </time>
        ) : (
          'Never'
        )
      }
      hint={
        lastSynced
          ? `Up to note ${formatCount(lastSynced.treeSize)} on the note server`
          : 'Not caught up with the note server yet'
      }
      testId="last-synced"
    />
  );
}

/** Advanced: forget what was found from an index on and scan again from there. */
function RescanForm({
  treeSize,
  disabled,
  onRescan,
}: {
  treeSize: number | null;
  disabled: boolean;
  onRescan: (from: number) => Promise<unknown>;
}) {
  const [text, setText] = useState('');
  const from = text.trim() === '' ? null : Number(text);
  const error =
    from === null
      ? null
      : !Number.isSafeInteger(from) || from < 0
        ? 'Enter a note index: a whole number, 0 or more.'
        : treeSize !== null && from > treeSize
          ? `The note server holds ${formatCount(treeSize)} notes; rescan from ${formatCount(treeSize)} or less.`
          : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (from === null || error) return;
    void onRescan(from).then((result) => result !== undefined && setText(''));
  };
  return (
    <details className="advanced">
      <summary>Advanced: rescan from a note index</summary>
      <form className="rescan-form" onSubmit={submit} aria-label="Rescan">
        <p className="card-text">
          Forgets the notes found from this index on and scans those notes again. Use it if notes seem to be
          missing; the notes before the index are kept.
        </p>
        <div className="row">
          <Field label="From note index" error={error}>
            {(ids) => (
              <input
                {...ids}
                inputMode="numeric"
                autoComplete="off"
                placeholder="0"
                value={text}
                onChange={(event) => setText(event.target.value)}
                data-testid="rescan-from"
              />
            )}
          </Field>
          <Button type="submit" disabled={disabled || from === null || error !== null}>
            <RefreshIcon />
            {from === null || error ? 'Rescan' : `Rescan from note ${formatCount(from)}`}
          </Button>
        </div>
      </form>
    </details>
  );
}
