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

export interface CoreOptions {
  dataDir: string;
  mode: 'electron' | 'browser' | 'test';
  network: NetworkManifest | null;
}

export interface Core {
  readonly events: EventBus<Contract>;
  readonly handlers: CofferHandlers;
  readonly dispatch: Dispatch;
  close(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const events = new EventBus(contract);
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
  };
  const dispatch = createDispatcher(contract, handlers, {
    onInternalError: (channel, error) => console.error(`[core] ${channel} failed:`, error),
  });
  return {
    events,
    handlers,
    dispatch,
    async close() {},
  };
}
