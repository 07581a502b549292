/**
 * One pass of a sync over the run's worker pool (sync-engine.ts runs one per snapshot of the tree
 * size): the batches still to scan and the tag hits pending, handed to the workers, each result
 * checkpointed through the engine's callbacks as soon as it arrives.
 *
 * Batches go out one per worker per round, least loaded first (so a small pass uses every
 * worker), up to `depth` in flight per worker: 1 by default (pipeline-depth.ts). With `prefetch`
 * and that depth of 1, a worker that has a batch in flight is also promised the next one in the
 * queue, whose compact parts it fetches while it decrypts the first (sync-worker-api.ts), and it
 * is given that batch next (deeper pipelines overlap fetches and decryption by themselves). So a
 * batch's round trip is mostly off the critical path, while at most one batch per worker is ever
 * decrypted and not yet checkpointed: a crash redoes at most one batch per worker, and reads again
 * at most one more range per worker (the one prefetched). Without `prefetch`, a worker's fetches
 * never overlap its decryption, and a crash reads again at most one range per worker.
 *
 * Payloads of pending tag hits are fetched apart from the batches, one request at a time
 * (`resolveLimit` hits at most), across batches. While batches are still being scanned, a request
 * waits until it is full or its oldest hit has waited RESOLVE_WAIT_MS, so a long sync makes few
 * payload requests and few extra transactions; at the end of the pass, on a stop, or for hits
 * left by an earlier run, it goes at once.
 *
 * The pass ends when every batch is checkpointed (on a stop: those in flight) and no tag hit is
 * pending. The first failure — of a scan, a payload fetch or a checkpoint — stops the dispatch,
 * cancels everything in flight (workers that do not answer in time are terminated) and rejects
 * the pass; results that complete meanwhile are still checkpointed, since their work is sound.
 */
import type { Remote } from 'comlink';
import { performance } from 'node:perf_hooks';
import type { PlannedBatch } from './batch-plan';
import type { PipelineDepth } from './pipeline-depth';
import { asSyncError, SyncError } from './sync-error';
import type { BatchResult, ResolveResult, SyncWorkerApi, WorkerReply } from './sync-worker-api';
import type { TagHit } from './trial-decrypt';
import { CANCEL_GRACE_MS, type RunPool, type Slot } from './worker-pool';

/** How long a pending tag hit may wait for others to share its payload request. */
const RESOLVE_WAIT_MS = 500;

export interface PassPlan {
  batches: PlannedBatch[];
  /** Tag hits left pending by an earlier run. */
  pending: TagHit[];
  /** Batches in flight per worker. */
  depth: PipelineDepth;
  /** Whether a worker fetches its next batch while it decrypts the one before. */
  prefetch: boolean;
  /** Most tag hits one payload request settles. */
  resolveLimit: number;
}

/** The engine's side of a pass; a callback that throws fails the pass. */
export interface PassCallbacks {
  dispatched(batch: PlannedBatch, worker: number): void;
  /** The worker at `worker` was told to fetch `batch` ahead, and will scan it next. */
  prefetched(batch: PlannedBatch, worker: number): void;
  /** The batch's checkpoint. */
  scanned(batch: PlannedBatch, result: BatchResult, worker: number): void;
  /** The checkpoint of a payload fetch that settled `hits`. */
  resolved(hits: TagHit[], result: ResolveResult): void;
}

/** A batch being scanned by the worker at `worker` in the pool. */
interface ScanJob {
  slot: Slot;
  worker: number;
  batch: PlannedBatch;
}

/** Pending tag hits being resolved by the worker in `slot`. */
interface ResolveJob {
  slot: Slot;
  hits: TagHit[];
}

