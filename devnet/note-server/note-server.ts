/**
 * The devnet note server (the "rollup node"): the HTTP API of shared/notes/wire.ts over an
 * SQLite-backed append-only log, on 127.0.0.1. Per-request latency and injected faults make it
 * behave like a distant or failing node for tests and benchmarks; `setFaults`, `setLatency` and
 * the loopback-only `POST /v1/admin` change them while it runs.
 *
 * Latency applies to every API route except the observability and admin ones, so counting
 * requests never perturbs what is being measured.
 */
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import {
  NOTE_BYTES,
  NOTE_FORMAT_VERSION,
  NoteFormatError,
  COMPACT_BYTES,
  PAYLOAD_BYTES,
} from '../../shared/notes/format';
import {
  MAX_PAYLOAD_BATCH,
  MAX_PUBLISH_BATCH,
  MAX_RANGE_COUNT,
  NOTE_SERVER_API_VERSION,
  PayloadsRequest,
  RANGE_COUNT_HEADER,
  RANGE_START_HEADER,
  TREE_SIZE_HEADER,
  type NoteServerInfo,
  type NoteServerRoute,
  type NoteServerStats,
} from '../../shared/notes/wire';
import { FaultController, FaultRules, type FaultRule, type Touched } from './faults';
import { HttpError, isLoopback, readBody, send, sendError, sendJson } from './http-io';
import { NoteStore, type AppendResult } from './note-store';
import { RequestStats, renderPrometheus } from './request-stats';
import { requestTargetUrl } from '../../electron/core/http/request-target';

export interface NoteServerOptions {
  /** Where the SQLite log lives; a fresh temporary folder (removed on stop) when absent. */
  dataDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Delay before answering each API request, e.g. 40 to mimic a distant node. */
  latencyMs?: number;
  faults?: FaultRule[];
  /** Range reads (`/v1/compact`, `/v1/payloads`); false makes them answer 501. Default true. */
  range?: boolean;
}

export interface NoteServer {
  url: string;
  port: number;
  dataDir: string;
  /** Appends encoded notes directly, as `POST /v1/notes/batch` does (for tests and tools in-process). */
  publish(notes: Uint8Array): AppendResult;
  setFaults(rules: FaultRule[]): void;
  setLatency(ms: number): void;
  stats(): NoteServerStats;
  resetStats(): void;
  stop(): Promise<void>;
}

const AdminRequest = z
  .object({
    faults: FaultRules.optional(),
    latencyMs: z.number().int().nonnegative().optional(),
    resetStats: z.boolean().optional(),
  })
  .strict();

const UNTIMED_ROUTES: ReadonlySet<NoteServerRoute> = new Set(['stats', 'metrics', 'admin']);

interface Route {
  name: NoteServerRoute;
  method: 'GET' | 'POST' | 'GET or POST';
  params: string[];
}

function matchRoute(pathname: string): Route {
  const note = /^\/v1\/notes\/([^/]+)(?:\/(compact|payload))?$/.exec(pathname);
  if (note) {
    const name = note[2] === 'compact' ? 'note_compact' : note[2] === 'payload' ? 'note_payload' : 'note';
    if (note[1] === 'batch') return { name: 'publish_batch', method: 'POST', params: [] };
    return { name, method: 'GET', params: [note[1]!] };
  }
  const fixed: Record<string, Omit<Route, 'params'>> = {
    '/v1/info': { name: 'info', method: 'GET' },
    '/v1/notes': { name: 'publish', method: 'POST' },
    '/v1/compact': { name: 'compact_range', method: 'GET' },
    '/v1/payloads': { name: 'payloads', method: 'GET or POST' },
    '/v1/stats': { name: 'stats', method: 'GET' },
    '/metrics': { name: 'metrics', method: 'GET' },
    '/v1/admin': { name: 'admin', method: 'POST' },
  };
  const route = fixed[pathname];
  return route ? { ...route, params: [] } : { name: 'unknown', method: 'GET', params: [] };
}

function parseIndex(text: string | null | undefined, what: string): number {
  if (text === null || text === undefined || text === '')
    throw new HttpError(400, 'bad_request', `${what} is missing`);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new HttpError(
      400,
      'bad_request',
      `${what} must be a non-negative integer, got '${text.slice(0, 40)}'`,
    );
  return Number(text);
}

