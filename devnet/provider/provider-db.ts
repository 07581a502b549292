/**
 * The provider node's metadata in SQLite: the quotes it signed (and which are paid, and which
 * payment a commit has used), the pieces on disk, what it holds for each payer (cached-unpaid,
 * parked or committed), where pieces were committed on chain, its commits and pulls, and how far
 * it has read the chain's payment events. Everything here survives a restart.
 *
 * A holding is one payer's claim on one piece. Its state moves
 *   cached ─(payment seen)→ parked ─(commit confirmed)→ committed ─(paid again)→ parked …
 * and a cached holding past its expiry is deleted (recorded in `expirations`). A commit uses up
 * one paid quote per piece (`consumed_by`), so paying for a piece once lets it be committed once.
 */
import type { ErrorInfo, PullProgress } from '../../shared/provider/wire';
import { type Db, openDatabase } from '../../electron/core/db/database';

const migrations = [
  {
    id: 'provider-001-schema',
    sql: `
      CREATE TABLE quotes (
        quote_digest TEXT PRIMARY KEY,
        payer TEXT NOT NULL,
        piece_digest TEXT NOT NULL,
        cid TEXT NOT NULL,
        size INTEGER NOT NULL,
        price TEXT NOT NULL,
        expiry INTEGER NOT NULL,
        nonce TEXT NOT NULL,
        signature TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        paid_block INTEGER,
        consumed_by TEXT
      );
      CREATE INDEX quotes_by_piece ON quotes (payer, piece_digest);
      CREATE TABLE pieces (
        piece_digest TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        stored_at INTEGER NOT NULL
      );
      CREATE TABLE holdings (
        payer TEXT NOT NULL,
        piece_digest TEXT NOT NULL REFERENCES pieces (piece_digest),
        cid TEXT NOT NULL,
        size INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('cached', 'parked', 'committed')),
        cached_at INTEGER,
        expires_at INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (payer, piece_digest)
      );
      CREATE INDEX holdings_by_piece ON holdings (piece_digest);
      CREATE INDEX holdings_expiry ON holdings (expires_at) WHERE state = 'cached';
      CREATE TABLE expirations (
        payer TEXT NOT NULL,
        piece_digest TEXT NOT NULL,
        expired_at INTEGER NOT NULL,
        PRIMARY KEY (payer, piece_digest)
      );
      CREATE TABLE commitments (
        data_set_id TEXT NOT NULL,
        piece_id TEXT NOT NULL,
        payer TEXT NOT NULL,
        piece_digest TEXT NOT NULL,
        tx_hash TEXT NOT NULL,
        PRIMARY KEY (data_set_id, piece_id)
      );
      CREATE INDEX commitments_by_piece ON commitments (piece_digest, payer);
      CREATE TABLE commits (
        commit_id TEXT PRIMARY KEY,
        payer TEXT NOT NULL,
        client_data_set_id TEXT NOT NULL,
        nonce TEXT NOT NULL,
        piece_digests TEXT NOT NULL,
        tx_hash TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed')),
        is_new_data_set INTEGER NOT NULL,
        data_set_id TEXT,
        piece_ids TEXT,
        block_number TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX commits_by_nonce ON commits (payer, nonce);
      CREATE TABLE pulls (
        pull_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        progress TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE watcher (id INTEGER PRIMARY KEY CHECK (id = 1), last_block INTEGER NOT NULL);
    `,
  },
  {
    // Without these, a payer's cache total and the promotion check scanned every holding and quote
    // ever recorded, once per piece received: the provider slowed down as its history grew.
    id: 'provider-002-indexes',
    sql: `
      CREATE INDEX holdings_cached_by_payer ON holdings (payer) WHERE state = 'cached';
      CREATE INDEX quotes_paid_unused ON quotes (payer, piece_digest)
        WHERE paid_block IS NOT NULL AND consumed_by IS NULL;
    `,
  },
];

export type HoldingState = 'cached' | 'parked' | 'committed';
export type Hex = `0x${string}`;

export interface QuoteRow {
  quote_digest: Hex;
  payer: Hex;
  piece_digest: Hex;
  cid: string;
  size: number;
  price: string;
  expiry: number;
  nonce: Hex;
  signature: Hex;
  created_at: number;
  paid_block: number | null;
  consumed_by: string | null;
}

export interface HoldingRow {
  payer: Hex;
  piece_digest: Hex;
  cid: string;
  size: number;
  state: HoldingState;
  cached_at: number | null;
  expires_at: number | null;
  updated_at: number;
}

export interface CommitmentRow {
  data_set_id: string;
  piece_id: string;
  payer: Hex;
  piece_digest: Hex;
  tx_hash: Hex;
}

