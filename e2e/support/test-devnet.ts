/**
 * A devnet the spec itself starts, in a process of its own (`npm run devnet`'s program, automining
 * so payments and commits confirm without waiting on a timer), so it can reach the storage
 * providers' fault switches through their admin API with the tokens the devnet prints. Its
 * manifest goes to a file for `npm start -- --network <file>`. One per spec file, stopped in
 * afterAll.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NetworkManifest } from '../../shared/network-manifest';
import type { ProviderFaults } from '../../shared/provider/wire';

export interface TestDevnet {
  manifest: NetworkManifest;
  manifestFile: string;
  /** Replaces the faults of the provider with this registry id (`{}` clears them). */
  setFaults(providerId: number, faults: ProviderFaults): Promise<void>;
  clearFaults(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestDevnet(): Promise<TestDevnet> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'coffer-e2e-net-'));
  const manifestFile = path.join(dir, 'network.json');
  const child = spawn(process.execPath, ['out/devnet/devnet.js', '--automine', '--manifest', manifestFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The devnet did not start in time:\n${output}`)), 90_000);
    child.stderr.on('data', () => {
      if (!output.includes('Press Ctrl+C to stop.')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`The devnet exited with ${code}:\n${output}`)));
  });
  const manifest = NetworkManifest.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
  // The summary lists each provider's admin token: "    #<id> <token>".
  const tokens = new Map(
    [...output.matchAll(/^ {4}#(\d+) ([0-9a-f]{48})$/gm)].map((match) => [Number(match[1]), match[2]!]),
  );
  const setFaults = async (providerId: number, faults: ProviderFaults) => {
    const provider = manifest.providers.find((p) => p.id === providerId);
    const token = tokens.get(providerId);
    if (!provider || !token) throw new Error(`The devnet has no provider ${providerId}`);
    const response = await fetch(`${provider.url}/v1/admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(faults),
    });
    if (!response.ok)
      throw new Error(`provider ${providerId} admin: ${response.status} ${await response.text()}`);
  };
  return {
    manifest,
    manifestFile,
    setFaults,
    clearFaults: async () => {
      await Promise.all(manifest.providers.map((provider) => setFaults(provider.id, {})));
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
