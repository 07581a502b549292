// startDevnet end to end: a valid manifest whose contracts have code, funded dev accounts and a
// faucet, a note server and storage providers (registered on chain, half endorsed) that answer,
// a stop that leaves nothing running (and can be called twice), and state kept across restarts
// with a data dir.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChainPublicClient,
  createChainWalletClient,
  networkContracts,
} from '../electron/core/chain/contracts';
import { ProviderClient, ProviderError } from '../electron/core/providers/provider-client';
import { NetworkManifest } from '../shared/network-manifest';
import { DEV_ACCOUNT_COUNT, DEV_ROLES, devAccount, devProviderAccount } from './chain/dev-accounts';
import { DEV_TOKEN_BALANCE, FAUCET_TOKEN_BALANCE } from './chain/deploy';
import { type Devnet, startDevnet } from './start-devnet';
import { processesMentioning } from './test-support/processes';

async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  return fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  }).then(
    () => true,
    () => false,
  );
}

async function expectNothingLeftRunning(devnet: Devnet): Promise<void> {
  expect(await rpcAnswers(devnet.manifest.rpcUrl)).toBe(false);
  const leftovers = await processesMentioning(devnet.dataDir);
  if (leftovers === null)
    console.log(`Not checking for leftover processes: no /proc on ${process.platform}.`);
  else expect(leftovers).toEqual([]);
}

