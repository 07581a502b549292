/**
 * Starts Coffer the way `npm start` does, in browser mode, as a child process, and returns the URL
 * it prints (with its per-run token). The e2e specs drive that URL with Debian's Chromium.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface LaunchedApp {
  launchUrl: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export async function launchBrowserMode(args: string[] = []): Promise<LaunchedApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-e2e-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['out/launcher/launcher.js', '--browser', '--data-dir', dataDir, ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const launchUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Coffer did not start in time:\n${output}`)), 60_000);
    const check = () => {
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`Coffer exited with ${code}:\n${output}`)));
  });
  return {
    launchUrl,
    dataDir,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
