/**
 * The typed HTTP client for a storage provider (shared/provider/wire.ts), used by the upload
 * engine — and by provider nodes to pull from each other. One undici Agent per client keeps its
 * connections alive across calls; `close()` releases them.
 *
 * Every failure is a ProviderError carrying the provider's URL, the HTTP status (absent when no
 * answer came), the error code (the provider's, or NETWORK / TIMEOUT / BAD_RESPONSE / ABORTED
 * for what went wrong on the way) and a plain message. Responses are checked against the wire
 * schemas: a provider answering something else is a BAD_RESPONSE, not a crash later on.
 */
import { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request } from 'undici';
import type { z } from 'zod';
import type { Quote } from '../../../shared/chain/eip712';
import {
  BATCH_CONTENT_TYPE,
  BatchStoreResponse,
  CommitStatus,
  type CommitRequest,
  encodeBatchHeader,
  MAX_WAIT_MS,
  type PieceRef,
  PieceStatus,
  Ping,
  ProviderFaults,
  PullProgress,
  type PullRequest,
  quoteFromWire,
  QuoteResponse,
  type ReadRequest,
  StoreResult,
  type ProviderErrorCode,
} from '../../../shared/provider/wire';

export type ProviderClientErrorCode = ProviderErrorCode | 'NETWORK' | 'TIMEOUT' | 'BAD_RESPONSE' | 'ABORTED';

