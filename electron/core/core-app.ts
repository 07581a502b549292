/**
 * The composition root of the core: builds every service for one data folder and one network,
 * and exposes them as contract handlers plus an event bus. Electron main, the browser-mode
 * launcher, the CLI and the tests all start the core through here.
 */
import os from 'node:os';
import { contract, type CofferHandlers, type Contract } from '../../shared/api/contract';
import type { NetworkManifest } from '../../shared/network-manifest';
import { createDispatcher, type Dispatch } from './api/dispatcher';
import { DownloadService } from './download/download-service';
import { EventBus } from './api/event-bus';
import { appVersion } from './app-paths';
import { networkChoiceHandlers } from './network/network-choice';
import { probeNetwork } from './network/network-status';
import { SigningAllowlist } from './signer/allowlist';
import { ApprovalBroker } from './signer/approvals';
import { Signer } from './signer/signer';
import type { KeychainAdapter } from './vault/keychain';
import type { ScryptParams } from './vault/scrypt';
import { SyncService, type SyncWallet } from './sync/sync-service';
import { vaultSyncWallet } from './sync/vault-sync-wallet';
import { SecureViews } from './vault/secure-views';
import { StagedFiles } from './upload/staged-files';
import { createUploadHandlers } from './upload/upload-handlers';
import { UploadService, type UploadServiceOptions } from './upload/upload-service';
import { Vault } from './vault/vault';
import { WalletChain } from './wallet/wallet-chain';
import { createWalletHandlers } from './wallet/wallet-handlers';

export interface CoreOptions {
  dataDir: string;
  mode: 'electron' | 'browser' | 'test' | 'cli';
  network: NetworkManifest | null;
  /** The OS keychain (Electron's safeStorage); absent in browser mode and the CLI. */
  keychain?: KeychainAdapter | null;
  /** Opens a secure view itself (Electron: its own window); otherwise the renderer opens the URL. */
  openSecureView?: (url: string) => void;
  /** Opens the small drop window (Electron); without it, the page opens one itself. */
  openDropWindow?: () => void;
  /** scrypt cost for the vault; tests pass a cheap one, everything else the default (N = 2^17). */
  scrypt?: Omit<ScryptParams, 'dkLen'>;
  /** Upload engine settings (tests: short timeouts, no shuffling, small chunks). */
  upload?: Pick<UploadServiceOptions, 'runOptions' | 'shuffle' | 'callbacks' | 'chunkSize' | 'waveSize'>;
  /** Where the sync gets note keys and its sealer; default: the vault. */
  syncWallet?: SyncWallet;
}

/** The wallet's services, for the transports (secure views, approval window) and other services. */
export interface WalletServices {
  readonly vault: Vault;
  readonly approvals: ApprovalBroker;
  readonly secureViews: SecureViews;
  /** Null without a network: nothing to sign for. */
  readonly signer: Signer | null;
  readonly chain: WalletChain | null;
}

export interface Core {
  readonly events: EventBus<Contract>;
  readonly handlers: CofferHandlers;
  readonly dispatch: Dispatch;
  readonly wallet: WalletServices;
  /** Null without a network. */
  readonly uploads: UploadService | null;
  readonly downloads: DownloadService | null;
  /** Browser mode's staged files (dropped files streamed to the host before an upload). */
  readonly staging: StagedFiles;
  readonly sync: SyncService;
  close(): Promise<void>;
}

export async function createCore(options: CoreOptions): Promise<Core> {
  const events = new EventBus(contract);
  const vault = new Vault({
    dataDir: options.dataDir,
    keychain: options.keychain,
    scrypt: options.scrypt,
    onStatus: (status) => {
      events.emit('wallet.status', status);
      // Locking the wallet takes its keys away: the sync stops (what is in flight is saved).
      if (status.locked) void sync.stop();
    },
  });
  const sync = new SyncService({
    dataDir: options.dataDir,
    noteServerUrl: options.network?.noteServerUrl ?? null,
    wallet: options.syncWallet ?? vaultSyncWallet(vault),
    onProgress: (progress) => events.emit('sync.progress', progress),
  });
  const approvals = new ApprovalBroker({
    onRequested: (request) => events.emit('approval.requested', request),
    onSettled: (settled) => events.emit('approval.settled', settled),
  });
  const secureViews = new SecureViews({ vault, open: options.openSecureView });
  const signer = options.network
    ? new Signer({
        vault,
        approvals,
        allowlist: SigningAllowlist.fromManifest(options.network),
        network: options.network,
      })
    : null;
  const chain = options.network && signer ? new WalletChain(options.network, vault, signer) : null;
  const staging = new StagedFiles(options.dataDir);
  const uploads =
    options.network && signer && chain
      ? new UploadService({
          ...options.upload,
          dataDir: options.dataDir,
          network: options.network,
          vault,
          signer,
          wallet: chain,
          staging,
          emitProgress: (view) => events.emit('upload.progress', view),
        })
      : null;
  const downloads = uploads
    ? new DownloadService({
        dataDir: options.dataDir,
        directory: uploads.directory,
        journal: uploads.journal,
        emitProgress: (view) => events.emit('download.progress', view),
      })
    : null;

  const handlers: CofferHandlers = {
    app: {
      info: async () => ({
        name: 'Coffer' as const,
        version: appVersion(),
        mode: options.mode,
        platform: `${os.platform()}-${os.arch()}`,
        dataDir: options.dataDir,
      }),
      openDropWindow: async () => {
        options.openDropWindow?.();
        return { opened: Boolean(options.openDropWindow) };
      },
    },
    network: {
      status: async () => probeNetwork(options.network),
      ...networkChoiceHandlers({ dataDir: options.dataDir, network: options.network, probe: probeNetwork }),
    },
    ...createWalletHandlers({ vault, secureViews, approvals, chain }),
    ...createUploadHandlers(uploads, downloads),
    sync: sync.handlers,
  };
  const dispatch = createDispatcher(contract, handlers, {
    onInternalError: (channel, error) => console.error(`[core] ${channel} failed:`, error),
  });
  return {
    events,
    handlers,
    dispatch,
    wallet: { vault, approvals, secureViews, signer, chain },
    uploads,
    downloads,
    staging,
    sync,
    async close() {
      await sync.close();
      approvals.cancelAll();
      await uploads?.close();
      vault.close();
    },
  };
}