export interface CommitRow {
  commit_id: string;
  payer: Hex;
  client_data_set_id: string;
  nonce: Hex;
  piece_digests: Hex[];
  tx_hash: Hex;
  status: 'pending' | 'confirmed' | 'failed';
  is_new_data_set: boolean;
  data_set_id: string | null;
  piece_ids: string[] | null;
  block_number: string | null;
  error: ErrorInfo | null;
  created_at: number;
  updated_at: number;
}

type StoredCommitRow = Omit<CommitRow, 'piece_digests' | 'piece_ids' | 'error' | 'is_new_data_set'> & {
  piece_digests: string;
  piece_ids: string | null;
  error: string | null;
  is_new_data_set: number;
};

export interface PaymentLog {
  quoteDigest: Hex;
  blockNumber: number;
}

export class ProviderDb {
  readonly db: Db;
  private readonly sql;

  constructor(file: string) {
    this.db = openDatabase(file, migrations);
    const db = this.db;
    this.sql = {
      insertQuote:
        db.prepare(`INSERT INTO quotes (quote_digest, payer, piece_digest, cid, size, price, expiry,
        nonce, signature, created_at) VALUES (@quote_digest, @payer, @piece_digest, @cid, @size, @price, @expiry,
        @nonce, @signature, @created_at)`),
      quotesFor: db.prepare(
        'SELECT * FROM quotes WHERE payer = ? AND piece_digest = ? ORDER BY created_at DESC',
      ),
      unconsumedPaidQuote: db
        .prepare(
          `SELECT quote_digest FROM quotes WHERE payer = ? AND piece_digest = ? AND paid_block IS NOT NULL
           AND consumed_by IS NULL ORDER BY paid_block LIMIT 1`,
        )
        .pluck(),
      markPaid: db.prepare('UPDATE quotes SET paid_block = ? WHERE quote_digest = ? AND paid_block IS NULL'),
      consume: db.prepare('UPDATE quotes SET consumed_by = ? WHERE quote_digest = ?'),
      release: db.prepare('UPDATE quotes SET consumed_by = NULL WHERE consumed_by = ?'),
      insertPiece: db.prepare(
        'INSERT OR IGNORE INTO pieces (piece_digest, size, stored_at) VALUES (?, ?, ?)',
      ),
      deletePiece: db.prepare('DELETE FROM pieces WHERE piece_digest = ?'),
      piece: db.prepare('SELECT * FROM pieces WHERE piece_digest = ?'),
      holding: db.prepare('SELECT * FROM holdings WHERE payer = ? AND piece_digest = ?'),
      holdingsOf: db.prepare('SELECT * FROM holdings WHERE piece_digest = ?'),
      upsertHolding:
        db.prepare(`INSERT INTO holdings (payer, piece_digest, cid, size, state, cached_at, expires_at,
        updated_at) VALUES (@payer, @piece_digest, @cid, @size, @state, @cached_at, @expires_at, @updated_at)
        ON CONFLICT (payer, piece_digest) DO UPDATE SET state = excluded.state, cached_at = excluded.cached_at,
        expires_at = excluded.expires_at, updated_at = excluded.updated_at`),
      setHoldingState: db.prepare(
        `UPDATE holdings SET state = ?, cached_at = NULL, expires_at = NULL, updated_at = ?
         WHERE payer = ? AND piece_digest = ?`,
      ),
      // Driven from the paid, unused quotes (few: pieces paid but not yet committed), not from
      // every holding.
      promotable: db.prepare(`SELECT h.* FROM holdings h WHERE h.state IN ('cached', 'committed')
        AND (h.payer, h.piece_digest) IN (SELECT q.payer, q.piece_digest FROM quotes q
        WHERE q.paid_block IS NOT NULL AND q.consumed_by IS NULL)`),
      expired: db.prepare("SELECT * FROM holdings WHERE state = 'cached' AND expires_at <= ?"),
      deleteHolding: db.prepare('DELETE FROM holdings WHERE payer = ? AND piece_digest = ?'),
      recordExpiration: db.prepare(
        'INSERT OR REPLACE INTO expirations (payer, piece_digest, expired_at) VALUES (?, ?, ?)',
      ),
      clearExpiration: db.prepare('DELETE FROM expirations WHERE payer = ? AND piece_digest = ?'),
      expiration: db.prepare('SELECT * FROM expirations WHERE payer = ? AND piece_digest = ?'),
      cacheTotals: db.prepare(
        "SELECT count(*) AS pieces, coalesce(sum(size), 0) AS bytes FROM holdings WHERE state = 'cached'",
      ),
      cacheBytesOf: db
        .prepare("SELECT coalesce(sum(size), 0) FROM holdings WHERE state = 'cached' AND payer = ?")
        .pluck(),
      stateCounts: db.prepare(
        'SELECT state, count(*) AS n, coalesce(sum(size), 0) AS bytes FROM holdings GROUP BY state',
      ),
      insertCommitment:
        db.prepare(`INSERT OR IGNORE INTO commitments (data_set_id, piece_id, payer, piece_digest,
        tx_hash) VALUES (?, ?, ?, ?, ?)`),
      commitmentsOf: db.prepare(
        'SELECT * FROM commitments WHERE piece_digest = ? ORDER BY CAST(data_set_id AS INTEGER), CAST(piece_id AS INTEGER)',
      ),
      insertCommit:
        db.prepare(`INSERT INTO commits (commit_id, payer, client_data_set_id, nonce, piece_digests,
        tx_hash, status, is_new_data_set, data_set_id, created_at, updated_at) VALUES (@commit_id, @payer,
        @client_data_set_id, @nonce, @piece_digests, @tx_hash, 'pending', @is_new_data_set, @data_set_id,
        @created_at, @updated_at)`),
      finishCommit: db.prepare(`UPDATE commits SET status = @status, data_set_id = coalesce(@data_set_id,
        data_set_id), piece_ids = @piece_ids, block_number = @block_number, error = @error,
        updated_at = @updated_at WHERE commit_id = @commit_id`),
      commit: db.prepare('SELECT * FROM commits WHERE commit_id = ?'),
      commitByNonce: db.prepare(
        "SELECT * FROM commits WHERE payer = ? AND nonce = ? AND status != 'failed' ORDER BY created_at DESC LIMIT 1",
      ),
      pendingCommits: db.prepare("SELECT * FROM commits WHERE status = 'pending'"),
      savePull: db.prepare(`INSERT INTO pulls (pull_id, state, progress, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (pull_id) DO UPDATE SET state = excluded.state, progress = excluded.progress,
        updated_at = excluded.updated_at`),
      pull: db.prepare('SELECT progress FROM pulls WHERE pull_id = ?').pluck(),
      runningPulls: db.prepare("SELECT progress FROM pulls WHERE state = 'running'").pluck(),
      lastBlock: db.prepare('SELECT last_block FROM watcher WHERE id = 1').pluck(),
      setLastBlock: db.prepare(
        'INSERT INTO watcher (id, last_block) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET last_block = excluded.last_block',
      ),
    };
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  insertQuote(row: Omit<QuoteRow, 'paid_block' | 'consumed_by'>): void {
    this.sql.insertQuote.run(row);
  }

  quotesFor(payer: Hex, pieceDigest: Hex): QuoteRow[] {
    return this.sql.quotesFor.all(payer, pieceDigest) as QuoteRow[];
  }

  hasUnconsumedPayment(payer: Hex, pieceDigest: Hex): boolean {
    return this.sql.unconsumedPaidQuote.get(payer, pieceDigest) !== undefined;
  }

  /** Marks the quotes of these payment events paid; returns how many were ours and new. */
  markPaid(payments: readonly PaymentLog[]): number {
    let marked = 0;
    for (const payment of payments)
      marked += this.sql.markPaid.run(payment.blockNumber, payment.quoteDigest).changes;
    return marked;
  }

  /** Uses one unconsumed paid quote of this piece for `commitId`; false when there is none. */
  consumePayment(payer: Hex, pieceDigest: Hex, commitId: string): boolean {
    const quoteDigest = this.sql.unconsumedPaidQuote.get(payer, pieceDigest) as string | undefined;
    if (!quoteDigest) return false;
    this.sql.consume.run(commitId, quoteDigest);
    return true;
  }

  releasePayments(commitId: string): void {
    this.sql.release.run(commitId);
  }

  insertPiece(pieceDigest: Hex, size: number, now: number): void {
    this.sql.insertPiece.run(pieceDigest, size, now);
  }

  hasPiece(pieceDigest: Hex): boolean {
    return this.sql.piece.get(pieceDigest) !== undefined;
  }

  pieceSize(pieceDigest: Hex): number | undefined {
    return (this.sql.piece.get(pieceDigest) as { size: number } | undefined)?.size;
  }

  deletePiece(pieceDigest: Hex): void {
    this.sql.deletePiece.run(pieceDigest);
  }

  holding(payer: Hex, pieceDigest: Hex): HoldingRow | undefined {
    return this.sql.holding.get(payer, pieceDigest) as HoldingRow | undefined;
  }

  holdingsOf(pieceDigest: Hex): HoldingRow[] {
    return this.sql.holdingsOf.all(pieceDigest) as HoldingRow[];
  }

  putHolding(row: HoldingRow): void {
    this.sql.upsertHolding.run(row);
    this.sql.clearExpiration.run(row.payer, row.piece_digest);
  }

  setHoldingState(payer: Hex, pieceDigest: Hex, state: HoldingState, now: number): void {
    this.sql.setHoldingState.run(state, now, payer, pieceDigest);
  }

  /** Cached or committed holdings that have a paid quote not yet used by a commit. */
  promotable(): HoldingRow[] {
    return this.sql.promotable.all() as HoldingRow[];
  }

  expiredHoldings(now: number): HoldingRow[] {
    return this.sql.expired.all(now) as HoldingRow[];
  }

  expireHolding(holding: HoldingRow, now: number): void {
    this.sql.deleteHolding.run(holding.payer, holding.piece_digest);
    this.sql.recordExpiration.run(holding.payer, holding.piece_digest, now);
  }

  expiredAt(payer: Hex, pieceDigest: Hex): number | undefined {
    const row = this.sql.expiration.get(payer, pieceDigest) as { expired_at: number } | undefined;
    return row?.expired_at;
  }

  cacheTotals(): { pieces: number; bytes: number } {
    return this.sql.cacheTotals.get() as { pieces: number; bytes: number };
  }

  cacheBytesOf(payer: Hex): number {
    return this.sql.cacheBytesOf.get(payer) as number;
  }

  holdingCounts(): Record<HoldingState, { pieces: number; bytes: number }> {
    const counts = {
      cached: { pieces: 0, bytes: 0 },
      parked: { pieces: 0, bytes: 0 },
      committed: { pieces: 0, bytes: 0 },
    };
    for (const row of this.sql.stateCounts.all() as { state: HoldingState; n: number; bytes: number }[])
      counts[row.state] = { pieces: row.n, bytes: row.bytes };
    return counts;
  }

  insertCommitment(row: CommitmentRow): void {
    this.sql.insertCommitment.run(row.data_set_id, row.piece_id, row.payer, row.piece_digest, row.tx_hash);
  }

  commitmentsOf(pieceDigest: Hex): CommitmentRow[] {
    return this.sql.commitmentsOf.all(pieceDigest) as CommitmentRow[];
  }

  insertCommit(
    row: Pick<
      CommitRow,
      | 'commit_id'
      | 'payer'
      | 'client_data_set_id'
      | 'nonce'
      | 'piece_digests'
      | 'tx_hash'
      | 'is_new_data_set'
      | 'data_set_id'
      | 'created_at'
    >,
  ): void {
    this.sql.insertCommit.run({
      ...row,
      piece_digests: JSON.stringify(row.piece_digests),
      is_new_data_set: row.is_new_data_set ? 1 : 0,
      updated_at: row.created_at,
    });
  }

  finishCommit(
    commitId: string,
    outcome: Pick<CommitRow, 'status' | 'data_set_id' | 'piece_ids' | 'block_number' | 'error'>,
    now: number,
  ): void {
    this.sql.finishCommit.run({
      commit_id: commitId,
      status: outcome.status,
      data_set_id: outcome.data_set_id,
      piece_ids: outcome.piece_ids && JSON.stringify(outcome.piece_ids),
      block_number: outcome.block_number,
      error: outcome.error && JSON.stringify(outcome.error),
      updated_at: now,
    });
  }

  commit(commitId: string): CommitRow | undefined {
    return decodeCommit(this.sql.commit.get(commitId) as StoredCommitRow | undefined);
  }

  /** The latest commit of this AddPieces nonce that has not failed. */
  commitByNonce(payer: Hex, nonce: Hex): CommitRow | undefined {
    return decodeCommit(this.sql.commitByNonce.get(payer, nonce) as StoredCommitRow | undefined);
  }

  pendingCommits(): CommitRow[] {
    return (this.sql.pendingCommits.all() as StoredCommitRow[]).map((row) => decodeCommit(row)!);
  }

  savePull(progress: PullProgress): void {
    this.sql.savePull.run(progress.pullId, progress.state, JSON.stringify(progress), progress.updatedAt);
  }

  pull(pullId: string): PullProgress | undefined {
    const text = this.sql.pull.get(pullId) as string | undefined;
    return text === undefined ? undefined : (JSON.parse(text) as PullProgress);
  }

  runningPulls(): PullProgress[] {
    return (this.sql.runningPulls.all() as string[]).map((text) => JSON.parse(text) as PullProgress);
  }

  lastBlock(): number | undefined {
    return this.sql.lastBlock.get() as number | undefined;
  }

  setLastBlock(block: number): void {
    this.sql.setLastBlock.run(block);
  }
}

function decodeCommit(row: StoredCommitRow | undefined): CommitRow | undefined {
  if (!row) return undefined;
  return {
    ...row,
    piece_digests: JSON.parse(row.piece_digests) as Hex[],
    piece_ids: row.piece_ids === null ? null : (JSON.parse(row.piece_ids) as string[]),
    error: row.error === null ? null : (JSON.parse(row.error) as ErrorInfo),
    is_new_data_set: row.is_new_data_set === 1,
  };
}
