import { describe, expect, it } from 'vitest';
import { CofferError } from '../../shared/api/errors';
import { DEFAULT_SYNC_SETTINGS, MAX_SYNC_CONCURRENCY } from '../../shared/api/sync';
import { draftOf, fieldErrorsOf, parseDraft } from './sync-settings-form';

describe('sync settings form', () => {
  it('round-trips the saved settings; an empty workers field means one per core', () => {
    const draft = draftOf(DEFAULT_SYNC_SETTINGS);
    expect(draft.workers).toBe('');
    expect(parseDraft(draft)).toEqual({ ok: true, settings: DEFAULT_SYNC_SETTINGS });
    expect(parseDraft({ ...draft, workers: ' 3 ' })).toEqual({
      ok: true,
      settings: { ...DEFAULT_SYNC_SETTINGS, workers: 3 },
    });
  });

  it('refuses what the contract refuses, in its words, with the field’s label', () => {
    const draft = draftOf(DEFAULT_SYNC_SETTINGS);
    const result = parseDraft({
      ...draft,
      concurrency: String(MAX_SYNC_CONCURRENCY + 1),
      checkpointEvery: '0',
      workers: '1.5',
      watchIntervalMs: 'soon',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        concurrency: `Concurrent requests is above the hard cap of ${MAX_SYNC_CONCURRENCY} concurrent requests to the note server`,
        checkpointEvery: 'Checkpoint every must be at least 1',
        workers: 'Workers must be a whole number',
        watchIntervalMs: 'Watch interval (ms) must be a number',
      },
    });
    expect(parseDraft({ ...draft, concurrency: String(MAX_SYNC_CONCURRENCY) }).ok).toBe(true);
    expect(parseDraft({ ...draft, concurrency: '' })).toMatchObject({
      errors: { concurrency: 'Concurrent requests must be a number' },
    });
  });

  it('maps the core’s refusal (INVALID_INPUT with issues) to the fields', () => {
    const refused = new CofferError('INVALID_INPUT', 'Invalid input for sync.configure: …', {
      issues: [{ path: ['watchIntervalMs'], message: 'watchIntervalMs must be at least 200' }],
    });
    expect(fieldErrorsOf(refused)).toEqual({ watchIntervalMs: 'Watch interval (ms) must be at least 200' });
    expect(fieldErrorsOf(new CofferError('LOCKED', 'locked'))).toBeNull();
    expect(fieldErrorsOf(new CofferError('INVALID_INPUT', 'no details'))).toBeNull();
  });
});
