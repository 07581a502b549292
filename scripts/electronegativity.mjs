#!/usr/bin/env node
// Runs electronegativity (Doyensec's Electron security linter) over the main-process sources and
// the built renderer pages together, and fails on any finding not reviewed in
// electron/security/electronegativity-reviewed.json. Run after the build (it reads out/renderer).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ELECTRON_VERSION = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version;
const reviewed = JSON.parse(readFileSync('electron/security/electronegativity-reviewed.json', 'utf8'));

const scan = mkdtempSync(path.join(os.tmpdir(), 'coffer-electronegativity-'));
try {
  cpSync('electron', path.join(scan, 'electron'), {
    recursive: true,
    filter: (file) => !/\.test\.ts$/.test(file),
  });
  for (const page of readdirSync('out/renderer').filter((name) => name.endsWith('.html')))
    cpSync(path.join('out/renderer', page), path.join(scan, 'renderer', page));
  const report = path.join(scan, 'report.csv');
  execFileSync(
    process.execPath,
    [
      'node_modules/.bin/electronegativity',
      '-i',
      scan,
      '-e',
      ELECTRON_VERSION,
      '-r',
      '-v',
      'false',
      '-o',
      report,
    ],
    { stdio: 'ignore' },
  );
  // One finding per row; only the first five fields are read (the later ones quote code loosely).
  // A row's code sample may hold a line break (seen in CI: a CSP cut after `default-src`), so a
  // line that does not start with a check's name continues the row before it. One that has no row
  // before it is shown, not guessed at.
  const lines = readFileSync(report, 'utf8').trim().split('\n').slice(1);
  const joined = [];
  for (const line of lines)
    if (joined.length > 0 && !/^"?[A-Z_]+_CHECK"?,/.test(line)) joined[joined.length - 1] += ` ${line}`;
    else joined.push(line);
  const rows = joined.map((line) => ({
    line,
    cells: line.split(',').map((cell) => cell.replace(/^"|"$/g, '')),
  }));
  const parses = ({ cells: [check, , , file] }) => /^[A-Z_]+_CHECK$/.test(check) && file !== undefined;
  for (const { line } of rows.filter((row) => !parses(row))) console.log(`  unparsed report line: ${line}`);
  const findings = rows.filter(parses).map(({ cells: [check, severity, , file, location] }) => ({
    check,
    severity,
    file: file.replace(/\\/g, '/'),
    location,
  }));
  const isReviewed = (f) => reviewed.some((r) => r.check === f.check && r.file === f.file);
  const open = findings.filter((f) => !isReviewed(f));
  const stale = reviewed.filter((r) => !findings.some((f) => f.check === r.check && f.file === r.file));
  console.log(
    `electronegativity ${ELECTRON_VERSION}: ${findings.length} findings, ${findings.length - open.length} reviewed`,
  );
  for (const f of open) console.log(`  NOT REVIEWED: ${f.check} (${f.severity}) ${f.file}:${f.location}`);
  for (const r of stale) console.log(`  stale review (no longer found, remove it): ${r.check} ${r.file}`);
  process.exit(open.length || stale.length ? 1 : 0);
} finally {
  rmSync(scan, { recursive: true, force: true });
}
