import { describe, expect, it } from 'vitest';
import { copyBadge, copyFraction, copyStatusLine, pipelineFor, pipelineOf } from './upload-stages';

const tones = (provider: Parameters<typeof pipelineOf>[0]) => pipelineOf(provider).map((step) => step.tone);

describe('a copy’s pipeline', () => {
  it('marks the stages before the current one done and the rest to do', () => {
    expect(pipelineOf({ role: 'primary', stage: 'storing', error: null })).toEqual([
      { stage: 'selecting', tone: 'done' },
      { stage: 'quoting', tone: 'done' },
      { stage: 'paying', tone: 'done' },
      { stage: 'storing', tone: 'current' },
      { stage: 'committing', tone: 'todo' },
    ]);
    expect(tones({ role: 'secondary', stage: 'confirmed', error: null })).toEqual(Array(5).fill('done'));
  });

  it('has the primary store and the secondaries pull', () => {
    expect(pipelineFor('primary')).toContain('storing');
    expect(pipelineFor('primary')).not.toContain('pulling');
    expect(pipelineFor('secondary')).toContain('pulling');
    expect(pipelineFor('secondary')).not.toContain('storing');
  });

  it('shows a failed copy stopped where it failed', () => {
    const error = { code: 'PROVIDER_ERROR', message: 'refused', stage: 'pulling' as const };
    expect(tones({ role: 'secondary', stage: 'failed', error })).toEqual([
      'done',
      'done',
      'done',
      'failed',
      'todo',
    ]);
    // Failed without a stage on record: at the very start.
    expect(tones({ role: 'secondary', stage: 'failed', error: null })[0]).toBe('failed');
  });
});

describe('a copy’s bar and status line', () => {
  const base = { bytesDone: 1_200_000, bytesTotal: 2_400_000, throughput: 3_100_000, etaSeconds: 0.4 };
  it('says bytes, rate and time left while the bytes move', () => {
    expect(copyStatusLine({ ...base, stage: 'pulling' })).toBe(
      '1.14 MiB of 2.29 MiB · 2.96 MiB/s · <1 s left',
    );
    expect(copyFraction({ ...base, stage: 'pulling' })).toBe(0.5);
  });
  it('says bytes alone otherwise, and a confirmed copy is full', () => {
    expect(copyStatusLine({ ...base, stage: 'committing' })).toBe('1.14 MiB of 2.29 MiB');
    expect(copyFraction({ ...base, bytesDone: 0, stage: 'confirmed' })).toBe(1);
    expect(copyFraction({ ...base, bytesTotal: 0, stage: 'quoting' })).toBe(0);
  });
});

describe('a copy’s badge', () => {
  it('shows the stage while the upload runs, and where a stopped copy was left', () => {
    expect(copyBadge({ stage: 'pulling' }, 'running')).toEqual({ label: 'Pulling', tone: 'pulling' });
    expect(copyBadge({ stage: 'pulling' }, 'paused')).toEqual({
      label: 'Paused at pulling',
      tone: 'stopped',
    });
    expect(copyBadge({ stage: 'quoting' }, 'cancelled')).toEqual({ label: 'Stopped', tone: 'stopped' });
    expect(copyBadge({ stage: 'confirmed' }, 'partial').label).toBe('Confirmed');
    expect(copyBadge({ stage: 'failed' }, 'cancelled').label).toBe('Failed');
  });
  it('counts a confirmed copy whole', () => {
    const confirmed = {
      bytesDone: 0,
      bytesTotal: 1024,
      throughput: 0,
      etaSeconds: null,
      stage: 'confirmed' as const,
    };
    expect(copyStatusLine(confirmed)).toBe('1.00 KiB of 1.00 KiB');
  });
});
