import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planBatches } from './batch-plan';
import type { AccountProgress } from './sync-store';

const progress = (entries: Array<[number, AccountProgress]>) => new Map(entries);

describe('batch plan', () => {
  it('cuts [cursor, size) at multiples of K', () => {
    expect(planBatches(1000, progress([[0, { cursor: 130, ranges: [] }]]), 250)).toEqual([
      { start: 130, count: 120, accounts: [0] },
      { start: 250, count: 250, accounts: [0] },
      { start: 500, count: 250, accounts: [0] },
      { start: 750, count: 250, accounts: [0] },
    ]);
  });

  it('skips ranges completed beyond the cursor: only the batches in flight at a crash are planned again', () => {
    const crashed = {
      cursor: 250,
      ranges: [
        [500, 750],
        [1000, 1250],
      ] as Array<[number, number]>,
    };
    expect(planBatches(1300, progress([[0, crashed]]), 250)).toEqual([
      { start: 250, count: 250, accounts: [0] },
      { start: 750, count: 250, accounts: [0] },
      { start: 1250, count: 50, accounts: [0] },
    ]);
  });

  it('plans nothing when every account is up to date', () => {
    expect(planBatches(500, progress([[0, { cursor: 500, ranges: [] }]]), 100)).toEqual([]);
  });

  it('lists in each batch only the accounts that still need it', () => {
    const plan = planBatches(
      600,
      progress([
        [0, { cursor: 400, ranges: [] }],
        [1, { cursor: 0, ranges: [] }],
      ]),
      250,
    );
    expect(plan).toEqual([
      { start: 0, count: 250, accounts: [1] },
      { start: 250, count: 150, accounts: [1] },
      { start: 400, count: 100, accounts: [0, 1] },
      { start: 500, count: 100, accounts: [0, 1] },
    ]);
  });

  // An independent statement of the plan's contract, checked on random progress.
  it('covers exactly the notes each account lacks, in disjoint batches within one K-block each', () => {
    const account = (size: number) =>
      fc
        .uniqueArray(fc.integer({ min: 0, max: size }), { maxLength: 8 })
        .map((points) => points.sort((a, b) => a - b))
        .map((points): AccountProgress => {
          const [cursor = 0, ...rest] = points;
          const ranges: Array<[number, number]> = [];
          for (let i = 0; i + 1 < rest.length; i += 2)
            if (rest[i]! < rest[i + 1]!) ranges.push([rest[i]!, rest[i + 1]!]);
          return { cursor, ranges };
        });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 400 })
          .chain((size) =>
            fc.tuple(
              fc.constant(size),
              fc.array(account(size), { minLength: 1, maxLength: 3 }),
              fc.integer({ min: 1, max: 60 }),
            ),
          ),
        ([size, accounts, k]) => {
          const plan = planBatches(size, new Map(accounts.map((p, i) => [i, p])), k);
          const needs = (p: AccountProgress, index: number) =>
            index >= p.cursor && !p.ranges.some(([s, e]) => s <= index && index < e);
          let previousEnd = -1;
          for (const batch of plan) {
            expect(batch.count).toBeGreaterThan(0);
            expect(batch.start).toBeGreaterThanOrEqual(previousEnd);
            expect(Math.floor(batch.start / k)).toBe(Math.floor((batch.start + batch.count - 1) / k));
            previousEnd = batch.start + batch.count;
          }
          for (let index = 0; index < size; index++) {
            const batch = plan.find((b) => b.start <= index && index < b.start + b.count);
            const wanted = accounts.flatMap((p, i) => (needs(p, index) ? [i] : []));
            expect(batch?.accounts ?? []).toEqual(wanted);
          }
        },
      ),
    );
  });
});
