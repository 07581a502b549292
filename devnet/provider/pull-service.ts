/**
 * Provider-to-provider pulls: fetches pieces from another provider's retrieval URL for a payer who
 * authorised it with their AddPieces signature for this provider, and holds them like any store
 * (parked if paid, else cached). Each piece is admitted (quoted here, room for it) before it is
 * fetched, verified against its CID while it streams and kept only if it is whole and right: a
 * source that sends wrong bytes, too few, too many or too slowly fails that piece, and nothing of
 * it is kept. Pieces are made durable in groups (PieceHoldings.keep), never reported held before.
 * Progress is per piece, live in memory while running, saved now and then and at the end, so a
 * finished pull can be asked about after a restart (an interrupted one reads as failed).
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CID } from 'multiformats/cid';
import type { z } from 'zod';
import { ProviderClient, ProviderError } from '../../electron/core/providers/provider-client';
import { parsePieceCid, pieceDigestOf, PieceVerifyError } from '../../shared/pieces/cid';
import type { ErrorInfo, PullProgress, PullRequest } from '../../shared/provider/wire';
import { type AuthorizationContext, checkAddPieces } from './authorization';
import type { Admission, PieceHoldings } from './piece-holdings';
import { ByteReader } from './byte-reader';
import type { PieceFiles, ReceivedPiece } from './piece-files';
import type { Hex, ProviderDb } from './provider-db';
import type { FaultSwitches } from './provider-faults';
import { HttpError, injected, settledWithin } from './provider-http';
import type { ProviderMetrics } from './provider-metrics';

type ParsedPull = z.output<typeof PullRequest>;

/** How often a running pull's progress is saved. */
const PROGRESS_SAVE_MS = 1_000;
/** Pieces a fetcher reads from the source with one request. */
const RUN_PIECES = 16;
type PullItem = PullProgress['pieces'][number];

export interface PullServiceDeps {
  db: ProviderDb;
  holdings: PieceHoldings;
  files: PieceFiles;
  faults: FaultSwitches;
  metrics: ProviderMetrics;
  authorization: AuthorizationContext;
  /** Longest a source may take to deliver one piece. */
  pieceTimeoutMs: number;
  /** Requests to the source at once per pull. */
  concurrency: number;
  maxCount: number;
  /** Sees payments mined a moment ago, so pieces already paid are parked, not cached. */
  seePayments: () => Promise<void>;
  log: (line: string) => void;
}

export class PullService {
  readonly #running = new Map<string, PullProgress>();
  /** Running pulls' tasks, by pull id. */
  readonly #tasks = new Map<string, Promise<void>>();
  readonly #stop = new AbortController();
  /** Running pulls whose progress is due to be saved. */
  readonly #unsaved = new Map<PullProgress, NodeJS.Timeout>();

  constructor(private readonly deps: PullServiceDeps) {
    // Pulls a previous run was doing when it stopped will not finish: say so.
    for (const progress of deps.db.runningPulls()) {
      for (const item of progress.pieces)
        if (item.state === 'pending' || item.state === 'fetching')
          Object.assign(item, { state: 'failed', error: interrupted() });
      deps.db.savePull({ ...progress, state: 'failed', updatedAt: Date.now() });
    }
  }

