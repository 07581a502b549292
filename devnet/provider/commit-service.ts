/**
 * Commits: puts a payer's parked pieces on chain with the payer's AddPieces signature (and
 * CreateDataSet signature for a new data set), and follows each transaction to confirmation.
 *
 * A commit is refused before anything is sent when a piece is not parked here (naming each such
 * piece and why), when the signature is not the payer's, or when the chain would reject the call
 * (simulated first, so the error names the contract's reason). Accepted, it uses up one paid
 * quote per piece, is sent through the provider's transaction queue and answered at once with the
 * transaction hash; the receipt is followed in the background (and again after a restart) and
 * recorded: confirmed with the data set id and the piece ids from `PiecesAdded`, or failed with
 * the revert reason, in which case the payments are free to be used by a retry.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hash,
  type Hex,
  parseEventLogs,
  TransactionReceiptNotFoundError,
} from 'viem';
import type { z } from 'zod';
import { dataSetRegistryAbi } from '../../shared/contracts/abis';
import type { PieceDigest } from '../../shared/pieces/cid';
import type { CommitRequest, CommitStatus, ErrorInfo } from '../../shared/provider/wire';
import { type AuthorizationContext, checkAddPieces } from './authorization';
import type { PieceHoldings } from './piece-holdings';
import type { ProviderChain } from './provider-chain';
import type { CommitRow, ProviderDb } from './provider-db';
import type { FaultSwitches } from './provider-faults';
import { HttpError, injected, settledWithin } from './provider-http';
import type { ProviderMetrics } from './provider-metrics';

type ParsedCommit = z.output<typeof CommitRequest>;

export interface CommitServiceDeps {
  chain: ProviderChain;
  db: ProviderDb;
  holdings: PieceHoldings;
  faults: FaultSwitches;
  metrics: ProviderMetrics;
  authorization: AuthorizationContext;
  pollIntervalMs: number;
  log: (line: string) => void;
}

/** A contract revert as `Name(arg, …)`, or the first line of any other error. */
export function describeChainError(error: unknown): string {
  if (error instanceof BaseError) {
    const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError && revert.data)
      return `${revert.data.errorName}(${(revert.data.args ?? []).map(String).join(', ')})`;
    return error.shortMessage;
  }
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Flips one bit of a signature's r, so the contract recovers someone else and reverts. */
function spoilSignature(signature: Hex): Hex {
  const at = 2 + 62;
  const byte = (parseInt(signature.slice(at, at + 2), 16) ^ 1).toString(16).padStart(2, '0');
  return `${signature.slice(0, at)}${byte}${signature.slice(at + 2)}` as Hex;
}

export class CommitService {
  /** Commits followed until their receipt, by commit id. */
  readonly #followers = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(private readonly deps: CommitServiceDeps) {}

  async submit(request: ParsedCommit): Promise<CommitStatus> {
    const { db, faults, metrics } = this.deps;
    if (faults.commitFault === 'http') {
      faults.countFired();
      throw injected(503, 'UNAVAILABLE', 'the provider refuses to commit');
    }
    const payer = request.payer.toLowerCase() as Hex;
    const { addPieces } = request;
    const digests = addPieces.pieceDigests as PieceDigest[];
    const previous = db.commitByNonce(payer, addPieces.nonce);
    if (previous) return toStatus(previous);
    if (new Set(digests).size !== digests.length)
      throw new HttpError(400, 'BAD_REQUEST', 'addPieces.pieceDigests lists a piece more than once');
    await checkAddPieces(this.deps.authorization, payer, request.clientDataSetId, addPieces);

    // Claim the payments synchronously, before any await, so two commits cannot both use them.
    const commitId = randomBytes(16).toString('hex');
    db.transaction(() => {
      const problems = digests.flatMap((digest) => {
        const problem = this.#whyNotCommittable(payer, digest);
        return problem ? [{ pieceDigest: digest, ...problem }] : [];
      });
      if (problems.length > 0)
        throw new HttpError(
          409,
          'PIECES_NOT_PARKED',
          `${problems.length} of ${digests.length} pieces cannot be committed: ` +
            problems
              .slice(0, 5)
              .map((p) => `${p.cid ?? p.pieceDigest} (${p.reason})`)
              .join('; ') +
            (problems.length > 5 ? '; …' : ''),
          { pieces: problems },
        );
      for (const digest of digests) db.consumePayment(payer, digest, commitId);
    });
    try {
      const { hash, dataSetId, isNew } = await this.#send(payer, request);
      const now = Date.now();
      db.insertCommit({
        commit_id: commitId,
        payer,
        client_data_set_id: request.clientDataSetId,
        nonce: addPieces.nonce,
        piece_digests: digests,
        tx_hash: hash,
        is_new_data_set: isNew,
        data_set_id: isNew ? null : dataSetId.toString(),
        created_at: now,
      });
      metrics.commit('submitted');
      this.#follow(db.commit(commitId)!);
      return toStatus(db.commit(commitId)!);
    } catch (error) {
      db.releasePayments(commitId);
      throw error;
    }
  }

