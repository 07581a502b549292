import { describe, expect, it } from 'vitest';
import { accountsChanged, pagesCovering } from './note-pages';

describe('note pages', () => {
  it('names the pages the visible rows fall on', () => {
    expect(pagesCovering(0, 19, 100)).toEqual([0]);
    expect(pagesCovering(95, 110, 100)).toEqual([0, 1]);
    expect(pagesCovering(9_990, 10_009, 100)).toEqual([99, 100]);
    expect(pagesCovering(0, -1, 100)).toEqual([]);
  });

  it('finds the accounts whose notes changed between two reports', () => {
    const a0 = { account: 0, balance: '10', notes: 1 };
    const a1 = { account: 1, balance: '0', notes: 0 };
    expect(accountsChanged(undefined, [a0])).toBe('all');
    expect(accountsChanged([a0, a1], [a0, a1])).toEqual([]);
    expect(accountsChanged([a0, a1], [{ ...a0, notes: 2, balance: '30' }, a1])).toEqual([0]);
    // A rescan that forgets notes, and an account that appears.
    expect(accountsChanged([a0], [{ ...a0, notes: 0, balance: '0' }, a1])).toEqual([0, 1]);
  });
});
