/**
 * One run of an upload, once its providers are chosen, approved and their authorisations signed:
 * the waves, then the commits, then the result.
 *
 * Waves (of up to 64 chunks): each wave is quoted by every copy taking part and paid in ONE
 * transaction, ahead of the wave being stored (at least the next wave, as far as `payAhead` allows:
 * lastWaveToPay), so paying wave N+1 overlaps storing wave N and several payments may be in flight;
 * a wave's pieces go out as soon as it is quoted, without waiting for its payment to be sent
 * (providers cache what outruns its payment, within their cache limits, which the run keeps to).
 * The wave is stored on the primary (one batch request; the next wave's may go out before it is
 * answered, two at most, within the primary's cache room), then every secondary pulls it from the
 * primary on its own queue while the primary takes the next waves. Once a wave's payment is mined,
 * the primary must confirm the wave parked. A run on a journal that already holds some of this (a
 * resume) does only what is left: pieces paid are not paid again, pieces held are not sent again.
 *
 * Failures, as the reference table says: the primary failing to store or park is a StoreError; a
 * secondary failing is recorded, and an auto-selected one is replaced by the next healthy provider,
 * which catches up on the waves it missed (quoted, pulled, then paid) — up to
 * `maxSecondaryAttempts` secondaries in all, and only while the approved amount lasts. Commits run
 * on every copy holding everything; if none succeeds it is a CommitError, otherwise the result
 * lists the copies and the failures. The primary's commit is sent as soon as it holds every piece
 * parked, while the secondaries may still be pulling: a commit of a big upload fills most of a
 * block, so committing the copies one after another at the end cost a block each. Its outcome
 * counts only when the commits are gathered.
 */
import { CofferError } from '../../../shared/api/errors';
import type { UploadResult } from '../../../shared/api/upload';
import { authorizationUsable, presign } from './authorizations';
import { commitCopy, followSentCommit } from './copy-commit';
import { confirmParked } from './parking';
import { storePieces } from './primary-store';
import { cacheRoom, lastWaveToPay, type RunContext, sourceCopy } from './run-context';
import { pullPieces } from './secondary-pull';
import { Copy } from './upload-copy';
import { CommitError, CopyFailed, type CopyFailure, messageOf, StoreError } from './upload-errors';
import { PaymentLedger } from './wave-payments';

/** Waves being stored on the primary at once. */
const STORES_IN_FLIGHT = 2;

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Background work of a run: awaited together; an unexpected error halts the run. */
class TaskSet {
  readonly #tasks = new Set<Promise<void>>();
  constructor(private readonly context: RunContext) {}

