import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/api/host-protocol';
import { createDispatcher } from '../core/api/dispatcher';
import { EventBus } from '../core/api/event-bus';
import { demoContract, demoHandlers } from '../test-support/demo-contract';
import { startBrowserHost, type BrowserHost } from './browser-host';

let host: BrowserHost;
const events = new EventBus(demoContract);

beforeAll(async () => {
  const staticDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-host-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startBrowserHost({
    dispatch: createDispatcher(demoContract, demoHandlers),
    subscribeEvents: (listener) => events.subscribeAll(listener),
    staticDir,
  });
});
afterAll(() => host.close());

function connect(
  options: { origin?: string; token?: string | null; path?: string } = {},
): Promise<WebSocket> {
  const protocols = options.token === null ? [] : [`${TOKEN_PROTOCOL_PREFIX}${options.token ?? host.token}`];
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}${options.path ?? '/api'}`, protocols, {
    origin: options.origin ?? host.origin,
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, input: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString());
      if (message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, method, input }));
  });
}

describe('browser host', () => {
  it('binds to loopback only', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers a call from its own page holding the token', async () => {
    const ws = await connect();
    expect(await call(ws, 1, 'demo.plan', { copies: 2, name: 'f' })).toEqual({
      kind: 'result',
      id: 1,
      envelope: { ok: true, value: { summary: 'f x2' } },
    });
    ws.close();
  });

  it('refuses a connection without the token, with a wrong token, or from another Origin', async () => {
    await expect(connect({ token: null })).rejects.toThrow('HTTP 401');
    await expect(connect({ token: 'x'.repeat(host.token.length) })).rejects.toThrow('HTTP 401');
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: `http://localhost:${host.port}` })).rejects.toThrow('HTTP 403');
    await expect(connect({ path: '/other' })).rejects.toThrow('HTTP 404');
  });

  it('rejects an invalid payload with an error naming the bad field', async () => {
    const ws = await connect();
    const answer = await call(ws, 2, 'demo.plan', { copies: 0, name: 'f' });
    expect(answer).toMatchObject({
      envelope: { ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('copies') } },
    });
    ws.close();
  });

  it('cannot call a method missing from the contract', async () => {
    const ws = await connect();
    for (const method of ['demo.secret', 'constructor', 'demo.__proto__']) {
      expect(await call(ws, 3, method, {})).toMatchObject({
        envelope: { ok: false, error: { code: 'UNKNOWN_METHOD' } },
      });
    }
    ws.close();
  });

  it('answers malformed messages with a clear error and stays up', async () => {
    const ws = await connect();
    const reply = new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(d.toString()))),
    );
    ws.send('{not json');
    expect(await reply).toMatchObject({
      kind: 'error',
      error: { code: 'INVALID_INPUT', message: 'Message is not valid JSON' },
    });
    expect(await call(ws, 4, 'demo.plan', { copies: 1, name: 'ok' })).toMatchObject({
      envelope: { ok: true },
    });
    ws.close();
  });

  it('forwards contract events to connected pages', async () => {
    const ws = await connect();
    const received = new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()))));
    events.emit('demo.tick', { n: 7 });
    expect(await received).toEqual({ kind: 'event', event: 'demo.tick', payload: { n: 7 } });
    ws.close();
  });

  it('serves the renderer with a strict CSP, and refuses path traversal and foreign Host names', async () => {
    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const bad of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/a%5c..%5c..%5cetc']) {
      const response = await rawGet(bad);
      expect(response.status, bad).toBe(400);
    }
    const rebinding = await rawGet('/', 'evil.example');
    expect(rebinding.status).toBe(421);
  });
});

/** A GET whose path and Host header are sent exactly as given (fetch would normalise them). */
async function rawGet(pathname: string, hostHeader?: string): Promise<{ status: number }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: host.port, path: pathname, headers: hostHeader ? { host: hostHeader } : {} },
      (response) => {
        response.resume();
        resolve({ status: response.statusCode ?? 0 });
      },
    );
    request.on('error', reject);
    request.end();
  });
}
