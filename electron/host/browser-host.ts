/**
 * The browser host: the same API as Electron IPC, over a WebSocket on 127.0.0.1, plus the built
 * renderer as static files. Used when the Electron runtime is missing (browser mode) and by the
 * Playwright e2e suite.
 *
 * Who may talk to it: only loopback (bound to 127.0.0.1), only pages served by this host (the
 * Origin must be this host's own origin), and only holders of the per-run token (sent as a
 * WebSocket subprotocol so it never appears in a URL after the first page load).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Dispatch } from '../core/api/dispatcher';
import { contentSecurityPolicy, securityHeaders } from '../security/csp';
import { contentTypeFor, resolveAssetPath } from '../security/static-assets';
import { parseClientMessage, type ServerMessage } from '../../shared/api/host-protocol';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/api/host-protocol';
import { requestTargetUrl } from '../core/http/request-target';

export interface BrowserHostOptions {
  dispatch: Dispatch;
  /** Every contract event, to forward to connected pages. */
  subscribeEvents: (listener: (event: string, payload: unknown) => void) => () => void;
  /** The built renderer (index.html and assets). */
  staticDir: string;
  port?: number;
  token?: string;
  /** Extra HTTP routes (file staging, secure views), tried before static files. */
  routes?: HostRoute[];
}

/** A route handler answers and returns true, or returns false to let the next one try. */
export type HostRoute = (
  request: http.IncomingMessage,
  response: http.ServerResponse,
  helpers: { isAuthorized: (request: http.IncomingMessage) => boolean },
) => Promise<boolean> | boolean;

export interface BrowserHost {
  readonly url: string;
  /** The URL to open: carries the token once; the page moves it to session storage. */
  readonly launchUrl: string;
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const server = http.createServer();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let origin = '';
  let allowedHosts = new Set<string>();

  const tokenMatches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const isAuthorized = (request: http.IncomingMessage): boolean => {
    const header = request.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
    return request.headers.origin === origin && tokenMatches(bearer);
  };

  server.on('request', (request, response) => {
    void handleHttp(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });

  async function handleHttp(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    // Refuse other Host names so a DNS-rebinding page cannot read our responses.
    if (!allowedHosts.has(request.headers.host ?? '')) {
      response.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    for (const route of options.routes ?? []) {
      if (await route(request, response, { isAuthorized })) return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    // The raw path, not URL-normalised: resolveAssetPath sees any `..` and refuses it.
    const urlPath = (request.url ?? '/').split('?')[0]!;
    const filePath = resolveAssetPath(options.staticDir, urlPath);
    if (!filePath) {
      response.writeHead(400, { 'Content-Type': 'text/plain' }).end('Bad path');
      return;
    }
    const target = filePath;
    const targetInfo = await stat(target).catch(() => null);
    if (!targetInfo?.isFile()) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    const csp = contentSecurityPolicy({ connectSources: [origin.replace(/^http/, 'ws')] });
    response.writeHead(200, {
      ...securityHeaders(csp),
      'Content-Type': contentTypeFor(target),
      'Content-Length': targetInfo.size,
      'Cache-Control': 'no-store',
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(target).pipe(response);
  }

  server.on('upgrade', (request, socket: Duplex, head) => {
    const refuse = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!allowedHosts.has(request.headers.host ?? '')) return refuse(421, 'Misdirected Request');
    if (requestTargetUrl(request.url).pathname !== '/api') return refuse(404, 'Not Found');
    if (request.headers.origin !== origin) return refuse(403, 'Forbidden');
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const tokenProtocol = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
    if (!tokenMatches(tokenProtocol?.slice(TOKEN_PROTOCOL_PREFIX.length))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'Binary messages are not accepted');
        return;
      }
      void answer(ws, data.toString());
    });
  });

  async function answer(ws: WebSocket, text: string): Promise<void> {
    const message = parseClientMessage(text);
    if (!message.ok) {
      send(ws, { kind: 'error', id: message.id, error: { code: 'INVALID_INPUT', message: message.reason } });
      return;
    }
    const envelope = await options.dispatch(message.value.method, message.value.input, { transport: 'host' });
    send(ws, { kind: 'result', id: message.value.id, envelope });
  }

  const unsubscribe = options.subscribeEvents((event, payload) => {
    for (const ws of sockets) send(ws, { kind: 'event', event, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  return {
    url: `${origin}/`,
    launchUrl: `${origin}/?token=${token}`,
    origin,
    token,
    port,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
