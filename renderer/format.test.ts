import { describe, expect, it } from 'vitest';
import { formatDuration, formatUnits, shortHash } from './format';

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

  it('shortens hashes from both ends', () => {
    expect(shortHash(`0x${'ab'.repeat(32)}`, 4)).toBe('0xabab…abab');
  });
});
