/**
 * Trial decryption of one batch against every account of the wallet: the CPU half of a sync
 * worker, free of I/O so the benchmark can drive it with preloaded notes.
 *
 * `findTagHits` decapsulates each compact part once per account and keeps the (note, account)
 * pairs whose tag matched, with the note's compact part as it came (the sync store keeps it while
 * the payload is pending); `openHits` opens the payloads fetched for those notes and keeps the
 * ones whose AEAD opens and whose commitment recomputes (a tag hit that fails is a false positive,
 * about 2^-12 of other people's notes).
 */
import {
  COMPACT_BYTES,
  decodeCompact,
  decodeCompactRecords,
  decodePayloadRecords,
} from '../../../shared/notes/format';
import type { NoteReceiver } from '../../../shared/notes/note-crypto';

export interface AccountReceiver {
  account: number;
  receiver: NoteReceiver;
}

export interface TagHit {
  index: number;
  /** The note's compact part, encoded (COMPACT_BYTES), in a buffer of its own. */
  compact: Uint8Array;
  /** The accounts whose detection tag matched this note. */
  accounts: number[];
}

/** How many (note, account) pairs `hits` holds. */
export const pairsIn = (hits: readonly TagHit[]): number =>
  hits.reduce((sum, hit) => sum + hit.accounts.length, 0);

/** A note recovered for one account. `seed` is a note secret: the coordinator seals it. */
export interface RecoveredNote {
  index: number;
  account: number;
  value: bigint;
  memo: Uint8Array;
  commitment: Uint8Array;
  seed: Uint8Array;
}

/** The tag hits among `count` compact parts (concatenated) of notes starting at `start`. */
export function findTagHits(
  compacts: Uint8Array,
  start: number,
  count: number,
  receivers: readonly AccountReceiver[],
): TagHit[] {
  const hits: TagHit[] = [];
  decodeCompactRecords(compacts, count).forEach((compact, offset) => {
    const accounts = receivers.filter(({ receiver }) => receiver.tagMatches(compact)).map((r) => r.account);
    if (accounts.length > 0)
      hits.push({
        index: start + offset,
        compact: compacts.slice(offset * COMPACT_BYTES, (offset + 1) * COMPACT_BYTES),
        accounts,
      });
  });
  return hits;
}

/**
 * Opens each hit's payload (`payloads` holds them in the order of `hits`) with the accounts whose
 * tag matched. Returns the recovered notes and how many (note, account) hits were false.
 */
export function openHits(
  hits: readonly TagHit[],
  payloads: Uint8Array,
  receivers: readonly AccountReceiver[],
): { notes: RecoveredNote[]; falsePositives: number } {
  const byAccount = new Map(receivers.map((entry) => [entry.account, entry.receiver]));
  const notes: RecoveredNote[] = [];
  let falsePositives = 0;
  decodePayloadRecords(payloads, hits.length).forEach((payload, i) => {
    const hit = hits[i]!;
    const compact = decodeCompact(hit.compact);
    for (const account of hit.accounts) {
      const receiver = byAccount.get(account);
      if (!receiver) throw new Error(`note ${hit.index}: no keys for account ${account} in this worker`);
      const opened = receiver.open(compact, payload);
      if (!opened.ok) {
        falsePositives++;
        continue;
      }
      const { value, memo, commitment, seed } = opened.note;
      notes.push({ index: hit.index, account, value, memo, commitment, seed });
    }
  });
  return { notes, falsePositives };
}
