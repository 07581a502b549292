// The provider node as its own process (`node out/devnet/provider.js`) on a test chain: it reads
// the manifest, registers, prints its URL and admin token, answers, takes faults over the admin
// endpoint with that token, and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ProviderClient, ProviderError } from '../../electron/core/providers/provider-client';
import type { NetworkManifest } from '../../shared/network-manifest';
import { devProviderAccount } from '../chain/dev-accounts';
import { startTestChain, type TestChain } from '../test-support/test-chain';

const BUNDLE = path.resolve('out/devnet/provider.js');
let chain: TestChain;
let dir: string;
let manifestFile: string;

beforeAll(async () => {
  chain = await startTestChain();
  dir = await mkdtemp(path.join(tmpdir(), 'coffer-provider-cli-'));
  manifestFile = path.join(dir, 'manifest.json');
  const manifest: NetworkManifest = {
    name: 'devnet',
    chainId: chain.chainId,
    rpcUrl: chain.rpcUrl,
    contracts: chain.contracts,
    providers: [],
    noteServerUrl: 'http://127.0.0.1:9',
  };
  await writeFile(manifestFile, JSON.stringify(manifest));
});
afterAll(async () => {
  await chain?.stop();
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const child = spawn(process.execPath, [BUNDLE, ...args]);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, output, exited };
}

it('runs a registered provider until SIGTERM, with faults settable by its admin token', async () => {
  const { child, output, exited } = run(['--manifest', manifestFile, '--dev-slot', '3', '--no-batch']);
  await expect
    .poll(() => output.stdout.includes('\n') || output.stderr.includes('provider:'), { timeout: 20_000 })
    .toBe(true);
  const started = JSON.parse(output.stdout) as {
    url: string;
    address: string;
    providerId: number;
    adminToken: string;
  };
  expect(started.address).toBe(devProviderAccount(3).address);
  expect(await chain.as(0).contracts.providerRegistry.read.getProvider([BigInt(started.providerId)])).toEqual(
    [started.address, started.url, false],
  );
  const client = new ProviderClient({ url: started.url });
  try {
    expect((await client.ping()).capabilities.batch).toBe(false);
    await client.setFaults(started.adminToken, { failPing: true });
    await expect(client.ping()).rejects.toBeInstanceOf(ProviderError);
  } finally {
    await client.close();
  }
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

it('says what is missing', async () => {
  const { output, exited } = run(['--dev-slot', '3']);
  expect(await exited).toBe(2);
  expect(output.stderr).toMatch(/provider: --manifest is required\nusage:/);
});
