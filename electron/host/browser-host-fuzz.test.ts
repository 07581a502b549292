/**
 * Hostile input on the browser host's gates, with fixed fast-check seeds: near-miss and random
 * tokens (401), foreign and look-alike Origins (403), foreign Host names (421, against DNS
 * rebinding), traversal paths for its static files, and the loopback-only binding. A secret file
 * sits beside the served folder: no path may ever read it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TOKEN_PROTOCOL_PREFIX } from '../../shared/api/host-protocol';
import { hostilePath } from '../../shared/test-support/hostile-paths';
import { createDispatcher } from '../core/api/dispatcher';
import { resolveAssetPath } from '../security/static-assets';
import { demoContract, demoHandlers } from '../test-support/demo-contract';
import { startBrowserHost, type BrowserHost } from './browser-host';

const FC_SEED = 424_2026;
const SECRET = 'coffer-secret-marker-7c1e';

let host: BrowserHost;
let tempDir: string;
let staticDir: string;

beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-host-fuzz-'));
  staticDir = path.join(tempDir, 'renderer');
  await mkdir(path.join(staticDir, 'assets'), { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(tempDir, 'secret.txt'), SECRET);
  await writeFile(path.join(tempDir, 'renderer-secret.txt'), SECRET);
  host = await startBrowserHost({
    dispatch: createDispatcher(demoContract, demoHandlers),
    subscribeEvents: () => () => {},
    staticDir,
  });
});
afterAll(async () => {
  await host?.close();
  await rm(tempDir, { recursive: true, force: true });
});

/** The HTTP status of a WebSocket handshake (101 when it opened). */
function handshake(options: {
  token?: string;
  origin?: string;
  hostHeader?: string;
  target?: string;
}): Promise<number> {
  const ws = new WebSocket(
    `ws://127.0.0.1:${host.port}${options.target ?? '/api'}`,
    [`${TOKEN_PROTOCOL_PREFIX}${options.token ?? host.token}`],
    {
      origin: options.origin ?? host.origin,
      headers: options.hostHeader ? { host: options.hostHeader } : {},
    },
  );
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

/** A GET sent byte for byte as given (fetch would normalise the path and set its own Host). */
function rawGet(rawPath: string, hostHeader?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        path: rawPath,
        headers: hostHeader === undefined ? {} : { host: hostHeader },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

/** The status of a WebSocket upgrade request sent with `target` exactly as given. */
function rawUpgrade(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: '127.0.0.1',
      port: host.port,
      path: target,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        origin: host.origin,
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': `${TOKEN_PROTOCOL_PREFIX}${host.token}`,
      },
    });
    request.on('response', (response) => resolve(response.statusCode ?? 0));
    request.on('upgrade', () => resolve(101));
    request.on('error', reject);
    request.end();
  });
}

/** Printed once per property: what was tried and how many got through that should not have. */
function report(what: string, tried: number, wrong: number): void {
  console.log(`${what}: ${tried} inputs tried (seed ${FC_SEED}), ${wrong} accepted wrongly`);
}

const base64url = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
);

