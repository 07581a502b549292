/**
 * The notes list reads an account's notes a page at a time (`sync.notes`), only the pages the
 * visible rows fall on, and refetches an account's pages only when a progress event shows its
 * notes changed. These are the two calculations behind that.
 */
import type { AccountBalance } from '../../shared/api/sync';

export const NOTES_PAGE_SIZE = 100;

/** The pages holding rows first…last (inclusive); none for an empty range. */
export function pagesCovering(first: number, last: number, size = NOTES_PAGE_SIZE): number[] {
  if (last < first || last < 0) return [];
  const pages: number[] = [];
  for (let page = Math.floor(Math.max(0, first) / size); page <= Math.floor(last / size); page++)
    pages.push(page);
  return pages;
}

/**
 * The accounts whose notes differ between two progress reports (count or balance), or 'all' when
 * there is nothing to compare with.
 */
export function accountsChanged(
  before: readonly AccountBalance[] | undefined,
  after: readonly AccountBalance[],
): number[] | 'all' {
  if (!before) return 'all';
  const key = (b: AccountBalance) => `${b.notes}:${b.balance}`;
  const was = new Map(before.map((b) => [b.account, key(b)]));
  const is = new Map(after.map((b) => [b.account, key(b)]));
  return [...new Set([...was.keys(), ...is.keys()])].filter(
    (account) => was.get(account) !== is.get(account),
  );
}
