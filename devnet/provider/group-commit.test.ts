// Group commit: what arrives while a flush runs goes through the next flush together, results come
// back to each submitter in order, and a failed flush fails only its own group.
import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit';

/** A flush that records its groups and ends only when told to. */
function gatedFlush() {
  const groups: number[][] = [];
  const gates: (() => void)[] = [];
  const fail = new Set<number>();
  const flush = async (items: number[]) => {
    groups.push(items);
    await new Promise<void>((resolve) => gates.push(resolve));
    if (items.some((item) => fail.has(item))) throw new Error(`flush of ${items.join(',')} failed`);
    return items.map((item) => item * 10);
  };
  const openNext = async () => {
    await expect.poll(() => gates.length).toBeGreaterThan(0);
    gates.shift()!();
  };
  return { groups, flush, openNext, fail };
}

describe('GroupCommit', () => {
  it('flushes what arrives during a flush as the next group, each item getting its own result', async () => {
    const { groups, flush, openNext } = gatedFlush();
    const commit = new GroupCommit(flush);
    const first = [commit.submit(1), commit.submit(2)];
    await expect.poll(() => groups.length).toBe(1);
    const second = [commit.submit(3), commit.submit(4), commit.submit(5)];
    await openNext();
    expect(await Promise.all(first)).toEqual([10, 20]);
    await openNext();
    expect(await Promise.all(second)).toEqual([30, 40, 50]);
    expect(groups).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    // Idle again: the next item starts a group of its own.
    const third = commit.submit(6);
    await openNext();
    expect(await third).toBe(60);
    expect(groups.at(-1)).toEqual([6]);
  });

  it('fails the group whose flush failed, and only that group', async () => {
    const { groups, flush, openNext, fail } = gatedFlush();
    fail.add(2);
    const commit = new GroupCommit(flush);
    const first = [commit.submit(1), commit.submit(2)];
    await expect.poll(() => groups.length).toBe(1);
    const later = commit.submit(3);
    await openNext();
    for (const result of first) await expect(result).rejects.toThrow(/flush of 1,2 failed/);
    await openNext();
    expect(await later).toBe(30);
  });
});
