/**
 * Settings → Network through the dispatcher, as the renderer calls it: the saved choice, its
 * validation with the manifest's schema, the probe of a custom RPC (a real anvil, and a port
 * where nothing listens), and "restart to apply". The next start's side is in
 * electron/embedded-network.test.ts.
 */
import { createServer } from 'node:net';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomEndpoints, NetworkSettings, NetworkStatus } from '../../../shared/api/app';
import { startAnvil, type Anvil } from '../../../devnet/chain/anvil';
import { createCore, type Core } from '../core-app';
import { NETWORK_CHOICE_FILE, manifestOfEndpoints, networkSettings } from './network-choice';

const CONTRACTS = {
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  providerRegistry: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  paymentVault: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  dataSetRegistry: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
};

let anvil: Anvil;
let dataDir: string;
let core: Core;

beforeAll(async () => {
  anvil = await startAnvil({ automine: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-network-'));
  core = await createCore({ dataDir, mode: 'test', network: null });
});
afterAll(async () => {
  await core?.close();
  await anvil?.stop();
});

async function call<T>(channel: string, input: unknown): Promise<T> {
  const envelope = await core.dispatch(channel, input, { transport: 'test' });
  if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
  return envelope.value as T;
}

/** A port on 127.0.0.1 where nothing listens (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const endpoints = (rpcUrl: string, chainId = 31337): CustomEndpoints => ({
  chainId,
  rpcUrl,
  contracts: CONTRACTS,
  noteServerUrl: 'http://127.0.0.1:4000',
});

describe('network settings', () => {
  it('starts on the devnet: nothing saved means the devnet', async () => {
    expect(await call<NetworkSettings>('network.settings', {})).toEqual({
      saved: { kind: 'devnet' },
      running: 'none',
      restartNeeded: true,
    });
  });

  it('refuses endpoints the manifest schema refuses, naming the field, and saves nothing', async () => {
    const envelope = await core.dispatch(
      'network.setSettings',
      { kind: 'custom', endpoints: { ...endpoints('ftp://example.org'), chainId: 0 } },
      { transport: 'test' },
    );
    expect(envelope.ok).toBe(false);
    const message = !envelope.ok ? envelope.error.message : '';
    expect(message).toMatch(/chainId/);
    expect(message).toMatch(/rpcUrl/);
    const badAddress = await core.dispatch(
      'network.setSettings',
      {
        kind: 'custom',
        endpoints: { ...endpoints(anvil.rpcUrl), contracts: { ...CONTRACTS, token: '0x12' } },
      },
      { transport: 'test' },
    );
    expect(!badAddress.ok && badAddress.error.message).toMatch(/contracts\.token: expected a 0x-prefixed/);
    expect(await readdir(dataDir)).not.toContain(NETWORK_CHOICE_FILE);
  });

  it('saves custom endpoints, probes the RPC, and says a restart applies them', async () => {
    const saved = await call<NetworkSettings & { probe: NetworkStatus }>('network.setSettings', {
      kind: 'custom',
      endpoints: endpoints(anvil.rpcUrl),
    });
    expect(saved).toMatchObject({
      saved: { kind: 'custom', endpoints: endpoints(anvil.rpcUrl) },
      running: 'none',
      restartNeeded: true,
      probe: { kind: 'custom', online: true, chainId: 31337 },
    });
    expect(JSON.parse(await readFile(path.join(dataDir, NETWORK_CHOICE_FILE), 'utf8'))).toEqual({
      kind: 'custom',
      endpoints: endpoints(anvil.rpcUrl),
    });
    // A chain that answers with another id, and an RPC that does not answer: saved, with the problem said.
    const wrongChain = await call<{ probe: NetworkStatus }>('network.setSettings', {
      kind: 'custom',
      endpoints: endpoints(anvil.rpcUrl, 5),
    });
    expect(wrongChain.probe).toMatchObject({
      online: false,
      problem: expect.stringMatching(/chain 31337.*chain 5/),
    });
    const silent = `http://127.0.0.1:${await closedPort()}`;
    const down = await call<{ probe: NetworkStatus }>('network.setSettings', {
      kind: 'custom',
      endpoints: endpoints(silent),
    });
    expect(down.probe).toMatchObject({ online: false, problem: `The chain at ${silent} does not answer.` });
  });

  it('knows when what runs is what is saved', () => {
    const custom = { kind: 'custom' as const, endpoints: endpoints(anvil.rpcUrl) };
    const running = manifestOfEndpoints(endpoints(anvil.rpcUrl));
    expect(networkSettings(custom, running)).toEqual({
      saved: custom,
      running: 'custom',
      restartNeeded: false,
    });
    // Addresses compare without their checksum case.
    const lower = {
      ...custom,
      endpoints: { ...custom.endpoints, contracts: { ...CONTRACTS, token: CONTRACTS.token.toLowerCase() } },
    };
    expect(networkSettings(lower, running).restartNeeded).toBe(false);
    expect(networkSettings(custom, { ...running, rpcUrl: 'http://127.0.0.1:1' }).restartNeeded).toBe(true);
    expect(networkSettings({ kind: 'devnet' }, { ...running, name: 'devnet' })).toMatchObject({
      running: 'devnet',
      restartNeeded: false,
    });
    expect(networkSettings({ kind: 'devnet' }, running).restartNeeded).toBe(true);
  });
});
