/**
 * The sync engine's HTTP client for the note server (shared/notes/wire.ts). Each worker owns one,
 * for a whole run: one keep-alive undici Agent, so the connections warm once and serve every batch.
 *
 * Reads are all-or-nothing: a batch's compact parts come back as one buffer in index order — one
 * range request, or per-note requests under the shared request budget whose out-of-order answers
 * are written into place by index — or the read fails. The first failure cancels every request
 * still in flight for that read and starts no new one (abort-on-first-error), so a failing node is
 * not drained before the error surfaces.
 *
 * Transient failures (503/502/504/429, a reset or refused connection, a timeout) are retried a
 * bounded number of times with exponential backoff, honouring Retry-After up to the cap. While a
 * request is backing off, this client sends nothing else: the retry goes first as a probe, and
 * the others wait for it to succeed. Everything else fails at once: other statuses, and responses
 * that break the wire format (wrong length, wrong range headers, records that do not decode) —
 * retrying those could only hide a broken or hostile server.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import {
  COMPACT_BYTES,
  decodeCompactRecords,
  decodePayloadRecords,
  NOTE_FORMAT_VERSION,
  NoteFormatError,
  PAYLOAD_BYTES,
} from '../../../shared/notes/format';
import {
  NoteServerErrorBody,
  NoteServerInfo,
  RANGE_COUNT_HEADER,
  RANGE_START_HEADER,
} from '../../../shared/notes/wire';
import type { RequestBudget } from './request-budget';
import { SyncError } from './sync-error';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 2000 };

/** How a run reads notes, decided once from the server's `/v1/info`. */
export type ReadMode = { range: true; maxRangeCount: number; maxPayloadBatch: number } | { range: false };

export function readModeOf(info: NoteServerInfo): ReadMode {
  const { range, maxRangeCount, maxPayloadBatch } = info.capabilities;
  return range && maxRangeCount > 0 && maxPayloadBatch > 0
    ? { range: true, maxRangeCount, maxPayloadBatch }
    : { range: false };
}

export interface NoteClientOptions {
  baseUrl: string;
  retry?: RetryPolicy;
  /** Bounds per-note reads; required for servers without range reads. */
  budget?: RequestBudget;
  /**
   * Most connections the agent opens (default 1). Requests beyond it wait for a free connection,
   * so a run's connections stay a known, small number however many requests it makes.
   */
  maxConnections?: number;
}

const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const REQUEST_TIMEOUT_MS = 30_000;
/** Longest URL shown in an error: a payload batch lists up to 256 indices. */
const URL_SHOWN = 160;

/** An error of one attempt, with what the retry logic needs to know about it. */
class AttemptError extends SyncError {
  constructor(
    info: ConstructorParameters<typeof SyncError>[0],
    readonly transient: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(info);
  }
}

const shortUrl = (url: string) => (url.length > URL_SHOWN ? `${url.slice(0, URL_SHOWN)}…` : url);

function malformed(url: string, problem: string): SyncError {
  return new SyncError({
    kind: 'malformed',
    url,
    message: `malformed response from the note server for ${shortUrl(url)}: ${problem}`,
  });
}

