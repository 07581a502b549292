/**
 * What the UI and the CLI see of an upload (shared/api/upload.ts `UploadView`): per provider its
 * role, stage, bytes and chunks, throughput and ETA, commit transaction and error; per file the
 * chunks each provider holds (a duplicate chunk counts once its first copy is held); the
 * payments; the cost; the result; and what can be done next.
 */
import type { TokenAmount } from '../../../shared/api/chain-values';
import type { UploadSummary, UploadView } from '../../../shared/api/upload';
import type { z } from 'zod';
import { chunkSizeAt } from '../../../shared/pieces/upload-manifest';
import type { Copy } from './upload-copy';
import { FINAL_STATES, type UploadJournal } from './upload-journal';
import { amountOf, type UploadSession } from './upload-session';

export interface TokenInfo {
  decimals: number;
  symbol: string;
}

/** Bytes per second over the last few seconds, from samples of a growing count. */
export class RateMeter {
  readonly #samples = new Map<string, { at: number; value: number }[]>();

  constructor(private readonly windowMs = 5_000) {}

  sample(key: string, value: number, now = Date.now()): number {
    let list = this.#samples.get(key);
    if (!list) this.#samples.set(key, (list = []));
    if (
      list.length === 0 ||
      list[list.length - 1]!.value !== value ||
      now - list[list.length - 1]!.at > 1_000
    )
      list.push({ at: now, value });
    while (list.length > 2 && now - list[0]!.at > this.windowMs) list.shift();
    const first = list[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds > 0.2 ? Math.max(0, (value - first.value) / seconds) : 0;
  }

  forget(prefix: string): void {
    for (const key of this.#samples.keys()) if (key.startsWith(prefix)) this.#samples.delete(key);
  }
}

export function buildView(
  session: UploadSession,
  journal: UploadJournal,
  token: TokenInfo | null,
  meter: RateMeter,
): UploadView {
  const plan = session.plan;
  const size = (piece: number) => plan?.pieces[piece]?.size ?? 0;
  const money = (raw: bigint | null): TokenAmount | null =>
    raw === null || !token ? null : amountOf(raw, token);
  const journaled = plan !== null && journal.upload(session.id) !== undefined;
  const payments = journaled ? journal.payments(session.id) : [];
  const paid = payments.filter((p) => p.state === 'confirmed').reduce((sum, p) => sum + BigInt(p.amount), 0n);
  const running = session.running;
  const providers = session.copies.map((copy) => providerView(session, copy, size, meter));
  const committed = session.copies.filter((copy) => copy.state === 'committed').length;
  return {
    uploadId: session.id,
    state: session.state,
    account: session.request.account,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    root: plan?.root.cid ?? null,
    size: plan?.totalBytes ?? 0,
    uniqueBytes: plan?.uniqueBytes ?? 0,
    pieceCount: plan?.pieces.length ?? 0,
    waves: plan?.waves.length ?? 0,
    copiesRequested: session.request.copies,
    copiesConfirmed: committed,
    hashing: session.hashing,
    files: (plan?.files ?? []).map((file) => ({
      index: file.index,
      name: file.name,
      size: file.size,
      mediaType: file.mediaType,
      chunks: plan!.fileChunks[file.index]!.length,
      providers: session.copies.map((copy) => {
        let chunksDone = 0;
        let bytesDone = 0;
        plan!.fileChunks[file.index]!.forEach((piece, chunk) => {
          if (!copy.holds(piece)) return;
          chunksDone++;
          bytesDone += chunkSizeAt(file, chunk);
        });
        return { providerId: copy.id, chunksDone, bytesDone };
      }),
    })),
    providers,
    payments: token
      ? payments.map((payment) => ({
          txHash: payment.txHash,
          wave: payment.wave,
          quotes: payment.quoteCount,
          amount: amountOf(BigInt(payment.amount), token),
          state: payment.state,
        }))
      : [],
    cost: {
      estimated: money(session.estimated),
      approved: money(session.approved),
      paid: money(journaled ? paid : null),
    },
    result: session.result,
    error: session.error,
    actions: {
      pause: running && session.state !== 'preparing',
      resume: !running && (session.state === 'paused' || session.state === 'interrupted'),
      cancel: running || !FINAL_STATES.has(session.state) || session.state === 'failed',
      topUp: !running && (session.state === 'completed' || session.state === 'partial'),
      retryCommit:
        !running &&
        session.copies.some((copy) => copy.state === 'failed' && copy.failure?.stage === 'committing'),
    },
  };
}

export function summaryOf(view: UploadView): z.infer<typeof UploadSummary> {
  return {
    uploadId: view.uploadId,
    state: view.state,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    root: view.root,
    size: view.size,
    copiesRequested: view.copiesRequested,
    copiesConfirmed: view.copiesConfirmed,
    error: view.error,
    actions: view.actions,
    fileNames: view.files.slice(0, 5).map((file) => file.name),
    fileCount: view.files.length,
  };
}

function providerView(
  session: UploadSession,
  copy: Copy,
  size: (piece: number) => number,
  meter: RateMeter,
): UploadView['providers'][number] {
  const plan = session.plan;
  let bytesDone = 0;
  for (const piece of copy.held.keys()) bytesDone += size(piece);
  const bytesTotal = plan?.uniqueBytes ?? 0;
  const throughput = session.running ? meter.sample(`${session.id}/${copy.id}`, bytesDone) : 0;
  const left = bytesTotal - bytesDone;
  return {
    providerId: copy.id,
    address: copy.provider.address,
    url: copy.provider.url,
    endorsed: copy.provider.endorsed,
    role: copy.role,
    explicit: copy.explicit,
    stage: copy.stage,
    bytesDone,
    bytesTotal,
    chunksDone: copy.held.size,
    chunksTotal: plan?.pieces.length ?? 0,
    throughput,
    etaSeconds: left === 0 ? 0 : throughput > 0 ? left / throughput : null,
    dataSetId: copy.dataSetId,
    isNewDataSet: copy.isNewDataSet,
    commitTxHash: copy.commit?.txHash ?? null,
    error: copy.failure
      ? { code: 'PROVIDER_ERROR', message: copy.failure.error, stage: copy.failure.stage }
      : null,
  };
}
