/**
 * Uploads for the UI, from the core through react-query: each upload's view (fetched once, then
 * kept current by `upload.progress` events — no polling), the history a page at a time, the
 * providers, the settings; the queue of the Upload screen; and starting an upload from dropped
 * files (Electron: main reads each file by its path; browser mode: the bytes go to the host first).
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { UploadView } from '../../shared/api/upload';
import { api, transportKind } from '../api/client';
import { usePagedRows } from '../components/use-paged-rows';
import { stageFile } from './host-files';
import { isActive } from './upload-stages';

export const uploadKeys = {
  one: (uploadId: string) => ['upload', uploadId] as const,
  list: ['upload.list'] as const,
  recent: ['upload.list', 'recent'] as const,
  page: (page: number) => ['upload.list', 'page', page] as const,
  settings: ['upload.settings'] as const,
  providers: (account: number) => ['providers', account] as const,
  download: (downloadId: string) => ['download', downloadId] as const,
};

export const HISTORY_PAGE_SIZE = 100;

/** Files on their way to the host (browser mode) before their upload starts. */
export interface Sending {
  key: string;
  names: string[];
  size: number;
  sent: number;
  error: unknown;
}

interface QueueState {
  /** The uploads of this session, newest first (kept across a reload of the tab). */
  ids: string[];
  sending: Sending[];
  add(uploadId: string): void;
  dismiss(uploadId: string): void;
  setSending(key: string, change: Partial<Sending> | null): void;
}

export const useUploadQueue = create<QueueState>()(
  persist(
    (set) => ({
      ids: [],
      sending: [],
      add: (uploadId) => set(({ ids }) => (ids.includes(uploadId) ? {} : { ids: [uploadId, ...ids] })),
      dismiss: (uploadId) => set(({ ids }) => ({ ids: ids.filter((id) => id !== uploadId) })),
      setSending: (key, change) =>
        set(({ sending }) => ({
          sending:
            change === null
              ? sending.filter((entry) => entry.key !== key)
              : sending.some((entry) => entry.key === key)
                ? sending.map((entry) => (entry.key === key ? { ...entry, ...change } : entry))
                : [...sending, { key, names: [], size: 0, sent: 0, error: null, ...change }],
        })),
    }),
    {
      name: 'coffer.uploads',
      storage: createJSONStorage(() => sessionStorage),
      partialize: (state) => ({ ids: state.ids }),
    },
  ),
);

/** One progress event into the cache; the history refetches when an upload's state changed. */
export function applyUploadProgress(queryClient: QueryClient, view: UploadView): void {
  const previous = queryClient.getQueryData<UploadView>(uploadKeys.one(view.uploadId));
  queryClient.setQueryData(uploadKeys.one(view.uploadId), view);
  // Uploads started elsewhere (the drop window, another tab, the CLI) join the queue as they run.
  if (isActive(view.state)) useUploadQueue.getState().add(view.uploadId);
  if (previous?.state !== view.state) void queryClient.invalidateQueries({ queryKey: uploadKeys.list });
}

/** Mount once per page: every `upload.progress` and `download.progress` event goes into the cache. */
export function useUploadEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const offUpload = api.on('upload.progress', (view) => applyUploadProgress(queryClient, view));
    const offDownload = api.on('download.progress', (view) =>
      queryClient.setQueryData(uploadKeys.download(view.downloadId), view),
    );
    return () => {
      offUpload();
      offDownload();
    };
  }, [queryClient]);
}

export function useUpload(uploadId: string) {
  return useQuery({
    queryKey: uploadKeys.one(uploadId),
    queryFn: () => api.upload.get({ uploadId }),
    staleTime: Infinity,
  });
}

export function useUploadSettings() {
  return useQuery({
    queryKey: uploadKeys.settings,
    queryFn: () => api.upload.settings({}),
    staleTime: Infinity,
  });
}

export function useProviders(account: number) {
  return useQuery({
    queryKey: uploadKeys.providers(account),
    queryFn: () => api.providers.list({ account }),
    refetchInterval: 30_000,
  });
}

export function useDownload(downloadId: string | null) {
  return useQuery({
    queryKey: uploadKeys.download(downloadId ?? ''),
    queryFn: () => api.download.get({ downloadId: downloadId! }),
    enabled: downloadId !== null,
    staleTime: Infinity,
  });
}

/** The newest uploads (the first page of the history): the total, and those still to finish. */
export function useRecentUploads() {
  return useQuery({
    queryKey: uploadKeys.recent,
    queryFn: () => api.upload.list({ offset: 0, limit: HISTORY_PAGE_SIZE }),
  });
}

/** The history's rows first…last: only their pages are fetched (events invalidate them). */
export function useHistoryRows(first: number, last: number) {
  return usePagedRows({
    first,
    last,
    pageSize: HISTORY_PAGE_SIZE,
    pageKey: uploadKeys.page,
    fetchPage: async (offset, limit) => (await api.upload.list({ offset, limit })).uploads,
  });
}

export interface StartOptions {
  copies?: number;
  /** Exactly these providers, the first the primary (no replacement when one fails). */
  providerIds?: number[];
  account: number;
}

/** The files as the core takes them: their paths (Electron), or staged on the host (browser mode). */
async function fileInputs(files: readonly File[], onSent: (sent: number) => void) {
  if (transportKind === 'electron') {
    return files.map((file) => {
      const path = window.cofferFiles?.pathForFile(file) ?? '';
      if (!path) throw new Error(`${file.name} is not a file on this computer; drop it from a folder`);
      return { kind: 'path' as const, path };
    });
  }
  const staged = [];
  let before = 0;
  for (const file of files) {
    const { stagedId } = await stageFile(file, (sent) => onSent(before + sent));
    before += file.size;
    staged.push({ kind: 'staged' as const, stagedId });
  }
  return staged;
}

/** Starts one upload of the dropped files; its progress follows as events. */
export function useStartUpload() {
  const { add, setSending } = useUploadQueue();
  return useCallback(
    async (files: readonly File[], options: StartOptions) => {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      setSending(key, {
        names: files.map((file) => file.name),
        size: files.reduce((sum, file) => sum + file.size, 0),
      });
      try {
        const inputs = await fileInputs(files, (sent) => setSending(key, { sent }));
        const { uploadId } = await api.upload.start({ ...options, files: inputs });
        add(uploadId);
        setSending(key, null);
      } catch (error) {
        setSending(key, { error });
      }
    },
    [add, setSending],
  );
}

declare global {
  interface Window {
    /** Electron's preload: the path of a dropped file (electron/preload.ts). */
    cofferFiles?: { pathForFile(file: File): string };
  }
}
