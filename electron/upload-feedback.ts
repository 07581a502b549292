/**
 * What the desktop shows of uploads outside Coffer's window: the taskbar progress of the uploads
 * running (bytes every copy still at work holds, over the bytes they must hold), and a notification
 * when an upload ends — stored, stored with fewer copies, or failed. It follows `upload.progress`
 * events only. No Electron import: main.ts hands it `setProgressBar` and `Notification`, and
 * tests drive it in plain Node.
 */
import type { UploadState, UploadView } from '../shared/api/upload';
import { uploadOutcome } from '../shared/upload-outcome';

export interface FeedbackSink {
  /** 0..1 while uploads run; null when none does (the bar goes away). */
  progress(fraction: number | null): void;
  notify(title: string, body: string): void;
}

const ACTIVE: ReadonlySet<UploadState> = new Set(['preparing', 'awaiting-approval', 'running']);
const TITLES: Partial<Record<UploadState, string>> = {
  completed: 'Upload stored',
  partial: 'Upload stored with fewer copies',
  failed: 'Upload failed',
};

export class UploadFeedback {
  readonly #running = new Map<string, { done: number; total: number }>();

  constructor(private readonly sink: FeedbackSink) {}

  onProgress(view: UploadView): void {
    const wasRunning = this.#running.delete(view.uploadId);
    if (ACTIVE.has(view.state)) {
      const working = view.providers.filter((provider) => provider.stage !== 'failed');
      this.#running.set(view.uploadId, {
        done: working.reduce((sum, provider) => sum + provider.bytesDone, 0),
        total: working.reduce((sum, provider) => sum + provider.bytesTotal, 0),
      });
    }
    let done = 0;
    let total = 0;
    for (const upload of this.#running.values()) {
      done += upload.done;
      total += upload.total;
    }
    this.sink.progress(this.#running.size === 0 ? null : total === 0 ? 0 : done / total);

    const title = TITLES[view.state];
    const outcome = uploadOutcome(view);
    // Once per upload that this run saw running: not for one read back from the journal.
    if (wasRunning && title && outcome) this.sink.notify(title, `${filesOf(view)}: ${outcome.line}`);
  }
}

function filesOf(view: UploadView): string {
  const [first] = view.files;
  if (!first) return 'Your upload';
  return view.files.length === 1 ? first.name : `${first.name} and ${view.files.length - 1} more`;
}
