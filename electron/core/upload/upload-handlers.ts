/**
 * The `upload`, `download` and `providers` handlers of the API contract, over the upload and
 * download services. Without a network there is nothing to upload to: every call says so.
 */
import type { CofferHandlers } from '../../../shared/api/contract';
import { CofferError } from '../../../shared/api/errors';
import type { DownloadService } from '../download/download-service';
import type { UploadService } from './upload-service';

export function createUploadHandlers(
  uploads: UploadService | null,
  downloads: DownloadService | null,
): Pick<CofferHandlers, 'upload' | 'download' | 'providers'> {
  const up = (): UploadService => {
    if (!uploads)
      throw new CofferError('NETWORK_OFFLINE', 'No network is configured: there is nowhere to upload to');
    return uploads;
  };
  const down = (): DownloadService => {
    if (!downloads)
      throw new CofferError('NETWORK_OFFLINE', 'No network is configured: there is nowhere to download from');
    return downloads;
  };
  return {
    upload: {
      start: (input) => up().start(input),
      list: (input) => up().list(input),
      get: ({ uploadId }) => up().get(uploadId),
      pause: ({ uploadId }) => up().pause(uploadId),
      resume: ({ uploadId }) => up().resume(uploadId),
      cancel: ({ uploadId }) => up().cancel(uploadId),
      topUp: ({ uploadId, copies }) => up().topUp(uploadId, copies),
      retryCommit: ({ uploadId }) => up().retryCommit(uploadId),
      settings: async () => up().settings(),
      setSettings: async (input) => up().setSettings(input),
    },
    download: {
      start: async (input) => down().start(input),
      get: async ({ downloadId }) => down().get(downloadId),
    },
    providers: {
      list: ({ account }) => up().providers(account),
    },
  };
}
