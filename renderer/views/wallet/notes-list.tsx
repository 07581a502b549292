/**
 * An account's notes (index, value, memo, commitment) as a virtualized table: only the rows in
 * view are in the page, and only their pages of `sync.notes` are fetched, so ten thousand notes
 * scroll as smoothly as ten. The table scrolls from the keyboard once focused (arrows, Page Up/Down,
 * Home, End).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { ErrorNotice } from '../../components/error-notice';
import { formatCount, shortHash } from '../../format';
import { useNoteRows } from '../../sync/use-sync';

const ROW_HEIGHT = 40;
const OVERSCAN = 8;

export function NotesList({ account, count }: { account: number; count: number }) {
  const scroller = useRef<HTMLDivElement>(null);
  // The rule warns for the React Compiler, which this app does not use: the virtualizer re-renders
  // this component itself when the list scrolls.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const rows = useNoteRows(account, items[0]?.index ?? 0, items.at(-1)?.index ?? -1);

  return (
    <>
      <div
        className="notes-table"
        role="table"
        aria-label={`Notes of account ${account}`}
        aria-rowcount={count + 1}
      >
        <div role="rowgroup">
          <div className="notes-row notes-head" role="row" aria-rowindex={1}>
            <span role="columnheader">Index</span>
            <span role="columnheader" className="num">
              Value
            </span>
            <span role="columnheader">Memo</span>
            <span role="columnheader">Commitment</span>
          </div>
        </div>
        <div
          ref={scroller}
          className="notes-scroll"
          tabIndex={0}
          role="rowgroup"
          aria-label="Notes, scrollable"
          data-testid="notes-scroll"
        >
          <div className="notes-space" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const note = rows.rowAt(item.index);
              return (
                <div
                  key={item.key}
                  className={`notes-row ${item.index % 2 ? 'odd' : ''}`}
                  role="row"
                  aria-rowindex={item.index + 2}
                  style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  data-testid="note-row"
                >
                  {note ? (
                    <>
                      <span role="cell" className="mono note-index">
                        #{formatCount(note.index)}
                      </span>
                      <span role="cell" className="num note-value">
                        {formatCount(note.value)}
                      </span>
                      <span role="cell" className={note.memo ? 'note-memo' : 'note-memo muted'}>
                        {note.memo || 'No memo'}
                      </span>
                      <span role="cell" className="mono muted" title={note.commitment}>
                        {shortHash(note.commitment, 6)}
                      </span>
                    </>
                  ) : (
                    <span role="cell" className="notes-loading muted">
                      Loading note {formatCount(item.index + 1)}…
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {rows.error && <ErrorNotice error={rows.error} onRetry={rows.retry} testId="notes-error" />}
    </>
  );
}
