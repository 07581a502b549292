/**
 * Which network the app uses: the manifest file named by COFFER_NETWORK_MANIFEST (the launcher
 * sets it to the network it started on), else custom endpoints saved in Settings, else none. A bad
 * manifest is an error that names the file and the field.
 */
import { readFile } from 'node:fs/promises';
import { describeIssues } from '../../../shared/api/errors';
import { NetworkManifest } from '../../../shared/network-manifest';
import { manifestOfEndpoints, readNetworkChoice } from './network-choice';

export async function readNetworkManifest(file: string): Promise<NetworkManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read network manifest ${file}: ${(error as Error).message}`);
  }
  const parsed = NetworkManifest.safeParse(json);
  if (!parsed.success)
    throw new Error(`Network manifest ${file} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export async function loadNetwork(dataDir: string): Promise<NetworkManifest | null> {
  const file = process.env.COFFER_NETWORK_MANIFEST;
  if (file) return readNetworkManifest(file);
  const choice = await readNetworkChoice(dataDir);
  return choice.kind === 'custom' ? manifestOfEndpoints(choice.endpoints) : null;
}
