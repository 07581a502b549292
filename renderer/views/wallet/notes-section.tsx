import { NotesIcon } from '../../components/ui/icons';
import { Card, EmptyState } from '../../components/ui/primitives';

/**
 * Where the account's shielded notes and the sync panel go. The sync engine is not in this build,
 * so this says what will appear here rather than showing anything made up.
 */
export function NotesSection() {
  return (
    <Card
      title={
        <>
          <NotesIcon className="title-icon" /> Shielded notes
        </>
      }
      className="notes-section"
    >
      <EmptyState title="No notes synced" icon={<NotesIcon />}>
        Notes sent to your note address will be listed here with their value and memo, next to the progress of
        the wallet sync. Sync is not part of this version of Coffer yet.
      </EmptyState>
    </Card>
  );
}
