/** Packaging can't run here (it downloads Electron); this checks the settings that make a safe build. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const config = createRequire(import.meta.url)('../electron-builder.config.cjs');

describe('electron-builder config', () => {
  it('targets AppImage + deb, dmg and nsis with resources from build/', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.directories.buildResources).toBe('build');
  });

  it('packs into asar, unpacking workers and native modules, and rebuilds them for Electron', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['out/workers/**', '**/node_modules/better-sqlite3/**']),
    );
    expect(config.npmRebuild).toBe(true);
  });

  it('turns off runAsNode, NODE_OPTIONS and the CLI inspector with fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships the built app only: no devnet, no benchmarks, no source maps', () => {
    expect(config.files).toContain('!**/*.map');
    expect(config.files.some((pattern: string) => /devnet|bench/.test(pattern))).toBe(false);
  });
});
