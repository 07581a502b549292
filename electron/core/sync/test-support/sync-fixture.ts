/**
 * Shared setup of the sync tests: wallet keys made directly with the KEM (no vault needed), a real
 * note server seeded by the real seeder (whose oracle is the independent record of which notes are
 * the wallet's), real SQLite stores in temporary folders, a real AEAD sealer under a test key, and
 * a dump of a store's state to compare runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startNoteServer,
  type NoteServer,
  type NoteServerOptions,
} from '../../../../devnet/note-server/note-server';
import { seedNotes, type SeedOracle } from '../../../../devnet/note-server/seed';
import { encodeAddress } from '../../../../shared/notes/address';
import { nobleKem } from '../../../../shared/notes/noble-kem';
import type { NetworkManifest } from '../../../../shared/network-manifest';
import type { NoteKeys } from '../../../../shared/notes/note-crypto';
import { createNoteSealer } from '../note-sealer';
import type { SyncAccount } from '../sync-engine';
import { SyncStore } from '../sync-store';

/** An account's keys from a one-byte seed, as `kem.keygen(seed)` would give the vault. */
export function walletKeys(seedByte: number): NoteKeys {
  return {
    detection: nobleKem.keygen(new Uint8Array(64).fill(seedByte)),
    viewing: nobleKem.keygen(new Uint8Array(64).fill(seedByte + 1)),
  };
}

export const addressOf = (keys: NoteKeys): string =>
  encodeAddress({ detectionPublicKey: keys.detection.publicKey, viewingPublicKey: keys.viewing.publicKey });

/** Accounts 0, 1, … with fresh copies of these keys, as the vault hands out (a run wipes them). */
export const accountsOf = (...keys: NoteKeys[]): SyncAccount[] =>
  keys.map((k, account) => ({
    account,
    keys: {
      detection: { publicKey: k.detection.publicKey.slice(), secretKey: k.detection.secretKey.slice() },
      viewing: { publicKey: k.viewing.publicKey.slice(), secretKey: k.viewing.secretKey.slice() },
    },
  }));

/** A network manifest whose only working part is the note server (all the sync uses). */
export const networkWithNoteServer = (noteServerUrl: string): NetworkManifest => ({
  name: 'sync test',
  chainId: 31337,
  rpcUrl: 'http://127.0.0.1:1',
  contracts: {
    token: `0x${'1'.repeat(40)}`,
    providerRegistry: `0x${'2'.repeat(40)}`,
    paymentVault: `0x${'3'.repeat(40)}`,
    dataSetRegistry: `0x${'4'.repeat(40)}`,
  },
  providers: [],
  noteServerUrl,
});

export const TEST_SEALING_KEY = new Uint8Array(32).fill(0x5e);
export const testSealer = () => createNoteSealer(TEST_SEALING_KEY);

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SeededServer {
  server: NoteServer;
  dataDir: string;
  /** One oracle per seeding, in order. */
  oracles: SeedOracle[];
  /** A second server on the same log (e.g. without range reads). */
  another(options: Omit<NoteServerOptions, 'dataDir'>): Promise<NoteServer>;
  stop(): Promise<void>;
}

/** A note server whose log holds, for each wallet in turn, `count` notes with `fraction` of them its own. */
export async function seededServer(
  wallets: Array<{ keys: NoteKeys; count: number; fraction: number; seed?: string }>,
  options: Omit<NoteServerOptions, 'dataDir'> = {},
): Promise<SeededServer> {
  const folder = tempDir('coffer-sync-notes-');
  const servers: NoteServer[] = [await startNoteServer({ ...options, dataDir: folder.dir })];
  const oracles: SeedOracle[] = [];
  for (const [n, wallet] of wallets.entries())
    oracles.push(
      await seedNotes({
        url: servers[0]!.url,
        count: wallet.count,
        fraction: wallet.fraction,
        address: addressOf(wallet.keys),
        seed: wallet.seed ?? `sync test ${n}`,
        decoys: 8,
      }),
    );
  servers[0]!.resetStats();
  return {
    server: servers[0]!,
    dataDir: folder.dir,
    oracles,
    async another(more) {
      const server = await startNoteServer({ ...more, dataDir: folder.dir });
      servers.push(server);
      return server;
    },
    async stop() {
      await Promise.all(servers.map((server) => server.stop()));
      folder.remove();
    },
  };
}

export function openTempStore(): { store: SyncStore; file: string; close(): void } {
  const folder = tempDir('coffer-sync-store-');
  const file = path.join(folder.dir, 'sync.sqlite');
  const store = new SyncStore(file);
  return {
    store,
    file,
    close() {
      store.close();
      folder.remove();
    },
  };
}

/** What the oracle says account `account` should hold, in the store's listing form. */
export const expectedNotes = (oracle: SeedOracle) =>
  oracle.ours.map(({ index, value, memo }) => ({ index, value, memo }));

/** A store's notes for an account, index/value/memo only (comparable with `expectedNotes`). */
export function storedNotes(store: SyncStore, account: number) {
  return store.notes(account, 0, 1_000_000).notes.map(({ index, value, memo }) => ({ index, value, memo }));
}

/** Everything a store holds for some accounts, for comparing two runs (seeds are sealed, so left out). */
export function storeState(store: SyncStore, accounts: readonly number[]) {
  return accounts.map((account) => ({
    account,
    progress: store.progressOf(account),
    notes: store.notes(account, 0, 1_000_000),
    balance: store.balance(account),
  }));
}
