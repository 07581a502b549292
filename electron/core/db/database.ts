/**
 * Opens an SQLite database file for one part of the core (upload journal, sync checkpoints,
 * settings) and brings its schema up to date. WAL mode and `synchronous = FULL`: a committed
 * transaction survives a crash or a SIGKILL, which the journal and checkpoints rely on.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

export interface Migration {
  /** Unique and stable, e.g. `sync-001-checkpoints`; applied once, in list order. */
  id: string;
  sql: string;
}

export function openDatabase(file: string, migrations: readonly Migration[]): Db {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  const record = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const migration of migrations) {
    if (applied.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.id, Date.now());
    })();
  }
}

/** `PRAGMA integrity_check` as a boolean, for crash-safety checks. */
export function integrityOk(db: Db): boolean {
  return db.pragma('integrity_check', { simple: true }) === 'ok';
}
