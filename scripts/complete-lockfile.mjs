#!/usr/bin/env node
// Completes package-lock.json for `npm ci`.
//
// The npm registry mirror this project is built against does not serve every platform build of
// a few packages (e.g. @foundry-rs/anvil-darwin-amd64, some @rollup/rollup-* versions). `npm install`
// then leaves those optional dependencies out of the lockfile, and `npm ci` refuses a lockfile
// that does not list every optional dependency. This adds an entry for each missing one, with the
// os/cpu/libc its name encodes, so `npm ci` skips it here and fetches it by version elsewhere.
// Run it after any `npm install` that rewrites the lockfile; `npm test` checks it was run.
import { readFileSync, writeFileSync } from 'node:fs';

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openbsd',
  'openharmony',
  'win32',
  'sunos',
  'aix',
  'netbsd',
];
const CPU = {
  amd64: 'x64',
  x64: 'x64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
};

/** `@rollup/rollup-linux-arm64-musl` → { os: ['linux'], cpu: ['arm64'], libc: ['musl'] } */
export function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((part) => OS.includes(part));
  const cpu = parts.map((part) => CPU[part]).find(Boolean);
  const libc = parts.find((part) => part === 'musl' || part === 'gnu' || part.startsWith('gnueabi'));
  if (!os || !cpu) return null;
  return {
    os: [os],
    cpu: [cpu],
    ...(libc && os === 'linux' ? { libc: [libc === 'musl' ? 'musl' : 'glibc'] } : {}),
  };
}

/** Optional dependencies named by a locked package but missing from the lockfile. */
export function missingOptionals(lock) {
  const missing = new Map();
  for (const [key, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const nested = `${key}/node_modules/${name}`;
      const hoisted = `node_modules/${name}`;
      if (!lock.packages[nested] && !lock.packages[hoisted])
        missing.set(hoisted, { name, version, dev: Boolean(entry.dev) });
    }
  }
  return missing;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
  const missing = missingOptionals(lock);
  const unplaceable = [...missing.values()].filter(({ name }) => !platformOf(name)).map(({ name }) => name);
  if (unplaceable.length) {
    console.error(`Cannot tell the platform of: ${unplaceable.join(', ')}`);
    process.exit(1);
  }
  if (check) {
    if (missing.size) {
      console.error(
        `package-lock.json misses ${missing.size} optional platform packages; run: node scripts/complete-lockfile.mjs`,
      );
      process.exit(1);
    }
    console.log('package-lock.json lists every optional dependency');
  } else {
    for (const [key, { name, version, dev }] of missing) {
      lock.packages[key] = { version, ...(dev ? { dev: true } : {}), optional: true, ...platformOf(name) };
    }
    lock.packages = Object.fromEntries(
      Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
    );
    writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
    console.log(`added ${missing.size} optional platform entries to package-lock.json`);
  }
}
