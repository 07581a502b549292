/**
 * The note server's durable log: notes appended in order to an SQLite file, with the note tree's
 * frontier saved in the same transaction, so the size, the root and the notes always agree, also
 * after a crash. Compact part and payload are stored in separate columns (compact first) so a
 * range read touches only what it serves.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { openDatabase, type Db } from '../../electron/core/db/database';
import { COMPACT_BYTES, decodeNote, NOTE_BYTES, NoteFormatError } from '../../shared/notes/format';
import { IncrementalMerkleTree } from '../../shared/notes/merkle';

const migrations = [
  {
    id: 'notes-001-log',
    sql: `
      CREATE TABLE notes (idx INTEGER PRIMARY KEY, compact BLOB NOT NULL, payload BLOB NOT NULL);
      CREATE TABLE tree_state (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, frontier BLOB NOT NULL);
    `,
  },
];

export interface AppendResult {
  firstIndex: number;
  count: number;
  treeSize: number;
  root: string;
}

export class NoteStore {
  private readonly db: Db;
  private tree: IncrementalMerkleTree;
  private rootHex: string;
  private readonly statements;

  constructor(file: string) {
    this.db = openDatabase(file, migrations);
    const state = this.db.prepare('SELECT size, frontier FROM tree_state WHERE id = 1').get() as
      { size: number; frontier: Buffer } | undefined;
    this.tree = state
      ? IncrementalMerkleTree.restore(state.size, new Uint8Array(state.frontier))
      : IncrementalMerkleTree.empty();
    const stored = this.db.prepare('SELECT count(*) FROM notes').pluck().get() as number;
    if (stored !== this.tree.size)
      throw new Error(
        `note store ${file}: ${stored} notes but the tree says ${this.tree.size}; refusing to serve`,
      );
    this.rootHex = bytesToHex(this.tree.root());
    this.statements = {
      insert: this.db.prepare('INSERT INTO notes (idx, compact, payload) VALUES (?, ?, ?)'),
      saveTree: this.db.prepare(
        'INSERT INTO tree_state (id, size, frontier) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, frontier = excluded.frontier',
      ),
      note: this.db.prepare('SELECT compact, payload FROM notes WHERE idx = ?'),
      compact: this.db.prepare('SELECT compact FROM notes WHERE idx = ?').pluck(),
      payload: this.db.prepare('SELECT payload FROM notes WHERE idx = ?').pluck(),
      compactRange: this.db
        .prepare('SELECT compact FROM notes WHERE idx >= ? AND idx < ? ORDER BY idx')
        .pluck(),
    };
  }

  get size(): number {
    return this.tree.size;
  }

  get root(): string {
    return this.rootHex;
  }

  /**
   * Appends `notes` (a concatenation of encoded notes) atomically: every note is checked first,
   * and one malformed note rejects the whole batch with its position in the error.
   */
  append(notes: Uint8Array): AppendResult {
    if (notes.length === 0 || notes.length % NOTE_BYTES !== 0)
      throw new NoteFormatError(
        `publish body: expected a whole number of ${NOTE_BYTES}-byte notes, got ${notes.length} bytes`,
      );
    const count = notes.length / NOTE_BYTES;
    const decoded: { bytes: Uint8Array; commitment: Uint8Array }[] = [];
    for (let i = 0; i < count; i++) {
      const bytes = notes.subarray(i * NOTE_BYTES, (i + 1) * NOTE_BYTES);
      try {
        decoded.push({ bytes, commitment: decodeNote(bytes).compact.commitment });
      } catch (error) {
        if (error instanceof NoteFormatError)
          throw new NoteFormatError(`note ${i} of ${count} in the publish body: ${error.message}`, i);
        throw error;
      }
    }
    const firstIndex = this.tree.size;
    const before = this.tree.serializeFrontier();
    try {
      this.db.transaction(() => {
        decoded.forEach(({ bytes, commitment }, offset) => {
          this.statements.insert.run(
            firstIndex + offset,
            bytes.subarray(0, COMPACT_BYTES),
            bytes.subarray(COMPACT_BYTES),
          );
          this.tree.append(commitment);
        });
        this.statements.saveTree.run(this.tree.size, this.tree.serializeFrontier());
      })();
    } catch (error) {
      // The transaction rolled back: put the in-memory tree back where the file is.
      this.tree = IncrementalMerkleTree.restore(firstIndex, before);
      throw error;
    }
    this.rootHex = bytesToHex(this.tree.root());
    return { firstIndex, count, treeSize: this.tree.size, root: this.rootHex };
  }

  /** The full note at `index`, or undefined beyond the tree size. */
  note(index: number): Uint8Array | undefined {
    const row = this.statements.note.get(index) as { compact: Buffer; payload: Buffer } | undefined;
    if (!row) return undefined;
    const out = new Uint8Array(NOTE_BYTES);
    out.set(row.compact, 0);
    out.set(row.payload, COMPACT_BYTES);
    return out;
  }

  compact(index: number): Uint8Array | undefined {
    return this.statements.compact.get(index) as Buffer | undefined;
  }

  payload(index: number): Uint8Array | undefined {
    return this.statements.payload.get(index) as Buffer | undefined;
  }

  /** Compact parts of [start, start + count), concatenated in index order. */
  compactRange(start: number, count: number): Uint8Array {
    const rows = this.statements.compactRange.all(start, start + count) as Buffer[];
    return Buffer.concat(rows);
  }

  close(): void {
    this.db.close();
  }
}
