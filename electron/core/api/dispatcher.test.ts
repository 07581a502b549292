import { describe, expect, it } from 'vitest';
import { createDispatcher } from './dispatcher';
import { demoContract, demoHandlers } from '../../test-support/demo-contract';

const dispatch = createDispatcher(demoContract, demoHandlers);
const ctx = { transport: 'test' } as const;

describe('dispatcher', () => {
  it('calls the handler with parsed input and returns its value', async () => {
    expect(await dispatch('demo.plan', { copies: 2, name: 'a' }, ctx)).toEqual({
      ok: true,
      value: { summary: 'a x2' },
    });
  });

  it('rejects an invalid payload with an error naming the bad field', async () => {
    const result = await dispatch('demo.plan', { copies: 99, name: 'a' }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.message).toMatch(/copies/);
    expect(result.error.details?.issues).toEqual([expect.objectContaining({ path: ['copies'] })]);
  });

  it('rejects unknown keys on strict inputs', async () => {
    const result = await dispatch('demo.plan', { copies: 1, name: 'a', extra: true }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('refuses methods that are not in the contract, including prototype names', async () => {
    for (const channel of [
      'demo.nope',
      'other.plan',
      'constructor',
      'demo.constructor',
      '__proto__.x',
      'demo.toString',
      '',
    ]) {
      const result = await dispatch(channel, {}, ctx);
      expect(result, channel).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
  });

  it('carries coded errors across as an envelope', async () => {
    expect(await dispatch('demo.fail', {}, ctx)).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'Nothing here' },
    });
  });

  it('never returns fields the output schema does not name', async () => {
    const result = await dispatch('demo.leak', {}, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(result)).not.toContain('must not cross');
  });
});
