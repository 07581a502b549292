/**
 * The sync engine's SQLite file: per account, the contiguous cursor (everything below it is
 * scanned), the ranges scanned beyond it (batches that completed out of order), the pending tag
 * hits (scanned notes whose tag matched and whose payload is still to be fetched and opened) and
 * the notes recovered; plus the note server the progress belongs to and the saved settings.
 *
 * `commitBatch` is a batch's checkpoint: one transaction stores its pending tag hits (with their
 * compact parts, needed to open the payloads), records its range for each account it was scanned
 * for, and advances each cursor over every range now contiguous. `resolveHits` is the checkpoint
 * of a payload fetch: one transaction drops the hits it settled and stores the notes they held.
 * So after a crash nothing completed is redone: only the batches in flight are scanned again, and
 * pending hits are resolved from what was saved, without a rescan.
 *
 * Values are u64 and kept as decimal text (SQLite integers are signed 64-bit). A note's seed is a
 * note secret and is stored only sealed (see note-sealer.ts); value, memo and commitment are
 * stored as they are, for listing.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import {
  DEFAULT_SYNC_SETTINGS,
  SyncSettings,
  type AccountBalance,
  type SyncNote,
  type SyncProgress,
} from '../../../shared/api/sync';
import { openDatabase, type Db } from '../db/database';
import type { RecoveredNote, TagHit } from './trial-decrypt';

const migrations = [
  {
    id: 'sync-001-checkpoints',
    sql: `
      CREATE TABLE sync_meta (id INTEGER PRIMARY KEY CHECK (id = 1), server_url TEXT NOT NULL);
      CREATE TABLE sync_accounts (
        account INTEGER PRIMARY KEY,
        key_id TEXT NOT NULL,
        cursor INTEGER NOT NULL
      );
      CREATE TABLE sync_ranges (
        account INTEGER NOT NULL REFERENCES sync_accounts (account) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL CHECK (end > start),
        PRIMARY KEY (account, start)
      ) WITHOUT ROWID;
      CREATE TABLE sync_notes (
        account INTEGER NOT NULL REFERENCES sync_accounts (account) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        value TEXT NOT NULL,
        memo BLOB NOT NULL,
        commitment BLOB NOT NULL,
        sealed_seed BLOB NOT NULL,
        PRIMARY KEY (account, idx)
      ) WITHOUT ROWID;
      CREATE TABLE sync_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
    `,
  },
  {
    id: 'sync-002-last-synced',
    sql: `
      CREATE TABLE sync_last_synced (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at INTEGER NOT NULL,
        tree_size INTEGER NOT NULL
      );
    `,
  },
  {
    id: 'sync-003-pending-hits',
    sql: `
      CREATE TABLE sync_pending (
        account INTEGER NOT NULL REFERENCES sync_accounts (account) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        compact BLOB NOT NULL,
        PRIMARY KEY (account, idx)
      ) WITHOUT ROWID;
    `,
  },
];

/** A recovered note as stored: its seed sealed. */
export type StoredNote = Omit<RecoveredNote, 'seed'> & { sealedSeed: Uint8Array };

export type LastSynced = NonNullable<SyncProgress['lastSynced']>;

export interface AccountProgress {
  cursor: number;
  /** Scanned ranges [start, end) above the cursor, in order. */
  ranges: Array<[number, number]>;
}

const memoText = new TextDecoder('utf-8', { fatal: false });

export class SyncStore {
  readonly #db: Db;
  readonly #sql;

