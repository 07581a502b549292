/**
 * Browser mode: serves the secure views (electron/core/vault/secure-views.ts) under /secure-view/.
 *
 * Only a top-level navigation gets an answer (Sec-Fetch-Dest: document, Sec-Fetch-Mode: navigate,
 * opened from Coffer, not a prefetch): a script on the app's page (fetch, XHR), a frame or a prerender
 * gets 403 and does not use up the ticket, so even a compromised renderer cannot read what a view
 * shows. The views' own CSP sandbox gives them an opaque origin, so a window the renderer opened
 * on one cannot be read through `window.open`'s handle either.
 */
import type http from 'node:http';
import { readSecureViewForm, MAX_FORM_BYTES, SecureViews } from '../core/vault/secure-views';
import type { HostRoute } from './browser-host';

export function secureViewRoute(views: SecureViews): HostRoute {
  return async (request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (!SecureViews.matches(path)) return false;
    const refusal = navigationProblem(request);
    if (refusal) {
      response
        .writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
        .end(refusal);
      return true;
    }
    let form = {};
    if (request.method === 'POST') {
      const body = await readBody(request);
      const parsed = body
        ? await readSecureViewForm(
            new Request('http://host.invalid/', {
              method: 'POST',
              headers: { 'content-type': request.headers['content-type'] ?? '' },
              body,
            }),
          )
        : null;
      if (!parsed) {
        response.writeHead(413, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Form too large');
        return true;
      }
      form = parsed;
    }
    const answer = await views.handle(request.method ?? 'GET', path, form);
    response.writeHead(answer.status, answer.headers).end(answer.html);
    return true;
  };
}

function navigationProblem(request: http.IncomingMessage): string | null {
  const header = (name: string) => String(request.headers[name] ?? '');
  if (header('sec-fetch-dest') !== 'document' || header('sec-fetch-mode') !== 'navigate')
    return 'Secure views open only as a page of their own.';
  // A view's own form posts come from its opaque (sandboxed) origin, so they count as cross-site;
  // they are vouched for by their one-time step token instead.
  if (request.method === 'GET' && header('sec-fetch-site') === 'cross-site')
    return 'Secure views open only from Coffer.';
  if (/prefetch|prerender/.test(header('sec-purpose') + header('purpose')))
    return 'Secure views are not prefetched.';
  return null;
}

async function readBody(request: http.IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
