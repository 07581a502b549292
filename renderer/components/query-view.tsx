import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorNotice } from './error-notice';
import { Spinner } from './ui/primitives';

/** What a query has: its data drawn by `children`, its failure with a retry, or a loading line. */
export function QueryView<T>({
  query,
  loading,
  children,
}: {
  query: UseQueryResult<T>;
  /** What is being read, for the loading line ("Reading the sync settings…"). */
  loading: string;
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return children(query.data);
  if (query.isError) return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <p className="loading" role="status">
      <Spinner /> {loading}
    </p>
  );
}