export class ProviderError extends Error {
  override name = 'ProviderError';
  constructor(
    readonly providerUrl: string,
    /** The HTTP status, when the provider answered. */
    readonly status: number | undefined,
    readonly code: ProviderClientErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A piece's bytes: in memory, or streamed (a Node Readable is an AsyncIterable). */
export type PieceBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface ProviderQuote {
  cid: string;
  quote: Quote;
  signature: `0x${string}`;
  quoteDigest: `0x${string}`;
}

export interface RetrievedPiece {
  status: 200 | 206;
  /** The whole piece's size. */
  size: number;
  /** The bytes served: [start, end], inclusive. */
  start: number;
  end: number;
  body: Readable;
}

export interface ProviderClientOptions {
  /** The provider's base URL, e.g. http://127.0.0.1:4100 */
  url: string;
  /** How long to wait for an answer to start, and between chunks of a body (default 30 s). */
  timeoutMs?: number;
  /** Most connections kept to this provider (default 8). */
  connections?: number;
}

interface CallOptions {
  signal?: AbortSignal;
}

/** Largest JSON answer read (a wave's quotes are well under 1 MiB); more is a BAD_RESPONSE. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
/** Most of an error answer read to explain it. */
const MAX_ERROR_BYTES = 64 * 1024;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

const bodyOf = (body: PieceBody): Uint8Array | Readable =>
  body instanceof Uint8Array ? body : body instanceof Readable ? body : Readable.from(body);

export class ProviderClient {
  readonly url: string;
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(options: ProviderClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#agent = new Agent({
      connections: options.connections ?? 8,
      keepAliveTimeout: 30_000,
      connectTimeout: Math.min(this.#timeoutMs, 10_000),
    });
  }

  retrievalUrl(cid: string): string {
    return `${this.url}/v1/pieces/${cid}`;
  }

  ping(options?: CallOptions): Promise<Ping> {
    return this.#json('GET', '/v1/ping', Ping, options);
  }

  /** One signed quote per piece, in order, with the integers as bigints for PaymentVault. */
  async quote(payer: string, pieces: readonly PieceRef[], options?: CallOptions): Promise<ProviderQuote[]> {
    const { quotes } = await this.#json('POST', '/v1/quotes', QuoteResponse, {
      ...options,
      json: { payer, pieces },
    });
    if (quotes.length !== pieces.length || quotes.some((quote, i) => quote.cid !== pieces[i]!.cid))
      throw this.#badResponse('/v1/quotes', 'the quotes do not match the pieces asked for');
    return quotes.map((entry) => ({ ...entry, quote: quoteFromWire(entry.quote) }));
  }

  /** Stores one piece; `body` must hold exactly `piece.size` bytes. */
  storePiece(payer: string, piece: PieceRef, body: PieceBody, options?: CallOptions): Promise<StoreResult> {
    const query = new URLSearchParams({ payer, size: String(piece.size) });
    return this.#json('PUT', `/v1/pieces/${encodeURIComponent(piece.cid)}?${query}`, StoreResult, {
      ...options,
      body: bodyOf(body),
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(piece.size) },
    });
  }

  /**
   * Stores many pieces in one request (the batch framing of wire.ts) and returns one result per
   * piece, in order. Each body must hold exactly its declared size; one that does not aborts the
   * request, since the framing would no longer line up.
   */
  async storeBatch(
    payer: string,
    items: readonly (PieceRef & { body: PieceBody })[],
    options?: CallOptions,
  ): Promise<BatchStoreResponse['results']> {
    const header = encodeBatchHeader(items);
    const length = items.reduce((sum, item) => sum + item.size, header.length);
    async function* frame(): AsyncGenerator<Uint8Array> {
      yield header;
      for (const [i, item] of items.entries()) {
        let sent = 0;
        for await (const chunk of item.body instanceof Uint8Array ? [item.body] : item.body) {
          sent += chunk.length;
          if (sent > item.size) break;
          yield chunk;
        }
        if (sent !== item.size)
          throw new Error(
            `batch item ${i} (${item.cid}) has ${sent > item.size ? 'more' : sent} bytes, not ${item.size}`,
          );
      }
    }
    const { results } = await this.#json(
      'POST',
      `/v1/pieces/batch?${new URLSearchParams({ payer })}`,
      BatchStoreResponse,
      {
        ...options,
        body: Readable.from(frame()),
        headers: { 'content-type': BATCH_CONTENT_TYPE, 'content-length': String(length) },
      },
    );
    if (results.length !== items.length)
      throw this.#badResponse('/v1/pieces/batch', `${results.length} results for ${items.length} pieces`);
    return results;
  }

  pieceStatus(cid: string, payer?: string, options?: CallOptions): Promise<PieceStatus> {
    const query = payer ? `?${new URLSearchParams({ payer })}` : '';
    return this.#json('GET', `/v1/pieces/${encodeURIComponent(cid)}/status${query}`, PieceStatus, options);
  }

  pull(pull: PullRequest, options?: CallOptions): Promise<PullProgress> {
    return this.#json('POST', '/v1/pulls', PullProgress, { ...options, json: pull });
  }

  /** A pull's progress; with `waitMs`, a provider answers a running pull when it ends or after waitMs. */
  pullStatus(pullId: string, options?: CallOptions & { waitMs?: number }): Promise<PullProgress> {
    return this.#json(
      'GET',
      `/v1/pulls/${encodeURIComponent(pullId)}${waitQuery(options)}`,
      PullProgress,
      options,
    );
  }

  commit(commit: CommitRequest, options?: CallOptions): Promise<CommitStatus> {
    return this.#json('POST', '/v1/commits', CommitStatus, { ...options, json: commit });
  }

  /** A commit's status; with `waitMs`, a provider answers a pending commit when it settles or after waitMs. */
  commitStatus(commitId: string, options?: CallOptions & { waitMs?: number }): Promise<CommitStatus> {
    return this.#json(
      'GET',
      `/v1/commits/${encodeURIComponent(commitId)}${waitQuery(options)}`,
      CommitStatus,
      options,
    );
  }

  /**
   * A piece's bytes as a stream, whole or `range` (inclusive; `end` defaults to the last byte).
   * The caller verifies them against the CID (shared/pieces/cid.ts PieceVerifier).
   */
  async retrieve(
    cid: string,
    range?: { start: number; end?: number },
    options?: CallOptions,
  ): Promise<RetrievedPiece> {
    const path = `/v1/pieces/${encodeURIComponent(cid)}`;
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end ?? ''}` } : {};
    const response = await this.#send('GET', path, { ...options, headers });
    if (response.statusCode !== 200 && response.statusCode !== 206)
      throw await this.#errorOf('GET', path, response);
    const length = Number(response.headers['content-length']);
    if (response.statusCode === 200)
      return { status: 200, size: length, start: 0, end: length - 1, body: response.body };
    const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''));
    if (!match) {
      discardBody(response.body);
      throw this.#badResponse(path, 'a 206 answer without a valid Content-Range');
    }
    return {
      status: 206,
      start: Number(match[1]),
      end: Number(match[2]),
      size: Number(match[3]),
      body: response.body,
    };
  }

  /**
   * Several whole pieces in one answer (`POST /v1/pieces/read`): their bytes one after another,
   * in the order asked, each as many as the piece holds. Throws ProviderError as `retrieve` does.
   */
  async retrievePieces(cids: readonly string[], options?: CallOptions): Promise<Readable> {
    const path = '/v1/pieces/read';
    const response = await this.#send('POST', path, {
      ...options,
      body: JSON.stringify({ pieces: [...cids] } satisfies ReadRequest),
      headers: { 'content-type': 'application/json' },
    });
    if (response.statusCode !== 200) throw await this.#errorOf('POST', path, response);
    return response.body;
  }

  /** The provider's `/metrics` text (Prometheus format). */
  async metricsText(options?: CallOptions): Promise<string> {
    const response = await this.#send('GET', '/metrics', options ?? {});
    if (response.statusCode !== 200) throw await this.#errorOf('GET', '/metrics', response);
    return response.body.text();
  }

  /** Devnet: the provider's injected faults (needs the admin token it printed at start). */
  getFaults(adminToken: string, options?: CallOptions): Promise<ProviderFaults> {
    return this.#json('GET', '/v1/admin/faults', ProviderFaults, {
      ...options,
      headers: { authorization: `Bearer ${adminToken}` },
    });
  }

  /** Devnet: replaces the provider's injected faults (`{}` clears them). */
  setFaults(adminToken: string, faults: ProviderFaults, options?: CallOptions): Promise<ProviderFaults> {
    return this.#json('PUT', '/v1/admin/faults', ProviderFaults, {
      ...options,
      json: faults,
      headers: { authorization: `Bearer ${adminToken}` },
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }

  /**
   * One request. The timeout counts from when the body has been sent until the answer starts
   * (undici's own timers are only accurate to about a second); reading the answer's body is
   * bounded by undici's body timeout.
   */
  async #send(
    method: string,
    path: string,
    options: CallOptions & { body?: Uint8Array | Readable | string; headers?: Record<string, string> },
  ) {
    const timeout = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    };
    if (options.body instanceof Readable) options.body.once('end', arm);
    else arm();
    try {
      return await request(`${this.url}${path}`, {
        method: method as 'GET',
        dispatcher: this.#agent,
        headers: options.headers,
        body: options.body,
        signal: options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (error) {
      throw this.#transportError(method, path, error, timeout.signal.aborted && !options.signal?.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  async #json<T extends z.ZodType>(
    method: string,
    path: string,
    schema: T,
    options: CallOptions & {
      json?: unknown;
      body?: Uint8Array | Readable;
      headers?: Record<string, string>;
    } = {},
  ): Promise<z.output<T>> {
    const { json, ...rest } = options;
    const response = await this.#send(
      method,
      path,
      json === undefined
        ? rest
        : {
            ...rest,
            body: JSON.stringify(json),
            headers: { ...rest.headers, 'content-type': 'application/json' },
          },
    );
    if (response.statusCode >= 400) throw await this.#errorOf(method, path, response);
    let text: string | null;
    try {
      text = await readAtMost(response, MAX_JSON_BYTES);
    } catch (error) {
      throw this.#transportError(method, path, error);
    }
    if (text === null) throw this.#badResponse(path, `an answer larger than ${MAX_JSON_BYTES} bytes`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.#badResponse(path, `not JSON: ${JSON.stringify(text.slice(0, 100))}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw this.#badResponse(
        path,
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
    return parsed.data;
  }

  async #errorOf(
    method: string,
    path: string,
    response: Awaited<ReturnType<typeof request>>,
  ): Promise<ProviderError> {
    const text = (await readAtMost(response, MAX_ERROR_BYTES).catch(() => '')) ?? '';
    const status = response.statusCode;
    try {
      const { error } = JSON.parse(text) as {
        error: { code: string; message: string; details?: Record<string, unknown> };
      };
      if (typeof error.code === 'string' && typeof error.message === 'string')
        return new ProviderError(
          this.url,
          status,
          error.code as ProviderErrorCode,
          `provider ${this.url} refused ${method} ${shortPath(path)} (${status} ${error.code}): ${error.message}`,
          error.details,
        );
    } catch {
      // Not our error format: fall through.
    }
    return new ProviderError(
      this.url,
      status,
      'BAD_RESPONSE',
      `provider ${this.url} answered ${method} ${shortPath(path)} with HTTP ${status}: ${text.slice(0, 200) || 'no body'}`,
    );
  }

  #badResponse(path: string, problem: string): ProviderError {
    return new ProviderError(
      this.url,
      undefined,
      'BAD_RESPONSE',
      `provider ${this.url} answered ${shortPath(path)} with something unexpected: ${problem}`,
    );
  }

  #transportError(method: string, path: string, error: unknown, timedOut = false): ProviderError {
    if (error instanceof ProviderError) return error;
    const what = `${method} ${shortPath(path)} to provider ${this.url}`;
    const fail = (code: ProviderClientErrorCode, message: string) =>
      new ProviderError(this.url, undefined, code, message, undefined, { cause: error });
    if (timedOut || TIMEOUT_CODES.has((error as { code?: string }).code ?? ''))
      return fail('TIMEOUT', `${what} timed out after ${this.#timeoutMs} ms`);
    if (error instanceof undiciErrors.RequestAbortedError || (error as Error).name === 'AbortError')
      return fail('ABORTED', `${what} was cancelled`);
    return fail('NETWORK', `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const waitQuery = (options?: { waitMs?: number }) =>
  options?.waitMs ? `?${new URLSearchParams({ waitMs: String(Math.min(options.waitMs, MAX_WAIT_MS)) })}` : '';

/**
 * Stops reading a response body. undici reports a destroyed body as an 'error' event (request
 * aborted); with nobody listening that would be an uncaught exception in the main process.
 */
export function discardBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/**
 * A response body as text, or null when it is (or says it is) longer than `limit`: a provider
 * cannot make the client buffer an endless answer.
 */
async function readAtMost(
  response: Awaited<ReturnType<typeof request>>,
  limit: number,
): Promise<string | null> {
  if (Number(response.headers['content-length']) > limit) {
    discardBody(response.body);
    return null;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      discardBody(response.body);
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The path without its query (payer, size), shortened: enough to say which call failed. */
const shortPath = (path: string) => {
  const bare = path.split('?')[0]!;
  return bare.length > 100 ? `${bare.slice(0, 100)}…` : bare;
};
