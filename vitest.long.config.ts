import { defineConfig } from 'vitest/config';

// The long modes (`npm run test:long`): `*.long.test.ts`, too slow for every `npm test`.
export default defineConfig({
  test: {
    include: ['{electron,workers,shared,devnet,bench,scripts}/**/*.long.test.ts'],
    exclude: ['node_modules/**', 'out/**'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20 * 60_000,
    hookTimeout: 5 * 60_000,
    expect: { poll: { timeout: 20_000 } },
    globalSetup: ['scripts/vitest-global-setup.ts'],
  },
});
