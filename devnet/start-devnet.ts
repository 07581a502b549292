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
import { DEV_ROLES, devAccount, devProviderAccount } from './chain/dev-accounts';
import { type NoteServer, type NoteServerOptions, startNoteServer } from './note-server/note-server';
import { setEndorsements } from './provider/provider-chain';
import { registrationTurns } from './provider/registration-order';
import { type ProviderOptions, type RunningProvider, startProvider } from './provider/start-provider';

export interface StartDevnetOptions extends Pick<DevnetChainOptions, 'automine' | 'blockTime' | 'log'> {
  /** Keep the devnet's state here across runs; default: a temp dir removed on stop. */
  dataDir?: string;
  /** Note-server settings (latency, faults, range reads) for tests and benchmarks. */
  noteServer?: Omit<NoteServerOptions, 'dataDir' | 'port'>;
  /**
   * Storage providers: how many (default 4, the first half endorsed), or one settings object
   * each. Provider i uses dev provider account i.
   */
  providers?: number | DevnetProviderOptions[];
  /**
   * Called when a part of the running devnet (e.g. anvil) stopped by itself, after the rest of
   * the devnet has been stopped too; default: log it.
   */
  onUnexpectedStop?: (error: Error) => void;
}

/** One devnet provider's settings: anything startProvider takes but what the devnet decides. */
export type DevnetProviderOptions = Omit<
  ProviderOptions,
  'network' | 'contracts' | 'privateKey' | 'dataDir' | 'endorsement' | 'log'
> & {
  /** Endorsed by the registry's owner; default: the first half of the providers are. */
  endorsed?: boolean;
};

export const DEFAULT_PROVIDER_COUNT = 4;

export interface Devnet {
  manifest: NetworkManifest;
  dataDir: string;
  /** The running note server, e.g. to change its latency or faults in a test. */
  noteServer: NoteServer;
  /** The running storage providers, in manifest order: their faults, metrics and admin tokens. */
  providers: (RunningProvider & { endorsed: boolean })[];
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
    // Each service starts here and pushes its stop onto `stops`.
    const notesDir = path.join(dataDir, 'notes');
    await mkdir(notesDir, { recursive: true });
    const noteServer = await startNoteServer({ ...options.noteServer, dataDir: notesDir });
    stops.push(noteServer.stop);
    log(`note server is listening at ${noteServer.url}`);

    const providerSettings = devnetProviderSettings(options.providers);
    const providerNetwork = { name: 'devnet', chainId: chain.chainId, rpcUrl: chain.rpcUrl };
    const pollIntervalMs = options.automine ? 100 : 500;
    // In parallel: each registers itself from its own account, in slot order so ids are stable.
    const turns = registrationTurns(providerSettings.length);
    const started = await Promise.allSettled(
      providerSettings.map(async ({ endorsed: _, ...settings }, slot) => {
        const providerDir = path.join(dataDir, 'providers', String(slot));
        await mkdir(providerDir, { recursive: true });
        return startProvider({
          pollIntervalMs,
          ...settings,
          network: providerNetwork,
          contracts: chain.contracts,
          privateKey: devProviderAccount(slot).privateKey,
          registrationTurn: turns[slot],
          dataDir: providerDir,
          log: (line) => log(`provider ${slot}: ${line}`),
        });
      }),
    );
    for (const outcome of started) if (outcome.status === 'fulfilled') stops.push(outcome.value.stop);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const runningProviders = started.map((outcome, slot) => ({
      ...(outcome as PromiseFulfilledResult<RunningProvider>).value,
      endorsed: providerSettings[slot]!.endorsed,
    }));
    // The owner's endorsements go out together: one block, however many providers.
    await setEndorsements(
      {
        network: providerNetwork,
        contracts: chain.contracts,
        pollingIntervalMs: pollIntervalMs,
        ownerKey: devAccount(DEV_ROLES.deployer).privateKey,
      },
      runningProviders.map(({ providerId, endorsed }) => ({ providerId: BigInt(providerId), endorsed })),
    );
    const providers: NetworkManifest['providers'] = runningProviders.map(
      ({ providerId, address, url, endorsed }) => ({
        id: providerId,
        address,
        url,
        endorsed,
      }),
    );
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
    return { manifest, dataDir, noteServer, providers: runningProviders, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Each provider's settings with its endorsement decided. */
function devnetProviderSettings(
  providers: StartDevnetOptions['providers'] = DEFAULT_PROVIDER_COUNT,
): (DevnetProviderOptions & { endorsed: boolean })[] {
  const list: DevnetProviderOptions[] =
    typeof providers === 'number' ? Array.from({ length: providers }, () => ({})) : providers;
  if (list.length > DEV_ROLES.providerSlots)
    throw new Error(`The devnet has accounts for ${DEV_ROLES.providerSlots} providers, not ${list.length}.`);
  const endorsedByDefault = Math.max(1, Math.floor(list.length / 2));
  return list.map((settings, slot) => ({
    ...settings,
    endorsed: settings.endorsed ?? slot < endorsedByDefault,
  }));
}
