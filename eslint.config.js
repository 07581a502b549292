// Lint, including the architecture's layer rules (DESIGN.md): a wrong import fails `npm test`.
//   shared/         imported by every side: no Electron, no Node built-ins, no app layers
//   electron/core/  plain Node: no Electron, no transports, no renderer
//   workers/        plain Node: no Electron, nothing of electron/ but electron/core
//   renderer/       browser only: no Node built-ins, no Electron, no main-process or worker code
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
// A regex, not the glob 'electron/*': that glob also matches relative paths into our own
// electron/ folder, which would forbid importing electron/core from devnet/ and workers/.
const noElectron = {
  regex: '^electron(/|$)',
  message: 'Only electron/*.ts outside electron/core may import Electron.',
};
const onlyElectronCore = {
  regex: '^(\\.\\./)+electron/(?!core/)',
  message: 'Of electron/, only electron/core (plain Node) may be imported from here.',
};
const noRenderer = {
  group: ['**/renderer/**'],
  message: 'The renderer is reached only through the API contract.',
};
const noTransports = {
  group: [
    '**/electron/main',
    '**/electron/ipc',
    '**/electron/preload',
    '**/electron/launcher',
    '**/electron/host/**',
    '../host/**',
    '../../host/**',
    '../ipc',
    '../main',
    '../preload',
  ],
  message: 'Core code must not depend on a transport or on Electron wiring.',
};

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'devnet/contracts/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'shared/ runs in the renderer too: no Node built-ins.',
          })),
          patterns: [
            noElectron,
            noRenderer,
            {
              group: ['**/electron/**', '**/workers/**', '**/devnet/**'],
              message: 'shared/ imports nothing of the app layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, noRenderer, noTransports] }] },
  },
  {
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [noElectron, onlyElectronCore, noRenderer, noTransports] },
      ],
    },
  },
  {
    files: ['devnet/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron, onlyElectronCore, noRenderer] }] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'The renderer runs in a sandbox: no Node built-ins.',
          })),
          patterns: [
            noElectron,
            {
              group: ['**/electron/**', '**/workers/**', '**/devnet/**'],
              message: 'The renderer talks to main only through window.coffer / the browser host.',
            },
          ],
        },
      ],
    },
  },
);
