/**
 * Prints the note codec's fixed test vectors as JSON:
 *   npx tsx shared/notes/generate-test-vectors.ts > shared/notes/test-vectors.json
 * Run it only when the note format changes on purpose (and bump NOTE_FORMAT_VERSION then): the
 * committed file is what the tests hold the codec to, byte for byte, and what
 * electron/core/crypto/note-vectors-independent.test.ts re-derives with other implementations.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { encodeAddress } from './address';
import { encodeNote, MAX_NOTE_VALUE } from './format';
import { nobleKem } from './noble-kem';
import { encryptNote } from './note-crypto';
import { vectorRng, type TestVector } from './test-vectors';

/** `length` bytes of SHA-256 counter-mode output: arbitrary but reproducible inputs. */
function expand(label: string, length: number): Uint8Array {
  const blocks = Array.from({ length: Math.ceil(length / 32) }, (_, i) =>
    sha256(utf8ToBytes(`${label}/${i}`)),
  );
  return concatBytes(...blocks).subarray(0, length);
}

const cases = [
  { name: 'zero value, empty memo', value: 0n, memo: new Uint8Array(0) },
  { name: 'typical note', value: 1_250_000n, memo: utf8ToBytes('rent for March — merci!') },
  { name: 'largest value, full 1 KiB memo', value: MAX_NOTE_VALUE, memo: expand('memo', 1024) },
];

const vectors: TestVector[] = cases.map(({ name, value, memo }, i) => {
  const detectionSeed = expand(`vector ${i} detection seed`, 64);
  const viewingSeed = expand(`vector ${i} viewing seed`, 64);
  const rng = expand(`vector ${i} rng`, 32 + 32 + 32 + 12);
  const detection = nobleKem.keygen(detectionSeed);
  const viewing = nobleKem.keygen(viewingSeed);
  const recipient = { detectionPublicKey: detection.publicKey, viewingPublicKey: viewing.publicKey };
  const note = encryptNote({ recipient, value, memo }, nobleKem, vectorRng(rng));
  return {
    name,
    detectionSeed: bytesToHex(detectionSeed),
    viewingSeed: bytesToHex(viewingSeed),
    value: value.toString(),
    memo: bytesToHex(memo),
    rng: bytesToHex(rng),
    detectionPublicKeySha256: bytesToHex(sha256(detection.publicKey)),
    viewingPublicKeySha256: bytesToHex(sha256(viewing.publicKey)),
    address: encodeAddress(recipient),
    commitment: bytesToHex(note.compact.commitment),
    tag: note.compact.tag,
    note: bytesToHex(encodeNote(note)),
  };
});

console.log(JSON.stringify({ vectors }, null, 2));
