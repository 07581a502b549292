// ProviderRegistry and TestUSD on a real anvil: self-registration, URL updates, owner-only
// endorsement, paging; and that only the owner mints test USD.
import { parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerRegistryAbi } from '../../shared/contracts/abis';
import { DEV_ROLES, devAccount, devProviderAccount } from '../chain/dev-accounts';
import { revertOf, startTestChain, type TestActor, type TestChain } from '../test-support/test-chain';

let chain: TestChain;
let owner: TestActor;
let providers: TestActor[];

beforeAll(async () => {
  chain = await startTestChain();
  owner = chain.as(devAccount(DEV_ROLES.deployer));
  providers = [0, 1, 2].map((slot) => chain.as(devProviderAccount(slot)));
});
afterAll(() => chain?.stop());

const registry = () => owner.contracts.providerRegistry;

describe('ProviderRegistry', () => {
  it('registers providers with ids from 1, one per address', async () => {
    expect(await registry().read.providerCount()).toBe(0n);
    for (const [index, provider] of providers.entries()) {
      const receipt = await chain.mined(
        provider.contracts.providerRegistry.write.registerProvider([`http://127.0.0.1:${9000 + index}`]),
      );
      const [event] = parseEventLogs({
        abi: providerRegistryAbi,
        logs: receipt.logs,
        eventName: 'ProviderRegistered',
      });
      expect(event!.args).toEqual({
        id: BigInt(index + 1),
        provider: provider.address,
        serviceUrl: `http://127.0.0.1:${9000 + index}`,
      });
    }
    expect(await registry().read.providerCount()).toBe(3n);
    expect(await registry().read.providerIdOf([providers[1]!.address])).toBe(2n);
    expect(await registry().read.providerIdOf([owner.address])).toBe(0n);
    expect(await registry().read.getProvider([2n])).toEqual([
      providers[1]!.address,
      'http://127.0.0.1:9001',
      false,
    ]);
    expect(
      await revertOf(providers[1]!.contracts.providerRegistry.write.registerProvider(['http://x'])),
    ).toEqual({
      name: 'AlreadyRegistered',
      args: [providers[1]!.address, 2n],
    });
  });

  it('rejects an empty or overlong service URL, and unknown ids', async () => {
    const newcomer = chain.as(devProviderAccount(5));
    expect(await revertOf(newcomer.contracts.providerRegistry.write.registerProvider(['']))).toEqual({
      name: 'BadServiceUrl',
      args: [0n],
    });
    expect(
      await revertOf(
        newcomer.contracts.providerRegistry.write.registerProvider([`http://${'a'.repeat(250)}`]),
      ),
    ).toEqual({ name: 'BadServiceUrl', args: [257n] });
    expect(await revertOf(registry().read.getProvider([0n]))).toEqual({
      name: 'UnknownProvider',
      args: [0n],
    });
    expect(await revertOf(registry().read.getProvider([4n]))).toEqual({
      name: 'UnknownProvider',
      args: [4n],
    });
  });

  it('lets a provider update its own URL, and nobody unregistered', async () => {
    await chain.mined(
      providers[0]!.contracts.providerRegistry.write.updateServiceUrl(['https://sp1.example']),
    );
    expect((await registry().read.getProvider([1n]))[1]).toBe('https://sp1.example');
    expect(
      await revertOf(owner.contracts.providerRegistry.write.updateServiceUrl(['https://evil.example'])),
    ).toEqual({ name: 'NotRegistered', args: [owner.address] });
  });

  it('lets only the owner endorse', async () => {
    expect(await revertOf(providers[2]!.contracts.providerRegistry.write.setEndorsed([3n, true]))).toEqual({
      name: 'OwnableUnauthorizedAccount',
      args: [providers[2]!.address],
    });
    const receipt = await chain.mined(registry().write.setEndorsed([3n, true]));
    const [event] = parseEventLogs({
      abi: providerRegistryAbi,
      logs: receipt.logs,
      eventName: 'ProviderEndorsed',
    });
    expect(event!.args).toEqual({ id: 3n, endorsed: true });
    expect((await registry().read.getProvider([3n]))[2]).toBe(true);
    expect(await revertOf(registry().write.setEndorsed([9n, true]))).toEqual({
      name: 'UnknownProvider',
      args: [9n],
    });
  });

  it('pages through the providers', async () => {
    const all = await registry().read.getProviders([0n, 10n]);
    expect(all.map((entry) => [entry.id, entry.provider, entry.endorsed])).toEqual([
      [1n, providers[0]!.address, false],
      [2n, providers[1]!.address, false],
      [3n, providers[2]!.address, true],
    ]);
    expect((await registry().read.getProviders([1n, 1n])).map((entry) => entry.id)).toEqual([2n]);
    expect((await registry().read.getProviders([2n, 5n])).map((entry) => entry.id)).toEqual([3n]);
    expect(await registry().read.getProviders([3n, 5n])).toEqual([]);
    expect(await registry().read.getProviders([0n, 0n])).toEqual([]);
  });
});

describe('TestUSD', () => {
  it('has the name, symbol and decimals the permit domain relies on', async () => {
    const token = owner.contracts.token;
    expect(await Promise.all([token.read.name(), token.read.symbol(), token.read.decimals()])).toEqual([
      'Coffer Test USD',
      'tUSD',
      18,
    ]);
  });

  it('mints only for its owner', async () => {
    const someone = providers[0]!;
    const before = await owner.contracts.token.read.balanceOf([someone.address]);
    await chain.mined(owner.contracts.token.write.mint([someone.address, 5n]));
    expect(await owner.contracts.token.read.balanceOf([someone.address])).toBe(before + 5n);
    expect(await revertOf(someone.contracts.token.write.mint([someone.address, 5n]))).toEqual({
      name: 'OwnableUnauthorizedAccount',
      args: [someone.address],
    });
  });
});