describe('startDevnet (temporary)', () => {
  let devnet: Devnet;
  beforeAll(async () => {
    const started = Date.now();
    devnet = await startDevnet({ automine: true });
    console.log(`startDevnet (automine) took ${Date.now() - started} ms`);
  });
  afterAll(() => devnet?.stop());

  it('returns a valid manifest whose contracts have code', async () => {
    expect(NetworkManifest.parse(devnet.manifest)).toEqual(devnet.manifest);
    expect(devnet.manifest).toMatchObject({ name: 'devnet', chainId: 31337 });
    const client = createChainPublicClient(devnet.manifest);
    expect(await client.getChainId()).toBe(31337);
    for (const address of Object.values(devnet.manifest.contracts)) {
      const code = await client.getCode({ address: address as `0x${string}` });
      expect(code?.length, address).toBeGreaterThan(100);
    }
  });

  it('funds every dev account with ether and test USD, and the faucet with more', async () => {
    const faucet = privateKeyToAccount(devnet.manifest.faucet!.privateKey as `0x${string}`);
    expect(faucet.address).toBe(devAccount(DEV_ROLES.faucet).address);
    const client = createChainPublicClient(devnet.manifest);
    const { token } = networkContracts(devnet.manifest.contracts, {
      public: client,
      wallet: createChainWalletClient(devnet.manifest, faucet),
    });
    for (let index = 0; index < DEV_ACCOUNT_COUNT; index++) {
      const { address } = devAccount(index);
      expect(await client.getBalance({ address })).toBeGreaterThan(9_000n * 10n ** 18n);
      expect(await token.read.balanceOf([address])).toBe(
        index === DEV_ROLES.faucet ? FAUCET_TOKEN_BALANCE : DEV_TOKEN_BALANCE,
      );
    }
  });

  it('runs a note server that answers at the manifest’s URL', async () => {
    const response = await fetch(new URL('/v1/info', devnet.manifest.noteServerUrl));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ treeSize: 0 });
  });

  it('runs four storage providers, registered on chain, the first two endorsed', async () => {
    const { providers } = devnet.manifest;
    expect(providers.map((provider) => provider.endorsed)).toEqual([true, true, false, false]);
    const { providerRegistry } = networkContracts(devnet.manifest.contracts, {
      public: createChainPublicClient(devnet.manifest),
      wallet: createChainWalletClient(devnet.manifest, privateKeyToAccount(devAccount(0).privateKey)),
    });
    expect(await providerRegistry.read.providerCount()).toBe(4n);
    for (const [slot, entry] of providers.entries()) {
      expect(entry.address).toBe(devProviderAccount(slot).address);
      expect(await providerRegistry.read.getProvider([BigInt(entry.id)])).toEqual([
        entry.address,
        entry.url,
        entry.endorsed,
      ]);
      const client = new ProviderClient({ url: entry.url });
      try {
        expect((await client.ping()).provider).toBe(entry.address);
      } finally {
        await client.close();
      }
    }
  });

  it('hands out the providers, so tests can inject their faults', async () => {
    const [first] = devnet.providers;
    const client = new ProviderClient({ url: first!.url });
    try {
      first!.setFaults({ failPing: true });
      await expect(client.ping()).rejects.toBeInstanceOf(ProviderError);
      first!.setFaults({});
      expect((await client.ping()).ok).toBe(true);
      expect(first!.metrics().faultsInjected).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('stops everything, removes its temp dir, and can be stopped again', async () => {
    await Promise.all([devnet.stop(), devnet.stop()]);
    await devnet.stop();
    await expectNothingLeftRunning(devnet);
    expect(existsSync(devnet.dataDir)).toBe(false);
  });
});

describe('startDevnet with a data dir', () => {
  let dataDir: string;
  beforeAll(async () => (dataDir = await mkdtemp(path.join(tmpdir(), 'coffer-devnet-test-'))));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps the chain, the contracts and the providers across a restart, on 1-second blocks', async () => {
    const started = Date.now();
    const first = await startDevnet({ dataDir, providers: 2 });
    console.log(`startDevnet (1-second blocks, 2 providers, fresh data dir) took ${Date.now() - started} ms`);
    const provider = privateKeyToAccount(devAccount(DEV_ROLES.firstProvider).privateKey);
    expect(first.manifest.providers.map(({ id, endorsed }) => ({ id, endorsed }))).toEqual([
      { id: 1, endorsed: true },
      { id: 2, endorsed: false },
    ]);
    await first.stop();
    await expectNothingLeftRunning(first);
    expect(existsSync(path.join(dataDir, 'chain', 'state.json'))).toBe(true);

    const restarted = Date.now();
    const second = await startDevnet({ dataDir, automine: true, providers: 2 });
    console.log(`startDevnet (restart from the data dir) took ${Date.now() - restarted} ms`);
    try {
      expect(second.manifest.contracts).toEqual(first.manifest.contracts);
      const again = networkContracts(second.manifest.contracts, {
        public: createChainPublicClient(second.manifest),
        wallet: createChainWalletClient(second.manifest, provider),
      });
      expect(await again.providerRegistry.read.providerIdOf([provider.address])).toBe(1n);
      // Same providers, same ids, on new ports: the registry has their new URLs.
      expect(second.manifest.providers.map(({ id, address }) => ({ id, address }))).toEqual(
        first.manifest.providers.map(({ id, address }) => ({ id, address })),
      );
      expect(await again.providerRegistry.read.providerCount()).toBe(2n);
      const [, url] = await again.providerRegistry.read.getProvider([1n]);
      expect(url).toBe(second.manifest.providers[0]!.url);
      expect(existsSync(path.join(dataDir, 'providers', '0', 'provider.sqlite'))).toBe(true);
    } finally {
      await second.stop();
    }
    expect(existsSync(dataDir)).toBe(true);
  });
});

describe('startDevnet when its chain dies', () => {
  it('stops the rest of the devnet and then reports why', async (context) => {
    const reported: Error[] = [];
    const devnet = await startDevnet({ automine: true, onUnexpectedStop: (error) => reported.push(error) });
    try {
      const anvils = await processesMentioning('anvil', devnet.dataDir);
      if (anvils === null)
        return context.skip(`cannot find the anvil process: no /proc on ${process.platform}`);
      process.kill(anvils[0]!, 'SIGKILL');
      await expect.poll(() => reported.length).toBe(1);
      expect(reported[0]!.message).toMatch(
        /^The devnet chain stopped unexpectedly: anvil exited \(SIGKILL\)/,
      );
      // Reported only once the rest was stopped: the note server no longer answers.
      await expect(fetch(new URL('/v1/info', devnet.manifest.noteServerUrl))).rejects.toThrow();
      await expectNothingLeftRunning(devnet);
    } finally {
      await devnet.stop();
    }
  });
});
