import { describe, expect, it } from 'vitest';
import { formatAgo, formatCount, formatDuration, formatUnits, shortDecimal, shortHash } from './format';

describe('format', () => {
  it('writes durations without a 60 in the seconds or minutes place, or a zero part', () => {
    expect(formatDuration(0.4)).toBe('<1 s');
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(90)).toBe('1 min 30 s');
    expect(formatDuration(1799.7)).toBe('30 min');
    expect(formatDuration(3599.9)).toBe('1 h');
    expect(formatDuration(5400)).toBe('1 h 30 min');
  });

  it('groups whole units and trims the fraction', () => {
    expect(formatUnits('10000000000000000000000', 18)).toBe('10,000');
    expect(formatUnits('9999812345678900000', 18)).toBe('9.9998');
    expect(formatUnits('25', 0)).toBe('25');
  });

  it('groups counts the same in every locale, rounding rates to whole numbers', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(412.6)).toBe('413');
    expect(formatCount('18446744073709551615')).toBe('18,446,744,073,709,551,615');
  });

  it('says how long ago, in round figures', () => {
    const now = 1_700_000_000_000;
    expect(formatAgo(now - 3_000, now)).toBe('just now');
    expect(formatAgo(now + 2_000, now)).toBe('just now'); // a clock a little ahead
    expect(formatAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatAgo(now - 30 * 3_600_000, now)).toBe('yesterday');
    expect(formatAgo(now - 4 * 86_400_000, now)).toBe('4 days ago');
  });

  it('shortens hashes from both ends', () => {
    expect(shortHash(`0x${'ab'.repeat(32)}`, 4)).toBe('0xabab…abab');
  });

  it('cuts long decimals for reading and says when it did', () => {
    expect(shortDecimal('0.002794347701610192 tUSD')).toBe('≈ 0.002794 tUSD');
    expect(shortDecimal('0.0000001 tUSD')).toBe('≈ 0 tUSD');
    expect(shortDecimal('25.5 tUSD')).toBe('25.5 tUSD');
    expect(shortDecimal('not a number')).toBe('not a number');
    expect(shortDecimal('0.001397717385080509 tUSD to replace a copy, 1.5 MiB')).toBe(
      '≈ 0.001397 tUSD to replace a copy, 1.5 MiB',
    );
  });
});
