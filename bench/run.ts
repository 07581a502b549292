/**
 * `node out/bench/run.js [name …] [--option …]`: runs the named benchmarks (all of them when none is named),
 * printing each one's tables as it finishes and, at the end, every result as one JSON document
 * (also written to out/bench/results.json). Benchmarks are not part of `npm test`: their figures
 * depend on the machine and its load.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtPath } from '../electron/core/app-paths';
import { formatResult, type BenchResult } from './report';

const benches: Record<string, () => Promise<BenchResult>> = {
  sync: async () => (await import('./sync-bench')).runSyncBench(),
  upload: async () => (await import('./upload-bench')).runUploadBench(),
};

async function main(): Promise<void> {
  // Options (e.g. --quick) are for the benchmarks themselves; the rest are names.
  const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const unknown = asked.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(
      `bench: unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benches).join(', ')}`,
    );
    process.exit(2);
  }
  const results: BenchResult[] = [];
  for (const name of asked.length > 0 ? asked : Object.keys(benches)) {
    const result = await benches[name]!();
    results.push(result);
    console.log(`\n${formatResult(result)}\n`);
  }
  const file = builtPath('bench', 'results.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results));
  console.log(`\n(written to ${file})`);
  if (results.some((result) => result.targets.some((target) => !target.met))) process.exitCode = 1;
}

await main();