  constructor(file: string) {
    this.#db = openDatabase(file, migrations);
    const db = this.#db;
    this.#sql = {
      serverUrl: db.prepare('SELECT server_url FROM sync_meta WHERE id = 1').pluck(),
      setServerUrl: db.prepare(
        'INSERT INTO sync_meta (id, server_url) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url',
      ),
      accounts: db.prepare('SELECT account, key_id AS keyId, cursor FROM sync_accounts ORDER BY account'),
      addAccount: db.prepare('INSERT INTO sync_accounts (account, key_id, cursor) VALUES (?, ?, 0)'),
      dropAccount: db.prepare('DELETE FROM sync_accounts WHERE account = ?'),
      dropAllAccounts: db.prepare('DELETE FROM sync_accounts'),
      cursor: db.prepare('SELECT cursor FROM sync_accounts WHERE account = ?').pluck(),
      setCursor: db.prepare('UPDATE sync_accounts SET cursor = ? WHERE account = ?'),
      ranges: db.prepare('SELECT start, end FROM sync_ranges WHERE account = ? ORDER BY start').raw(),
      highestEnd: db.prepare('SELECT max(end) FROM sync_ranges').pluck(),
      addRange: db.prepare('INSERT INTO sync_ranges (account, start, end) VALUES (?, ?, ?)'),
      rangeAt: db.prepare('SELECT end FROM sync_ranges WHERE account = ? AND start = ?').pluck(),
      dropRange: db.prepare('DELETE FROM sync_ranges WHERE account = ? AND start = ?'),
      dropRangesFrom: db.prepare('DELETE FROM sync_ranges WHERE start >= ?'),
      trimRangesAt: db.prepare('UPDATE sync_ranges SET end = ? WHERE start < ? AND end > ?'),
      rewindCursors: db.prepare('UPDATE sync_accounts SET cursor = min(cursor, ?)'),
      addNote: db.prepare(
        'INSERT INTO sync_notes (account, idx, value, memo, commitment, sealed_seed) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      dropNotesFrom: db.prepare('DELETE FROM sync_notes WHERE idx >= ?'),
      addPending: db.prepare('INSERT INTO sync_pending (account, idx, compact) VALUES (?, ?, ?)'),
      dropPending: db.prepare('DELETE FROM sync_pending WHERE account = ? AND idx = ?'),
      dropPendingFrom: db.prepare('DELETE FROM sync_pending WHERE idx >= ?'),
      pending: db.prepare('SELECT account, idx, compact FROM sync_pending ORDER BY idx, account'),
      pendingCount: db.prepare('SELECT count(*) FROM sync_pending').pluck(),
      notes: db.prepare(
        'SELECT idx, value, memo, commitment FROM sync_notes WHERE account = ? ORDER BY idx LIMIT ? OFFSET ?',
      ),
      sealedSeed: db.prepare('SELECT sealed_seed FROM sync_notes WHERE account = ? AND idx = ?').pluck(),
      noteCount: db.prepare('SELECT count(*) FROM sync_notes WHERE account = ?').pluck(),
      values: db.prepare('SELECT value FROM sync_notes WHERE account = ?').pluck(),
      settings: db.prepare('SELECT json FROM sync_settings WHERE id = 1').pluck(),
      saveSettings: db.prepare(
        'INSERT INTO sync_settings (id, json) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET json = excluded.json',
      ),
      lastSynced: db.prepare('SELECT at, tree_size AS treeSize FROM sync_last_synced WHERE id = 1'),
      markSynced: db.prepare(
        'INSERT INTO sync_last_synced (id, at, tree_size) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at, tree_size = excluded.tree_size',
      ),
      forgetSynced: db.prepare('DELETE FROM sync_last_synced'),
    };
  }

