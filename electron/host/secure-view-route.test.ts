import { mkdtemp, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher } from '../core/api/dispatcher';
import { EventBus } from '../core/api/event-bus';
import { KEYSTORE_ADDRESS, KEYSTORE_PASSWORD, PBKDF2_KEYSTORE } from '../core/test-support/keystore-vectors';
import { SecureViews } from '../core/vault/secure-views';
import { Vault } from '../core/vault/vault';
import { demoContract, demoHandlers } from '../test-support/demo-contract';
import { startBrowserHost, type BrowserHost } from './browser-host';
import { secureViewRoute } from './secure-view-route';

let host: BrowserHost;
let vault: Vault;
let views: SecureViews;
const NAVIGATE = {
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'same-origin',
};

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-route-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
  vault = new Vault({ dataDir: dir, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  views = new SecureViews({ vault });
  host = await startBrowserHost({
    dispatch: createDispatcher(demoContract, demoHandlers),
    subscribeEvents: (listener) => new EventBus(demoContract).subscribeAll(listener),
    staticDir: dir,
    routes: [secureViewRoute(views)],
  });
  views.setBaseUrl(host.origin);
});
afterAll(async () => {
  vault.close();
  await host.close();
});

/** A raw HTTP request: fetch() would rewrite the Sec-Fetch headers a browser sends. */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: FormData } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return (async () => {
    const encoded = options.body ? new Request(url, { method: 'POST', body: options.body }) : null;
    const body = encoded ? Buffer.from(await encoded.arrayBuffer()) : undefined;
    const headers = {
      ...options.headers,
      ...(encoded ? { 'content-type': encoded.headers.get('content-type')! } : {}),
    };
    return new Promise((resolve, reject) => {
      const request = http.request(url, { method: options.method ?? 'GET', headers }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, text }));
      });
      request.on('error', reject);
      request.end(body);
    });
  })();
}

describe('secure views over the browser host', () => {
  it('answer only a top-level navigation; a script fetch neither reads nor uses up the ticket', async () => {
    const { url } = await views.issue('import-keystore');
    const attempts: Array<Record<string, string>> = [
      {},
      { 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors', 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-dest': 'iframe', 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'same-origin' },
      { ...NAVIGATE, 'sec-fetch-site': 'cross-site' },
      { ...NAVIGATE, 'sec-purpose': 'prefetch;prerender' },
    ];
    for (const headers of attempts) {
      const response = await send(url, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(403);
      expect(response.text).not.toContain('<form');
    }
    const page = await send(url, { headers: NAVIGATE });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain('sandbox allow-forms');
    expect(page.text).toContain('Import a keystore file');
  });

  it('take a multipart form with a keystore file from the view itself', async () => {
    const { url } = await views.issue('import-keystore');
    const html = (await send(url, { headers: NAVIGATE })).text;
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;
    const form = new FormData();
    form.set('token', token);
    form.set('action', 'submit');
    form.set(
      'keystoreFile',
      new Blob([JSON.stringify(PBKDF2_KEYSTORE)], { type: 'application/json' }),
      'key.json',
    );
    form.set('keystorePassword', KEYSTORE_PASSWORD);
    form.set('password', 'route test password');
    form.set('confirm', 'route test password');
    // The view's own post: its sandboxed (opaque) origin makes it cross-site; the step token vouches.
    const answer = await send(url, {
      method: 'POST',
      body: form,
      headers: { ...NAVIGATE, 'sec-fetch-site': 'cross-site' },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain(KEYSTORE_ADDRESS);
    expect(await vault.status()).toMatchObject({ exists: true, kind: 'privateKey' });
  });
});
