/**
 * The composition root of the core: builds every service for one data folder and one network,
 * and exposes them as contract handlers plus an event bus. Electron main, the browser-mode
 * launcher, the CLI and the tests all start the core through here.
 */
import os from 'node:os';
import { contract, type CofferHandlers, type Contract } from '../../shared/api/contract';
import type { NetworkManifest } from '../../shared/network-manifest';
import { createDispatcher, type Dispatch } from './api/dispatcher';
import { EventBus } from './api/event-bus';
import { appVersion } from './app-paths';
import { probeNetwork } from './network/network-status';
import { SyncService, type SyncWallet } from './sync/sync-service';

export interface CoreOptions {
  dataDir: string;
  mode: 'electron' | 'browser' | 'test';
  network: NetworkManifest | null;
  /** The wallet's note keys and sealer for the sync; null until the wallet exists. */
  syncWallet?: SyncWallet | null;
}

export interface Core {
  readonly events: EventBus<Contract>;
  readonly handlers: CofferHandlers;
  readonly dispatch: Dispatch;
  readonly sync: SyncService;
  close(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const events = new EventBus(contract);
  const sync = new SyncService({
    dataDir: options.dataDir,
    noteServerUrl: options.network?.noteServerUrl ?? null,
    wallet: options.syncWallet ?? null,
    onProgress: (progress) => events.emit('sync.progress', progress),
  });
  const handlers: CofferHandlers = {
    app: {
      info: async () => ({
        name: 'Coffer' as const,
        version: appVersion(),
        mode: options.mode,
        platform: `${os.platform()}-${os.arch()}`,
        dataDir: options.dataDir,
      }),
    },
    network: {
      status: async () => probeNetwork(options.network),
    },
    sync: sync.handlers,
  };
  const dispatch = createDispatcher(contract, handlers, {
    onInternalError: (channel, error) => console.error(`[core] ${channel} failed:`, error),
  });
  return {
    events,
    handlers,
    dispatch,
    sync,
    async close() {
      await sync.close();
    },
  };
}
