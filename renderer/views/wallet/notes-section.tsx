/**
 * The wallet's shielded notes: the sync panel (progress, chart, controls) and the list of the
 * notes it recovered for the account the wallet screen shows.
 */
import { QueryView } from '../../components/query-view';
import { NotesIcon } from '../../components/ui/icons';
import { Card, EmptyState } from '../../components/ui/primitives';
import { formatCount } from '../../format';
import { PHASES, phaseOf } from '../../sync/sync-phase';
import { useSyncStatus } from '../../sync/use-sync';
import { NotesList } from './notes-list';
import { SyncPanel } from './sync-panel';

export function NotesSection({ account }: { account: number }) {
  const status = useSyncStatus();
  const progress = status.data;
  const phase = progress ? phaseOf(progress) : null;
  const count = progress?.balances.find((b) => b.account === account)?.notes ?? 0;
  return (
    <>
      <Card
        title={
          <>
            <NotesIcon className="title-icon" /> Shielded notes
          </>
        }
        actions={
          phase && (
            <span
              className={`badge badge-${PHASES[phase].tone} ${phase === 'syncing' || phase === 'watching' ? 'badge-live' : ''}`}
              data-testid="sync-state"
              role="status"
            >
              <span className="dot" aria-hidden="true" />
              {PHASES[phase].label}
            </span>
          )
        }
        className="notes-section"
      >
        <QueryView query={status} loading="Reading the sync status…">
          {(progress) => <SyncPanel progress={progress} account={account} />}
        </QueryView>
      </Card>
      {progress && (
        <Card
          title={`Notes of account ${account}`}
          actions={
            <span className="muted small" data-testid="notes-count">
              {count === 1 ? '1 note' : `${formatCount(count)} notes`}
            </span>
          }
          className="notes-card"
        >
          {count > 0 ? (
            <NotesList account={account} count={count} />
          ) : (
            <EmptyState title="No notes yet" icon={<NotesIcon />}>
              Notes sent to this account’s note address appear here, with their value and memo, as the sync
              finds them.
            </EmptyState>
          )}
        </Card>
      )}
    </>
  );
}
