// `npm run devnet` as a real process: it writes and prints the manifest, stays up, and on
// SIGTERM stops every part (saving the chain in its data dir) and exits 0.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkManifest } from '../shared/network-manifest';
import { processesMentioning } from './test-support/processes';

const BUNDLE = path.resolve('out/devnet/devnet.js');

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(tmpdir(), 'coffer-devnet-cli-test-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Starts the devnet CLI and resolves once it says it is up. */
async function startCli(args: string[]) {
  const child = spawn(process.execPath, [BUNDLE, ...args]);
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      output.stderr += chunk.toString();
      if (output.stderr.includes('Press Ctrl+C to stop.')) resolve();
    });
    void exited.then((code) => reject(new Error(`devnet exited early (${code}):\n${output.stderr}`)));
  });
  return { child, output, exited };
}

async function expectNoProcessesMentioning(text: string): Promise<void> {
  const leftovers = await processesMentioning(text);
  if (leftovers === null)
    console.log(`Not checking for leftover processes: no /proc on ${process.platform}.`);
  else expect(leftovers).toEqual([]);
}

describe('npm run devnet', () => {
  it('prints --help', async () => {
    const child = spawn(process.execPath, [BUNDLE, '--help']);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    expect(output).toMatch(/--data-dir[\s\S]*--automine[\s\S]*--block-time[\s\S]*--manifest/);
  });

  it('rejects a bad --block-time clearly', async () => {
    const child = spawn(process.execPath, [BUNDLE, '--block-time', 'soon']);
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(1);
    expect(errors).toContain("--block-time must be a positive number of seconds, got 'soon'.");
  });

  it('starts, writes the manifest, and stops cleanly on SIGTERM', async () => {
    const dataDir = path.join(dir, 'data');
    const manifestFile = path.join(dir, 'out', 'manifest.json');
    const { child, output, exited } = await startCli([
      '--automine',
      '--data-dir',
      dataDir,
      '--manifest',
      manifestFile,
    ]);
    const manifest = NetworkManifest.parse(JSON.parse(await readFile(manifestFile, 'utf8')));
    expect(JSON.parse(output.stdout)).toEqual(manifest);
    expect(output.stderr).toContain(`PaymentVault     ${manifest.contracts.paymentVault}`);
    expect(output.stderr).toContain(`note server      ${manifest.noteServerUrl}`);
    expect(output.stderr).toContain(`data             ${dataDir}`);
    expect(manifest.providers).toHaveLength(4);
    for (const provider of manifest.providers)
      expect(output.stderr).toContain(
        `#${provider.id} ${provider.url}${provider.endorsed ? ' (endorsed)' : ''}`,
      );
    expect(output.stderr).toMatch(/provider faults {2}PUT <url>\/v1\/admin\/faults[\s\S]*#4 [0-9a-f]{48}/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(dataDir, 'chain', 'state.json'))).toBe(true);
    await expectNoProcessesMentioning(dataDir);
  });

  it('stops everything and exits 1 when its chain dies', async (context) => {
    const dataDir = path.join(dir, 'dying');
    const { child, output, exited } = await startCli(['--automine', '--data-dir', dataDir]);
    try {
      const anvils = await processesMentioning('anvil', dataDir);
      if (anvils === null)
        return context.skip(`cannot find the anvil process: no /proc on ${process.platform}`);
      expect(anvils).toHaveLength(1);
      process.kill(anvils[0]!, 'SIGKILL');
      expect(await exited).toBe(1);
      expect(output.stderr).toMatch(/The devnet chain stopped unexpectedly: anvil exited \(SIGKILL\)/);
    } finally {
      child.kill('SIGTERM');
    }
    await expectNoProcessesMentioning(dataDir);
  });
});
