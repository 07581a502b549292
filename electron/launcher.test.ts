/**
 * The launcher behind `npm start`, as a process: stopped while the devnet is still starting, it
 * leaves nothing running (a signal's default action would skip the exit handlers that stop anvil).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processesMentioning } from '../devnet/test-support/processes';
import { builtPath } from './core/app-paths';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('launcher', () => {
  it('stopped while the devnet starts: exits and leaves no anvil running', async (context) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-launcher-'));
    dirs.push(dataDir);
    const launcher = spawn(process.execPath, [builtPath('launcher', 'launcher.js'), '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
    await expect.poll(() => output).toContain('anvil is listening');
    // Stopped between anvil's start and the rest of the devnet (contracts, providers).
    const anvils = await processesMentioning('anvil', dataDir);
    if (anvils === null) {
      launcher.kill('SIGKILL');
      return context.skip(`cannot look for anvil processes: no /proc on ${process.platform}`);
    }
    expect(anvils.length).toBe(1);
    launcher.kill('SIGTERM');
    expect(await exited).toBe(130);
    await expect.poll(() => processesMentioning('anvil', dataDir)).toEqual([]);
  });
});
