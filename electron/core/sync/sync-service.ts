/**
 * The `sync` namespace of the API (shared/api/sync.ts) over the sync engine: one engine and one
 * store (`<data dir>/sync.sqlite`) for the app, the wallet's keys and sealer asked for at the
 * start of each run, settings saved in the store, progress forwarded as `sync.progress` events.
 *
 * `start` returns at once with the run under way; the run's end (idle or error) arrives as a
 * progress event and in `status`.
 */
import path from 'node:path';
import type { Handlers } from '../../../shared/api/define';
import { CofferError } from '../../../shared/api/errors';
import {
  type SyncProgress,
  type SyncSettings,
  type syncEvents,
  type syncMethods,
} from '../../../shared/api/sync';
import type { NoteSealer } from './note-sealer';
import { SyncEngine, type SyncAccount } from './sync-engine';
import { SyncError } from './sync-error';
import { SyncStore } from './sync-store';

/** What the sync needs from the wallet. */
export interface SyncWallet {
  /**
   * Every account to sync, with copies of its note keys: the engine wipes them when its run ends.
   * Throws a CofferError (e.g. LOCKED) when the keys are not available.
   */
  noteAccounts(): SyncAccount[] | Promise<SyncAccount[]>;
  /** Seals note secrets for storage under a key that only the wallet can rebuild. */
  noteSealer(): NoteSealer;
}

export interface SyncServiceOptions {
  dataDir: string;
  /** The network's note server; null without a network. */
  noteServerUrl: string | null;
  wallet: SyncWallet;
  onProgress: (progress: SyncProgress) => void;
  workerFile?: string;
}

type SyncHandlers = Handlers<{ methods: { sync: typeof syncMethods }; events: typeof syncEvents }>['sync'];

export class SyncService {
  readonly store: SyncStore;
  readonly #options: SyncServiceOptions;
  #engine: SyncEngine | null = null;

  constructor(options: SyncServiceOptions) {
    this.#options = options;
    this.store = new SyncStore(path.join(options.dataDir, 'sync.sqlite'));
  }

  /** The engine, made on first use: it needs the note server and the wallet. */
  #engineOrThrow(): SyncEngine {
    if (this.#engine) return this.#engine;
    const { noteServerUrl, wallet } = this.#options;
    if (!noteServerUrl)
      throw new CofferError(
        'NETWORK_OFFLINE',
        'No note server is configured for this network, so there is nothing to sync',
      );
    if (!wallet)
      throw new CofferError('NO_WALLET', 'Create or import a wallet first: the sync needs its keys');
    this.#engine = new SyncEngine({
      store: this.store,
      serverUrl: noteServerUrl,
      sealer: wallet.noteSealer(),
      onProgress: this.#options.onProgress,
      ...(this.#options.workerFile && { workerFile: this.#options.workerFile }),
    });
    return this.#engine;
  }

  status(): SyncProgress {
    if (this.#engine) return this.#engine.progress();
    const balances = this.store.balances();
    return {
      state: 'idle',
      total: null,
      scanned: 0,
      notesPerSecond: 0,
      etaSeconds: null,
      stages: {
        fetch: { ms: 0, notesPerSecond: 0 },
        decrypt: { ms: 0, notesPerSecond: 0 },
        commit: { ms: 0, notesPerSecond: 0 },
      },
      readMode: null,
      workers: 0,
      found: balances.reduce((sum, b) => sum + b.notes, 0),
      pendingHits: this.store.pendingCount(),
      balances,
      error: null,
      lastSynced: this.store.lastSynced(),
    };
  }

  /** Starts a run in the background; resolves with the progress once it is under way. */
  async start(watch: boolean, overrides: Partial<SyncSettings> = {}): Promise<SyncProgress> {
    const engine = this.#engineOrThrow();
    if (engine.running) throw new CofferError('CONFLICT', 'The wallet is already syncing');
    const settings = { ...this.store.settings(), ...overrides };
    const accounts = await this.#options.wallet.noteAccounts();
    // The outcome reaches the caller as progress events (state idle or error) and in status().
    engine.run({ accounts, watch, settings }).catch((error: unknown) => {
      if (!(error instanceof SyncError)) console.error('[sync] run failed:', error);
    });
    return engine.progress();
  }

  async stop(): Promise<SyncProgress> {
    await this.#engine?.stop();
    return this.status();
  }

  async rescan(from: number, watch: boolean): Promise<SyncProgress> {
    const engine = this.#engineOrThrow();
    await engine.stop();
    engine.rescanFrom(from);
    return this.start(watch);
  }

  readonly handlers: SyncHandlers = {
    start: async ({ watch, settings }) => this.start(watch, settings),
    stop: async () => this.stop(),
    status: async () => this.status(),
    rescan: async ({ from, watch }) => this.rescan(from, watch),
    notes: async ({ account, offset, limit }) => this.store.notes(account, offset, limit),
    balance: async () => ({ accounts: this.store.balances() }),
    settings: async () => this.store.settings(),
    configure: async (changes) => {
      const settings = { ...this.store.settings(), ...changes };
      this.store.saveSettings(settings);
      return settings;
    },
  };

  async close(): Promise<void> {
    await this.#engine?.stop();
    this.store.close();
  }
}
