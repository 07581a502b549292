/**
 * The network Coffer starts on, as chosen in Settings → Network: the embedded devnet (the default)
 * or custom endpoints, kept in `<dataDir>/network-choice.json` and applied on the next start — the
 * launcher starts no devnet for a custom choice, and Electron main uses it when no manifest is
 * named. A running core never switches networks under the user's feet: the keys, journal and
 * approvals of this run all belong to the network it started on.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  NetworkChoice,
  type CustomEndpoints,
  type NetworkSettings,
  type NetworkStatus,
} from '../../../shared/api/app';
import { describeIssues } from '../../../shared/api/errors';
import type { NetworkManifest } from '../../../shared/network-manifest';
import { writeFileAtomic } from '../fs/atomic-write';

export const NETWORK_CHOICE_FILE = 'network-choice.json';

const DEVNET: NetworkChoice = { kind: 'devnet' };

/** The saved choice; the devnet when none was saved. A file that is not a valid choice is an error naming it. */
export async function readNetworkChoice(dataDir: string): Promise<NetworkChoice> {
  const file = path.join(dataDir, NETWORK_CHOICE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return DEVNET;
    throw new Error(`Cannot read the network choice ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`The network choice ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = NetworkChoice.safeParse(json);
  if (!parsed.success)
    throw new Error(`The network choice ${file} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

export async function saveNetworkChoice(dataDir: string, choice: NetworkChoice): Promise<void> {
  await writeFileAtomic(
    path.join(dataDir, NETWORK_CHOICE_FILE),
    `${JSON.stringify(NetworkChoice.parse(choice), null, 2)}\n`,
    { mode: 0o644 },
  );
}

/**
 * The manifest of custom endpoints. Its provider list is empty: the app reads the providers from
 * the registry on chain.
 */
export function manifestOfEndpoints(endpoints: CustomEndpoints): NetworkManifest {
  return { name: 'custom', ...endpoints, providers: [] };
}

function sameEndpoints(manifest: NetworkManifest, endpoints: CustomEndpoints): boolean {
  const lower = (value: string) => value.toLowerCase();
  return (
    manifest.chainId === endpoints.chainId &&
    manifest.rpcUrl === endpoints.rpcUrl &&
    manifest.noteServerUrl === endpoints.noteServerUrl &&
    (Object.keys(endpoints.contracts) as (keyof CustomEndpoints['contracts'])[]).every(
      (key) => lower(manifest.contracts[key]) === lower(endpoints.contracts[key]),
    )
  );
}

/** The saved choice next to the network this run uses, and whether a restart is needed to apply it. */
export function networkSettings(saved: NetworkChoice, running: NetworkManifest | null): NetworkSettings {
  const kind = !running ? 'none' : running.name === 'devnet' ? 'devnet' : 'custom';
  const applied =
    saved.kind === 'devnet'
      ? kind === 'devnet'
      : kind === 'custom' && sameEndpoints(running!, saved.endpoints);
  return { saved, running: kind, restartNeeded: !applied };
}

/** The `network.settings` and `network.setSettings` handlers, for one data folder and the network of this run. */
export function networkChoiceHandlers(options: {
  dataDir: string;
  network: NetworkManifest | null;
  probe: (manifest: NetworkManifest) => Promise<NetworkStatus>;
}) {
  return {
    settings: async () => networkSettings(await readNetworkChoice(options.dataDir), options.network),
    setSettings: async (choice: NetworkChoice) => {
      await saveNetworkChoice(options.dataDir, choice);
      // Probed for the user's information only: a network may be down today and fine tomorrow.
      const probe =
        choice.kind === 'custom' ? await options.probe(manifestOfEndpoints(choice.endpoints)) : null;
      return { ...networkSettings(choice, options.network), probe };
    },
  };
}
