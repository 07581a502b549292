/**
 * The layer promise of DESIGN.md, checked at run time: every module of electron/core, workers and
 * shared loads in a plain Node process in which importing 'electron' throws. Worker entry points
 * (workers/*-worker.ts) are loaded inside a real worker thread, where they expect to run.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRoot } from './app-paths';

const root = appRoot();

function modulesUnder(dir: string): string[] {
  const full = path.join(root, dir);
  return (
    readdirSync(full, { recursive: true, withFileTypes: true })
      .filter(
        (entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !/\.test\.ts$|\.d\.ts$/.test(entry.name),
      )
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
      // Test code shared by test files (it imports vitest) runs only under vitest, not in the app.
      .filter((file) => !/from 'vitest'/.test(readFileSync(path.join(root, file), 'utf8')))
  );
}

function loadInPlainNode(files: string[]): string {
  const script = `
    const { Worker } = await import('node:worker_threads');
    const { pathToFileURL } = await import('node:url');
    const files = ${JSON.stringify(files)};
    for (const file of files) {
      const url = pathToFileURL(file).href;
      if (/-worker\\.ts$/.test(file)) {
        await new Promise((resolve, reject) => {
          const worker = new Worker(new URL(url), { execArgv: ['--import', 'tsx', '--import', './scripts/forbid-electron.mjs'] });
          worker.once('error', reject);
          worker.once('online', () => worker.terminate().then(resolve));
        });
      } else {
        await import(url);
      }
    }
    console.log('loaded ' + files.length);
  `;
  return execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', './scripts/forbid-electron.mjs', '--input-type=module', '-e', script],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
}

describe('layers', () => {
  it('the electron-forbidding hook bites', () => {
    expect(() => loadInPlainNode(['electron/preload.ts'])).toThrow(/must not depend on Electron/);
  });

  for (const layer of ['electron/core', 'workers', 'shared']) {
    const files = modulesUnder(layer);
    if (files.length === 0) console.log(`skipped: ${layer}/ has no modules yet`);
    it.skipIf(files.length === 0)(`${layer} loads in plain Node without Electron`, () => {
      expect(loadInPlainNode(files)).toContain(`loaded ${files.length}`);
    });
  }
});
