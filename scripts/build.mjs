#!/usr/bin/env node
// Builds every bundle under out/: Electron main, the sandboxed preload (one CommonJS file), the
// launcher, CLI, devnet, workers and benchmarks (esbuild), and the renderer (Vite).
// `--node-only` skips the renderer, for the CLI, devnet and benchmarks.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeOnly = process.argv.includes('--node-only');

/** ESM bundles for Node/Electron main; node_modules stay external (native modules, WASM). */
const nodeEntries = {
  'main/main': 'electron/main.ts',
  'launcher/launcher': 'electron/launcher.ts',
  'cli/coffer': 'electron/cli.ts',
  'devnet/devnet': 'devnet/devnet.ts',
  'devnet/note-server': 'devnet/note-server/cli.ts',
  'devnet/notes-seed': 'devnet/note-server/seed-cli.ts',
  'devnet/seed-worker': 'devnet/note-server/seed-worker.ts',
  'devnet/provider': 'devnet/provider/cli.ts',
  'workers/sync-worker': 'workers/sync-worker.ts',
  'workers/chunk-hash-worker': 'workers/chunk-hash-worker.ts',
  'bench/run': 'bench/run.ts',
  'bench/upload-devnet': 'bench/upload-devnet.ts',
  'bench/upload-client': 'bench/upload-client.ts',
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

await rm(path.join(root, 'out', 'main'), { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: nodeEntries,
    outdir: 'out',
    format: 'esm',
    packages: 'external',
    // Bundled ESM still meets CommonJS-only code paths in some dependencies.
    banner: {
      js: "import { createRequire as __cofferRequire } from 'node:module'; const require = __cofferRequire(import.meta.url);",
    },
  }),
  // Sandboxed preloads can only require('electron'): everything else is bundled in.
  build({
    ...common,
    entryPoints: {
      'preload/preload': 'electron/preload.ts',
      'preload/approval-preload': 'electron/approval-preload.ts',
    },
    outdir: 'out',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    external: ['electron'],
  }),
]);

if (!nodeOnly) {
  const { build: viteBuild } = await import('vite');
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}
console.error(`built out/ (${nodeOnly ? 'node bundles' : 'node bundles + renderer'})`);
