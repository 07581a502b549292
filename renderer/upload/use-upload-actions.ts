/**
 * What can be done to an upload from its card — pause, resume, cancel (keeping the summary of
 * what was paid and committed), retry the commit, add copies — each offered only when the upload
 * allows it (`UploadView.actions`), and the fixes its failure notices point at.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { CancelSummary, UploadView } from '../../shared/api/upload';
import { api } from '../api/client';
import { useAction } from '../components/use-action';
import type { FixAction } from '../errors/explain-error';
import { uploadKeys } from './use-uploads';

/** Copies to have after "add a copy": the ones asked for, or one more once they are all there. */
export function topUpTarget(view: Pick<UploadView, 'copiesRequested' | 'copiesConfirmed'>): number {
  return view.copiesConfirmed < view.copiesRequested ? view.copiesRequested : view.copiesConfirmed + 1;
}

export function useUploadActions(view: UploadView) {
  const queryClient = useQueryClient();
  const { busy, error, run } = useAction();
  const [cancelled, setCancelled] = useState<CancelSummary | null>(null);
  const uploadId = view.uploadId;
  const apply = (next: UploadView) => queryClient.setQueryData(uploadKeys.one(next.uploadId), next);

  const pause = () => run(() => api.upload.pause({ uploadId }).then(apply));
  const resume = () => run(() => api.upload.resume({ uploadId }).then(apply));
  const retryCommit = () => run(() => api.upload.retryCommit({ uploadId }).then(apply));
  const topUp = () => run(() => api.upload.topUp({ uploadId, copies: topUpTarget(view) }).then(apply));
  const cancel = () =>
    run(async () => {
      setCancelled(await api.upload.cancel({ uploadId }));
      await queryClient.invalidateQueries({ queryKey: uploadKeys.one(uploadId) });
    });

  const fixes: Partial<Record<FixAction, () => void>> = {
    ...(view.actions.resume && { resume: () => void resume() }),
    ...(view.actions.retryCommit && { 'retry-commit': () => void retryCommit() }),
    ...(view.actions.topUp && { 'top-up': () => void topUp() }),
  };
  return { busy, error, cancelled, pause, resume, retryCommit, topUp, cancel, fixes };
}
