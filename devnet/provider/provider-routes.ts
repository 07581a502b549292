/**
 * The provider node's HTTP API (shared/provider/wire.ts) as a node:http request listener: routes,
 * parameter checks (CIDs, payers, sizes — nothing from a URL reaches the disk unparsed), the
 * store, batch-store, retrieval, quote, pull, commit, status, metrics and admin handlers, the
 * request metrics and the latency fault.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CID } from 'multiformats/cid';
import { Address } from '../../shared/network-manifest';
import { parsePieceCid, PieceCidError, pieceDigestOf, PieceVerifyError } from '../../shared/pieces/cid';
import {
  BATCH_CONTENT_TYPE,
  BATCH_LENGTH_PREFIX_BYTES,
  BatchHeader,
  type BatchItemResult,
  CommitRequest,
  MAX_BATCH_HEADER_BYTES,
  MAX_WAIT_MS,
  type Ping,
  ProviderFaults,
  PullRequest,
  QuoteRequest,
  ReadRequest,
} from '../../shared/provider/wire';
import { isLoopback } from '../note-server/http-io';
import { ByteReader, StreamEndedError } from './byte-reader';
import type { CommitService } from './commit-service';
import type { PieceFiles } from './piece-files';
import type { PieceHoldings } from './piece-holdings';
import type { Hex, ProviderDb } from './provider-db';
import type { FaultSwitches } from './provider-faults';
import { describeIssues, discardBody, HttpError, injected, readJson, sendJson } from './provider-http';
import type { ProviderMetrics, ProviderRoute } from './provider-metrics';
import type { PullService } from './pull-service';
import { signQuotes, type QuoteTerms } from './quote-signer';
import { rangeToServe, type ServeFault, streamBody, streamPieces } from './retrieval';
import { requestTargetUrl } from '../../electron/core/http/request-target';

export const PROVIDER_VERSION = 'coffer-devnet-provider/1';
/** Largest JSON request body (quotes, pulls, commits, admin). */
const MAX_JSON_BYTES = 1024 * 1024;

export interface ProviderLimits {
  maxPieceBytes: number;
  maxBatchCount: number;
  maxBatchBytes: number;
}

export interface RouteDeps {
  db: ProviderDb;
  files: PieceFiles;
  holdings: PieceHoldings;
  faults: FaultSwitches;
  metrics: ProviderMetrics;
  pulls: PullService;
  commits: CommitService;
  quoteTerms: QuoteTerms;
  limits: ProviderLimits;
  batch: boolean;
  ping: () => Ping;
  /** Sees payments mined a moment ago before a store decides between parked and cached. */
  seePayments: () => Promise<void>;
  metricsText: () => string;
  /** Replaces the injected faults (and lets held pieces move on once parking is no longer stalled). */
  setFaults: (faults: ProviderFaults) => void;
  adminToken: string;
  log: (line: string) => void;
}

interface Route {
  name: ProviderRoute;
  methods: string[];
  param?: string;
}

function matchRoute(method: string | undefined, pathname: string): Route {
  const fixed: Record<string, Route> = {
    '/v1/ping': { name: 'ping', methods: ['GET'] },
    '/v1/quotes': { name: 'quotes', methods: ['POST'] },
    '/v1/pieces/batch': { name: 'store_batch', methods: ['POST'] },
    '/v1/pieces/read': { name: 'retrieve_batch', methods: ['POST'] },
    '/v1/pulls': { name: 'pull', methods: ['POST'] },
    '/v1/commits': { name: 'commit', methods: ['POST'] },
    '/metrics': { name: 'metrics', methods: ['GET'] },
    '/v1/admin/faults': { name: 'admin', methods: ['GET', 'PUT'] },
  };
  if (fixed[pathname]) return fixed[pathname];
  const piece = /^\/v1\/pieces\/([^/]+)(\/status)?$/.exec(pathname);
  if (piece?.[2]) return { name: 'piece_status', methods: ['GET'], param: piece[1] };
  if (piece)
    return {
      name: method === 'PUT' ? 'store' : 'retrieve',
      methods: ['GET', 'HEAD', 'PUT'],
      param: piece[1],
    };
  const item = /^\/v1\/(pulls|commits)\/([^/]+)$/.exec(pathname);
  if (item)
    return { name: item[1] === 'pulls' ? 'pull_status' : 'commit_status', methods: ['GET'], param: item[2] };
  return { name: 'unknown', methods: [] };
}

