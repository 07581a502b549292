/**
 * Finds the anvil and cast binaries that npm `@foundry-rs/anvil` / `@foundry-rs/cast` install as
 * platform packages (e.g. `@foundry-rs/anvil-linux-amd64/bin/anvil`). `COFFER_ANVIL_BIN` /
 * `COFFER_CAST_BIN` point at another build instead.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type FoundryTool = 'anvil' | 'cast';

const require = createRequire(import.meta.url);
const ARCHES: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64' };

export function foundryBinary(tool: FoundryTool): string {
  const override = process.env[`COFFER_${tool.toUpperCase()}_BIN`];
  if (override) {
    if (!existsSync(override))
      throw new Error(`COFFER_${tool.toUpperCase()}_BIN=${override} does not exist.`);
    return override;
  }
  const arch = ARCHES[process.arch];
  const platformPackage = `@foundry-rs/${tool}-${process.platform}-${arch ?? process.arch}`;
  let packageDir: string;
  try {
    packageDir = path.dirname(require.resolve(`${platformPackage}/package.json`));
  } catch {
    throw new Error(
      `The ${tool} binary for ${process.platform}/${process.arch} is not installed (${platformPackage}): ` +
        `run npm ci, or set COFFER_${tool.toUpperCase()}_BIN to a ${tool} executable.`,
    );
  }
  const binary = path.join(packageDir, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  if (!existsSync(binary))
    throw new Error(`${platformPackage} is installed but has no ${binary}: reinstall it with npm ci.`);
  return binary;
}
