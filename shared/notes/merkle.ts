/**
 * The note tree: an append-only, fixed-depth (32) binary Merkle tree of note commitments, the
 * shape of the Ethereum deposit contract's. Empty leaves are 32 zero bytes; a leaf is hashed as
 * SHA-256(0x00 ‖ commitment) and an inner node as SHA-256(0x01 ‖ left ‖ right), so a leaf can
 * never be mistaken for a node. The published root also commits to the size:
 * root = SHA-256(0x02 ‖ tree root ‖ size u64 BE), so two logs that differ only in trailing empty
 * leaves have different roots.
 *
 * The frontier (one pending left sibling per level) makes `append` amortised O(1) and `root()`
 * O(depth); it is 32 × 32 bytes and is what the note server persists alongside its log.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export const TREE_DEPTH = 32;
const HASH_BYTES = 32;

function hashTagged(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const h = sha256.create();
  h.update(Uint8Array.of(tag));
  for (const part of parts) h.update(part);
  return h.digest();
}

export const hashLeaf = (commitment: Uint8Array): Uint8Array => hashTagged(0, commitment);
export const hashNode = (left: Uint8Array, right: Uint8Array): Uint8Array => hashTagged(1, left, right);

export function hashRoot(treeRoot: Uint8Array, size: number): Uint8Array {
  const sizeBytes = new Uint8Array(8);
  new DataView(sizeBytes.buffer).setBigUint64(0, BigInt(size));
  return hashTagged(2, treeRoot, sizeBytes);
}

/** zeroHashes[level] is the root of an empty subtree of height `level`. */
export const zeroHashes: readonly Uint8Array[] = (() => {
  const out: Uint8Array[] = [new Uint8Array(HASH_BYTES)];
  for (let level = 1; level <= TREE_DEPTH; level++) out.push(hashNode(out[level - 1]!, out[level - 1]!));
  return out;
})();

export class IncrementalMerkleTree {
  private constructor(
    private count: number,
    /** frontier[level]: the left sibling waiting at `level` (meaningful where bit `level` of count is set). */
    private readonly frontier: Uint8Array[],
  ) {}

  static empty(): IncrementalMerkleTree {
    return new IncrementalMerkleTree(
      0,
      zeroHashes.slice(0, TREE_DEPTH).map((z) => z.slice()),
    );
  }

  /** Restores a tree saved with `serializeFrontier()`. */
  static restore(size: number, frontier: Uint8Array): IncrementalMerkleTree {
    if (!Number.isSafeInteger(size) || size < 0 || size > 2 ** TREE_DEPTH)
      throw new Error(`note tree: invalid size ${size}`);
    if (frontier.length !== TREE_DEPTH * HASH_BYTES)
      throw new Error(`note tree: frontier must be ${TREE_DEPTH * HASH_BYTES} bytes, got ${frontier.length}`);
    const levels = Array.from({ length: TREE_DEPTH }, (_, level) =>
      frontier.slice(level * HASH_BYTES, (level + 1) * HASH_BYTES),
    );
    return new IncrementalMerkleTree(size, levels);
  }

  get size(): number {
    return this.count;
  }

  append(commitment: Uint8Array): void {
    if (this.count >= 2 ** TREE_DEPTH) throw new Error('note tree: full');
    let node = hashLeaf(commitment);
    let index = this.count;
    let level = 0;
    // Climb while this node is a right child, folding in the waiting left siblings.
    while (index & 1) {
      node = hashNode(this.frontier[level]!, node);
      index >>>= 1;
      level++;
    }
    this.frontier[level] = node;
    this.count++;
  }

  /** The published root (tree root bound to the size). */
  root(): Uint8Array {
    let node: Uint8Array = zeroHashes[0]!;
    let size = this.count;
    for (let level = 0; level < TREE_DEPTH; level++) {
      node = size & 1 ? hashNode(this.frontier[level]!, node) : hashNode(node, zeroHashes[level]!);
      size = Math.floor(size / 2);
    }
    return hashRoot(node, this.count);
  }

  serializeFrontier(): Uint8Array {
    const out = new Uint8Array(TREE_DEPTH * HASH_BYTES);
    this.frontier.forEach((node, level) => out.set(node, level * HASH_BYTES));
    return out;
  }
}
