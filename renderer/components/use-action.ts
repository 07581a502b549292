import { useCallback, useState } from 'react';

/**
 * One user action that calls the core: whether it is running, and what it threw last (for an
 * ErrorNotice). `run` resolves with the result, or with undefined when it failed.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, failed: error !== null, run };
}
