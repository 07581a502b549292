/**
 * Starts the embedded devnet — the chain (anvil with Coffer's contracts, see chain/devnet-chain.ts)
 * and then the network's services — and returns its manifest and a stop(). Used by
 * `npm run devnet`, `npm start`, the tests and the benchmarks.
 *
 * With `dataDir` the devnet keeps its state there across runs (`<dataDir>/chain/`, and each
 * service's own folder); without it, everything lives in a temp dir removed on stop.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NetworkManifest } from '../shared/network-manifest';
import { type DevnetChainOptions, startDevnetChain } from './chain/devnet-chain';
import { DEV_ROLES, devAccount } from './chain/dev-accounts';
import { type NoteServer, type NoteServerOptions, startNoteServer } from './note-server/note-server';

export interface StartDevnetOptions extends Pick<DevnetChainOptions, 'automine' | 'blockTime' | 'log'> {
  /** Keep the devnet's state here across runs; default: a temp dir removed on stop. */
  dataDir?: string;
  /** Note-server settings (latency, faults, range reads) for tests and benchmarks. */
  noteServer?: Omit<NoteServerOptions, 'dataDir' | 'port'>;
  /**
   * Called when a part of the running devnet (e.g. anvil) stopped by itself, after the rest of
   * the devnet has been stopped too; default: log it.
   */
  onUnexpectedStop?: (error: Error) => void;
}

export interface Devnet {
  manifest: NetworkManifest;
  dataDir: string;
  /** The running note server, e.g. to change its latency or faults in a test. */
  noteServer: NoteServer;
  /** Stops every part of the devnet; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const log = options.log ?? (() => {});
  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir
    ? path.resolve(options.dataDir)
    : await mkdtemp(path.join(tmpdir(), 'coffer-devnet-'));

  // Everything started so far, stopped in reverse order by stop() or when a later part fails.
  const stops: (() => Promise<void>)[] = [];
  if (temporary) stops.push(() => rm(dataDir, { recursive: true, force: true }));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const stopPart of stops.reverse()) await stopPart();
    })());

  try {
    const chainDir = path.join(dataDir, 'chain');
    await mkdir(chainDir, { recursive: true });
    const chain = await startDevnetChain({
      dir: chainDir,
      automine: options.automine,
      blockTime: options.blockTime,
      log,
      // A devnet without its chain is of no use: stop the rest, then say why.
      onUnexpectedExit: (error) => {
        const stoppedError = new Error(`The devnet chain stopped unexpectedly: ${error.message}`);
        void stop().finally(() =>
          options.onUnexpectedStop ? options.onUnexpectedStop(stoppedError) : log(stoppedError.message),
        );
      },
    });
    stops.push(chain.stop);

    // ── Services ────────────────────────────────────────────────────────────────────────────
    // Each service starts here and pushes its stop onto `stops`. The storage-provider nodes
    // (devnet/provider/) join them here, registering on chain and adding to `providers`.
    const notesDir = path.join(dataDir, 'notes');
    await mkdir(notesDir, { recursive: true });
    const noteServer = await startNoteServer({ ...options.noteServer, dataDir: notesDir });
    stops.push(noteServer.stop);
    log(`note server is listening at ${noteServer.url}`);
    const providers: NetworkManifest['providers'] = [];
    // ────────────────────────────────────────────────────────────────────────────────────────

    const manifest: NetworkManifest = {
      name: 'devnet',
      chainId: chain.chainId,
      rpcUrl: chain.rpcUrl,
      contracts: chain.contracts,
      providers,
      noteServerUrl: noteServer.url,
      faucet: { privateKey: devAccount(DEV_ROLES.faucet).privateKey },
    };
    return { manifest, dataDir, noteServer, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
