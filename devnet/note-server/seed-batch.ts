/**
 * Builds the seeder's notes, deterministically: note n of a seeding run depends only on the run's
 * seed text, n, and whether n goes to the wallet — so any worker can build any batch, and the
 * same options always give the same notes, byte for byte.
 *
 * Each note has its own ChaCha20 stream keyed by SHA-256("coffer/seed/v1/note\0" ‖ seed ‖ n);
 * it gives the value, the decoy recipient, the memo and all of encryptNote's randomness. Notes
 * not for the wallet go to a pool of decoy wallets whose keys also derive from the seed.
 */
import { rngChacha20 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { encodeNote, NOTE_BYTES } from '../../shared/notes/format';
import type { Kem } from '../../shared/notes/kem';
import { encryptNote, preparedRecipient } from '../../shared/notes/note-crypto';
import type { RecipientKeys } from '../../shared/notes/address';

export interface SeedBatchSetup {
  seed: string;
  recipient: RecipientKeys;
  decoys: number;
}

/** What the oracle records of a note sent to the wallet. */
export interface SeededNote {
  /** Position in this seeding run (0-based); the note's index is the run's start index plus this. */
  ordinal: number;
  value: bigint;
  memo: string;
}

export interface SeedBatch {
  /** `to - from` encoded notes, concatenated in order. */
  notes: Uint8Array;
  ours: SeededNote[];
}

const u64 = (n: number) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};

export const streamKey = (seed: string, purpose: string, n: number) =>
  sha256(concatBytes(utf8ToBytes(`coffer/seed/v1/${purpose}\0${seed}\0`), u64(n)));

/** The wallet address's keys of decoy number `n`. */
function decoyRecipient(seed: string, n: number, kem: Kem): RecipientKeys {
  const prg = rngChacha20(streamKey(seed, 'decoy', n));
  return {
    detectionPublicKey: kem.keygen(prg.randomBytes(64)).publicKey,
    viewingPublicKey: kem.keygen(prg.randomBytes(64)).publicKey,
  };
}

export function createSeedBatchEncoder(setup: SeedBatchSetup, kem: Kem) {
  if (!Number.isSafeInteger(setup.decoys) || setup.decoys < 1)
    throw new RangeError('decoys must be at least 1');
  const wallet = preparedRecipient(setup.recipient);
  const decoys = Array.from({ length: setup.decoys }, (_, n) =>
    preparedRecipient(decoyRecipient(setup.seed, n, kem)),
  );

  /** Notes [from, to) of the run; `ours` lists the ordinals in that range that go to the wallet. */
  return function encode(from: number, to: number, ours: ReadonlySet<number>): SeedBatch {
    const notes = new Uint8Array((to - from) * NOTE_BYTES);
    const seeded: SeededNote[] = [];
    for (let ordinal = from; ordinal < to; ordinal++) {
      const prg = rngChacha20(streamKey(setup.seed, 'note', ordinal));
      const draw = prg.randomBytes(8);
      const word = new DataView(draw.buffer).getUint32(0);
      const value = BigInt(1 + (word % 1_000_000)) * 1000n;
      const mine = ours.has(ordinal);
      const memo = mine ? `seeded note ${ordinal}` : '';
      const recipient = mine ? wallet : decoys[new DataView(draw.buffer).getUint32(4) % decoys.length]!;
      const note = encryptNote({ recipient, value, memo: utf8ToBytes(memo) }, kem, (n) => prg.randomBytes(n));
      notes.set(encodeNote(note), (ordinal - from) * NOTE_BYTES);
      if (mine) seeded.push({ ordinal, value, memo });
    }
    return { notes, ours: seeded };
  };
}