  /** A commit's status; a pending one after it settles or `waitMs`, whichever comes first. */
  async status(commitId: string, waitMs = 0): Promise<CommitStatus> {
    const follower = this.#followers.get(commitId);
    if (follower && waitMs > 0) await settledWithin(follower, waitMs);
    const row = /^[0-9a-f]{32}$/.test(commitId) ? this.deps.db.commit(commitId) : undefined;
    if (!row)
      throw new HttpError(404, 'UNKNOWN_COMMIT', `no commit ${JSON.stringify(commitId.slice(0, 40))} here`);
    return toStatus(row);
  }

  /** Follows the commits a previous run left pending. */
  resume(): void {
    for (const row of this.deps.db.pendingCommits()) this.#follow(row);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#followers.values());
  }

  #whyNotCommittable(payer: Hex, digest: PieceDigest): { cid?: string; reason: string } | undefined {
    const { db } = this.deps;
    const holding = db.holding(payer, digest);
    if (!holding) return { reason: 'unknown here: never stored, or expired unpaid' };
    const cid = holding.cid;
    if (holding.state === 'cached')
      return { cid, reason: 'cached-unpaid: its payment has not been seen on chain' };
    if (db.hasUnconsumedPayment(payer, digest)) return undefined;
    if (holding.state === 'committed') {
      const [where] = db.commitmentsOf(digest).filter((row) => row.payer === payer);
      return {
        cid,
        reason: `already committed${where ? ` as piece ${where.piece_id} of data set ${where.data_set_id}` : ''}; pay for it again to commit it again`,
      };
    }
    return { cid, reason: 'parked, but its payment is used by a commit in progress' };
  }

  async #send(payer: Hex, request: ParsedCommit): Promise<{ hash: Hash; dataSetId: bigint; isNew: boolean }> {
    const { chain, faults } = this.deps;
    const registry = chain.contracts.dataSetRegistry;
    const clientDataSetId = BigInt(request.clientDataSetId);
    const dataSetId = await registry.read.dataSetIdOf([payer, chain.address, clientDataSetId]);
    const isNew = dataSetId === 0n;
    if (isNew && !request.createDataSet)
      throw new HttpError(
        409,
        'DATA_SET_MISSING',
        `payer ${payer} has no data set ${clientDataSetId} with this provider yet; send createDataSet with the commit`,
      );
    const spoil = faults.commitFault === 'revert';
    if (spoil) faults.countFired();
    const add = request.addPieces;
    const addTail = [
      add.pieceDigests,
      add.nonce,
      BigInt(add.deadline),
      spoil ? spoilSignature(add.signature) : add.signature,
    ] as const;
    // A spoiled commit skips simulation and estimation so that it really is mined, and reverts.
    const options = spoil ? { gas: 1_000_000n } : {};
    const create = request.createDataSet;
    try {
      if (isNew) {
        const args = [
          payer,
          clientDataSetId,
          BigInt(create!.deadline),
          create!.signature,
          ...addTail,
        ] as const;
        if (!spoil) await registry.simulate.createDataSetAndAddPieces(args, { account: chain.account });
        const hash = await chain.send(() => registry.write.createDataSetAndAddPieces(args, options));
        return { hash, dataSetId, isNew };
      }
      const args = [dataSetId, ...addTail] as const;
      if (!spoil) await registry.simulate.addPieces(args, { account: chain.account });
      const hash = await chain.send(() => registry.write.addPieces(args, options));
      return { hash, dataSetId, isNew };
    } catch (error) {
      const reason = describeChainError(error);
      throw new HttpError(409, 'CHAIN_REJECTED', `the chain rejects this commit: ${reason}`, { reason });
    }
  }

  #follow(row: CommitRow): void {
    const follower = this.#waitForReceipt(row).catch((error: unknown) =>
      this.deps.log(`commit ${row.commit_id}: ${describeChainError(error)}`),
    );
    this.#followers.set(row.commit_id, follower);
    void follower.finally(() => this.#followers.delete(row.commit_id));
  }

  async #waitForReceipt(row: CommitRow): Promise<void> {
    const { chain, pollIntervalMs } = this.deps;
    while (!this.#stopped) {
      try {
        const receipt = await chain.publicClient.getTransactionReceipt({ hash: row.tx_hash });
        if (receipt.status === 'success') this.#confirmed(row, receipt.logs, receipt.blockNumber);
        else await this.#reverted(row, receipt.blockNumber);
        return;
      } catch (error) {
        // Not mined yet, or the node is briefly unreachable: look again shortly.
        if (!(error instanceof TransactionReceiptNotFoundError))
          this.deps.log(`commit ${row.commit_id}: waiting for ${row.tx_hash}: ${describeChainError(error)}`);
      }
      await sleep(pollIntervalMs);
    }
  }

  #confirmed(row: CommitRow, logs: Parameters<typeof parseEventLogs>[0]['logs'], blockNumber: bigint): void {
    const { db, holdings, metrics, chain } = this.deps;
    const registry = chain.contracts.dataSetRegistry.address.toLowerCase();
    const added = parseEventLogs({ abi: dataSetRegistryAbi, logs, eventName: 'PiecesAdded' }).find(
      (log) => log.address.toLowerCase() === registry,
    );
    if (!added) {
      this.#fail(row, {
        code: 'INTERNAL',
        message: `transaction ${row.tx_hash} emitted no PiecesAdded event`,
      });
      return;
    }
    const dataSetId = added.args.dataSetId.toString();
    const pieceIds = added.args.pieceDigests.map((_, i) => (added.args.firstPieceId + BigInt(i)).toString());
    const now = Date.now();
    db.transaction(() => {
      row.piece_digests.forEach((digest, i) => {
        db.insertCommitment({
          data_set_id: dataSetId,
          piece_id: pieceIds[i]!,
          payer: row.payer,
          piece_digest: digest,
          tx_hash: row.tx_hash,
        });
        db.setHoldingState(row.payer, digest, 'committed', now);
      });
      db.finishCommit(
        row.commit_id,
        {
          status: 'confirmed',
          data_set_id: dataSetId,
          piece_ids: pieceIds,
          block_number: blockNumber.toString(),
          error: null,
        },
        now,
      );
    });
    // A piece paid for again meanwhile goes back to parked.
    holdings.reconcile();
    metrics.commit('confirmed');
  }

  async #reverted(row: CommitRow, blockNumber: bigint): Promise<void> {
    const reason = await this.#revertReason(row.tx_hash, blockNumber);
    this.#fail(
      row,
      {
        code: 'TX_REVERTED',
        message: `the commit transaction ${row.tx_hash} reverted in block ${blockNumber}${reason ? `: ${reason}` : ''}`,
      },
      blockNumber,
    );
  }

  #fail(row: CommitRow, error: ErrorInfo, blockNumber?: bigint): void {
    const { db, metrics } = this.deps;
    db.transaction(() => {
      db.releasePayments(row.commit_id);
      db.finishCommit(
        row.commit_id,
        {
          status: 'failed',
          data_set_id: null,
          piece_ids: null,
          block_number: blockNumber?.toString() ?? null,
          error,
        },
        Date.now(),
      );
    });
    metrics.commit('failed');
    this.deps.log(`commit ${row.commit_id} failed: ${error.message}`);
  }

  /** Replays a reverted transaction against the state before its block to name the revert. */
  async #revertReason(hash: Hash, blockNumber: bigint): Promise<string | undefined> {
    const client = this.deps.chain.publicClient;
    try {
      const tx = await client.getTransaction({ hash });
      await client.call({ account: tx.from, to: tx.to!, data: tx.input, blockNumber: blockNumber - 1n });
    } catch (error) {
      const data = findRevertData(error);
      if (!data) return undefined;
      try {
        const decoded = decodeErrorResult({ abi: dataSetRegistryAbi, data });
        return `${decoded.errorName}(${(decoded.args ?? []).map(String).join(', ')})`;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

function findRevertData(error: unknown): Hex | undefined {
  let cause: unknown = error;
  while (cause instanceof Error) {
    const data = (cause as { data?: unknown }).data;
    if (typeof data === 'string' && data.startsWith('0x') && data.length >= 10) return data as Hex;
    cause = cause.cause;
  }
  return undefined;
}

function toStatus(row: CommitRow): CommitStatus {
  return {
    commitId: row.commit_id,
    status: row.status,
    txHash: row.tx_hash,
    payer: row.payer,
    clientDataSetId: row.client_data_set_id,
    ...(row.data_set_id !== null && { dataSetId: row.data_set_id }),
    isNewDataSet: row.is_new_data_set,
    pieceDigests: row.piece_digests,
    ...(row.piece_ids && { pieceIds: row.piece_ids }),
    ...(row.block_number !== null && { blockNumber: row.block_number }),
    ...(row.error && { error: row.error }),
  };
}
