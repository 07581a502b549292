import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, MIN_DEPTH, PipelineDepth } from './pipeline-depth';

describe('pipeline depth', () => {
  it('keeps enough range batches in flight to cover the fetch time: 1 + fetch / decrypt', () => {
    const depth = new PipelineDepth(true, MAX_DEPTH);
    expect(depth.value).toBe(MIN_DEPTH);
    depth.observe(80, 20);
    expect(depth.value).toBe(5);
    for (let i = 0; i < 50; i++) depth.observe(10, 20);
    expect(depth.value).toBe(MIN_DEPTH);
    for (let i = 0; i < 50; i++) depth.observe(1000, 10);
    expect(depth.value).toBe(MAX_DEPTH);
  });

  it('stays at the minimum for per-note reads, which the request budget bounds instead', () => {
    const depth = new PipelineDepth(false, MAX_DEPTH);
    depth.observe(1000, 10);
    expect(depth.value).toBe(MIN_DEPTH);
  });

  it('never goes above a cap', () => {
    const depth = new PipelineDepth(true, 1);
    expect(depth.value).toBe(1);
    depth.observe(1000, 10);
    expect(depth.value).toBe(1);
  });
});
