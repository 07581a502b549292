/**
 * The upload journal (`<dataDir>/uploads.sqlite`): every upload's plan and every step it took,
 * written before and after the step happens — quotes obtained, payment transactions (their quotes
 * before sending, their hash once sent, their outcome), pieces held per provider, the presigned
 * authorisations, commits sent and confirmed — so an upload interrupted anywhere (a crash, a
 * SIGKILL, a pause) resumes without paying twice or sending a stored piece again. It also keeps
 * the payer's data sets per provider, for reuse, and the upload settings.
 *
 * Every write is one SQLite transaction (WAL, synchronous = FULL: it survives a SIGKILL once
 * written). Steps are batched per wave, so the journal costs a few transactions per wave, not
 * one per piece.
 */
import path from 'node:path';
import type { UploadStage, UploadState } from '../../../shared/api/upload';
import { openDatabase, type Db } from '../db/database';
import type { PieceSource, PlanFile } from './upload-plan';

export const JOURNAL_FILE = 'uploads.sqlite';

const MIGRATIONS = [
  {
    id: 'upload-001-journal',
    sql: `
      CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        account INTEGER NOT NULL,
        payer TEXT NOT NULL,
        state TEXT NOT NULL,
        options TEXT NOT NULL,
        root_cid TEXT NOT NULL,
        manifest BLOB NOT NULL,
        total_bytes INTEGER NOT NULL,
        unique_bytes INTEGER NOT NULL,
        piece_count INTEGER NOT NULL,
        start_block INTEGER NOT NULL,
        result TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE upload_files (
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        file_index INTEGER NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        media_type TEXT NOT NULL,
        chunk_size INTEGER NOT NULL,
        staged_id TEXT,
        PRIMARY KEY (upload_id, file_index)
      );
      CREATE TABLE upload_pieces (
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        piece_index INTEGER NOT NULL,
        cid TEXT NOT NULL,
        size INTEGER NOT NULL,
        file_index INTEGER,
        file_offset INTEGER,
        PRIMARY KEY (upload_id, piece_index)
      );
      CREATE TABLE upload_copies (
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        provider_id INTEGER NOT NULL,
        address TEXT NOT NULL,
        url TEXT NOT NULL,
        endorsed INTEGER NOT NULL,
        role TEXT NOT NULL,
        explicit INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        client_data_set_id TEXT NOT NULL,
        data_set_id TEXT,
        is_new_data_set INTEGER NOT NULL,
        state TEXT NOT NULL,
        failure TEXT,
        authorization TEXT,
        commit_info TEXT,
        PRIMARY KEY (upload_id, provider_id)
      );
      CREATE TABLE upload_quotes (
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        provider_id INTEGER NOT NULL,
        piece_index INTEGER NOT NULL,
        quote_digest TEXT NOT NULL,
        price TEXT NOT NULL,
        expiry INTEGER NOT NULL,
        payment_id INTEGER,
        paid INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (upload_id, quote_digest)
      );
      CREATE INDEX upload_quotes_piece ON upload_quotes (upload_id, provider_id, piece_index);
      CREATE TABLE upload_payments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        wave INTEGER,
        state TEXT NOT NULL,
        tx_hash TEXT,
        amount TEXT NOT NULL,
        quote_count INTEGER NOT NULL,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE upload_holdings (
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        provider_id INTEGER NOT NULL,
        piece_index INTEGER NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (upload_id, provider_id, piece_index)
      );
      CREATE TABLE upload_steps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        upload_id TEXT NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        step TEXT NOT NULL,
        phase TEXT NOT NULL,
        provider_id INTEGER,
        detail TEXT
      );
      CREATE INDEX upload_steps_upload ON upload_steps (upload_id, id);
      CREATE TABLE data_sets (
        payer TEXT NOT NULL,
        provider_address TEXT NOT NULL,
        provider_id INTEGER NOT NULL,
        client_data_set_id TEXT NOT NULL,
        data_set_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (payer, provider_address, client_data_set_id)
      );
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

/** States in which nothing is running and nothing more will happen by itself. */
export const FINAL_STATES: ReadonlySet<UploadState> = new Set([
  'completed',
  'partial',
  'failed',
  'cancelled',
]);
/** States in which a run of this process is (or was, before it died) doing work. */
export const ACTIVE_STATES: ReadonlySet<UploadState> = new Set(['preparing', 'awaiting-approval', 'running']);

export interface UploadOptionsRecord {
  copies: number;
  providerIds: number[] | null;
  dataSetIds: string[] | null;
  chunkConcurrency: number;
  chunkSize: number;
  waveSize: number;
}

export interface UploadRow {
  id: string;
  account: number;
  payer: `0x${string}`;
  state: UploadState;
  options: UploadOptionsRecord;
  rootCid: string;
  manifest: Uint8Array;
  totalBytes: number;
  uniqueBytes: number;
  pieceCount: number;
  startBlock: number;
  result: unknown;
  error: { code: string; message: string; stage: UploadStage | null } | null;
  createdAt: number;
  updatedAt: number;
}

export interface JournalFile extends PlanFile {
  stagedId: string | null;
}

export interface JournalPiece {
  index: number;
  cid: string;
  size: number;
  source: PieceSource;
}

export type CopyRole = 'primary' | 'secondary';
export type CopyState = 'active' | 'failed' | 'committed';

export interface AuthorizationRecord {
  addPieces: { nonce: `0x${string}`; deadline: string; signature: `0x${string}` };
  createDataSet: { deadline: string; signature: `0x${string}` };
}

export interface CommitRecord {
  state: 'submitting' | 'pending' | 'confirmed' | 'failed';
  commitId: string | null;
  txHash: `0x${string}` | null;
  dataSetId: string | null;
  pieceIds: string[] | null;
}

export interface CopyRow {
  providerId: number;
  address: `0x${string}`;
  url: string;
  endorsed: boolean;
  role: CopyRole;
  explicit: boolean;
  attempt: number;
  clientDataSetId: string;
  dataSetId: string | null;
  isNewDataSet: boolean;
  state: CopyState;
  failure: { stage: UploadStage; error: string } | null;
  authorization: AuthorizationRecord | null;
  commit: CommitRecord | null;
}

export interface QuoteRow {
  providerId: number;
  pieceIndex: number;
  quoteDigest: `0x${string}`;
  price: string;
  expiry: number;
  paymentId: number | null;
  paid: boolean;
}

export type PaymentState = 'sending' | 'sent' | 'confirmed' | 'failed';

export interface PaymentRow {
  id: number;
  wave: number | null;
  state: PaymentState;
  txHash: `0x${string}` | null;
  amount: string;
  quoteCount: number;
  error: string | null;
  createdAt: number;
}

export type HoldingStatus = 'cached' | 'parked' | 'committed';

export interface StepRow {
  at: number;
  step: string;
  phase: 'before' | 'after' | 'failed';
  providerId: number | null;
  detail: unknown;
}

const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
const parse = <T>(text: unknown): T =>
  (text === null || text === undefined ? null : JSON.parse(String(text))) as T;

export class UploadJournal {
  readonly db: Db;

  constructor(dataDir: string) {
    this.db = openDatabase(path.join(dataDir, JOURNAL_FILE), MIGRATIONS);
  }

  close(): void {
    this.db.close();
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // --- uploads ---

  createUpload(
    row: Omit<UploadRow, 'result' | 'error' | 'createdAt' | 'updatedAt'>,
    files: readonly JournalFile[],
    pieces: readonly JournalPiece[],
  ): void {
    const now = Date.now();
    this.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO uploads (id, account, payer, state, options, root_cid, manifest, total_bytes, unique_bytes,
             piece_count, start_block, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.id,
          row.account,
          row.payer.toLowerCase(),
          row.state,
          JSON.stringify(row.options),
          row.rootCid,
          Buffer.from(row.manifest),
          row.totalBytes,
          row.uniqueBytes,
          row.pieceCount,
          row.startBlock,
          now,
          now,
        );
      const file = this.db.prepare(
        `INSERT INTO upload_files (upload_id, file_index, name, path, size, mtime_ms, media_type, chunk_size, staged_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const f of files)
        file.run(row.id, f.index, f.name, f.path, f.size, f.mtimeMs, f.mediaType, f.chunkSize, f.stagedId);
      const piece = this.db.prepare(
        `INSERT INTO upload_pieces (upload_id, piece_index, cid, size, file_index, file_offset) VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const p of pieces)
        piece.run(
          row.id,
          p.index,
          p.cid,
          p.size,
          p.source.kind === 'file' ? p.source.fileIndex : null,
          p.source.kind === 'file' ? p.source.offset : null,
        );
      this.#step(row.id, 'planned', 'after', null, { pieces: pieces.length, files: files.length });
    });
  }

  upload(id: string): UploadRow | undefined {
    const row = this.db.prepare('SELECT * FROM uploads WHERE id = ?').get(id) as
      Record<string, unknown> | undefined;
    return row && uploadOf(row);
  }

  /** Newest first. */
  listUploads(offset: number, limit: number): { uploads: UploadRow[]; total: number } {
    const rows = this.db
      .prepare('SELECT * FROM uploads ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?')
      .all(limit, offset) as Record<string, unknown>[];
    const total = this.db.prepare('SELECT COUNT(*) FROM uploads').pluck().get() as number;
    return { uploads: rows.map(uploadOf), total };
  }

  uploadsIn(states: Iterable<UploadState>): UploadRow[] {
    const list = [...states];
    if (list.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM uploads WHERE state IN (${list.map(() => '?').join(',')}) ORDER BY created_at`)
      .all(...list) as Record<string, unknown>[];
    return rows.map(uploadOf);
  }

  setState(id: string, state: UploadState, error: UploadRow['error'] = null): void {
    this.transaction(() => {
      this.db
        .prepare('UPDATE uploads SET state = ?, error = ?, updated_at = ? WHERE id = ?')
        .run(state, json(error), Date.now(), id);
      this.#step(id, `state:${state}`, 'after', null, error);
    });
  }

  setResult(id: string, state: UploadState, result: unknown, error: UploadRow['error'] = null): void {
    this.transaction(() => {
      this.db
        .prepare('UPDATE uploads SET state = ?, result = ?, error = ?, updated_at = ? WHERE id = ?')
        .run(state, json(result), json(error), Date.now(), id);
      this.#step(id, `state:${state}`, 'after', null, error);
    });
  }

  setOptions(id: string, options: UploadOptionsRecord): void {
    this.db
      .prepare('UPDATE uploads SET options = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(options), Date.now(), id);
  }

  files(id: string): JournalFile[] {
    return this.#rows('SELECT * FROM upload_files WHERE upload_id = ? ORDER BY file_index', id).map((r) => ({
      index: Number(r.file_index),
      name: String(r.name),
      path: String(r.path),
      size: Number(r.size),
      mtimeMs: Number(r.mtime_ms),
      mediaType: String(r.media_type),
      chunkSize: Number(r.chunk_size),
      stagedId: r.staged_id === null ? null : String(r.staged_id),
    }));
  }

  pieces(id: string): JournalPiece[] {
    return this.#rows('SELECT * FROM upload_pieces WHERE upload_id = ? ORDER BY piece_index', id).map(
      (r) => ({
        index: Number(r.piece_index),
        cid: String(r.cid),
        size: Number(r.size),
        source:
          r.file_index === null
            ? { kind: 'root' as const }
            : { kind: 'file' as const, fileIndex: Number(r.file_index), offset: Number(r.file_offset) },
      }),
    );
  }

  // --- copies ---

  putCopy(uploadId: string, copy: CopyRow): void {
    this.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO upload_copies (upload_id, provider_id, address, url, endorsed, role, explicit, attempt,
             client_data_set_id, data_set_id, is_new_data_set, state, failure, authorization, commit_info)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (upload_id, provider_id) DO UPDATE SET
             role = excluded.role, explicit = excluded.explicit, attempt = excluded.attempt,
             client_data_set_id = excluded.client_data_set_id, data_set_id = excluded.data_set_id,
             is_new_data_set = excluded.is_new_data_set, state = excluded.state, failure = excluded.failure,
             authorization = excluded.authorization, commit_info = excluded.commit_info`,
        )
        .run(
          uploadId,
          copy.providerId,
          copy.address.toLowerCase(),
          copy.url,
          copy.endorsed ? 1 : 0,
          copy.role,
          copy.explicit ? 1 : 0,
          copy.attempt,
          copy.clientDataSetId,
          copy.dataSetId,
          copy.isNewDataSet ? 1 : 0,
          copy.state,
          json(copy.failure),
          json(copy.authorization),
          json(copy.commit),
        );
    });
  }

  copies(uploadId: string): CopyRow[] {
    return this.#rows('SELECT * FROM upload_copies WHERE upload_id = ? ORDER BY attempt', uploadId).map(
      (r) => ({
        providerId: Number(r.provider_id),
        address: String(r.address) as `0x${string}`,
        url: String(r.url),
        endorsed: r.endorsed === 1,
        role: r.role as CopyRole,
        explicit: r.explicit === 1,
        attempt: Number(r.attempt),
        clientDataSetId: String(r.client_data_set_id),
        dataSetId: r.data_set_id === null ? null : String(r.data_set_id),
        isNewDataSet: r.is_new_data_set === 1,
        state: r.state as CopyState,
        failure: parse(r.failure),
        authorization: parse(r.authorization),
        commit: parse(r.commit_info),
      }),
    );
  }

  /** Providers holding a committed copy of an upload with this root, most recent upload first. */
  holdersOf(rootCid: string): number[] {
    return this.db
      .prepare(
        `SELECT DISTINCT c.provider_id FROM upload_copies c JOIN uploads u ON u.id = c.upload_id
         WHERE u.root_cid = ? AND c.state = 'committed' ORDER BY u.created_at DESC`,
      )
      .pluck()
      .all(rootCid) as number[];
  }

  // --- quotes and payments ---

  /** Quotes obtained (after the provider answered), before any is paid. */
  recordQuotes(uploadId: string, quotes: readonly Omit<QuoteRow, 'paymentId' | 'paid'>[]): void {
    this.transaction(() => {
      const insert = this.db.prepare(
        `INSERT OR IGNORE INTO upload_quotes (upload_id, provider_id, piece_index, quote_digest, price, expiry)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const q of quotes)
        insert.run(uploadId, q.providerId, q.pieceIndex, q.quoteDigest.toLowerCase(), q.price, q.expiry);
    });
  }

  /** Before sending: the payment and the quotes it pays. Returns its id. */
  beginPayment(uploadId: string, wave: number | null, digests: readonly string[], amount: bigint): number {
    return this.transaction(() => {
      const now = Date.now();
      const id = Number(
        this.db
          .prepare(
            `INSERT INTO upload_payments (upload_id, wave, state, amount, quote_count, created_at, updated_at)
             VALUES (?, ?, 'sending', ?, ?, ?, ?)`,
          )
          .run(uploadId, wave, amount.toString(), digests.length, now, now).lastInsertRowid,
      );
      const link = this.db.prepare(
        'UPDATE upload_quotes SET payment_id = ? WHERE upload_id = ? AND quote_digest = ?',
      );
      for (const digest of digests) link.run(id, uploadId, digest.toLowerCase());
      this.#step(uploadId, 'payment', 'before', null, { paymentId: id, wave, quotes: digests.length });
      return id;
    });
  }

  paymentSent(uploadId: string, paymentId: number, txHash: string): void {
    this.#setPayment(uploadId, paymentId, 'sent', txHash, null);
  }

  /** The payment is mined: its quotes are paid. */
  paymentConfirmed(uploadId: string, paymentId: number): void {
    this.transaction(() => {
      this.#setPayment(uploadId, paymentId, 'confirmed', undefined, null);
      this.db
        .prepare('UPDATE upload_quotes SET paid = 1 WHERE upload_id = ? AND payment_id = ?')
        .run(uploadId, paymentId);
    });
  }

  /** The payment did not happen (refused, reverted, or found unpaid on resume): its quotes are free. */
  paymentFailed(uploadId: string, paymentId: number, error: string): void {
    this.transaction(() => {
      this.#setPayment(uploadId, paymentId, 'failed', undefined, error);
      this.db
        .prepare(
          'UPDATE upload_quotes SET payment_id = NULL WHERE upload_id = ? AND payment_id = ? AND paid = 0',
        )
        .run(uploadId, paymentId);
    });
  }

  /** Quotes found paid on chain (a resume's check). */
  markQuotesPaid(uploadId: string, digests: readonly string[]): void {
    this.transaction(() => {
      const mark = this.db.prepare(
        'UPDATE upload_quotes SET paid = 1 WHERE upload_id = ? AND quote_digest = ?',
      );
      for (const digest of digests) mark.run(uploadId, digest.toLowerCase());
    });
  }

  quotes(uploadId: string): QuoteRow[] {
    return this.#rows('SELECT * FROM upload_quotes WHERE upload_id = ?', uploadId).map((r) => ({
      providerId: Number(r.provider_id),
      pieceIndex: Number(r.piece_index),
      quoteDigest: String(r.quote_digest) as `0x${string}`,
      price: String(r.price),
      expiry: Number(r.expiry),
      paymentId: r.payment_id === null ? null : Number(r.payment_id),
      paid: r.paid === 1,
    }));
  }

  payments(uploadId: string): PaymentRow[] {
    return this.#rows('SELECT * FROM upload_payments WHERE upload_id = ? ORDER BY id', uploadId).map((r) => ({
      id: Number(r.id),
      wave: r.wave === null ? null : Number(r.wave),
      state: r.state as PaymentState,
      txHash: r.tx_hash === null ? null : (String(r.tx_hash) as `0x${string}`),
      amount: String(r.amount),
      quoteCount: Number(r.quote_count),
      error: r.error === null ? null : String(r.error),
      createdAt: Number(r.created_at),
    }));
  }

  // --- holdings ---

  /** Pieces a provider now holds (after a store or pull answered, or a status check). */
  recordHoldings(
    uploadId: string,
    providerId: number,
    entries: readonly { pieceIndex: number; status: HoldingStatus }[],
    step?: { step: string; detail?: unknown },
  ): void {
    this.transaction(() => {
      const put = this.db.prepare(
        `INSERT INTO upload_holdings (upload_id, provider_id, piece_index, status) VALUES (?, ?, ?, ?)
         ON CONFLICT (upload_id, provider_id, piece_index) DO UPDATE SET status = excluded.status`,
      );
      for (const entry of entries) put.run(uploadId, providerId, entry.pieceIndex, entry.status);
      if (step)
        this.#step(uploadId, step.step, 'after', providerId, step.detail ?? { pieces: entries.length });
    });
  }

  /** Forgets holdings a provider turned out not to have (expired from its cache). */
  dropHoldings(uploadId: string, providerId: number, pieceIndices: readonly number[]): void {
    this.transaction(() => {
      const drop = this.db.prepare(
        'DELETE FROM upload_holdings WHERE upload_id = ? AND provider_id = ? AND piece_index = ?',
      );
      for (const index of pieceIndices) drop.run(uploadId, providerId, index);
    });
  }

  holdings(uploadId: string): { providerId: number; pieceIndex: number; status: HoldingStatus }[] {
    return this.#rows('SELECT * FROM upload_holdings WHERE upload_id = ?', uploadId).map((r) => ({
      providerId: Number(r.provider_id),
      pieceIndex: Number(r.piece_index),
      status: r.status as HoldingStatus,
    }));
  }

  // --- steps ---

  /** A step about to happen ('before'), done ('after') or failed, for the record and the history. */
  step(
    uploadId: string,
    step: string,
    phase: StepRow['phase'],
    providerId: number | null,
    detail?: unknown,
  ): void {
    this.transaction(() => this.#step(uploadId, step, phase, providerId, detail));
  }

  steps(uploadId: string): StepRow[] {
    return this.#rows('SELECT * FROM upload_steps WHERE upload_id = ? ORDER BY id', uploadId).map((r) => ({
      at: Number(r.at),
      step: String(r.step),
      phase: r.phase as StepRow['phase'],
      providerId: r.provider_id === null ? null : Number(r.provider_id),
      detail: parse(r.detail),
    }));
  }

  // --- data sets ---

  rememberDataSet(entry: {
    payer: string;
    providerAddress: string;
    providerId: number;
    clientDataSetId: string;
    dataSetId: string;
  }): void {
    this.db
      .prepare(
        `INSERT INTO data_sets (payer, provider_address, provider_id, client_data_set_id, data_set_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (payer, provider_address, client_data_set_id) DO UPDATE SET data_set_id = excluded.data_set_id`,
      )
      .run(
        entry.payer.toLowerCase(),
        entry.providerAddress.toLowerCase(),
        entry.providerId,
        entry.clientDataSetId,
        entry.dataSetId,
        Date.now(),
      );
  }

  /** The payer's data sets, oldest first. */
  dataSets(
    payer: string,
  ): { providerAddress: string; providerId: number; clientDataSetId: string; dataSetId: string }[] {
    return (
      this.db
        .prepare('SELECT * FROM data_sets WHERE payer = ? ORDER BY created_at, rowid')
        .all(payer.toLowerCase()) as Record<string, unknown>[]
    ).map((r) => ({
      providerAddress: String(r.provider_address),
      providerId: Number(r.provider_id),
      clientDataSetId: String(r.client_data_set_id),
      dataSetId: String(r.data_set_id),
    }));
  }

  // --- settings ---

  setting(key: string): string | undefined {
    return this.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
  }

  setSetting(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  #setPayment(
    uploadId: string,
    id: number,
    state: PaymentState,
    txHash: string | undefined,
    error: string | null,
  ) {
    this.transaction(() => {
      this.db
        .prepare(
          'UPDATE upload_payments SET state = ?, tx_hash = COALESCE(?, tx_hash), error = ?, updated_at = ? WHERE id = ?',
        )
        .run(state, txHash ?? null, error, Date.now(), id);
      this.#step(uploadId, 'payment', state === 'failed' ? 'failed' : 'after', null, {
        paymentId: id,
        state,
        txHash,
        error,
      });
    });
  }

  #rows(sql: string, ...params: unknown[]): Record<string, unknown>[] {
    return this.db.prepare(sql).all(...params) as Record<string, unknown>[];
  }

  #step(
    uploadId: string,
    step: string,
    phase: StepRow['phase'],
    providerId: number | null,
    detail: unknown,
  ): void {
    this.db
      .prepare(
        'INSERT INTO upload_steps (upload_id, at, step, phase, provider_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(uploadId, Date.now(), step, phase, providerId, json(detail));
  }
}

function uploadOf(r: Record<string, unknown>): UploadRow {
  return {
    id: String(r.id),
    account: Number(r.account),
    payer: String(r.payer) as `0x${string}`,
    state: r.state as UploadState,
    options: parse(r.options),
    rootCid: String(r.root_cid),
    manifest: new Uint8Array(r.manifest as Buffer),
    totalBytes: Number(r.total_bytes),
    uniqueBytes: Number(r.unique_bytes),
    pieceCount: Number(r.piece_count),
    startBlock: Number(r.start_block),
    result: parse(r.result),
    error: parse(r.error),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