describe('browser host gates', () => {
  it('the right token, Origin and Host open the socket (the oracle the rest is measured against)', async () => {
    expect(await handshake({})).toBe(101);
    expect(await handshake({ hostHeader: `localhost:${host.port}` })).toBe(101);
  });

  it('property: any other token is refused with 401', async () => {
    const token = host.token;
    const nearMiss = fc.oneof(
      // One character changed.
      fc
        .tuple(fc.nat(token.length - 1), base64url)
        .map(([at, c]) => token.slice(0, at) + c + token.slice(at + 1)),
      fc.nat(token.length - 1).map((n) => token.slice(0, n)),
      fc.string({ unit: base64url, minLength: 1, maxLength: 4 }).map((extra) => token + extra),
      fc.constant(token.toUpperCase()),
      fc.string({ unit: base64url, minLength: token.length, maxLength: token.length }),
      fc.string({ unit: base64url, maxLength: 80 }),
    );
    const samples = fc.sample(nearMiss, { seed: FC_SEED, numRuns: 80 }).filter((t) => t !== token);
    let wrong = 0;
    for (const candidate of samples) if ((await handshake({ token: candidate })) !== 401) wrong++;
    report('host tokens', samples.length, wrong);
    expect(wrong).toBe(0);
  });

  it('property: any other Origin is refused with 403', async () => {
    const { port } = host;
    const lookAlikes = [
      `http://localhost:${port}`,
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port}/`,
      `http://127.0.0.1`,
      `http://127.0.0.1:${port + 1}`,
      `http://127.0.0.1.evil.example:${port}`,
      `http://[::1]:${port}`,
      `http://0.0.0.0:${port}`,
      `http://2130706433:${port}`,
      'null',
      'file://',
      `HTTP://127.0.0.1:${port}`,
    ];
    const origins = fc.oneof(
      fc.constantFrom(...lookAlikes),
      fc.webUrl().map((url) => new URL(url).origin),
      fc.tuple(fc.domain(), fc.integer({ min: 1, max: 65535 })).map(([d, p]) => `http://${d}:${p}`),
    );
    const samples = fc.sample(origins, { seed: FC_SEED, numRuns: 80 }).filter((o) => o !== host.origin);
    let wrong = 0;
    for (const origin of samples) if ((await handshake({ origin })) !== 403) wrong++;
    report('host Origins', samples.length, wrong);
    expect(wrong).toBe(0);
  });

  it('property: a foreign Host name is refused with 421, for pages and for the socket', async () => {
    const { port } = host;
    const hosts = fc.oneof(
      fc.domain(),
      fc.domain().map((d) => `${d}:${port}`),
      fc.constantFrom(
        `127.0.0.1.evil.example:${port}`,
        `127.0.0.1:${port + 1}`,
        `evil.example`,
        `localhost.evil.example:${port}`,
        `[::1]:${port}`,
      ),
    );
    const samples = fc.sample(hosts, { seed: FC_SEED, numRuns: 60 });
    let wrong = 0;
    for (const name of samples) {
      if ((await rawGet('/', name)).status !== 421) wrong++;
      if ((await handshake({ hostHeader: name })) !== 421) wrong++;
    }
    report('host Host names', samples.length * 2, wrong);
    expect(wrong).toBe(0);
  });

  it('answers 404 to an upgrade whose target is not a plain path, and stays up', async () => {
    // `//%5c/api` made `new URL(target, base)` throw inside the upgrade listener: a crash.
    for (const target of ['//%5c/api', '//evil.example/api', '//[/api'])
      expect(await rawUpgrade(target), target).toBe(404);
    expect(await handshake({})).toBe(101);
  });

  it('listens on loopback only', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((address) => address && address.family === 'IPv4' && !address.internal)
      .map((address) => address!.address);
    if (external.length === 0) {
      console.log(
        'loopback check: this machine has no non-loopback IPv4 address to try; bound address checked only',
      );
    }
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    for (const address of external) {
      const answer = await new Promise<string>((resolve) => {
        const request = http.get({ host: address, port: host.port, path: '/', timeout: 2000 }, (response) => {
          response.resume();
          resolve(`HTTP ${response.statusCode}`);
        });
        request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        request.on('timeout', () => request.destroy(new Error('timeout')));
      });
      expect(answer, address).toBe('ECONNREFUSED');
    }
  });
});

const traversalPath = hostilePath(['assets', 'secret.txt', 'renderer-secret.txt', 'index.html']);

describe('static file paths', () => {
  it('property: resolveAssetPath maps a path inside the folder or refuses it', () => {
    const root = path.resolve(staticDir);
    let tried = 0;
    let escaped = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          traversalPath,
          fc.string({ maxLength: 40 }).map((s) => `/${s}`),
        ),
        (urlPath) => {
          tried++;
          const resolved = resolveAssetPath(root, urlPath);
          // The folder itself is inside (it is no file, so it serves nothing).
          const inside = resolved === null || resolved === root || resolved.startsWith(root + path.sep);
          if (!inside) escaped++;
          return inside;
        },
      ),
      { seed: FC_SEED, numRuns: 2000 },
    );
    report('asset paths (resolver)', tried, escaped);
  });

  it('property: no path served by the host reads a file outside its folder', async () => {
    const samples = fc.sample(traversalPath, { seed: FC_SEED, numRuns: 300 });
    let leaked = 0;
    const statuses = new Map<number, number>();
    for (const rawPath of samples) {
      const { status, body } = await rawGet(rawPath);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (body.includes(SECRET)) leaked++;
    }
    report('asset paths (host)', samples.length, leaked);
    console.log(`  statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(leaked).toBe(0);
    // The generator does reach real files too, so the secret's absence means something.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect((await rawGet('/assets/app.js')).status).toBe(200);
  });
});