  add(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      if (!this.context.signal.aborted) this.context.halt(error as Error);
    });
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }

  async settled(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.all([...this.#tasks]);
  }
}

/** A run's moving parts, shared by the wave loop, the copies' queues and replacements. */
export class RunState {
  readonly payments: PaymentLedger;
  readonly background: TaskSet;
  /** Resolved once the source holds each wave (at once when it already holds everything). */
  readonly stored: Deferred[];
  /** The first wave not yet quoted: a copy that joins now is included from this wave on. */
  nextWave = 0;
  /** Every wave is stored; a copy that joins now also needs its final parked check queued. */
  wavesDone = false;
  /** Secondaries tried so far (first choices and replacements). */
  secondaryAttempts: number;
  /** The approval's amount ran out paying a replacement: no further replacement is tried. */
  budgetSpent = false;
  /** The source's parked checks, one per wave it stored in this run. */
  readonly sourceParked: Promise<unknown>[] = [];
  /** The commits sent before every transfer ended (the primary's), by copy. */
  readonly earlyCommits = new Map<Copy, Promise<void>>();

  constructor(
    readonly context: RunContext,
    /** Deadline of the authorisations signed in this run (the approval's). */
    readonly deadline: bigint,
  ) {
    this.payments = new PaymentLedger(context);
    this.background = new TaskSet(context);
    this.stored = context.plan.waves.map(() => deferred());
    this.secondaryAttempts = context.copies.filter((copy) => copy.role === 'secondary').length;
  }
}

/** Runs every wave to the end: each copy that is still active then holds every piece, parked. */
export async function transferAll(state: RunState): Promise<void> {
  const { context } = state;
  try {
    await waves(state);
    commitSourceEarly(state);
    await state.background.settled();
    context.signal.throwIfAborted();
    state.wavesDone = true;
    for (const copy of context.copies)
      if (copy.active && copy !== sourceCopy(context)) queueParkedCheck(state, copy);
    await state.background.settled();
    context.signal.throwIfAborted();
    await state.payments.settled();
  } catch (error) {
    context.halt(error as Error);
    // Let what is in flight see the abort and stop before the run's outcome is written down.
    await state.background.settled();
    await state.payments.settled();
    await Promise.allSettled(state.earlyCommits.values());
    throw context.signal.reason ?? error;
  }
}

/**
 * Once the source (an active primary that stored every wave in this run) is confirmed parked
 * everywhere and the payments are settled, sends its commit; the secondaries' pulls go on.
 */
function commitSourceEarly(state: RunState): void {
  const { context } = state;
  const source = sourceCopy(context);
  if (!source?.active || state.sourceParked.length === 0) return;
  const commit = (async () => {
    await Promise.all(state.sourceParked);
    await state.payments.settled();
    context.signal.throwIfAborted();
    await commitCopy(context, source);
  })();
  // Its failure is the copy's, recorded when the commits are gathered (commitAll).
  commit.catch(() => {});
  state.earlyCommits.set(source, commit);
}

async function waves(state: RunState): Promise<void> {
  const { context } = state;
  const { plan, options } = context;
  const source = sourceCopy(context);
  if (!source) throw new StoreError('There is no copy to store on or pull from', 0, 'storing');
  const storing = source.active;
  if (!storing) state.stored.forEach((wave) => wave.resolve());
  const waveBytes = plan.waves.map((pieces) =>
    pieces.reduce((sum, piece) => sum + plan.pieces[piece]!.size, 0),
  );
  let preparing: Promise<void> = Promise.resolve();
  const prepared: Promise<void>[] = [];
  const prepare = (wave: number) =>
    (prepared[wave] ??= preparing =
      preparing.then(() => {
        state.nextWave = wave + 1;
        return prepareWave(state, wave);
      }));
  const sourceFailed = (error: unknown): never => {
    if (error instanceof CopyFailed)
      throw new StoreError(`The primary, ${source.label}, failed: ${error.message}`, source.id, error.stage);
    throw error;
  };

  // Up to STORES_IN_FLIGHT waves are being stored on the primary at once: the next wave's request
  // goes out while the provider is still making the last one durable (within its cache room,
  // which counts what is on its way). Each wave is then handed on — its parked check, the
  // secondaries' pulls — in wave order, once it and every wave before it are stored.
  let handedOn: Promise<void> = Promise.resolve();
  const inFlight: Promise<void>[] = [];
  try {
    for (let wave = 0; wave < plan.waves.length; wave++) {
      context.signal.throwIfAborted();
      for (let ahead = wave; ahead <= lastWaveToPay(waveBytes, wave, options.payAhead); ahead++)
        prepare(ahead).catch(() => {});
      await prepare(wave).catch(sourceFailed);
      const pieces = plan.waves[wave]!;
      let stored: Promise<void> = Promise.resolve();
      if (storing) {
        if (inFlight.length >= STORES_IN_FLIGHT) await inFlight.shift();
        await cacheRoom(context, source, waveBytes[wave]!);
        // A failed store stops the run at once, not when its turn to be handed on comes.
        stored = storePieces(context, source, pieces).catch((error: unknown) => {
          context.halt(error as Error);
          throw error;
        });
      }
      const before = handedOn;
      handedOn = Promise.all([before, stored]).then(() => handOn(state, source, wave, storing));
      // Awaited in turn (and at the end); until then a failure must not count as unhandled.
      handedOn.catch(() => {});
      inFlight.push(handedOn);
    }
    await handedOn;
  } catch (error) {
    context.halt(error as Error);
    throw error;
  } finally {
    // Whatever happens, nothing of a store is left running behind the run's outcome.
    await Promise.allSettled(inFlight);
  }
}

/** A wave stored on the source: its parked check, and every other copy pulls it. */
function handOn(state: RunState, source: Copy, wave: number, storing: boolean): void {
  const { context } = state;
  const pieces = context.plan.waves[wave]!;
  if (storing) {
    const parked = confirmParked(context, source, pieces).then((problem) => {
      if (problem)
        throw new StoreError(`The primary did not confirm the data parked: ${problem}`, source.id, 'storing');
    });
    state.background.add(parked);
    state.sourceParked.push(parked);
  }
  state.stored[wave]!.resolve();
  for (const copy of participants(context, wave))
    if (copy !== source) onCopy(state, copy, () => pullPieces(context, copy, source, pieces));
}

/** Commits every copy that holds everything; returns the result, or throws CommitError. */
export async function commitAll(state: RunState): Promise<UploadResult> {
  const { context } = state;
  const early = state.earlyCommits;
  const ready = context.copies.filter((copy) => copy.active || early.has(copy));
  await Promise.all(
    ready.map(async (copy) => {
      try {
        if (early.has(copy)) await early.get(copy);
        else if (copy.commit?.state === 'pending' && copy.commit.commitId)
          await followSentCommit(context, copy);
        else await commitCopy(context, copy);
      } catch (error) {
        context.signal.throwIfAborted();
        copy.fail('committing', messageOf(error));
        context.journal.putCopy(context.uploadId, copy.toRow());
        context.changed();
      }
    }),
  );
  context.signal.throwIfAborted();
  const result = resultOf(context);
  if (result.copies.length === 0 && ready.length > 0)
    throw new CommitError(
      `Every commit failed (${ready.length} provider${ready.length === 1 ? '' : 's'}); the data is parked ` +
        `but nothing is on chain: ${result.failures
          .filter((failure) => failure.stage === 'committing')
          .map((failure) => `provider ${failure.providerId}: ${failure.error}`)
          .join('; ')}`,
      result.failures,
    );
  return result;
}

export function resultOf(context: Pick<RunContext, 'copies' | 'plan'>): UploadResult {
  const { plan } = context;
  const copies = context.copies
    .filter((copy) => copy.state === 'committed' && copy.commit?.dataSetId && copy.commit.pieceIds)
    .map((copy) => ({
      providerId: copy.id,
      role: copy.role,
      dataSetId: copy.commit!.dataSetId!,
      pieceIds: copy.commit!.pieceIds!,
      isNewDataSet: copy.isNewDataSet,
      retrievalUrl: copy.client.retrievalUrl(plan.root.cid),
    }));
  const failures: CopyFailure[] = context.copies
    .filter((copy) => copy.state === 'failed' && copy.failure)
    .map((copy) => ({
      providerId: copy.id,
      role: copy.role,
      stage: copy.failure!.stage,
      error: copy.failure!.error,
    }));
  return { root: plan.root.cid, size: plan.totalBytes, copies, failures };
}

/** Signs what the active copies lack (new copies, or authorisations near their deadline). */
export async function presignAll(state: RunState): Promise<void> {
  for (const copy of state.context.copies)
    if (copy.active && !authorizationUsable(copy)) await presign(state.context, copy, state.deadline);
}

/** Copies whose quotes and payment include `wave` (the others catch up on it). */
function participants(context: RunContext, wave: number): Copy[] {
  return context.copies.filter((copy) => copy.active && copy.joinedWave <= wave);
}

async function prepareWave(state: RunState, wave: number): Promise<void> {
  const { context } = state;
  const pieces = context.plan.waves[wave]!;
  const quoted = await Promise.all(
    participants(context, wave).map(async (copy) => {
      const unpaid = pieces.filter((piece) => !copy.hasPaymentFor(piece));
      if (unpaid.length === 0) return [];
      try {
        return await state.payments.quote(copy, unpaid);
      } catch (error) {
        if (copy.role === 'primary' || context.signal.aborted) throw error;
        failCopy(state, copy, error);
        return [];
      }
    }),
  );
  context.signal.throwIfAborted();
  // Sent in the background: the pieces may go out now; providers hold them in their
  // pre-registration cache until the payment is seen.
  state.background.add(
    state.payments
      .pay(
        wave,
        quoted.flat().filter(({ copy }) => copy.active),
      )
      .then(() => undefined),
  );
}

/** Runs a step on the copy's queue; its failure fails the copy (and replaces it if it may). */
function onCopy(state: RunState, copy: Copy, step: () => Promise<void>): void {
  state.background.add(
    copy.enqueue(step).catch((error: unknown) => {
      if (!state.context.signal.aborted) failCopy(state, copy, error);
    }),
  );
}

function queueParkedCheck(state: RunState, copy: Copy): void {
  onCopy(state, copy, async () => {
    const problem = await confirmParked(
      state.context,
      copy,
      state.context.plan.pieces.map((piece) => piece.index),
    );
    if (problem) throw new CopyFailed('pulling', problem);
  });
}

function failCopy(state: RunState, copy: Copy, error: unknown): void {
  const { context } = state;
  if (!copy.active) return;
  if (!(error instanceof CopyFailed) && !(error instanceof CofferError)) {
    // Not a provider's failure (a bug, the disk, the chain): stop rather than blame the provider.
    context.halt(error as Error);
    return;
  }
  copy.fail(error instanceof CopyFailed ? error.stage : copy.stage, messageOf(error));
  if (error instanceof CopyFailed && error.stage === 'paying') state.budgetSpent = true;
  context.journal.putCopy(context.uploadId, copy.toRow());
  context.journal.step(context.uploadId, 'copy-failed', 'failed', copy.id, copy.failure);
  context.changed();
  if (!copy.explicit && copy.role === 'secondary') state.background.add(replace(state));
}

/**
 * Replaces a failed auto-selected secondary with the next healthy provider of the pool: signs its
 * authorisation, lets it join the waves not yet paid, and catches it up on the others (quote,
 * pull, pay, wave by wave, each once the primary has stored it).
 */
async function replace(state: RunState): Promise<void> {
  const { context } = state;
  if (!context.pool || state.budgetSpent || state.secondaryAttempts >= context.options.maxSecondaryAttempts)
    return;
  const candidate = await context.pool.next();
  if (!candidate) return;
  state.secondaryAttempts++;
  const copy = new Copy(
    candidate.provider,
    context.directory.clientFor(candidate.provider),
    candidate.ping,
    'secondary',
    false,
    Math.max(0, ...context.copies.map((c) => c.attempt)) + 1,
    candidate.clientDataSetId,
    { dataSetId: candidate.dataSetId },
  );
  context.copies.push(copy);
  context.journal.putCopy(context.uploadId, copy.toRow());
  context.journal.step(context.uploadId, 'replacement', 'after', copy.id, {
    attempt: state.secondaryAttempts,
  });
  context.changed();
  try {
    await presign(context, copy, state.deadline);
  } catch (error) {
    failCopy(state, copy, new CopyFailed('selecting', messageOf(error)));
    return;
  }
  copy.joinedWave = state.nextWave;
  const source = sourceCopy(context)!;
  for (let wave = 0; wave < copy.joinedWave; wave++) {
    const pieces = context.plan.waves[wave]!;
    // A pull needs the pieces quoted, not paid: paying once they have arrived costs nothing when
    // the replacement fails too.
    onCopy(state, copy, async () => {
      await state.stored[wave]!.promise;
      const unpaid = pieces.filter((piece) => !copy.hasPaymentFor(piece));
      const quoted = unpaid.length > 0 ? await state.payments.quote(copy, unpaid) : [];
      await pullPieces(context, copy, source, pieces);
      await state.payments.pay(null, quoted);
    });
  }
  if (state.wavesDone) queueParkedCheck(state, copy);
}
