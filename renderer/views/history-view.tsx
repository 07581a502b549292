/**
 * History: every upload, newest first, as a virtualized list (a thousand rows scroll as smoothly as
 * ten; only the pages in view are read), and the one selected in full beside it — its copies and
 * failures, download and verify, resume, retry the commit, add copies. The list is a listbox: arrow
 * keys, Page Up/Down, Home and End move the selection.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type KeyboardEvent } from 'react';
import type { UploadSummary } from '../../shared/api/upload';
import type { z } from 'zod';
import { ErrorNotice } from '../components/error-notice';
import { QueryView } from '../components/query-view';
import { HistoryIcon } from '../components/ui/icons';
import { Card, EmptyState } from '../components/ui/primitives';
import { formatBytes, formatCount } from '../format';
import { useHistoryRows, useRecentUploads } from '../upload/use-uploads';
import { STATE_LABELS, stateTone } from '../upload/upload-stages';
import { UploadCardById } from './upload/upload-card';
import { ViewHeader } from '../components/view-header';

const ROW_HEIGHT = 60;
const OVERSCAN = 6;
const PAGE_ROWS = 8;

type Summary = z.infer<typeof UploadSummary>;

export function HistoryView() {
  const recent = useRecentUploads();
  return (
    <div className="view view-wide">
      <ViewHeader
        title="History"
        subtitle="Every upload, its copies and failures. Download and verify, resume, or add copies."
      >
        {recent.data && (
          <span className="muted small" data-testid="history-total">
            {formatCount(recent.data.total)} {recent.data.total === 1 ? 'upload' : 'uploads'}
          </span>
        )}
      </ViewHeader>
      <QueryView query={recent} loading="Reading the uploads…">
        {(data) =>
          data.total === 0 ? (
            <Card>
              <EmptyState icon={<HistoryIcon />} title="No uploads yet">
                Files you upload are listed here, with every copy and what became of it.
              </EmptyState>
            </Card>
          ) : (
            <HistoryBrowser total={data.total} firstId={data.uploads[0]?.uploadId ?? null} />
          )
        }
      </QueryView>
    </div>
  );
}

function HistoryBrowser({ total, firstId }: { total: number; firstId: string | null }) {
  const [selected, setSelected] = useState<{ index: number; id: string | null }>({ index: 0, id: firstId });
  const scroller = useRef<HTMLDivElement>(null);
  // The rule warns for the React Compiler, which this app does not use: the virtualizer re-renders
  // this component itself when the list scrolls.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
  });
  const items = virtualizer.getVirtualItems();
  const rows = useHistoryRows(items[0]?.index ?? 0, items.at(-1)?.index ?? -1);

  const select = (index: number) => {
    const clamped = Math.max(0, Math.min(total - 1, index));
    setSelected({ index: clamped, id: rows.rowAt(clamped)?.uploadId ?? null });
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
  };
  // The row selected by keyboard may not have been read yet: its id follows once its page arrives.
  const selectedId = selected.id ?? rows.rowAt(selected.index)?.uploadId ?? null;
  // The selection follows its upload when newer ones push it down the list.
  const at = items.find((item) => rows.rowAt(item.index)?.uploadId === selectedId)?.index ?? selected.index;
  const isSelected = (index: number, uploadId: string | undefined) =>
    uploadId && selectedId ? uploadId === selectedId : index === at;
  const onKeyDown = (event: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: at - 1,
      PageDown: at + PAGE_ROWS,
      PageUp: at - PAGE_ROWS,
      Home: 0,
      End: total - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(moves[event.key]!);
  };

  return (
    <div className="history">
      <div className="history-list card">
        <div
          ref={scroller}
          className="history-scroll"
          role="listbox"
          tabIndex={0}
          aria-label={`Uploads, ${total} in all, newest first`}
          aria-activedescendant={`history-row-${at}`}
          onKeyDown={onKeyDown}
          data-testid="history-list"
          // As tall as its rows, up to the CSS cap; then it scrolls.
          style={{ height: total * ROW_HEIGHT }}
        >
          <div className="history-space" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const upload = rows.rowAt(item.index);
              return (
                <div
                  key={item.key}
                  id={`history-row-${item.index}`}
                  role="option"
                  aria-selected={isSelected(item.index, upload?.uploadId)}
                  aria-posinset={item.index + 1}
                  aria-setsize={total}
                  className={`history-row ${isSelected(item.index, upload?.uploadId) ? 'selected' : ''}`}
                  style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                  onClick={() => setSelected({ index: item.index, id: upload?.uploadId ?? null })}
                  data-testid="history-row"
                >
                  {upload ? <HistoryRow upload={upload} /> : <span className="muted">Loading…</span>}
                </div>
              );
            })}
          </div>
        </div>
        {rows.error && <ErrorNotice error={rows.error} onRetry={rows.retry} />}
      </div>
      <div className="history-detail" aria-live="polite">
        {selectedId ? <UploadCardById key={selectedId} uploadId={selectedId} /> : null}
      </div>
    </div>
  );
}

function HistoryRow({ upload }: { upload: Summary }) {
  const name =
    upload.fileCount <= 1
      ? (upload.fileNames[0] ?? 'Preparing…')
      : `${upload.fileNames[0]} and ${upload.fileCount - 1} more`;
  const when = new Date(upload.createdAt);
  return (
    <>
      <div className="history-main">
        <span className="history-name" title={upload.fileNames.join(', ')}>
          {name}
        </span>
        <span className="history-meta muted small">
          <time dateTime={when.toISOString()}>{when.toLocaleString()}</time> · {formatBytes(upload.size)}
        </span>
      </div>
      <span
        className="copies-pips"
        aria-label={`${upload.copiesConfirmed} of ${upload.copiesRequested} copies stored`}
        title={`${upload.copiesConfirmed} of ${upload.copiesRequested} copies stored`}
      >
        {Array.from({ length: upload.copiesRequested }, (_, i) => (
          <span key={i} className={`pip ${i < upload.copiesConfirmed ? 'pip-on' : ''}`} aria-hidden="true" />
        ))}
      </span>
      <span className={`badge badge-${stateTone(upload.state)}`}>{STATE_LABELS[upload.state]}</span>
    </>
  );
}
