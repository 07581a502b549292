import { describe, expect, it } from 'vitest';
import { CofferError, ErrorCode } from '../../shared/api/errors';
import { SyncErrorKind } from '../../shared/api/sync';
import { UploadStage } from '../../shared/api/upload';
import { explainCopyFailure, explainError, explainSyncFailure, explainUploadError } from './explain-error';

describe('explainError', () => {
  it('explains every error code of the contract with a title and something to do or know', () => {
    for (const code of ErrorCode.options) {
      const explained = explainError(new CofferError(code, 'core message'));
      expect(explained.code).toBe(code);
      expect(explained.title.length).toBeGreaterThan(3);
      // An error the user can do nothing about still says what happened.
      expect(explained.fix ?? explained.detail).toBeTruthy();
      expect(explained.title).not.toMatch(/[A-Z]{2,}_[A-Z]/); // never the raw code
    }
  });

  it('points each common failure at the action that fixes it', () => {
    expect(explainError(new CofferError('LOCKED', 'x')).action?.to).toBe('unlock');
    expect(explainError(new CofferError('INSUFFICIENT_FUNDS', 'x')).action?.to).toBe('open-wallet');
    expect(explainError(new CofferError('NETWORK_OFFLINE', 'x')).action?.to).toBe('open-settings');
    expect(explainError(new CofferError('APPROVAL_EXPIRED', 'x')).action?.to).toBe('retry');
  });

  it('keeps the core message as the detail where it is already plain, as a sentence', () => {
    const explained = explainError(
      new CofferError('INSUFFICIENT_FUNDS', 'this account holds 0 tUSD, less than 5'),
    );
    expect(explained.detail).toBe('This account holds 0 tUSD, less than 5.');
    expect(explained.fix).toMatch(/faucet/);
  });

  it('treats a rejected approval as the user’s decision, not a failure', () => {
    const explained = explainError(new CofferError('APPROVAL_REJECTED', 'The request was rejected'));
    expect(explained.tone).toBe('info');
    expect(explained.detail).toMatch(/Nothing was signed or sent/);
    expect(explainError(new CofferError('CHAIN_ERROR', 'reverted')).tone).toBe('error');
  });

  it('explains a transport failure (not a CofferError) as the core being unreachable', () => {
    const explained = explainError(new Error('Could not reach the Coffer host'));
    expect(explained).toMatchObject({ code: 'UNREACHABLE', title: 'Could not reach the Coffer core' });
    expect(explained.detail).toBe('Could not reach the Coffer host.');
  });

  it('explains every kind of sync failure, with the status and address as the technical detail', () => {
    for (const kind of SyncErrorKind.options) {
      const explained = explainSyncFailure({ kind, message: 'core words' });
      expect(explained.code).toBe(`SYNC_${kind.toUpperCase()}`);
      expect(explained.title.length).toBeGreaterThan(3);
      expect(explained.action).not.toBeNull();
    }
    const unavailable = explainSyncFailure({
      kind: 'http',
      status: 503,
      url: 'http://127.0.0.1:4000/v1/compact?start=0&count=250',
      message: 'The note server refused a request… (HTTP 503 from …)',
    });
    expect(unavailable).toMatchObject({
      title: 'The note server is unavailable',
      detail: expect.stringContaining('503 Service Unavailable'),
      fix: expect.stringContaining('What was synced so far is kept'),
      action: { to: 'retry' },
      technical: 'HTTP 503 · http://127.0.0.1:4000/v1/compact?start=0&count=250',
    });
    expect(explainSyncFailure({ kind: 'http', status: 404, message: 'x' }).title).toBe(
      'The note server refused a request',
    );
    // A setting out of range: the core's words are the detail, and the fix is in the settings.
    const config = explainSyncFailure({ kind: 'config', message: 'workers must be at most 64' });
    expect(config).toMatchObject({ detail: 'Workers must be at most 64.', action: { to: 'open-settings' } });
    expect(config.technical).toBeUndefined();
    expect(explainSyncFailure({ kind: 'worker', message: 'worker exited (code 3)' }).technical).toBe(
      'worker exited (code 3)',
    );
  });
});

