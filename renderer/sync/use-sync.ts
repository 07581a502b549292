/**
 * The wallet sync's data for the UI, from the core through react-query: where the sync stands
 * (fetched once, then kept current by `sync.progress` events — no polling), its throughput history
 * for the chart, an account's notes a page at a time, the saved settings, and the actions
 * (start, pause, the watch switch, rescan).
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { create } from 'zustand';
import type { SyncNote, SyncProgress } from '../../shared/api/sync';
import { api } from '../api/client';
import { useAction } from '../components/use-action';
import { usePagedRows } from '../components/use-paged-rows';
import { useUiStore } from '../state/ui-store';
import { accountsChanged, NOTES_PAGE_SIZE } from './note-pages';
import { recordProgress, recordTick, TICK_MS, type ThroughputSample } from './throughput';

export const syncKeys = {
  status: ['sync.status'] as const,
  settings: ['sync.settings'] as const,
  notes: (account: number) => ['sync.notes', account] as const,
  notesPage: (account: number, page: number) => ['sync.notes', account, page] as const,
};

/** The chart's history: UI-side, derived from the events (performance.now() stamps). */
export const useThroughput = create<{ samples: readonly ThroughputSample[] }>()(() => ({ samples: [] }));

/** One progress report into the cache: the status, the chart's history, and stale note pages. */
export function applyProgress(queryClient: QueryClient, progress: SyncProgress): void {
  const previous = queryClient.getQueryData<SyncProgress>(syncKeys.status);
  queryClient.setQueryData(syncKeys.status, progress);
  useThroughput.setState(({ samples }) => ({
    samples: recordProgress(samples, previous?.state, progress, performance.now()),
  }));
  const changed = accountsChanged(previous?.balances, progress.balances);
  if (changed === 'all') void queryClient.invalidateQueries({ queryKey: ['sync.notes'] });
  else
    for (const account of changed) void queryClient.invalidateQueries({ queryKey: syncKeys.notes(account) });
}

/**
 * Mount once (the app root): every `sync.progress` event goes into the cache. The chart's clock
 * ticks too (it reads nothing from the core: see recordTick).
 */
export function useSyncEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const off = api.on('sync.progress', (progress) => applyProgress(queryClient, progress));
    const clock = setInterval(() => {
      const state = queryClient.getQueryData<SyncProgress>(syncKeys.status)?.state;
      useThroughput.setState(({ samples }) => ({ samples: recordTick(samples, state, performance.now()) }));
    }, TICK_MS);
    return () => {
      off();
      clearInterval(clock);
    };
  }, [queryClient]);
}

/**
 * Mount once (the app root): with "keep watching" on, an unlocked wallet watches. When Coffer
 * starts or the wallet is unlocked (a lock stops the sync, in the core), the first status seen
 * decides: an idle sync starts watching by itself. A sync paused or failed afterwards stays so.
 */
export function useWatchWhileUnlocked(unlocked: boolean): void {
  const watch = useUiStore((s) => s.syncWatch);
  const state = useSyncStatus().data?.state;
  const decided = useRef(false);
  useEffect(() => {
    if (!unlocked) {
      decided.current = false;
      return;
    }
    if (decided.current || state === undefined) return;
    decided.current = true;
    if (watch && state === 'idle')
      // A start that fails leaves the sync idle; "Sync now" then shows why.
      api.sync
        .start({ watch: true })
        .catch((error: unknown) => console.warn('[sync] could not start watching:', error));
  }, [unlocked, watch, state]);
}

export function useSyncStatus() {
  return useQuery({
    queryKey: syncKeys.status,
    queryFn: () => api.sync.status({}),
    // Events keep it current from the first answer on.
    staleTime: Infinity,
  });
}

export function useSyncSettings() {
  return useQuery({ queryKey: syncKeys.settings, queryFn: () => api.sync.settings({}), staleTime: Infinity });
}

/** The rows first…last of an account's notes: only their pages are fetched. */
export function useNoteRows(account: number, first: number, last: number) {
  return usePagedRows<SyncNote>({
    first,
    last,
    pageSize: NOTES_PAGE_SIZE,
    pageKey: (page) => syncKeys.notesPage(account, page),
    fetchPage: async (offset, limit) => (await api.sync.notes({ account, offset, limit })).notes,
    staleTime: Infinity,
  });
}

/**
 * The sync's buttons. Answers come back as events (the cache follows them), so an action only
 * needs to report its own failure. The watch switch applies at once: a running sync restarts in the
 * new mode (its batches in flight are saved first), an idle one starts watching.
 */
export function useSyncActions(state: SyncProgress['state'] | undefined) {
  const { busy, error, failed, run } = useAction();
  const watch = useUiStore((s) => s.syncWatch);
  const setWatch = useUiStore((s) => s.setSyncWatch);

  const start = useCallback(() => run(() => api.sync.start({ watch })), [run, watch]);
  const stop = useCallback(() => run(() => api.sync.stop({})), [run]);
  const rescan = useCallback((from: number) => run(() => api.sync.rescan({ from, watch })), [run, watch]);
  const changeWatch = useCallback(
    async (next: boolean) => {
      setWatch(next);
      // Caught up and watching: turning watch off just ends the run.
      if (state === 'watching') return next ? undefined : run(() => api.sync.stop({}));
      if (state === 'syncing')
        return run(async () => {
          await api.sync.stop({});
          return api.sync.start({ watch: next });
        });
      if (next && (state === 'idle' || state === 'error')) return run(() => api.sync.start({ watch: true }));
      return undefined;
    },
    [run, setWatch, state],
  );
  return { busy, error, failed, watch, start, stop, rescan, changeWatch };
}
