/**
 * The devnet's note server as a test drives it from outside the app: its URL from the manifest
 * `npm start` wrote into the data folder, seeding notes to a wallet (with the seeder's oracle),
 * and its loopback admin API for latency and faults (shared/notes/wire.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FaultRule } from '../../devnet/note-server/faults';
import { seedNotes, type SeedOptions, type SeedOracle } from '../../devnet/note-server/seed';
import { NetworkManifest } from '../../shared/network-manifest';

export interface DevnetNoteServer {
  url: string;
  /** Publishes notes, a fraction of them to `address`; resolves with the seeder's oracle. */
  seed(options: Omit<SeedOptions, 'url'>): Promise<SeedOracle>;
  /** Replaces the injected faults and/or the per-request latency. */
  admin(change: { faults?: FaultRule[]; latencyMs?: number }): Promise<void>;
}

export async function devnetNoteServer(dataDir: string): Promise<DevnetNoteServer> {
  const manifest = NetworkManifest.parse(
    JSON.parse(await readFile(path.join(dataDir, 'network.json'), 'utf8')),
  );
  const url = manifest.noteServerUrl;
  return {
    url,
    seed: (options) => seedNotes({ url, ...options }),
    admin: async (change) => {
      const response = await fetch(`${url}/v1/admin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(change),
      });
      if (!response.ok) throw new Error(`note server admin: ${response.status} ${await response.text()}`);
    },
  };
}

/** What the wallet should show for some seeded runs: its notes in index order, their count and sum. */
export function expectedFrom(oracles: readonly SeedOracle[]) {
  const notes = oracles.flatMap((oracle) => oracle.ours).sort((a, b) => a.index - b.index);
  return {
    notes,
    count: notes.length,
    balance: notes.reduce((sum, note) => sum + BigInt(note.value), 0n),
  };
}
