// The devnet chain with a state directory: deployed and funded on first start, the same contracts
// and state after a restart, and deployed afresh when the saved state is gone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChainPublicClient,
  createChainWalletClient,
  networkContracts,
} from '../../electron/core/chain/contracts';
import { privateKeyToAccount } from 'viem/accounts';
import { DEV_ROLES, devAccount, devProviderAccount } from './dev-accounts';
import { DEV_TOKEN_BALANCE, FAUCET_TOKEN_BALANCE } from './deploy';
import { type DevnetChain, startDevnetChain } from './devnet-chain';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'coffer-devnet-chain-test-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

function contractsAs(chain: DevnetChain, index: number) {
  const network = { name: 'devnet', chainId: chain.chainId, rpcUrl: chain.rpcUrl };
  return networkContracts(chain.contracts, {
    public: createChainPublicClient(network, { pollingInterval: 50 }),
    wallet: createChainWalletClient(network, privateKeyToAccount(devAccount(index).privateKey)),
  });
}

async function startLogged(): Promise<{ chain: DevnetChain; lines: string[] }> {
  const lines: string[] = [];
  const chain = await startDevnetChain({ dir, automine: true, log: (line) => lines.push(line) });
  return { chain, lines };
}

describe('startDevnetChain', () => {
  it('deploys, funds the dev accounts, and keeps its state across a restart', async () => {
    const first = await startLogged();
    const contracts = contractsAs(first.chain, DEV_ROLES.firstProvider);
    expect(await contracts.token.read.balanceOf([devAccount(DEV_ROLES.faucet).address])).toBe(
      FAUCET_TOKEN_BALANCE,
    );
    expect(await contracts.token.read.balanceOf([devProviderAccount(0).address])).toBe(DEV_TOKEN_BALANCE);
    const hash = await contracts.providerRegistry.write.registerProvider(['http://127.0.0.1:1234']);
    await createChainPublicClient({ name: 'devnet', ...first.chain }).waitForTransactionReceipt({ hash });
    await first.chain.stop();

    const second = await startLogged();
    try {
      expect(second.chain.contracts).toEqual(first.chain.contracts);
      expect(second.chain.rpcUrl).not.toBe(first.chain.rpcUrl);
      expect(second.lines.join('\n')).toMatch(/Reusing the contracts/);
      const again = contractsAs(second.chain, DEV_ROLES.firstProvider);
      expect(await again.providerRegistry.read.getProvider([1n])).toEqual([
        devProviderAccount(0).address,
        'http://127.0.0.1:1234',
        false,
      ]);
    } finally {
      await second.chain.stop();
    }
  });

  it('deploys again when the saved chain state is gone', async () => {
    await rm(path.join(dir, 'state.json'));
    const third = await startLogged();
    try {
      expect(third.lines.join('\n')).toMatch(
        /no longer holds the contracts[\s\S]*Deployed the devnet contracts/,
      );
      expect(await contractsAs(third.chain, 0).providerRegistry.read.providerCount()).toBe(0n);
    } finally {
      await third.chain.stop();
    }
  });
});
