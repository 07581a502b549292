/**
 * The rows first…last of a long list read a page at a time: only the pages those rows fall on are
 * fetched (the notes list, the upload history). A page keeps showing what it had while it
 * refetches, so the list does not flicker.
 */
import { useQueries, type QueryKey } from '@tanstack/react-query';
import { pagesCovering } from '../sync/note-pages';

export function usePagedRows<T>(options: {
  first: number;
  last: number;
  pageSize: number;
  pageKey: (page: number) => QueryKey;
  fetchPage: (offset: number, limit: number) => Promise<readonly T[]>;
  /** Infinity where events invalidate the pages that changed. */
  staleTime?: number;
}) {
  const { pageSize } = options;
  const pages = pagesCovering(options.first, options.last, pageSize);
  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: options.pageKey(page),
      queryFn: () => options.fetchPage(page * pageSize, pageSize),
      staleTime: options.staleTime,
    })),
  });
  const rowAt = (index: number): T | undefined => {
    const at = pages.indexOf(Math.floor(index / pageSize));
    return at < 0 ? undefined : results[at]?.data?.[index % pageSize];
  };
  const failed = results.find((result) => result.isError);
  return { rowAt, error: failed?.error ?? null, retry: () => void failed?.refetch() };
}
