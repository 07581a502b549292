// startDevnet end to end: a valid manifest whose contracts have code, funded dev accounts and a
// faucet, a note server that answers, a stop that leaves nothing running (and can be called
// twice), and state kept across restarts with a data dir.
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
import { NetworkManifest } from '../shared/network-manifest';
import { DEV_ACCOUNT_COUNT, DEV_ROLES, devAccount } from './chain/dev-accounts';
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

  it('keeps the chain and the contracts across a restart, on 1-second blocks', async () => {
    const started = Date.now();
    const first = await startDevnet({ dataDir });
    console.log(`startDevnet (1-second blocks, fresh data dir) took ${Date.now() - started} ms`);
    const provider = privateKeyToAccount(devAccount(DEV_ROLES.firstProvider).privateKey);
    const client = createChainPublicClient(first.manifest, { pollingInterval: 100 });
    const contracts = networkContracts(first.manifest.contracts, {
      public: client,
      wallet: createChainWalletClient(first.manifest, provider),
    });
    const hash = await contracts.providerRegistry.write.registerProvider(['http://127.0.0.1:7001']);
    expect((await client.waitForTransactionReceipt({ hash })).status).toBe('success');
    await first.stop();
    await expectNothingLeftRunning(first);
    expect(existsSync(path.join(dataDir, 'chain', 'state.json'))).toBe(true);

    const restarted = Date.now();
    const second = await startDevnet({ dataDir, automine: true });
    console.log(`startDevnet (restart from the data dir) took ${Date.now() - restarted} ms`);
    try {
      expect(second.manifest.contracts).toEqual(first.manifest.contracts);
      const again = networkContracts(second.manifest.contracts, {
        public: createChainPublicClient(second.manifest),
        wallet: createChainWalletClient(second.manifest, provider),
      });
      expect(await again.providerRegistry.read.providerIdOf([provider.address])).toBe(1n);
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
