import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createBudgetBuffer, RequestBudget } from './request-budget';

describe('request budget', () => {
  it('rejects budgets above the hard cap of 128, naming it, and below 1', () => {
    expect(() => createBudgetBuffer(129)).toThrow(/concurrency 129 is above the hard cap of 128/);
    expect(() => createBudgetBuffer(0)).toThrow(/at least 1/);
    expect(() => createBudgetBuffer(128)).not.toThrow();
  });

  it('bounds the tasks running at once across every holder of the shared buffer', async () => {
    const buffer = createBudgetBuffer(3);
    // Two holders stand for two worker threads: they share only the buffer.
    const holders = [new RequestBudget(buffer), new RequestBudget(buffer)];
    let running = 0;
    let peak = 0;
    const task = async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(5);
      running--;
    };
    await Promise.all(Array.from({ length: 40 }, (_, i) => holders[i % 2]!.run(task)));
    expect(peak).toBe(3);
    expect(Atomics.load(new Int32Array(buffer), 0)).toBe(3);
  });

  it('wakes a waiter in this thread when another thread releases a permit', async () => {
    const buffer = createBudgetBuffer(1);
    const budget = new RequestBudget(buffer);
    // A real worker thread takes the only permit, holds it 100 ms, then releases it.
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const cells = new Int32Array(workerData);
       Atomics.sub(cells, 0, 1);
       parentPort.postMessage('taken');
       setTimeout(() => { Atomics.add(cells, 0, 1); Atomics.notify(cells, 0); }, 100);`,
      { eval: true, workerData: buffer },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    const began = performance.now();
    await budget.acquire();
    expect(performance.now() - began).toBeGreaterThanOrEqual(80);
    budget.release();
    await worker.terminate();
  });

  it('gives up waiting when aborted, without taking a permit', async () => {
    const buffer = createBudgetBuffer(1);
    const budget = new RequestBudget(buffer);
    await budget.acquire();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    budget.release();
    expect(Atomics.load(new Int32Array(buffer), 0)).toBe(1);
  });
});