describe('explainUploadError', () => {
  it('points each way an upload stops at the action that continues it', () => {
    const commit = explainUploadError({
      code: 'COMMIT_FAILED',
      message: 'every commit failed',
      stage: 'committing',
    });
    expect(commit).toMatchObject({
      title: 'No copy could be recorded on chain',
      action: { to: 'retry-commit' },
    });
    expect(commit.detail).toMatch(/^Every commit failed\. The providers still hold the pieces/);
    expect(explainUploadError({ code: 'INTERRUPTED', message: 'x', stage: null }).action?.to).toBe('resume');
    expect(explainUploadError({ code: 'CHAIN_ERROR', message: 'x', stage: 'paying' }).action?.to).toBe(
      'resume',
    );
    expect(explainUploadError({ code: 'INSUFFICIENT_FUNDS', message: 'x', stage: null }).action?.to).toBe(
      'open-wallet',
    );
    const store = explainUploadError({
      code: 'STORE_FAILED',
      message: 'The primary refused it',
      stage: 'storing',
    });
    expect(store.detail).toBe(
      'The primary provider failed at storing: the primary refused it. Nothing was committed anywhere.',
    );
  });

  it('says a rejected upload paid nothing, as the user’s decision', () => {
    expect(explainUploadError({ code: 'APPROVAL_REJECTED', message: 'rejected', stage: null })).toMatchObject(
      {
        tone: 'info',
        detail: expect.stringMatching(/Nothing was signed or paid/),
      },
    );
  });

  it('explains a code it has no line for by the general table, or as an internal failure', () => {
    expect(explainUploadError({ code: 'LOCKED', message: 'x', stage: null }).title).toBe(
      'Your wallet is locked',
    );
    expect(explainUploadError({ code: 'SOMETHING_NEW', message: 'it broke', stage: null })).toMatchObject({
      code: 'INTERNAL',
      detail: 'It broke.',
    });
  });
});

describe('explainCopyFailure', () => {
  const failed = (stage: UploadStage, explicit = false, role: 'primary' | 'secondary' = 'secondary') => ({
    providerId: 3,
    role,
    explicit,
    error: { code: 'PROVIDER_ERROR', message: 'the pull was refused (HTTP 500)', stage },
  });
  const upload = (working: number) => ({
    copiesRequested: 2,
    providers: [
      ...Array.from({ length: working }, () => ({ stage: 'confirmed' as const })),
      { stage: 'failed' as const },
    ] as never,
  });

  it('names the provider and the stage for every stage, never the raw code', () => {
    for (const stage of UploadStage.options) {
      const explained = explainCopyFailure(failed(stage), upload(1));
      expect(explained.title).toMatch(/Provider 3/);
      expect(explained.title).not.toMatch(/[A-Z]{2,}_/);
      expect(explained.code).toBe(`COPY_${stage.toUpperCase()}`);
    }
  });

  it('says what happened in plain words, with the provider’s HTTP answer; the core’s words as the technical detail', () => {
    const refused = explainCopyFailure(
      {
        ...failed('pulling'),
        error: {
          code: 'PROVIDER_ERROR',
          message: 'provider http://127.0.0.1:5 refused POST /v1/pulls (503 UNAVAILABLE): injected fault',
          stage: 'pulling',
        },
      },
      upload(1),
    );
    expect(refused.detail).toBe(
      'It did not fetch the pieces from the primary, which still holds them. It answered “503 Service Unavailable”.',
    );
    expect(refused.technical).toMatch(/^provider http:\/\/127\.0\.0\.1:5 refused POST/);
  });

  it('offers the fix that applies: retry a commit, add a copy, or nothing when it was replaced', () => {
    expect(explainCopyFailure(failed('committing'), upload(1)).action?.to).toBe('retry-commit');
    // A failed commit is never "replaced": its pieces are parked there and the commit can be retried.
    expect(explainCopyFailure(failed('committing'), upload(2)).action?.to).toBe('retry-commit');
    // Chosen by the user: not replaced, so a copy elsewhere is the fix.
    const explicit = explainCopyFailure(failed('pulling', true), upload(1));
    expect(explicit).toMatchObject({
      title: 'Provider 3 could not fetch the pieces from the primary',
      detail: 'It did not fetch the pieces from the primary, which still holds them.',
      technical: 'the pull was refused (HTTP 500)',
      action: { to: 'top-up' },
      fix: expect.stringMatching(/did not replace it/),
    });
    // Auto-selected, and two copies work without it: Coffer replaced it.
    expect(explainCopyFailure(failed('pulling'), upload(2))).toMatchObject({
      tone: 'info',
      action: null,
      fix: 'Coffer replaced it with another provider.',
    });
    // Chosen, and a copy was added since: nothing left to fix.
    expect(explainCopyFailure(failed('pulling', true), upload(2))).toMatchObject({
      tone: 'info',
      action: null,
    });
    expect(explainCopyFailure(failed('storing', false, 'primary'), upload(0)).title).toBe(
      'Provider 3 (primary) did not store the pieces',
    );
  });
});