  /**
   * Ties the stored progress to this note server, tree size and set of account keys, starting over
   * where it no longer applies: another server, a server whose history is shorter than what was
   * scanned (a reset devnet), or an account index whose keys changed (another wallet). Returns why,
   * for each reset, in words.
   */
  bind(
    serverUrl: string,
    treeSize: number,
    accounts: ReadonlyArray<{ account: number; keyId: string }>,
  ): string[] {
    const reasons: string[] = [];
    this.#db.transaction(() => {
      const previousUrl = this.#sql.serverUrl.get() as string | undefined;
      if (previousUrl !== undefined && previousUrl !== serverUrl) {
        this.#sql.dropAllAccounts.run();
        reasons.push(`the note server changed from ${previousUrl} to ${serverUrl}; syncing from the start`);
      }
      this.#sql.setServerUrl.run(serverUrl);
      const stored = this.#sql.accounts.all() as Array<{ account: number; keyId: string; cursor: number }>;
      const scannedUpTo = Math.max(
        0,
        ...stored.map((row) => row.cursor),
        (this.#sql.highestEnd.get() as number | null) ?? 0,
      );
      if (scannedUpTo > treeSize) {
        this.#sql.dropAllAccounts.run();
        reasons.push(
          `the note server now has ${treeSize} notes, fewer than the ${scannedUpTo} already scanned (its history was reset); syncing from the start`,
        );
      }
      const kept = new Map(
        (this.#sql.accounts.all() as Array<{ account: number; keyId: string }>).map((row) => [
          row.account,
          row.keyId,
        ]),
      );
      for (const { account, keyId } of accounts) {
        const previous = kept.get(account);
        if (previous === keyId) continue;
        if (previous !== undefined) {
          this.#sql.dropAccount.run(account);
          reasons.push(
            `account ${account} has other keys than the ones synced before; syncing it from the start`,
          );
        }
        this.#sql.addAccount.run(account, keyId);
        // An account scanned from the start: the wallet as a whole is no longer synced.
        this.#sql.forgetSynced.run();
      }
    })();
    return reasons;
  }

  progressOf(account: number): AccountProgress {
    const cursor = this.#sql.cursor.get(account) as number | undefined;
    if (cursor === undefined) return { cursor: 0, ranges: [] };
    return { cursor, ranges: this.#sql.ranges.all(account) as Array<[number, number]> };
  }

  /**
   * The checkpoint of one batch [start, end), scanned for `accounts`: its tag hits become pending
   * and its range scanned, in one transaction.
   */
  commitBatch(start: number, end: number, accounts: readonly number[], hits: readonly TagHit[]): void {
    this.#db.transaction(() => {
      for (const hit of hits)
        for (const account of hit.accounts) this.#sql.addPending.run(account, hit.index, hit.compact);
      for (const account of accounts) {
        let cursor = this.#sql.cursor.get(account) as number | undefined;
        if (cursor === undefined) throw new Error(`sync store: account ${account} is not bound`);
        this.#sql.addRange.run(account, start, end);
        for (;;) {
          const next = this.#sql.rangeAt.get(account, cursor) as number | undefined;
          if (next === undefined) break;
          this.#sql.dropRange.run(account, cursor);
          cursor = next;
        }
        this.#sql.setCursor.run(cursor, account);
      }
    })();
  }

  /**
   * The checkpoint of a payload fetch: `hits` are settled — they are no longer pending, and `notes`
   * are the ones among them that opened (the others were false positives) — in one transaction.
   */
  resolveHits(hits: readonly TagHit[], notes: readonly StoredNote[]): void {
    this.#db.transaction(() => {
      for (const hit of hits)
        for (const account of hit.accounts) {
          if (this.#sql.dropPending.run(account, hit.index).changes !== 1)
            throw new Error(`sync store: note ${hit.index} is not pending for account ${account}`);
        }
      for (const note of notes)
        this.#sql.addNote.run(
          note.account,
          note.index,
          note.value.toString(),
          note.memo,
          note.commitment,
          note.sealedSeed,
        );
    })();
  }

  /** The pending tag hits of `accounts`, in index order. */
  pendingHits(accounts: readonly number[]): TagHit[] {
    const wanted = new Set(accounts);
    const hits: TagHit[] = [];
    for (const row of this.#sql.pending.all() as Array<{ account: number; idx: number; compact: Buffer }>) {
      if (!wanted.has(row.account)) continue;
      const last = hits.at(-1);
      if (last?.index === row.idx) last.accounts.push(row.account);
      else hits.push({ index: row.idx, compact: new Uint8Array(row.compact), accounts: [row.account] });
    }
    return hits;
  }

  /** How many (note, account) tag hits wait for their payload. */
  pendingCount(): number {
    return this.#sql.pendingCount.get() as number;
  }

  /** Forgets every note, pending hit and scanned range from `from` on, for every account. */
  rescanFrom(from: number): void {
    this.#db.transaction(() => {
      this.#sql.dropNotesFrom.run(from);
      this.#sql.dropPendingFrom.run(from);
      this.#sql.dropRangesFrom.run(from);
      this.#sql.trimRangesAt.run(from, from, from);
      this.#sql.rewindCursors.run(from);
      this.#sql.forgetSynced.run();
    })();
  }

  /** When every account was last scanned up to the note server's tree size, or null. */
  lastSynced(): LastSynced | null {
    return (this.#sql.lastSynced.get() as LastSynced | undefined) ?? null;
  }

  /** Records that a pass scanned every account up to `treeSize`. */
  markSynced(treeSize: number, at = Date.now()): void {
    this.#sql.markSynced.run(at, treeSize);
  }

  notes(account: number, offset: number, limit: number): { total: number; notes: SyncNote[] } {
    const rows = this.#sql.notes.all(account, limit, offset) as Array<{
      idx: number;
      value: string;
      memo: Buffer;
      commitment: Buffer;
    }>;
    return {
      total: this.#sql.noteCount.get(account) as number,
      notes: rows.map((row) => ({
        index: row.idx,
        account,
        value: row.value,
        memo: memoText.decode(row.memo),
        commitment: bytesToHex(row.commitment),
      })),
    };
  }

  sealedSeed(account: number, index: number): Uint8Array | undefined {
    const sealed = this.#sql.sealedSeed.get(account, index) as Buffer | undefined;
    return sealed && new Uint8Array(sealed);
  }

  balance(account: number): AccountBalance {
    const values = this.#sql.values.all(account) as string[];
    return {
      account,
      balance: values.reduce((sum, value) => sum + BigInt(value), 0n).toString(),
      notes: values.length,
    };
  }

  /** Balances of every account synced so far. */
  balances(): AccountBalance[] {
    return (this.#sql.accounts.all() as Array<{ account: number }>).map(({ account }) =>
      this.balance(account),
    );
  }

  settings(): SyncSettings {
    const json = this.#sql.settings.get() as string | undefined;
    if (!json) return DEFAULT_SYNC_SETTINGS;
    const parsed = SyncSettings.partial().safeParse(JSON.parse(json));
    return { ...DEFAULT_SYNC_SETTINGS, ...(parsed.success ? parsed.data : {}) };
  }

  saveSettings(settings: SyncSettings): void {
    this.#sql.saveSettings.run(JSON.stringify(SyncSettings.parse(settings)));
  }

  close(): void {
    this.#db.close();
  }
}