  async start(request: ParsedPull): Promise<PullProgress> {
    const { faults, maxCount } = this.deps;
    if (faults.fires('failPull')) throw injected(503, 'UNAVAILABLE', 'the provider refuses to pull');
    if (request.pieces.length > maxCount)
      throw new HttpError(
        413,
        'BATCH_TOO_LARGE',
        `a pull may ask for at most ${maxCount} pieces, not ${request.pieces.length}`,
      );
    const cids = request.pieces.map((piece) => piece.cid);
    if (new Set(cids).size !== cids.length)
      throw new HttpError(400, 'BAD_REQUEST', 'pieces lists a piece more than once');
    const payer = request.payer.toLowerCase() as Hex;
    const digests = cids.map((cid) => pieceDigestOf(parsePieceCid(cid)));
    await checkAddPieces(
      this.deps.authorization,
      payer,
      request.clientDataSetId,
      request.authorization,
      digests,
    );

    const now = Date.now();
    const progress: PullProgress = {
      pullId: randomBytes(16).toString('hex'),
      state: 'running',
      sourceUrl: request.sourceUrl,
      payer,
      pieces: request.pieces.map(({ cid, size }) => ({ cid, size, state: 'pending', bytes: 0 })),
      createdAt: now,
      updatedAt: now,
    };
    this.deps.db.savePull(progress);
    this.deps.metrics.pull('started');
    this.#running.set(progress.pullId, progress);
    const task = this.#run(progress).finally(() => {
      this.#running.delete(progress.pullId);
      this.#tasks.delete(progress.pullId);
    });
    this.#tasks.set(progress.pullId, task);
    return structuredClone(progress);
  }

  /** A pull's progress; a running one after it ends or `waitMs`, whichever comes first. */
  async status(pullId: string, waitMs = 0): Promise<PullProgress> {
    const task = this.#tasks.get(pullId);
    if (task && waitMs > 0) await settledWithin(task, waitMs);
    const progress =
      this.#running.get(pullId) ?? (/^[0-9a-f]{32}$/.test(pullId) ? this.deps.db.pull(pullId) : undefined);
    if (!progress)
      throw new HttpError(404, 'UNKNOWN_PULL', `no pull ${JSON.stringify(pullId.slice(0, 40))} here`);
    return structuredClone(progress);
  }

  /** Cancels every running pull (their pieces in flight fail as interrupted) and waits for them. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#tasks.values());
    for (const timer of this.#unsaved.values()) clearTimeout(timer);
    this.#unsaved.clear();
  }

  async #run(progress: PullProgress): Promise<void> {
    const source = new ProviderClient({ url: progress.sourceUrl, timeoutMs: this.deps.pieceTimeoutMs });
    try {
      await this.deps.seePayments();
      let next = 0;
      const keeping: Promise<void>[] = [];
      const runs = Math.ceil(progress.pieces.length / RUN_PIECES);
      const worker = async () => {
        while (next < progress.pieces.length) {
          const run = progress.pieces.slice(next, next + RUN_PIECES);
          next += run.length;
          await this.#fetchRun(progress, run, source, keeping);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.deps.concurrency, runs) }, worker));
      // The pull ends once every piece it fetched is durable (or has failed).
      await Promise.all(keeping);
    } finally {
      await source.close();
    }
    const failed = progress.pieces.filter((item) => item.state === 'failed').length;
    progress.state = failed > 0 ? 'failed' : 'complete';
    progress.updatedAt = Date.now();
    this.deps.db.savePull(progress);
    this.deps.metrics.pull(progress.state);
    if (failed > 0)
      this.deps.log(
        `pull ${progress.pullId} from ${progress.sourceUrl}: ${failed} of ${progress.pieces.length} pieces failed`,
      );
  }

  /**
   * Fetches a run of pieces with one request (`retrievePieces`), each verified and handed over as
   * `#fetch` does. A request per piece was costly for both providers (measured side by side on a
   * 1 GiB two-copy upload: 9.5 s and 12.2 CPU-s of the devnet's, against 8.5 s and 10.3 CPU-s
   * with runs of sixteen). At the first thing that goes wrong — a source without batch reads, a
   * piece it does not hold, bytes that do not verify, an answer cut off, too slow — the rest of the
   * run is fetched piece by piece, where each failure is told apart and named.
   */
  async #fetchRun(
    progress: PullProgress,
    run: PullItem[],
    source: ProviderClient,
    keeping: Promise<void>[],
  ): Promise<void> {
    const { holdings, files, pieceTimeoutMs } = this.deps;
    // Admitted first, so nothing is fetched for a piece this provider would refuse.
    const admitted: { item: PullItem; cid: CID; admission: Admission }[] = [];
    for (const item of run) {
      try {
        const cid = parsePieceCid(item.cid);
        admitted.push({ item, cid, admission: holdings.admit(progress.payer, cid, item.size) });
      } catch {
        // Refused: fetched (and refused, named) piece by piece.
      }
    }
    let done = 0;
    if (admitted.length > 1) {
      const timeout = AbortSignal.timeout(pieceTimeoutMs * admitted.length);
      const signal = AbortSignal.any([this.#stop.signal, timeout]);
      let body: Readable | undefined;
      try {
        body = await source.retrievePieces(
          admitted.map(({ item }) => item.cid),
          { signal },
        );
        const reader = new ByteReader(body);
        for (const { item, cid, admission } of admitted) {
          item.state = 'fetching';
          const received = await files.receive(reader.take(item.size), cid, item.size, (n) =>
            this.#arrived(item, n),
          );
          if (signal.aborted) {
            await files.discard(received);
            break;
          }
          this.#keep(progress, item, admission, received, keeping);
          done++;
        }
        // Read to its end, so the connection can serve the next request (more bytes: dropped).
        if (done === admitted.length && !(await reader.atEnd())) body.destroy();
      } catch {
        // The rest goes piece by piece, below.
      } finally {
        if (done < admitted.length) body?.destroy();
      }
    }
    for (const { admission } of admitted.slice(done)) holdings.abandon(admission);
    const kept = new Set(admitted.slice(0, done).map(({ item }) => item));
    for (const item of run) {
      if (kept.has(item)) continue;
      item.bytes = 0;
      await this.#fetch(progress, item, source, keeping);
    }
  }

  /**
   * Fetches and verifies one piece, then hands it to be made durable (`keeping`) and returns: the
   * fetcher goes on to its next piece while this one's fsync waits for its group, and the piece
   * counts as held only once that is done.
   */
  async #fetch(
    progress: PullProgress,
    item: PullItem,
    source: ProviderClient,
    keeping: Promise<void>[],
  ): Promise<void> {
    const { holdings, files, pieceTimeoutMs } = this.deps;
    const timeout = AbortSignal.timeout(pieceTimeoutMs);
    const signal = AbortSignal.any([this.#stop.signal, timeout]);
    let admission: Admission | undefined;
    let answered = false;
    item.state = 'fetching';
    try {
      const cid = parsePieceCid(item.cid);
      admission = holdings.admit(progress.payer, cid, item.size);
      const piece = await source.retrieve(item.cid, undefined, { signal });
      answered = true;
      const received = await files.receive(piece.body, cid, item.size, (n) => this.#arrived(item, n));
      if (signal.aborted) {
        await files.discard(received);
        throw signal.reason;
      }
      this.#keep(progress, item, admission, received, keeping);
      admission = undefined;
      return;
    } catch (error) {
      if (admission) holdings.abandon(admission);
      this.#fail(progress, item, error, timeout.aborted, answered);
    }
    this.#touched(progress);
  }

  #arrived(item: PullItem, bytes: number): void {
    item.bytes += bytes;
    this.deps.metrics.bytesIn(bytes);
  }

  /** Held once durable, together with the other pieces arriving meanwhile (`keeping` waits for it). */
  #keep(
    progress: PullProgress,
    item: PullItem,
    admission: Admission,
    received: ReceivedPiece,
    keeping: Promise<void>[],
  ): void {
    keeping.push(
      this.deps.holdings
        .keep(admission, received, 'pull')
        .then(
          (result) => void (item.state = result.status),
          (error: unknown) => this.#fail(progress, item, error, false, true),
        )
        .then(() => this.#touched(progress)),
    );
  }

  #fail(progress: PullProgress, item: PullItem, error: unknown, timedOut: boolean, answered: boolean): void {
    item.state = 'failed';
    item.error = this.#classify(error, item, progress.sourceUrl, timedOut, answered);
  }

  #touched(progress: PullProgress): void {
    progress.updatedAt = Date.now();
    this.#saveSoon(progress);
  }

  /**
   * Saves a running pull's progress now and then (its end is always saved): the holdings are what
   * counts, this is what a restarted provider can tell about a pull it was running.
   */
  #saveSoon(progress: PullProgress): void {
    if (this.#unsaved.has(progress)) return;
    this.#unsaved.set(
      progress,
      setTimeout(() => {
        this.#unsaved.delete(progress);
        if (progress.state === 'running') this.deps.db.savePull(progress);
      }, PROGRESS_SAVE_MS),
    );
  }

  /** `answered`: the source had started answering, so a broken stream means a cut-off body. */
  #classify(
    error: unknown,
    item: PullItem,
    sourceUrl: string,
    timedOut: boolean,
    answered: boolean,
  ): ErrorInfo {
    const from = `source ${sourceUrl}`;
    if (error instanceof HttpError) return error.body.error;
    if (error instanceof PieceVerifyError) {
      if (error.failure === 'cid-mismatch')
        return {
          code: 'CID_MISMATCH',
          message: `${from} sent bytes that do not match ${item.cid}; nothing was kept`,
        };
      if (error.failure === 'too-short')
        return {
          code: 'TRUNCATED',
          message: `${from} sent only ${item.bytes} of the ${item.size} bytes of ${item.cid}`,
        };
      return {
        code: 'SIZE_MISMATCH',
        message: `${from} sent more than the ${item.size} bytes of ${item.cid}`,
      };
    }
    if (timedOut || (error instanceof ProviderError && error.code === 'TIMEOUT'))
      return {
        code: 'TIMEOUT',
        message: `${from} did not deliver ${item.cid} within ${this.deps.pieceTimeoutMs} ms (${item.bytes} of ${item.size} bytes came)`,
      };
    if (this.#stop.signal.aborted) return interrupted();
    if (error instanceof ProviderError && error.status !== undefined)
      return { code: 'SOURCE_FAILED', message: `${from} could not serve ${item.cid}: ${error.message}` };
    if (answered && item.bytes < item.size)
      return {
        code: 'TRUNCATED',
        message: `${from} broke off after ${item.bytes} of the ${item.size} bytes of ${item.cid}`,
      };
    return {
      code: 'SOURCE_FAILED',
      message: `${from} could not serve ${item.cid}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

const interrupted = (): ErrorInfo => ({
  code: 'INTERRUPTED',
  message: 'the provider stopped before this piece was fetched',
});
