import { describe, expect, it } from 'vitest';
import type { UploadView } from '../shared/api/upload';
import { UploadFeedback } from './upload-feedback';

/** A view with the fields the feedback reads; the rest as an upload of one file would have them. */
function view(
  uploadId: string,
  state: UploadView['state'],
  providers: Array<[stage: UploadView['providers'][number]['stage'], bytesDone: number, bytesTotal: number]>,
  extra: Partial<UploadView> = {},
): UploadView {
  return {
    uploadId,
    state,
    copiesRequested: 2,
    copiesConfirmed: providers.filter(([stage]) => stage === 'confirmed').length,
    files: [
      { index: 0, name: 'report.pdf', size: 100, mediaType: 'application/pdf', chunks: 1, providers: [] },
    ],
    providers: providers.map(([stage, bytesDone, bytesTotal], i) => ({
      providerId: i + 1,
      stage,
      bytesDone,
      bytesTotal,
    })),
    result: null,
    error: null,
    ...extra,
  } as unknown as UploadView;
}

function recorder() {
  const progress: (number | null)[] = [];
  const notes: string[] = [];
  const feedback = new UploadFeedback({
    progress: (fraction) => progress.push(fraction),
    notify: (title, body) => notes.push(`${title} | ${body}`),
  });
  return { feedback, progress, notes };
}

describe('taskbar progress and notifications', () => {
  it('shows the bytes of every running upload together, and clears when none runs', () => {
    const { feedback, progress } = recorder();
    feedback.onProgress(view('u-a', 'preparing', []));
    feedback.onProgress(
      view('u-a', 'running', [
        ['storing', 50, 100],
        ['pulling', 0, 100],
      ]),
    );
    feedback.onProgress(
      view('u-b', 'running', [
        ['storing', 100, 200],
        ['pulling', 50, 200],
      ]),
    );
    // A copy that failed no longer counts: what is left to do is the others'.
    feedback.onProgress(
      view('u-b', 'running', [
        ['confirmed', 200, 200],
        ['failed', 0, 200],
      ]),
    );
    feedback.onProgress(
      view('u-a', 'paused', [
        ['storing', 50, 100],
        ['pulling', 0, 100],
      ]),
    );
    feedback.onProgress(
      view('u-b', 'partial', [
        ['confirmed', 200, 200],
        ['failed', 0, 200],
      ]),
    );
    expect(progress).toEqual([0, 50 / 200, 200 / 600, 250 / 400, 1, null]);
  });

  it('tells when an upload it saw running ends, in the words of the upload screen', () => {
    const { feedback, notes } = recorder();
    feedback.onProgress(
      view('u-a', 'running', [
        ['committing', 100, 100],
        ['committing', 100, 100],
      ]),
    );
    feedback.onProgress(
      view('u-a', 'completed', [
        ['confirmed', 100, 100],
        ['confirmed', 100, 100],
      ]),
    );
    feedback.onProgress(
      view('u-b', 'running', [
        ['pulling', 100, 100],
        ['pulling', 0, 100],
      ]),
    );
    feedback.onProgress(
      view(
        'u-b',
        'partial',
        [
          ['confirmed', 100, 100],
          ['failed', 0, 100],
        ],
        {
          result: {
            root: 'bafkreia',
            size: 100,
            copies: [],
            failures: [{ providerId: 2, role: 'secondary', stage: 'pulling', error: 'the pull was refused' }],
          },
        },
      ),
    );
    feedback.onProgress(view('u-c', 'running', []));
    feedback.onProgress(view('u-c', 'cancelled', []));
    expect(notes).toEqual([
      'Upload stored | report.pdf: 2 of 2 copies stored',
      'Upload stored with fewer copies | report.pdf: 1 of 2 copies — provider 2 failed at pulling',
    ]);
    // An upload read back from the journal (never seen running) ends nothing now.
    feedback.onProgress(
      view('u-d', 'failed', [], { error: { code: 'STORE_FAILED', message: 'x', stage: 'storing' } }),
    );
    expect(notes).toHaveLength(2);
  });
});
