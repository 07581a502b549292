import { defineConfig } from 'vitest/config';

// Unit and integration tests: next to the code they test (`*.test.ts`), run in plain Node.
export default defineConfig({
  test: {
    include: ['{electron,workers,shared,devnet,bench,scripts,renderer}/**/*.test.ts'],
    exclude: ['**/*.long.test.ts', 'node_modules/**', 'out/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Something awaited with expect.poll (a process exit, a status change) can take seconds on a
    // loaded 2-core machine; the default of 1 s made CI flaky. A poll that passes still ends early.
    expect: { poll: { timeout: 20_000 } },
    globalSetup: ['scripts/vitest-global-setup.ts'],
  },
});
