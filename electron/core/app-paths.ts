/**
 * Where things are on disk: the app root (the folder with Coffer's package.json, in the source
 * tree and in a packaged app alike), the built bundles under out/, and the user's data folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | null = null;

export function appRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'coffer'
    ) {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('Cannot find the Coffer app root (package.json named "coffer")');
    dir = parent;
  }
}

export function appVersion(): string {
  return (JSON.parse(readFileSync(path.join(appRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** A built file under out/; in a packaged app, files Electron cannot run from the asar archive are unpacked. */
export function builtPath(...parts: string[]): string {
  return path.join(appRoot(), 'out', ...parts).replace(`app.asar${path.sep}`, `app.asar.unpacked${path.sep}`);
}

/** The user's data folder: COFFER_HOME when set, else the platform's usual place. */
export function defaultDataDir(): string {
  if (process.env.COFFER_HOME) return path.resolve(process.env.COFFER_HOME);
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Coffer');
  if (process.platform === 'win32')
    return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Coffer');
  return path.join(process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Coffer');
}
