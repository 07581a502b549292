import { formatUnits, parseUnits } from 'viem';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkAmount } from './amount-input';

const tokens = (raw: bigint, decimals = 6) => ({
  raw: raw.toString(),
  decimals,
  symbol: 'tUSD',
  formatted: formatUnits(raw, decimals),
});

describe('checkAmount', () => {
  const held = tokens(25_500_000n); // 25.5 tUSD

  it('accepts amounts up to and including what is available', () => {
    expect(checkAmount('25.5', held, 'in your account')).toEqual({ ok: true, amount: '25.5' });
    expect(checkAmount(' 1,000 ', tokens(10n ** 12n), 'here')).toEqual({ ok: true, amount: '1000' });
    expect(checkAmount('0.000001', held, 'here')).toEqual({ ok: true, amount: '0.000001' });
  });

  it('says nothing while the field is empty', () => {
    expect(checkAmount('  ', held, 'here')).toEqual({ ok: false, error: null });
  });

  it('names what is wrong', () => {
    expect(checkAmount('1000.5', tokens(10n ** 9n), 'in your account')).toMatchObject({
      error: 'That is more than the 1,000 tUSD in your account',
    });
    expect(checkAmount('25.500001', held, 'in your account')).toEqual({
      ok: false,
      error: 'That is more than the 25.5 tUSD in your account',
    });
    expect(checkAmount('0', held, 'here')).toMatchObject({ error: 'The amount must be more than zero' });
    expect(checkAmount('0.0000001', held, 'here')).toMatchObject({
      error: 'tUSD has at most 6 decimal places',
    });
    expect(checkAmount('12abc', held, 'here')).toMatchObject({ error: 'Enter a number, such as 25 or 0.5' });
    expect(checkAmount('-3', held, 'here')).toMatchObject({ ok: false });
    expect(checkAmount('.5', held, 'here')).toMatchObject({ error: expect.stringContaining('both sides') });
    expect(checkAmount('1e3', held, 'here')).toMatchObject({ ok: false });
  });

  it('agrees with viem parseUnits on the limit (property)', () => {
    // Amounts right at the limit (equal, one unit over or under) as well as anywhere.
    const cases = fc
      .bigInt({ min: 1n, max: 10n ** 24n })
      .chain((available) =>
        fc.tuple(
          fc.constant(available),
          fc.oneof(
            fc.constant(available),
            fc.constant(available + 1n),
            fc.constant(available - 1n),
            fc.bigInt({ min: 0n, max: 10n ** 24n }),
          ),
          fc.integer({ min: 0, max: 18 }),
        ),
      );
    fc.assert(
      fc.property(cases, ([available, typed, decimals]) => {
        const text = formatUnits(typed, decimals);
        const check = checkAmount(text, tokens(available, decimals), 'here');
        // The oracle: viem's own parse of the same text, compared with what is available.
        expect(check.ok).toBe(typed > 0n && parseUnits(text, decimals) <= available);
      }),
    );
  });
});
