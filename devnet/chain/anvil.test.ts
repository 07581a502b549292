// The anvil runner: it answers on 127.0.0.1 with the dev accounts, mines on a timer or per
// transaction, stops cleanly (twice is fine), and says why when anvil dies.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicClient, createWalletClient, http } from 'viem';
import { afterAll, describe, expect, it } from 'vitest';
import { type Anvil, startAnvil } from './anvil';
import { DEV_ACCOUNT_COUNT, DEV_ETHER_BALANCE, devAccount } from './dev-accounts';

const started: Anvil[] = [];
afterAll(() => Promise.all(started.map((anvil) => anvil.stop())));

async function start(options: Parameters<typeof startAnvil>[0]): Promise<Anvil> {
  const anvil = await startAnvil(options);
  started.push(anvil);
  return anvil;
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startAnvil', () => {
  it('serves chain 31337 on 127.0.0.1 with the dev accounts, and stops cleanly (twice is fine)', async () => {
    const anvil = await start({ automine: true });
    expect(anvil.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    expect(await client.getChainId()).toBe(31337);
    const accounts = await createWalletClient({ transport: http(anvil.rpcUrl) }).getAddresses();
    expect(accounts).toEqual(
      Array.from({ length: DEV_ACCOUNT_COUNT }, (_, index) => devAccount(index).address),
    );
    expect(await client.getBalance({ address: devAccount(DEV_ACCOUNT_COUNT - 1).address })).toBe(
      DEV_ETHER_BALANCE,
    );
    expect(isRunning(anvil.pid)).toBe(true);
    await anvil.stop();
    await anvil.stop();
    expect(isRunning(anvil.pid)).toBe(false);
  });

  it('makes blocks of 60M gas, also on a chain saved with 30M', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'coffer-anvil-gas-'));
    try {
      const stateFile = path.join(dir, 'state.json');
      const gasLimit = async (anvil: Anvil) => {
        const client = createPublicClient({ transport: http(anvil.rpcUrl) });
        await client.request({ method: 'evm_mine' } as never);
        return (await client.getBlock({ blockTag: 'latest' })).gasLimit;
      };
      expect(await gasLimit(await start({ automine: true }))).toBe(60_000_000n);
      // A chain as an earlier Coffer saved it, with anvil's default limit (set here by RPC).
      const old = await start({ automine: true, stateFile });
      await createPublicClient({ transport: http(old.rpcUrl) }).request({
        method: 'evm_setBlockGasLimit',
        params: ['0x1c9c380'],
      } as never);
      expect(await gasLimit(old)).toBe(30_000_000n);
      await old.stop();
      const loaded = await start({ automine: true, stateFile });
      expect(await gasLimit(loaded)).toBe(60_000_000n);
      await loaded.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('mines on a timer unless automining', async () => {
    const anvil = await start({ blockTime: 1 });
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    const first = await client.getBlockNumber({ cacheTime: 0 });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await client.getBlockNumber({ cacheTime: 0 })).toBeGreaterThanOrEqual(first + 2n);
    await anvil.stop();
  });

  it('reports an unexpected exit, with what anvil said', async () => {
    const exits: Error[] = [];
    const anvil = await start({ automine: true, onUnexpectedExit: (error) => exits.push(error) });
    process.kill(anvil.pid, 'SIGKILL');
    await expect.poll(() => exits.length).toBe(1);
    expect(exits[0]!.message).toMatch(/anvil exited \(SIGKILL\)[\s\S]*Listening on 127\.0\.0\.1/);
    await anvil.stop();
  });

  it('fails to start with anvil’s own explanation (here: a corrupt state file)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'coffer-anvil-test-'));
    const stateFile = path.join(dir, 'state.json');
    await writeFile(stateFile, 'not json');
    await expect(startAnvil({ automine: true, stateFile })).rejects.toThrow(
      /anvil exited \(code 2\)[\s\S]*failed to parse json file/,
    );
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects a block time that is not a positive number of seconds', async () => {
    await expect(startAnvil({ blockTime: 0 })).rejects.toThrow(
      'Block time must be a positive number of seconds, got 0.',
    );
  });
});
