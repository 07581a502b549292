import { useEffect, useState } from 'react';

/** The wall-clock time, refreshed every `everyMs`: for "2 min ago" texts that must age on screen. */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
