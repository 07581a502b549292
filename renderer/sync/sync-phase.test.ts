import { describe, expect, it } from 'vitest';
import { PHASES, percentOf, phaseOf } from './sync-phase';

const idle = { state: 'idle' as const, total: null, scanned: 0, found: 0, pendingHits: 0, lastSynced: null };

describe('sync phase', () => {
  it('tells an idle sync never run, paused half-way, and up to date apart', () => {
    expect(phaseOf(idle)).toBe('never');
    expect(phaseOf({ ...idle, total: 2000, scanned: 750, found: 40 })).toBe('paused');
    expect(phaseOf({ ...idle, found: 40 })).toBe('paused'); // after a restart, never completed
    expect(phaseOf({ ...idle, total: 2000, scanned: 2000, lastSynced: { at: 1, treeSize: 2000 } })).toBe(
      'synced',
    );
    expect(phaseOf({ ...idle, lastSynced: { at: 1, treeSize: 2000 } })).toBe('synced');
    // Everything scanned, but matches still to open: the balance is not final yet.
    expect(
      phaseOf({ ...idle, total: 2000, scanned: 2000, pendingHits: 3, lastSynced: { at: 1, treeSize: 2000 } }),
    ).toBe('paused');
  });

  it('follows the engine while it runs or failed', () => {
    for (const state of ['syncing', 'watching', 'stopping', 'error'] as const)
      expect(phaseOf({ ...idle, state, total: 10, scanned: 5 })).toBe(state);
  });

  it('offers pause while running, resume when paused, nothing while pausing', () => {
    expect(PHASES.syncing.primary).toEqual({ label: 'Pause', action: 'stop' });
    expect(PHASES.watching.primary.action).toBe('stop');
    expect(PHASES.paused.primary).toEqual({ label: 'Resume', action: 'start' });
    expect(PHASES.stopping.primary.action).toBeNull();
    expect(PHASES.error.primary).toEqual({ label: 'Resume', action: 'start' });
  });

  it('gives the share scanned, and none before the tree size is known', () => {
    expect(percentOf({ total: null, scanned: 0 })).toBeNull();
    expect(percentOf({ total: 0, scanned: 0 })).toBe(100);
    expect(percentOf({ total: 2000, scanned: 500 })).toBe(25);
  });
});
