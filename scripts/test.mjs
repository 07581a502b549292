#!/usr/bin/env node
// `npm test`: lint, format check, typecheck, build, unit + integration (Vitest), e2e (Playwright),
// then one summary. Every step runs even when an earlier one fails, so one run shows everything.
// `--long` adds the long modes (crash-safety iterations, load).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const long = process.argv.includes('--long');
const results = [];
const counts = { passed: 0, failed: 0, skipped: 0 };
// Failed tests by name, repeated under the summary: a long log is often read from its end only.
const failures = [];

function step(name, command, args, env = {}) {
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  const run = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const ok = run.status === 0;
  results.push({ name, ok, seconds: Math.round((Date.now() - started) / 1000) });
  return ok;
}

function addVitestCounts(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  counts.passed += report.numPassedTests ?? 0;
  counts.failed += report.numFailedTests ?? 0;
  counts.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  for (const file of report.testResults ?? [])
    for (const test of file.assertionResults ?? [])
      if (test.status === 'failed')
        failures.push(
          `${file.name.replace(`${process.cwd()}/`, '')} > ${test.fullName}: ${firstLine(test.failureMessages)}`,
        );
}

function firstLine(messages = []) {
  return String(messages[0] ?? '')
    .split('\n')[0]
    .slice(0, 300);
}

function addPlaywrightCounts(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const stats = report.stats ?? {};
  counts.passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
  counts.failed += stats.unexpected ?? 0;
  counts.skipped += stats.skipped ?? 0;
  const walk = (suite) => {
    for (const spec of suite.specs ?? [])
      for (const test of spec.tests ?? [])
        if (test.status === 'unexpected')
          failures.push(
            `${spec.file} > ${spec.title}: ${firstLine(test.results?.map((r) => r.error?.message))}`,
          );
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
}

rmSync('test-results', { recursive: true, force: true });
const npx = 'npx';
step('lockfile', process.execPath, ['scripts/complete-lockfile.mjs', '--check']);
step('lint', npx, ['eslint', '--max-warnings=0', '.']);
step('format', npx, ['prettier', '--check', '.']);
step('typecheck', npx, ['tsc', '-p', 'tsconfig.json']);
step('typecheck (renderer)', npx, ['tsc', '-p', 'renderer/tsconfig.json']);
const built = step('build', process.execPath, ['scripts/build.mjs']);
if (built) step('electronegativity', process.execPath, ['scripts/electronegativity.mjs']);
step('unit + integration', npx, [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  '--outputFile.json=test-results/vitest.json',
]);
addVitestCounts('test-results/vitest.json');
if (long) {
  step('long', npx, [
    'vitest',
    'run',
    '--config',
    'vitest.long.config.ts',
    '--reporter=default',
    '--reporter=json',
    '--outputFile.json=test-results/vitest-long.json',
  ]);
  addVitestCounts('test-results/vitest-long.json');
}
if (built) {
  step('e2e', npx, ['playwright', 'test']);
  addPlaywrightCounts('test-results/playwright.json');
} else {
  results.push({ name: 'e2e', ok: false, seconds: 0, note: 'not run: the build failed' });
}

console.log('\n=== Summary');
for (const r of results)
  console.log(
    `${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(22)} ${String(r.seconds).padStart(4)} s${r.note ? `  (${r.note})` : ''}`,
  );
const failedSteps = results.filter((r) => !r.ok).length;
console.log(failedSteps === 0 ? 'All steps passed.' : `${failedSteps} step(s) failed.`);
for (const failure of failures) console.log(`FAILED  ${failure}`);
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failedSteps === 0 && counts.failed === 0 ? 0 : 1);