export async function startNoteServer(options: NoteServerOptions = {}): Promise<NoteServer> {
  const ownsDataDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'coffer-notes-'));
  const store = new NoteStore(path.join(dataDir, 'notes.sqlite'));
  const faults = new FaultController(options.faults ?? []);
  const stats = new RequestStats();
  const rangeEnabled = options.range ?? true;
  let latencyMs = options.latencyMs ?? 0;

  const snapshotStats = () => stats.snapshot({ faultsInjected: faults.injected, treeSize: store.size });

  function info(): NoteServerInfo {
    return {
      apiVersion: NOTE_SERVER_API_VERSION,
      noteFormatVersion: NOTE_FORMAT_VERSION,
      treeSize: store.size,
      root: store.root,
      capabilities: {
        range: rangeEnabled,
        maxRangeCount: MAX_RANGE_COUNT,
        maxPayloadBatch: MAX_PAYLOAD_BATCH,
        maxPublishBatch: MAX_PUBLISH_BATCH,
      },
      sizes: { compact: COMPACT_BYTES, payload: PAYLOAD_BYTES, note: NOTE_BYTES },
    };
  }

  function checkIndex(index: number): void {
    if (index >= store.size)
      throw new HttpError(404, 'index_out_of_range', `index ${index} is beyond the tree size ${store.size}`);
  }

  function requireRange(): void {
    if (!rangeEnabled)
      throw new HttpError(
        501,
        'range_unsupported',
        'this note server does not serve range reads; read note by note',
      );
  }

  function parsePayloadIndices(list: unknown[]): number[] {
    if (list.length === 0) throw new HttpError(400, 'bad_request', 'indices: at least one index is required');
    if (list.length > MAX_PAYLOAD_BATCH)
      throw new HttpError(
        400,
        'range_too_large',
        `indices: ${list.length} asked, at most ${MAX_PAYLOAD_BATCH} per request`,
      );
    const indices = list.map((item, i) => parseIndex(String(item), `indices[${i}]`));
    const seen = new Set<number>();
    for (const index of indices) {
      if (seen.has(index)) throw new HttpError(400, 'bad_request', `indices: ${index} is listed twice`);
      seen.add(index);
      checkIndex(index);
    }
    return indices;
  }

  /** Answers a binary read, after the fault rules have had their say. */
  async function sendRead(
    res: ServerResponse,
    touched: Touched,
    body: Uint8Array,
    headers: Record<string, string | number> = {},
  ): Promise<void> {
    const decision = faults.decide(touched);
    if (decision.delayMs > 0) await sleep(decision.delayMs);
    const first = 'indices' in touched ? touched.indices[0] : touched.start;
    const allHeaders = {
      'content-type': 'application/octet-stream',
      [TREE_SIZE_HEADER]: store.size,
      ...headers,
    };
    switch (decision.outcome) {
      case 'unavailable':
        throw new HttpError(
          503,
          'unavailable',
          `injected fault: note server unavailable (read from index ${first})`,
          {
            'retry-after': '1',
          },
        );
      case 'truncate-body':
        return send(res, stats, 200, body.subarray(0, Math.floor(body.length / 2)), allHeaders);
      case 'truncate-connection': {
        const half = body.subarray(0, Math.floor(body.length / 2));
        res.writeHead(200, { ...allHeaders, 'content-length': body.length });
        res.write(half, () => res.destroy());
        stats.response(200, half.length);
        return;
      }
      case 'garbage':
        return send(res, stats, 200, randomFillSync(new Uint8Array(body.length)), allHeaders);
      default:
        return send(res, stats, 200, body, allHeaders);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, route: Route): Promise<void> {
    const allowed = route.method === 'GET or POST' ? ['GET', 'POST'] : [route.method];
    if (route.name === 'unknown')
      throw new HttpError(404, 'not_found', `no route ${req.method} ${url.pathname}`);
    if (!allowed.includes(req.method ?? ''))
      throw new HttpError(405, 'method_not_allowed', `${url.pathname} accepts ${allowed.join(', ')}`, {
        allow: allowed.join(', '),
      });
    if (!UNTIMED_ROUTES.has(route.name) && latencyMs > 0) await sleep(latencyMs);

    switch (route.name) {
      case 'info':
        return sendJson(res, stats, 200, info());
      case 'note':
      case 'note_compact':
      case 'note_payload': {
        const index = parseIndex(route.params[0], 'note index');
        checkIndex(index);
        const body =
          route.name === 'note'
            ? store.note(index)
            : route.name === 'note_compact'
              ? store.compact(index)
              : store.payload(index);
        const part = route.name === 'note' ? 'note' : route.name === 'note_compact' ? 'compact' : 'payload';
        return sendRead(res, { start: index, count: 1, part }, body!);
      }
      case 'compact_range': {
        requireRange();
        const start = parseIndex(url.searchParams.get('start'), 'start');
        const count = parseIndex(url.searchParams.get('count'), 'count');
        if (count < 1) throw new HttpError(400, 'bad_request', 'count must be at least 1');
        if (count > MAX_RANGE_COUNT)
          throw new HttpError(
            400,
            'range_too_large',
            `count ${count} exceeds the maximum range of ${MAX_RANGE_COUNT}`,
          );
        if (start + count > store.size)
          throw new HttpError(
            404,
            'index_out_of_range',
            `range [${start}, ${start + count}) goes beyond the tree size ${store.size}`,
          );
        return sendRead(res, { start, count, part: 'compact' }, store.compactRange(start, count), {
          [RANGE_START_HEADER]: start,
          [RANGE_COUNT_HEADER]: count,
        });
      }
      case 'payloads': {
        requireRange();
        let list: unknown[];
        if (req.method === 'POST') {
          const parsed = PayloadsRequest.safeParse(parseJson(await readBody(req, 64 * 1024)));
          if (!parsed.success)
            throw new HttpError(
              400,
              'bad_request',
              `expected {"indices": [non-negative integers]}: ${parsed.error.message}`,
            );
          list = parsed.data.indices;
        } else {
          const text = url.searchParams.get('indices');
          if (!text) throw new HttpError(400, 'bad_request', 'indices is missing (e.g. ?indices=3,17,42)');
          list = text.split(',');
        }
        const indices = parsePayloadIndices(list);
        const body = Buffer.concat(indices.map((index) => store.payload(index)!));
        return sendRead(res, { indices, part: 'payload' }, body, { [RANGE_COUNT_HEADER]: indices.length });
      }
      case 'publish':
      case 'publish_batch': {
        const limit = route.name === 'publish' ? NOTE_BYTES : MAX_PUBLISH_BATCH * NOTE_BYTES;
        const body = await readBody(req, limit);
        if (route.name === 'publish' && body.length !== NOTE_BYTES)
          throw new HttpError(
            400,
            'invalid_note',
            `expected one note of ${NOTE_BYTES} bytes, got ${body.length}`,
          );
        try {
          return sendJson(res, stats, 200, store.append(body));
        } catch (error) {
          if (error instanceof NoteFormatError) throw new HttpError(400, 'invalid_note', error.message);
          throw error;
        }
      }
      case 'stats':
        return sendJson(res, stats, 200, snapshotStats());
      case 'metrics':
        return send(res, stats, 200, renderPrometheus(snapshotStats()), {
          'content-type': 'text/plain; version=0.0.4',
        });
      case 'admin': {
        if (!isLoopback(req.socket.remoteAddress))
          throw new HttpError(403, 'forbidden', 'the admin endpoint answers loopback clients only');
        const parsed = AdminRequest.safeParse(parseJson(await readBody(req, 64 * 1024)));
        if (!parsed.success)
          throw new HttpError(400, 'bad_request', `admin request: ${parsed.error.message}`);
        if (parsed.data.faults) faults.set(parsed.data.faults);
        if (parsed.data.latencyMs !== undefined) latencyMs = parsed.data.latencyMs;
        if (parsed.data.resetStats) stats.reset();
        return sendJson(res, stats, 200, { ok: true });
      }
    }
  }

  const server = createServer((req, res) => {
    const url = requestTargetUrl(req.url);
    const route = matchRoute(url.pathname);
    stats.request(route.name);
    handle(req, res, url, route).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const httpError =
        error instanceof HttpError
          ? error
          : new HttpError(
              500,
              'internal',
              `internal error: ${error instanceof Error ? error.message : String(error)}`,
            );
      sendError(res, stats, httpError);
    });
  });
  server.on('connection', () => stats.connection());
  // Sync clients keep one connection per worker for a whole run; let idle gaps between batches
  // pass without a reconnect.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    publish: (notes) => store.append(notes),
    setFaults: (rules) => faults.set(rules),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    stats: snapshotStats,
    resetStats: () => stats.reset(),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      store.close();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'request body is not valid JSON');
  }
}
