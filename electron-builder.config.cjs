// Packaging (`npm run dist`). It downloads Electron and platform tool sets from outside npm, so
// CI does not run it; electron-builder.config.test.ts checks the settings that matter.
/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'dev.coffer.desktop',
  productName: 'Coffer',
  copyright: 'Copyright © Coffer developers',
  directories: { output: 'dist', buildResources: 'build' },
  // The app is out/ plus production dependencies; the devnet, CLI-only bench and source maps stay out.
  files: [
    'out/main/**',
    'out/preload/**',
    'out/renderer/**',
    'out/workers/**',
    'out/cli/**',
    'package.json',
    '!**/*.map',
  ],
  asar: true,
  // Worker threads, native modules and WASM must be real files on disk, not inside the archive.
  asarUnpack: ['out/workers/**', '**/node_modules/better-sqlite3/**', '**/node_modules/@oqs/liboqs-js/**'],
  // Rebuild native modules (better-sqlite3) against Electron's ABI.
  npmRebuild: true,
  buildDependenciesFromSource: false,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Utility',
    icon: 'build/icon.png',
    executableName: 'coffer',
    desktop: {
      entry: {
        Name: 'Coffer',
        Comment: 'Multi-copy uploader and shielded wallet',
        Categories: 'Utility;Network;',
      },
    },
  },
  deb: { depends: ['libnotify4', 'libxtst6', 'libnss3'] },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.productivity',
    hardenedRuntime: true,
    icon: 'build/icon.png',
  },
  win: { target: ['nsis'], icon: 'build/icon.png' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
};