/** Routes whose timing is never slowed by the latency fault, so observing a node never perturbs it. */
const UNDELAYED: ReadonlySet<ProviderRoute> = new Set(['metrics', 'admin']);

function parseCid(text: string, what: string): CID {
  try {
    return parsePieceCid(text);
  } catch (error) {
    if (!(error instanceof PieceCidError)) throw error;
    throw new HttpError(400, 'INVALID_CID', `${what}: ${error.message}`);
  }
}

/** A CID from a URL path segment, percent-decoded first. */
function cidParam(segment: string | undefined): CID {
  let text: string;
  try {
    text = decodeURIComponent(segment ?? '');
  } catch {
    throw new HttpError(400, 'INVALID_CID', 'piece CID: it is not valid percent-encoding');
  }
  return parseCid(text, 'piece CID');
}

function payerParam(url: URL, required: true): Hex;
function payerParam(url: URL, required: false): Hex | undefined;
function payerParam(url: URL, required: boolean): Hex | undefined {
  const text = url.searchParams.get('payer');
  if (text === null) {
    if (required) throw new HttpError(400, 'BAD_REQUEST', 'payer is missing (?payer=0x…)');
    return undefined;
  }
  if (!Address.safeParse(text).success)
    throw new HttpError(
      400,
      'BAD_REQUEST',
      `payer ${JSON.stringify(text.slice(0, 60))} is not a 0x-prefixed 20-byte address`,
    );
  return text.toLowerCase() as Hex;
}

function sizeParam(url: URL): number {
  const text = url.searchParams.get('size');
  if (text === null) throw new HttpError(400, 'BAD_REQUEST', 'size is missing (?size=<bytes>)');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new HttpError(400, 'BAD_REQUEST', `size ${JSON.stringify(text.slice(0, 30))} is not a byte count`);
  return Number(text);
}

/** `?waitMs=`: how long a status request may wait for a change (0 when absent). */
function waitParam(url: URL): number {
  const text = url.searchParams.get('waitMs');
  if (text === null) return 0;
  if (!/^[0-9]{1,6}$/.test(text) || Number(text) > MAX_WAIT_MS)
    throw new HttpError(
      400,
      'BAD_REQUEST',
      `waitMs ${JSON.stringify(text.slice(0, 30))} is not a number of milliseconds up to ${MAX_WAIT_MS}`,
    );
  return Number(text);
}

/** What went wrong receiving a piece's bytes, as the error to answer. */
function receiveError(error: unknown, cid: CID, inBatch: boolean): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof PieceVerifyError) {
    if (error.failure === 'cid-mismatch') return new HttpError(400, 'CID_MISMATCH', error.message);
    if (error.failure === 'too-short' && inBatch)
      return new HttpError(400, 'TRUNCATED', `the batch body ended inside piece ${cid}: ${error.message}`);
    return new HttpError(400, 'SIZE_MISMATCH', error.message);
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC')
    return new HttpError(507, 'OUT_OF_SPACE', `the provider ran out of disk space storing ${cid}`);
  if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || (error as Error).message === 'aborted')
    return new HttpError(400, 'TRUNCATED', `the request was cut off while piece ${cid} was arriving`);
  throw error;
}

