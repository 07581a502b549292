/**
 * The next start after Settings → Network: a saved custom network starts no devnet and is the
 * network the launcher and Electron main give the core; a broken choice file stops the start with
 * a message naming the file and the field. (Saving and probing: electron/core/network.)
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CustomEndpoints } from '../shared/api/app';
import { createCore } from './core/core-app';
import { NETWORK_CHOICE_FILE } from './core/network/network-choice';
import { loadNetwork } from './core/network/network-config';
import { startEmbeddedNetwork } from './embedded-network';

// Nothing here talks to the chain: an address where nothing answers will do.
const endpoints: CustomEndpoints = {
  chainId: 314,
  rpcUrl: 'http://127.0.0.1:9/rpc',
  contracts: {
    token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    providerRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    paymentVault: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
    dataSetRegistry: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
  },
  noteServerUrl: 'http://127.0.0.1:9/notes',
};

describe('the next start', () => {
  it('uses the saved custom network and starts no devnet', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-network-start-'));
    await writeFile(path.join(dir, NETWORK_CHOICE_FILE), JSON.stringify({ kind: 'custom', endpoints }));
    const network = await startEmbeddedNetwork({ dataDir: dir });
    expect(network.manifest).toEqual({ name: 'custom', ...endpoints, providers: [] });
    await network.stop();
    // No devnet folder, no chain: the data folder holds the choice alone.
    expect(await readdir(dir)).toEqual([NETWORK_CHOICE_FILE]);
    // Electron main, started without the launcher, takes it too.
    expect(await loadNetwork(dir)).toEqual(network.manifest);
    // A core on it says that what runs is what is saved.
    const core = await createCore({ dataDir: dir, mode: 'test', network: network.manifest });
    try {
      const envelope = await core.dispatch('network.settings', {}, { transport: 'test' });
      expect(envelope).toMatchObject({ ok: true, value: { running: 'custom', restartNeeded: false } });
    } finally {
      await core.close();
    }
  });

  it('refuses to start on a choice file that is not valid, naming the file and the field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-network-bad-'));
    await writeFile(path.join(dir, NETWORK_CHOICE_FILE), JSON.stringify({ kind: 'custom', endpoints: {} }));
    await expect(startEmbeddedNetwork({ dataDir: dir })).rejects.toThrow(
      new RegExp(`${NETWORK_CHOICE_FILE} is invalid: endpoints\\.chainId`),
    );
    await writeFile(path.join(dir, NETWORK_CHOICE_FILE), '{ not json');
    await expect(loadNetwork(dir)).rejects.toThrow(/is not JSON/);
  });
});