export function runPass(
  pool: RunPool,
  plan: PassPlan,
  callbacks: PassCallbacks,
  stopSignal: AbortSignal,
): Promise<void> {
  const { depth, resolveLimit } = plan;
  const queue = [...plan.batches];
  /** The batch each worker was told to prefetch, which it scans next. */
  const promised = new Map<Slot, PlannedBatch>();
  /** Pending tag hits not yet handed to a worker, oldest first. */
  const unresolved = [...plan.pending];
  /** Since when the oldest of them waits (hits left by an earlier run have waited long enough). */
  let waitingSince = -Infinity;
  const inFlight = new Map<number, ScanJob | ResolveJob>();
  let resolving = false;
  let nextId = 0;
  let nextResolver = 0;
  let failure: SyncError | null = null;
  let graceTimer: NodeJS.Timeout | undefined;

  return new Promise<void>((resolve, reject) => {
    const settle = () => {
      if (inFlight.size > 0) return;
      clearTimeout(graceTimer);
      if (failure) reject(failure);
      else resolve();
    };
    const fail = (error: SyncError) => {
      if (failure) return;
      failure = error;
      for (const [id, { slot }] of inFlight) void slot.worker.call((api) => api.cancel(id)).catch(() => {});
      // Workers stuck in a long computation get terminated: their pending calls then reject.
      graceTimer = setTimeout(() => void pool.terminate(), CANCEL_GRACE_MS);
    };
    const call = <J extends ScanJob | ResolveJob, T>(
      job: J,
      work: (api: Remote<SyncWorkerApi>, id: number) => Promise<WorkerReply<T>>,
      onReply: (job: J, reply: WorkerReply<T>) => void,
    ) => {
      const id = nextId++;
      inFlight.set(id, job);
      void job.slot.worker
        .call((api) => work(api, id))
        .catch((error: unknown): WorkerReply<T> => ({ ok: false, error: asSyncError(error).toInfo() }))
        .then((reply) => {
          inFlight.delete(id);
          onReply(job, reply);
        });
    };

    /**
     * Hands out batches — each worker's promised batch first — then the next batches to prefetch,
     * to workers that were given a batch and have none promised (only once every worker has work,
     * so a small pass still uses them all); then, one request at a time, the pending tag hits'
     * payloads (a stop lets those go out: a stopped pass leaves every batch it scanned resolved).
     */
    const dispatch = () => {
      const given: ScanJob[] = [];
      for (;;) {
        if (failure || stopSignal.aborted) break;
        const free = pool.slots
          .map((slot, worker) => ({ slot, worker }))
          .filter(({ slot }) => slot.load < depth.value && (promised.has(slot) || queue.length > 0))
          .sort((a, b) => a.slot.load - b.slot.load)[0];
        if (!free) break;
        const batch = promised.get(free.slot) ?? queue.shift()!;
        promised.delete(free.slot);
        free.slot.load++;
        given.push({ ...free, batch });
      }
      for (const job of given) {
        const next =
          plan.prefetch && depth.value === 1 && !promised.has(job.slot) ? queue.shift() : undefined;
        callbacks.dispatched(job.batch, job.worker);
        if (next) {
          promised.set(job.slot, next);
          callbacks.prefetched(next, job.worker);
        }
        const prefetch = next && { start: next.start, count: next.count };
        call(job, (api, id) => api.scan({ id, ...job.batch, ...(prefetch && { prefetch }) }), onScanned);
      }
      const scanning =
        pool.slots.some((slot) => slot.load > 0) ||
        ((queue.length > 0 || promised.size > 0) && !stopSignal.aborted);
      if (
        !failure &&
        !resolving &&
        unresolved.length > 0 &&
        (!scanning ||
          unresolved.length >= resolveLimit ||
          performance.now() - waitingSince >= RESOLVE_WAIT_MS)
      ) {
        const slot = pool.slots[nextResolver++ % pool.slots.length]!;
        const hits = unresolved.splice(0, resolveLimit);
        waitingSince = performance.now();
        resolving = true;
        call({ slot, hits }, (api, id) => api.resolve({ id, hits }), onResolved);
      }
      settle();
    };

    /** Checkpoints through `save` a result that arrived; a failed one fails the pass. */
    const handle = <T>(reply: WorkerReply<T>, save: (value: T) => void) => {
      if (reply.ok) {
        try {
          save(reply.value);
        } catch (error) {
          fail(asSyncError(error));
        }
      } else if (reply.error.kind !== 'cancelled' || !failure) {
        fail(new SyncError(reply.error));
      }
    };
    const onScanned = (job: ScanJob, reply: WorkerReply<BatchResult>) => {
      job.slot.load--;
      handle(reply, (result) => {
        depth.observe(result.counters.fetchMs, result.counters.decryptMs);
        callbacks.scanned(job.batch, result, job.worker);
        if (unresolved.length === 0) waitingSince = performance.now();
        unresolved.push(...result.hits);
      });
      dispatch();
    };
    const onResolved = (job: ResolveJob, reply: WorkerReply<ResolveResult>) => {
      resolving = false;
      handle(reply, (result) => callbacks.resolved(job.hits, result));
      dispatch();
    };
    // Something is in flight until the pass settles, and every reply dispatches again: a stop is
    // seen there, with no listener of its own.
    dispatch();
  });
}
