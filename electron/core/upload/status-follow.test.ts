// Following a provider's pull or commit: a provider that honours waitMs is asked once per change,
// one that answers at once is asked no more often than the poll interval, and the check may end it.
import { describe, expect, it } from 'vitest';
import { followStatus, STATUS_WAIT_MS } from './status-follow';

const context = (pollIntervalMs: number) => ({
  options: { pollIntervalMs } as never,
  signal: new AbortController().signal,
});

describe('followStatus', () => {
  it('asks with a wait, and paces a provider that answers at once by the poll interval', async () => {
    const waits: number[] = [];
    const asked: number[] = [];
    const runningUntil = Date.now() + 400;
    const final = await followStatus(
      context(100),
      'running',
      (status) => status === 'running',
      async (waitMs) => {
        waits.push(waitMs);
        asked.push(Date.now());
        return Date.now() < runningUntil ? 'running' : 'done';
      },
    );
    expect(final).toBe('done');
    expect(waits.every((wait) => wait === STATUS_WAIT_MS)).toBe(true);
    // About four asks in 400 ms, not hundreds; each at least the interval after the one before.
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(asked.length).toBeLessThanOrEqual(7);
    for (let i = 1; i < asked.length; i++) expect(asked[i]! - asked[i - 1]!).toBeGreaterThanOrEqual(95);
  });

  it('asks again at once after a wait the provider used, and lets the check give up', async () => {
    let asks = 0;
    const started = Date.now();
    const answers = ['running', 'running', 'done'];
    expect(
      await followStatus(
        context(100),
        'running',
        (status) => status === 'running',
        async () => {
          asks++;
          // A provider that waited 150 ms each time.
          await new Promise((resolve) => setTimeout(resolve, 150));
          return answers.shift()!;
        },
      ),
    ).toBe('done');
    expect(asks).toBe(3);
    expect(Date.now() - started).toBeLessThan(700);
    await expect(
      followStatus(
        context(10),
        1,
        () => true,
        async (): Promise<number> => 2,
        (status) => {
          if (status === 2) throw new Error('gave up');
        },
      ),
    ).rejects.toThrow('gave up');
  });
});