function cancelled(): SyncError {
  return new SyncError({ kind: 'cancelled', message: 'cancelled' });
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

async function describeErrorBody(body: { text(): Promise<string> }): Promise<string> {
  const text = await body.text().catch(() => '');
  try {
    const { error } = NoteServerErrorBody.parse(JSON.parse(text));
    return `${error.code}: ${error.message}`;
  } catch {
    return text.slice(0, 200) || 'no details';
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Resolves with `promise`, or rejects as cancelled when `signal` aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Body bytes received and requests sent (retries included) for one caller, e.g. one batch. */
export interface Tally {
  bytes: number;
  requests: number;
}

export const newTally = (): Tally => ({ bytes: 0, requests: 0 });

export class NoteClient {
  readonly baseUrl: string;
  readonly #agent: Agent;
  readonly #retry: RetryPolicy;
  readonly #budget: RequestBudget | undefined;
  /** Set while a transient failure is being retried: everything else waits for the probe. */
  #pause: ReturnType<typeof deferred> | null = null;

  constructor(options: NoteClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#agent = new Agent({
      connections: options.maxConnections ?? 1,
      keepAliveTimeout: 30_000,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
      connectTimeout: 10_000,
    });
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#budget = options.budget;
  }

  async info(
    signal: AbortSignal = new AbortController().signal,
    tally = newTally(),
  ): Promise<NoteServerInfo> {
    const url = `${this.baseUrl}/v1/info`;
    const { body } = await this.#get(url, signal, tally);
    let parsed: NoteServerInfo;
    try {
      parsed = NoteServerInfo.parse(JSON.parse(Buffer.from(body).toString('utf8')));
    } catch (error) {
      throw malformed(url, `not a note server description (${(error as Error).message.slice(0, 200)})`);
    }
    if (parsed.noteFormatVersion !== NOTE_FORMAT_VERSION)
      throw malformed(
        url,
        `the server serves note format version ${parsed.noteFormatVersion}; this Coffer reads version ${NOTE_FORMAT_VERSION}`,
      );
    return parsed;
  }

  /** The compact parts of notes [start, start + count), concatenated in index order. */
  async compacts(
    start: number,
    count: number,
    mode: ReadMode,
    signal: AbortSignal,
    tally = newTally(),
  ): Promise<Uint8Array> {
    const out = new Uint8Array(count * COMPACT_BYTES);
    if (mode.range) {
      const chunks = Math.ceil(count / mode.maxRangeCount);
      await this.#all(chunks, null, signal, async (chunk, chunkSignal) => {
        const from = chunk * mode.maxRangeCount;
        const n = Math.min(mode.maxRangeCount, count - from);
        const url = `${this.baseUrl}/v1/compact?start=${start + from}&count=${n}`;
        const { body, headers } = await this.#get(url, chunkSignal, tally);
        if (
          Number(headers[RANGE_START_HEADER] ?? start + from) !== start + from ||
          Number(headers[RANGE_COUNT_HEADER] ?? n) !== n
        )
          throw malformed(
            url,
            `asked for [${start + from}, ${start + from + n}), the server says it sent ${headers[RANGE_COUNT_HEADER]} notes from ${headers[RANGE_START_HEADER]}`,
          );
        checkRecords(url, () => decodeCompactRecords(body, n));
        out.set(body, from * COMPACT_BYTES);
      });
    } else {
      await this.#all(count, this.#requireBudget(), signal, async (i, noteSignal) => {
        const url = `${this.baseUrl}/v1/notes/${start + i}/compact`;
        const { body } = await this.#get(url, noteSignal, tally);
        checkRecords(url, () => decodeCompactRecords(body, 1));
        out.set(body, i * COMPACT_BYTES);
      });
    }
    return out;
  }

  /** The payloads of `indices`, concatenated in the order given. */
  async payloads(
    indices: readonly number[],
    mode: ReadMode,
    signal: AbortSignal,
    tally = newTally(),
  ): Promise<Uint8Array> {
    const out = new Uint8Array(indices.length * PAYLOAD_BYTES);
    if (mode.range) {
      const chunks = Math.ceil(indices.length / mode.maxPayloadBatch);
      await this.#all(chunks, null, signal, async (chunk, chunkSignal) => {
        const from = chunk * mode.maxPayloadBatch;
        const slice = indices.slice(from, from + mode.maxPayloadBatch);
        const url = `${this.baseUrl}/v1/payloads?indices=${slice.join(',')}`;
        const { body } = await this.#get(url, chunkSignal, tally);
        checkRecords(url, () => decodePayloadRecords(body, slice.length));
        out.set(body, from * PAYLOAD_BYTES);
      });
    } else {
      await this.#all(indices.length, this.#requireBudget(), signal, async (i, noteSignal) => {
        const url = `${this.baseUrl}/v1/notes/${indices[i]}/payload`;
        const { body } = await this.#get(url, noteSignal, tally);
        checkRecords(url, () => decodePayloadRecords(body, 1));
        out.set(body, i * PAYLOAD_BYTES);
      });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  #requireBudget(): RequestBudget {
    if (!this.#budget) throw new Error('per-note reads need a request budget');
    return this.#budget;
  }

  /**
   * Runs `task(0…n−1)`, at most `budget` at a time (all at once without one), stopping at the
   * first failure: the tasks still running are aborted, no further task starts, and that first
   * error is thrown once they have all settled.
   */
  async #all(
    n: number,
    budget: RequestBudget | null,
    signal: AbortSignal,
    task: (i: number, signal: AbortSignal) => Promise<void>,
  ): Promise<void> {
    const controller = new AbortController();
    // Every waiting request listens on it (up to the 128 of the hard cap): not a leak.
    setMaxListeners(0, controller.signal);
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    let failure: { error: unknown } | undefined;
    const running = new Set<Promise<void>>();
    try {
      for (let i = 0; i < n && !failure && !controller.signal.aborted; i++) {
        if (budget) {
          try {
            await budget.acquire(controller.signal);
          } catch {
            break;
          }
        }
        const run: Promise<void> = task(i, controller.signal)
          .catch((error: unknown) => {
            failure ??= { error };
            controller.abort();
          })
          .finally(() => {
            budget?.release();
            running.delete(run);
          });
        running.add(run);
      }
      await Promise.all(running);
    } finally {
      signal.removeEventListener('abort', abort);
    }
    if (failure) throw failure.error;
    if (signal.aborted) throw cancelled();
  }

  /** One GET with the retry policy: the body of a 200 answer, or a SyncError. */
  async #get(url: string, signal: AbortSignal, tally: Tally) {
    let probe = false;
    for (let attempt = 0; ; attempt++) {
      while (!probe && this.#pause) await untilAborted(this.#pause.promise, signal);
      try {
        const result = await this.#attempt(url, signal, tally);
        if (probe) this.#resume();
        return result;
      } catch (error) {
        const retry =
          error instanceof AttemptError &&
          error.transient &&
          attempt < this.#retry.retries &&
          !signal.aborted;
        if (!retry) {
          if (probe) this.#resume();
          throw error instanceof AttemptError ? new SyncError(error.toInfo()) : error;
        }
        if (!this.#pause) {
          this.#pause = deferred();
          probe = true;
        }
        if (probe) {
          const backoff = Math.min(
            this.#retry.maxDelayMs,
            Math.max(this.#retry.baseDelayMs * 2 ** attempt, error.retryAfterMs ?? 0),
          );
          try {
            await sleep(backoff * (0.75 + Math.random() / 2), undefined, { signal });
          } catch {
            this.#resume();
            throw cancelled();
          }
        }
      }
    }
  }

  #resume(): void {
    this.#pause?.resolve();
    this.#pause = null;
  }

  async #attempt(url: string, signal: AbortSignal, tally: Tally) {
    if (signal.aborted) throw cancelled();
    tally.requests++;
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, { dispatcher: this.#agent, signal });
    } catch (error) {
      throw connectionError(url, error, signal);
    }
    if (response.statusCode !== 200) {
      const details = await describeErrorBody(response.body);
      throw new AttemptError(
        {
          kind: 'http',
          status: response.statusCode,
          url,
          message: `the note server answered HTTP ${response.statusCode} (${details}) for GET ${shortUrl(url)}`,
        },
        TRANSIENT_STATUSES.has(response.statusCode),
        retryAfterMs(response.headers['retry-after']),
      );
    }
    let body: Uint8Array;
    try {
      body = new Uint8Array(await response.body.arrayBuffer());
    } catch (error) {
      throw connectionError(url, error, signal);
    }
    tally.bytes += body.length;
    return { body, headers: response.headers };
  }
}

function connectionError(url: string, error: unknown, signal: AbortSignal): Error {
  if (signal.aborted) return cancelled();
  const code = (error as { code?: string }).code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  return new AttemptError(
    {
      kind: 'network',
      url,
      message: `the connection to the note server failed (${code || 'error'}: ${detail}) for GET ${shortUrl(url)}`,
    },
    TRANSIENT_CODES.has(code),
  );
}

function checkRecords(url: string, decode: () => unknown): void {
  try {
    decode();
  } catch (error) {
    if (error instanceof NoteFormatError) throw malformed(url, error.message);
    throw error;
  }
}
