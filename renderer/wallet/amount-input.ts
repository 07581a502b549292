/**
 * Checks an amount typed into a deposit or withdraw form before anything is sent: a plain decimal
 * number, not zero, no more decimals than the token has, and no more than what is available. The
 * core checks all of this again; this is so the user sees the problem as they type.
 */
import type { TokenAmount } from '../../shared/api/chain-values';
import { formatUnits } from '../format';

export type AmountCheck = { ok: true; amount: string } | { ok: false; error: string | null };

const DECIMAL = /^\d{1,30}(\.\d{1,36})?$/;

/** `error: null` means "nothing typed yet": not valid, but nothing to complain about either. */
export function checkAmount(input: string, available: TokenAmount, from: string): AmountCheck {
  const text = input.trim().replace(/,/g, '');
  if (text === '') return { ok: false, error: null };
  if (text.startsWith('.') || text.endsWith('.'))
    return { ok: false, error: 'Write the amount with digits on both sides of the point, such as 0.5' };
  if (!DECIMAL.test(text)) return { ok: false, error: 'Enter a number, such as 25 or 0.5' };
  const fraction = text.split('.')[1] ?? '';
  if (fraction.length > available.decimals)
    return {
      ok: false,
      error: `${available.symbol} has at most ${available.decimals} decimal places`,
    };
  const units = toBaseUnits(text, available.decimals);
  if (units === 0n) return { ok: false, error: 'The amount must be more than zero' };
  if (units > BigInt(available.raw))
    return {
      ok: false,
      error: `That is more than the ${formatUnits(available.raw, available.decimals, available.decimals)} ${available.symbol} ${from}`,
    };
  return { ok: true, amount: text };
}

function toBaseUnits(decimal: string, decimals: number): bigint {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole + fraction.padEnd(decimals, '0'));
}