export function createProviderHandler(deps: RouteDeps) {
  const { db, files, holdings, faults, metrics, limits } = deps;

  async function* counted(req: IncomingMessage): AsyncGenerator<Uint8Array> {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      metrics.bytesIn(chunk.length);
      yield chunk;
    }
  }

  function reply(res: ServerResponse, status: number, value: unknown): void {
    metrics.bytesOut(sendJson(res, status, value));
  }

  async function store(req: IncomingMessage, res: ServerResponse, url: URL, param: string | undefined) {
    const cid = cidParam(param);
    const payer = payerParam(url, true);
    const size = sizeParam(url);
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limits.maxPieceBytes)
      throw new HttpError(
        413,
        'BODY_TOO_LARGE',
        `the body of ${declared} bytes exceeds the ${limits.maxPieceBytes}-byte piece limit`,
      );
    if (declared !== undefined && Number(declared) !== size)
      throw new HttpError(400, 'SIZE_MISMATCH', `the body is ${declared} bytes but size says ${size}`);
    await deps.seePayments();
    const admission = holdings.admit(payer, cid, size);
    let received;
    try {
      received = await files.receive(counted(req), cid, size);
    } catch (error) {
      holdings.abandon(admission);
      throw receiveError(error, cid, false);
    }
    reply(res, 200, await holdings.keep(admission, received, 'single'));
  }

  async function storeBatch(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!deps.batch)
      throw new HttpError(
        501,
        'BATCH_UNSUPPORTED',
        'this provider does not take batch stores; store pieces one by one (PUT /v1/pieces/:cid)',
      );
    const type = req.headers['content-type'];
    if (type !== undefined && type.split(';')[0]!.trim() !== BATCH_CONTENT_TYPE)
      throw new HttpError(400, 'BAD_FRAMING', `a batch body is ${BATCH_CONTENT_TYPE}, not ${type}`);
    const payer = payerParam(url, true);
    const bound = limits.maxBatchBytes + MAX_BATCH_HEADER_BYTES + BATCH_LENGTH_PREFIX_BYTES;
    if (Number(req.headers['content-length'] ?? 0) > bound)
      throw new HttpError(413, 'BATCH_TOO_LARGE', `a batch body may be at most ${bound} bytes`);
    const reader = new ByteReader(counted(req));
    const framing = (problem: string) => new HttpError(400, 'BAD_FRAMING', `batch framing: ${problem}`);
    let header: BatchHeader['pieces'];
    try {
      const prefix = await reader.readExact(BATCH_LENGTH_PREFIX_BYTES);
      const length = new DataView(prefix.buffer, prefix.byteOffset).getUint32(0, false);
      if (length === 0 || length > MAX_BATCH_HEADER_BYTES)
        throw framing(`the header length ${length} is not within 1..${MAX_BATCH_HEADER_BYTES}`);
      const json = JSON.parse(Buffer.from(await reader.readExact(length)).toString('utf8')) as unknown;
      const parsed = BatchHeader.safeParse(json);
      if (!parsed.success)
        throw framing(`the header is not {"pieces":[{cid,size}…]}: ${describeIssues(parsed.error)}`);
      header = parsed.data.pieces;
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (error instanceof StreamEndedError)
        throw framing(`the body ended inside the header (${error.message})`);
      throw framing('the header is not valid JSON');
    }
    const total = header.reduce((sum, item) => sum + item.size, 0);
    if (header.length > limits.maxBatchCount)
      throw new HttpError(
        413,
        'BATCH_TOO_LARGE',
        `a batch may hold at most ${limits.maxBatchCount} pieces, not ${header.length}`,
      );
    if (total > limits.maxBatchBytes)
      throw new HttpError(
        413,
        'BATCH_TOO_LARGE',
        `a batch may hold at most ${limits.maxBatchBytes} bytes, not ${total}`,
      );
    metrics.batch(header.length, total);
    await deps.seePayments();

    const results: BatchItemResult[] = [];
    const failed = (cid: string, error: HttpError): BatchItemResult => {
      metrics.error(error.code);
      return { ok: false, cid, error: error.body.error };
    };
    // Each piece that arrived whole is made durable while the next ones stream in (with whatever
    // else is arriving: group-commit.ts); the answer waits for all of them.
    const kept: Promise<void>[] = [];
    try {
      for (const item of header) {
        const startedAt = reader.bytesRead;
        const skipRest = async () => {
          for await (const _ of reader.take(item.size - (reader.bytesRead - startedAt)));
        };
        let cid: CID;
        let admission;
        try {
          cid = parseCid(item.cid, `piece ${JSON.stringify(item.cid.slice(0, 70))}`);
          admission = holdings.admit(payer, cid, item.size);
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          results.push(failed(item.cid, error));
          await skipRest();
          continue;
        }
        let received;
        try {
          received = await files.receive(reader.take(item.size), cid, item.size);
        } catch (error) {
          holdings.abandon(admission);
          results.push(failed(item.cid, receiveError(error, cid, true)));
          await skipRest();
          continue;
        }
        const index = results.length++;
        kept.push(
          holdings.keep(admission, received, 'batch').then(
            (stored) => void (results[index] = { ok: true, ...stored }),
            (error: unknown) => void (results[index] = failed(item.cid, receiveError(error, cid, true))),
          ),
        );
      }
    } finally {
      await Promise.all(kept);
    }
    if (!(await reader.atEnd()))
      throw new HttpError(
        400,
        'BAD_FRAMING',
        'batch framing: bytes follow the last piece the header declares',
        {
          results,
        },
      );
    reply(res, 200, { results });
  }

  async function retrieve(req: IncomingMessage, res: ServerResponse, param: string | undefined) {
    const cid = cidParam(param);
    const digest = pieceDigestOf(cid);
    const size = db.pieceSize(digest);
    if (size === undefined || !holdings.isHeld(digest))
      throw new HttpError(404, 'UNKNOWN_PIECE', `this provider does not hold piece ${cid}`);
    const text = cid.toString();
    const { range, partial } = rangeToServe(req.headers.range, size);
    const length = size === 0 ? 0 : range.end - range.start + 1;
    res.writeHead(partial ? 206 : 200, {
      'content-type': 'application/octet-stream',
      'content-length': length,
      'accept-ranges': 'bytes',
      etag: `"${text}"`,
      ...(partial && { 'content-range': `bytes ${range.start}-${range.end}/${size}` }),
    });
    if (length === 0 || req.method === 'HEAD') return void res.end();
    metrics.bytesOut(
      await streamBody(res, files.read(digest, range.start, range.end), length, serveFault(text)),
    );
  }

  /** The fault a read of piece `cid` is served with, if any. */
  function serveFault(cid: string): ServeFault {
    if (faults.firesFor('truncateServedBytes', cid)) return 'truncate';
    return faults.firesFor('corruptServedBytes', cid) ? 'corrupt' : undefined;
  }

  /** Several whole pieces in one answer, one after another (a pull reads a run of them so). */
  async function retrieveBatch(req: IncomingMessage, res: ServerResponse) {
    const { pieces } = await readJson(counted(req), req, ReadRequest, MAX_JSON_BYTES, 'read request');
    if (pieces.length > limits.maxBatchCount)
      throw new HttpError(
        413,
        'BATCH_TOO_LARGE',
        `at most ${limits.maxBatchCount} pieces per read request, not ${pieces.length}`,
      );
    const held = pieces.map((text, i) => {
      const cid = parseCid(text, `piece ${i}`);
      const digest = pieceDigestOf(cid);
      const size = db.pieceSize(digest);
      if (size === undefined || !holdings.isHeld(digest))
        throw new HttpError(404, 'UNKNOWN_PIECE', `this provider does not hold piece ${cid}`);
      return { text: cid.toString(), digest, size };
    });
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': held.reduce((sum, piece) => sum + piece.size, 0),
    });
    const served = held.map(({ text, digest, size }) => ({
      open: () => (size === 0 ? Readable.from([]) : files.read(digest, 0, size - 1)),
      length: size,
      fault: size === 0 ? undefined : serveFault(text),
    }));
    metrics.bytesOut(await streamPieces(res, served));
  }

  function admin(req: IncomingMessage) {
    if (!isLoopback(req.socket.remoteAddress))
      throw new HttpError(403, 'FORBIDDEN', 'the admin endpoint answers loopback clients only');
    if (req.headers.authorization !== `Bearer ${deps.adminToken}`)
      throw new HttpError(
        403,
        'FORBIDDEN',
        'the admin endpoint needs "Authorization: Bearer <admin token>" (printed when the provider started)',
      );
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, route: Route): Promise<void> {
    if (route.name === 'unknown')
      throw new HttpError(404, 'NOT_FOUND', `no route ${req.method} ${url.pathname.slice(0, 100)}`);
    if (!route.methods.includes(req.method ?? '')) {
      res.setHeader('allow', route.methods.join(', '));
      throw new HttpError(
        405,
        'METHOD_NOT_ALLOWED',
        `${url.pathname.slice(0, 100)} accepts ${route.methods.join(', ')}`,
      );
    }
    if (!UNDELAYED.has(route.name) && faults.latencyMs > 0) {
      faults.countFired();
      await sleep(faults.latencyMs);
    }
    switch (route.name) {
      case 'ping':
        if (faults.fires('failPing')) throw injected(503, 'UNAVAILABLE', 'the provider is down (ping)');
        return reply(res, 200, deps.ping());
      case 'quotes': {
        const { payer, pieces } = await readJson(
          counted(req),
          req,
          QuoteRequest,
          MAX_JSON_BYTES,
          'quote request',
        );
        if (pieces.length > limits.maxBatchCount)
          throw new HttpError(
            413,
            'BATCH_TOO_LARGE',
            `at most ${limits.maxBatchCount} pieces per quote request, not ${pieces.length}`,
          );
        const tooLarge = pieces.find((piece) => piece.size > limits.maxPieceBytes);
        if (tooLarge)
          throw new HttpError(
            413,
            'PIECE_TOO_LARGE',
            `piece ${tooLarge.cid} is ${tooLarge.size} bytes; the limit is ${limits.maxPieceBytes}`,
          );
        const quotes = await signQuotes(deps.quoteTerms, db, payer.toLowerCase() as Hex, pieces);
        return reply(res, 200, { quotes });
      }
      case 'store':
        return store(req, res, url, route.param);
      case 'retrieve':
        return retrieve(req, res, route.param);
      case 'retrieve_batch':
        return retrieveBatch(req, res);
      case 'store_batch':
        return storeBatch(req, res, url);
      case 'piece_status':
        return reply(res, 200, holdings.status(cidParam(route.param), payerParam(url, false)));
      case 'pull': {
        const request = await readJson(counted(req), req, PullRequest, MAX_JSON_BYTES, 'pull request');
        return reply(res, 202, await deps.pulls.start(request));
      }
      case 'pull_status':
        return reply(res, 200, await deps.pulls.status(route.param!, waitParam(url)));
      case 'commit': {
        const request = await readJson(counted(req), req, CommitRequest, MAX_JSON_BYTES, 'commit request');
        const status = await deps.commits.submit(request);
        return reply(res, status.status === 'pending' ? 202 : 200, status);
      }
      case 'commit_status':
        return reply(res, 200, await deps.commits.status(route.param!, waitParam(url)));
      case 'metrics': {
        const body = Buffer.from(deps.metricsText());
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': body.length });
        res.end(body);
        return metrics.bytesOut(body.length);
      }
      case 'admin':
        admin(req);
        if (req.method === 'PUT')
          deps.setFaults(await readJson(counted(req), req, ProviderFaults, MAX_JSON_BYTES, 'faults'));
        return reply(res, 200, faults.current);
    }
  }

  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const url = requestTargetUrl(req.url);
    const route = matchRoute(req.method, url.pathname);
    res.once('close', () =>
      metrics.request(route.name, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9),
    );
    handle(req, res, url, route).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const httpError =
        error instanceof HttpError
          ? error
          : new HttpError(
              500,
              'INTERNAL',
              `internal error: ${error instanceof Error ? error.message : String(error)}`,
            );
      if (httpError.status === 500)
        deps.log(`${req.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`);
      metrics.error(httpError.code);
      discardBody(req, res, limits.maxPieceBytes);
      reply(res, httpError.status, httpError.body);
    });
  };
}
