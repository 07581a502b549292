/**
 * Browser mode's file transfers with the host (electron/host/file-routes.ts), for what the API
 * socket does not carry: a dropped file's bytes streamed to the host's staging area (with upload
 * progress, hence XMLHttpRequest), and a verified download's file handed back to be saved. Both
 * carry this run's token; the host checks it and the page's Origin.
 */
import { CofferError, ErrorBody } from '../../shared/api/errors';
import { hostToken } from '../api/client';

/** The host's refusal as a CofferError (its JSON body), or a plain error when it sent none. */
function refusal(status: number, text: string): Error {
  try {
    const parsed = ErrorBody.safeParse((JSON.parse(text) as { error?: unknown }).error);
    if (parsed.success) return new CofferError(parsed.data.code, parsed.data.message);
  } catch {
    // Not JSON: described by its status below.
  }
  return new CofferError('INTERNAL', `The Coffer host answered ${status}`);
}

/** Streams `file` to the host; resolves with its staged id once every byte arrived. */
export function stageFile(
  file: File,
  onProgress: (sent: number) => void,
): Promise<{ stagedId: string; size: number }> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `/files/stage?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader('Authorization', `Bearer ${hostToken ?? ''}`);
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () => {
      if (request.status !== 201) return reject(refusal(request.status, request.responseText));
      onProgress(file.size);
      resolve(JSON.parse(request.responseText) as { stagedId: string; size: number });
    };
    request.onerror = () => reject(new Error('Could not reach the Coffer host to send the file'));
    request.send(file);
  });
}

/** Fetches a completed download's file from the host and hands it to the browser to save. */
export async function saveDownloadedFile(downloadId: string, index: number, name: string): Promise<void> {
  const response = await fetch(`/files/download/${downloadId}/${index}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${hostToken ?? ''}` },
  });
  if (!response.ok) throw refusal(response.status, await response.text());
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
  } finally {
    // After the click has handed the blob to the download.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
