import { describe, expect, it } from 'vitest';
import { CofferError, ErrorCode } from '../../shared/api/errors';
import { explainError } from './explain-error';

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
});
