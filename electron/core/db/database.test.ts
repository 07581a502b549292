import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { integrityOk, openDatabase } from './database';

describe('openDatabase', () => {
  it('applies each migration once, in order, across reopenings', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'coffer-db-')), 'x.sqlite');
    const first = [{ id: 't-001', sql: 'CREATE TABLE t (a INTEGER)' }];
    const db1 = openDatabase(file, first);
    db1.prepare('INSERT INTO t VALUES (1)').run();
    db1.close();
    const db2 = openDatabase(file, [...first, { id: 't-002', sql: 'ALTER TABLE t ADD COLUMN b TEXT' }]);
    expect(db2.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 1, b: null }]);
    expect(db2.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(integrityOk(db2)).toBe(true);
    db2.close();
  });

  it('rolls back a failing migration and leaves it unapplied', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'coffer-db-')), 'x.sqlite');
    expect(() =>
      openDatabase(file, [{ id: 'bad', sql: 'CREATE TABLE u (a); INSERT INTO nope VALUES (1)' }]),
    ).toThrow(/nope/);
    const db = openDatabase(file, []);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'u'").pluck().get()).toBe(0);
    db.close();
  });
});
