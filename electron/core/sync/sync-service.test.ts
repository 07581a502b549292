// The `sync` API through the core's dispatcher: the same contract validation, handlers and events
// that Electron IPC and the browser host use, over a real note server and the real engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../../shared/api/sync';
import { createCore, type Core } from '../core-app';
import {
  accountsOf,
  expectedNotes,
  networkWithNoteServer,
  seededServer,
  tempDir,
  testSealer,
  walletKeys,
  type SeededServer,
} from './test-support/sync-fixture';

const alice = walletKeys(0x71);
const context = { transport: 'test' } as const;

async function call(core: Core, channel: string, input: unknown = {}) {
  const envelope = await core.dispatch(channel, input, context);
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
  return envelope.value as never;
}

function nextProgress(core: Core, test: (p: SyncProgress) => boolean): Promise<SyncProgress> {
  return new Promise((resolve) => {
    const off = core.events.on('sync.progress', (p) => {
      if (!test(p)) return;
      off();
      resolve(p);
    });
  });
}

describe('sync API', () => {
  let seeded: SeededServer;
  let core: Core;
  const folder = tempDir('coffer-sync-api-');

  beforeAll(async () => {
    seeded = await seededServer([{ keys: alice, count: 800, fraction: 0.05 }]);
    core = await createCore({
      dataDir: folder.dir,
      mode: 'test',
      network: networkWithNoteServer(seeded.server.url),
      syncWallet: { noteAccounts: () => accountsOf(alice), noteSealer: testSealer },
    });
  });
  afterAll(async () => {
    await core?.close();
    await seeded?.stop();
    folder.remove();
  });

  it('refuses settings out of range with the limit in the message', async () => {
    await expect(call(core, 'sync.start', { settings: { concurrency: 500 } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/hard cap of 128 concurrent requests/),
    });
    await expect(call(core, 'sync.configure', { checkpointEvery: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('saves settings', async () => {
    expect(await call(core, 'sync.configure', { checkpointEvery: 100, workers: 2 })).toMatchObject({
      checkpointEvery: 100,
      workers: 2,
      concurrency: 4,
    });
    expect(await call(core, 'sync.settings')).toMatchObject({ checkpointEvery: 100, workers: 2 });
  });

  it('syncs in the background, reports progress events, then lists notes a page at a time and the balance', async () => {
    const done = nextProgress(core, (p) => p.state === 'idle' || p.state === 'error');
    const before = Date.now();
    const started: SyncProgress = await call(core, 'sync.start', {});
    expect(started).toMatchObject({ state: 'syncing', lastSynced: null });
    const final = await done;
    expect(final).toMatchObject({
      state: 'idle',
      total: 800,
      scanned: 800,
      found: 40,
      readMode: 'range',
      workers: 2,
      lastSynced: { treeSize: 800 },
    });
    expect(final.lastSynced!.at).toBeGreaterThanOrEqual(before);
    expect(final.lastSynced!.at).toBeLessThanOrEqual(Date.now());
    expect(final.stages.decrypt.notesPerSecond).toBeGreaterThan(0);

    const expected = expectedNotes(seeded.oracles[0]!);
    const page: { total: number; notes: Array<{ index: number; value: string; memo: string }> } = await call(
      core,
      'sync.notes',
      { offset: 10, limit: 5 },
    );
    expect(page.total).toBe(40);
    expect(page.notes.map(({ index, value, memo }) => ({ index, value, memo }))).toEqual(
      expected.slice(10, 15),
    );
    const sum = expected.reduce((s, n) => s + BigInt(n.value), 0n).toString();
    expect(await call(core, 'sync.balance')).toEqual({ accounts: [{ account: 0, balance: sum, notes: 40 }] });
    expect(await call(core, 'sync.status')).toMatchObject({ state: 'idle', found: 40 });
  });

  it('refuses a second start while syncing, stops on request, rescans from an index', async () => {
    const watching = nextProgress(core, (p) => p.state === 'watching');
    await call(core, 'sync.start', { watch: true });
    await watching;
    await expect(call(core, 'sync.start', {})).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await call(core, 'sync.stop')).toMatchObject({ state: 'idle' });

    // Rescanning first reports the notes forgotten (still idle), then the run: wait for its end.
    let ran = false;
    const done = nextProgress(core, (p) => (ran ||= p.state === 'syncing') && p.state === 'idle');
    const rescanning: SyncProgress = await call(core, 'sync.rescan', { from: 400 });
    expect(rescanning).toMatchObject({ state: 'syncing', lastSynced: null });
    expect(await done).toMatchObject({ found: 40, lastSynced: { treeSize: 800 } });
  });

  it('with the vault as the wallet: needs it unlocked, and stops when it locks', async () => {
    const folder = tempDir('coffer-sync-api-vault-');
    const withVault = await createCore({
      dataDir: folder.dir,
      mode: 'test',
      network: networkWithNoteServer(seeded.server.url),
      scrypt: { N: 2 ** 10, r: 8, p: 1 },
    });
    try {
      const { vault } = withVault.wallet;
      await vault.createFromMnemonic(
        'test test test test test test test test test test test junk',
        'a long password',
      );
      await vault.lock();
      await expect(call(withVault, 'sync.start', {})).rejects.toMatchObject({ code: 'LOCKED' });
      await vault.unlock('a long password');
      const watching = nextProgress(withVault, (p) => p.state === 'watching');
      await call(withVault, 'sync.start', { watch: true });
      expect(await watching).toMatchObject({ scanned: 800, found: 0 });
      const stopped = nextProgress(withVault, (p) => p.state === 'idle');
      await vault.lock();
      expect((await stopped).state).toBe('idle');
    } finally {
      await withVault.close();
      folder.remove();
    }
  });

  it('says what is missing when there is no wallet or no note server', async () => {
    const bare = await createCore({
      dataDir: tempDir('coffer-sync-api-bare-').dir,
      mode: 'test',
      network: null,
    });
    try {
      await expect(call(bare, 'sync.start', {})).rejects.toMatchObject({ code: 'NETWORK_OFFLINE' });
      expect(await call(bare, 'sync.status')).toMatchObject({ state: 'idle', total: null, found: 0 });
    } finally {
      await bare.close();
    }
    const noWallet = await createCore({
      dataDir: tempDir('coffer-sync-api-nowallet-').dir,
      mode: 'test',
      network: networkWithNoteServer(seeded.server.url),
    });
    try {
      await expect(call(noWallet, 'sync.start', {})).rejects.toMatchObject({ code: 'NO_WALLET' });
    } finally {
      await noWallet.close();
    }
  });
});
