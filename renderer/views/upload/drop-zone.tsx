/**
 * Where files go in: drop them on the zone, or choose them with the button (a labelled file
 * input, so it works from the keyboard). Dropped folders and other non-files are refused with a
 * line saying so. The same zone fills the Upload screen and the compact drop window.
 */
import { useId, useRef, useState, type DragEvent } from 'react';
import { UploadIcon } from '../../components/ui/icons';
import { Button } from '../../components/ui/primitives';

export function DropZone({
  onFiles,
  compact = false,
  disabledReason = null,
}: {
  onFiles: (files: File[]) => void;
  compact?: boolean;
  /** Why files cannot go in now (e.g. the wallet is locked); null when they can. */
  disabledReason?: string | null;
}) {
  const input = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const [over, setOver] = useState(false);
  const [refused, setRefused] = useState<string | null>(null);
  const carriesFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes('Files');

  const take = (list: FileList | null) => {
    // Folders arrive as entries of size 0 with no type; Coffer uploads files.
    const files = Array.from(list ?? []).filter((file) => file.size > 0 || file.type !== '');
    if (files.length === 0) {
      setRefused('Nothing to upload there: drop one or more files (not a folder, not empty).');
      return;
    }
    setRefused(null);
    onFiles(files);
  };

  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = disabledReason ? 'none' : 'copy';
    setOver(true);
  };
  const onDragLeave = (event: DragEvent) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabledReason) take(event.dataTransfer.files);
  };

  return (
    <div
      className={`drop-zone ${compact ? 'drop-zone-compact' : ''} ${over ? 'drop-zone-over' : ''} ${disabledReason ? 'drop-zone-disabled' : ''}`}
      onDragEnter={onDragOver}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
      data-testid="drop-zone"
      aria-describedby={hintId}
    >
      <div className="drop-zone-icon" aria-hidden="true">
        <UploadIcon />
      </div>
      <div className="drop-zone-title">{over ? 'Release to upload' : 'Drop files here'}</div>
      <div className="drop-zone-hint" id={hintId}>
        {disabledReason ??
          'Each file is cut into chunks, paid once per wave and stored with every copy you ask for.'}
      </div>
      <input
        ref={input}
        type="file"
        multiple
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(event) => {
          take(event.target.files);
          event.target.value = '';
        }}
      />
      <Button variant="primary" disabled={Boolean(disabledReason)} onClick={() => input.current?.click()}>
        Choose files…
      </Button>
      {refused && (
        <div className="drop-zone-refused" role="alert">
          {refused}
        </div>
      )}
    </div>
  );
}
