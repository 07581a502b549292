/**
 * Finds the Electron runtime binary without importing the 'electron' package (which throws when
 * the runtime was not downloaded), and says why it can't be used when it can't.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type ElectronRuntime = { available: true; binary: string } | { available: false; reason: string };

export function findElectronRuntime(env: NodeJS.ProcessEnv = process.env): ElectronRuntime {
  let packageDir: string;
  try {
    packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { available: false, reason: 'the electron package is not installed' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return {
      available: false,
      reason: 'the Electron runtime was not downloaded (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1?)',
    };
  }
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary))
    return { available: false, reason: `the Electron runtime is missing at ${binary}` };
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { available: false, reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { available: true, binary };
}
