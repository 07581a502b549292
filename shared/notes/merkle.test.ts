import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { IncrementalMerkleTree, TREE_DEPTH } from './merkle';

/** The root recomputed the slow way, level by level over every leaf (an independent oracle). */
function naiveRoot(commitments: Uint8Array[]): Uint8Array {
  const hash = (tag: number, ...parts: Uint8Array[]) =>
    sha256(Uint8Array.from([tag, ...parts.flatMap((p) => [...p])]));
  let level: Uint8Array[] = commitments.map((c) => hash(0, c));
  let zero: Uint8Array = new Uint8Array(32);
  for (let depth = 0; depth < TREE_DEPTH; depth++) {
    if (level.length % 2 === 1) level.push(zero);
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hash(1, level[i]!, level[i + 1]!));
    level = next;
    zero = hash(1, zero, zero);
  }
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(commitments.length));
  return hash(2, level[0] ?? zero, size);
}

const commitment = (i: number) => sha256(Uint8Array.of(i & 0xff, i >> 8));

describe('IncrementalMerkleTree', () => {
  it('matches the naive root at every size from 0 to 70', () => {
    const tree = IncrementalMerkleTree.empty();
    const leaves: Uint8Array[] = [];
    for (let i = 0; i <= 70; i++) {
      expect(tree.root(), `size ${i}`).toEqual(naiveRoot(leaves));
      leaves.push(commitment(i));
      tree.append(leaves[i]!);
    }
  });

  it('resumes from its serialized frontier', () => {
    const tree = IncrementalMerkleTree.empty();
    for (let i = 0; i < 37; i++) tree.append(commitment(i));
    const restored = IncrementalMerkleTree.restore(tree.size, tree.serializeFrontier());
    for (let i = 37; i < 50; i++) {
      tree.append(commitment(i));
      restored.append(commitment(i));
    }
    expect(restored.root()).toEqual(tree.root());
    expect(restored.size).toBe(50);
  });

  it('binds the size: a trailing zero commitment changes the root', () => {
    const a = IncrementalMerkleTree.empty();
    a.append(commitment(1));
    const b = IncrementalMerkleTree.empty();
    b.append(commitment(1));
    b.append(new Uint8Array(32));
    expect(b.root()).not.toEqual(a.root());
  });

  it('refuses a damaged frontier', () => {
    expect(() => IncrementalMerkleTree.restore(3, new Uint8Array(31))).toThrow(/frontier must be 1024 bytes/);
    expect(() => IncrementalMerkleTree.restore(-1, new Uint8Array(1024))).toThrow(/invalid size/);
  });
});
