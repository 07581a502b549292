/**
 * Browser mode's two file routes, for what a page cannot do through the API: hand main a file,
 * and receive one.
 *
 * - `POST /files/stage?name=<file name>` with the file's bytes as the body (Content-Length
 *   required) streams them into the data folder's staging area and answers `{ stagedId, size }`;
 *   the page then names the staged id in `upload.start`.
 * - `POST /files/download/<downloadId>/<file index>` streams a completed download's file back, as
 *   an attachment.
 *
 * Both answer only this host's own pages holding this run's token (Origin and `Authorization:
 * Bearer`), like the API socket; POST, so the browser always sends its Origin.
 */
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import { CofferError, toErrorBody } from '../../shared/api/errors';
import type { DownloadService } from '../core/download/download-service';
import type { StagedFiles } from '../core/upload/staged-files';
import type { HostRoute } from './browser-host';
import { requestTargetUrl } from '../core/http/request-target';

const STATUS: Record<string, number> = { INVALID_INPUT: 400, NOT_FOUND: 404 };

function answer(response: http.ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
}

function refuse(response: http.ServerResponse, error: unknown): void {
  const body = toErrorBody(error);
  answer(response, STATUS[body.code] ?? 500, { error: body });
}

/** Checks the route, method and caller; false when the route is not this one. */
function guard(
  prefix: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  isAuthorized: (request: http.IncomingMessage) => boolean,
): URL | null | false {
  const url = requestTargetUrl(request.url);
  if (!url.pathname.startsWith(prefix)) return false;
  if (request.method !== 'POST') {
    response.writeHead(405, { Allow: 'POST' }).end();
    return null;
  }
  if (!isAuthorized(request)) {
    answer(response, 403, {
      error: { code: 'FORBIDDEN', message: 'Only Coffer pages with this run’s token may do this' },
    });
    return null;
  }
  return url;
}

export function stagingRoute(staging: StagedFiles): HostRoute {
  return async (request, response, { isAuthorized }) => {
    const url = guard('/files/stage', request, response, isAuthorized);
    if (url === false) return false;
    if (url === null) return true;
    const length = request.headers['content-length'];
    if (length === undefined || !/^\d+$/.test(length)) {
      answer(response, 411, {
        error: { code: 'INVALID_INPUT', message: 'Send the file with its Content-Length' },
      });
      return true;
    }
    try {
      const staged = await staging.stage(request, url.searchParams.get('name') ?? '', Number(length));
      answer(response, 201, staged);
    } catch (error) {
      request.resume();
      refuse(response, error);
    }
    return true;
  };
}

export function downloadFileRoute(downloads: DownloadService | null): HostRoute {
  return async (request, response, { isAuthorized }) => {
    const url = guard('/files/download/', request, response, isAuthorized);
    if (url === false) return false;
    if (url === null) return true;
    const [downloadId = '', index = ''] = url.pathname.slice('/files/download/'.length).split('/');
    try {
      if (!downloads) throw new CofferError('NOT_FOUND', 'No network is configured: there are no downloads');
      if (!/^\d+$/.test(index)) throw new CofferError('INVALID_INPUT', 'Name the file by its index');
      const file = downloads.fileOf(downloadId, Number(index));
      response.writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': file.size,
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'Cache-Control': 'no-store',
      });
      createReadStream(file.path).pipe(response);
    } catch (error) {
      refuse(response, error);
    }
    return true;
  };
}
