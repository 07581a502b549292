import { describe, expect, it } from 'vitest';
import { CofferError, ErrorCode } from '../../shared/api/errors';
import { SyncErrorKind } from '../../shared/api/sync';
import { explainError, explainSyncFailure } from './explain-error';

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
