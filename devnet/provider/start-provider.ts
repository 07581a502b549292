/**
 * Starts one storage-provider node: its HTTP server on 127.0.0.1 (a free port unless told), its
 * SQLite metadata and content-addressed piece files under `dataDir`, its registration in
 * ProviderRegistry under its own EVM key (and, given the owner's key, its endorsement), the
 * payment watcher, the cache sweeper, and the followers of commits a previous run left pending.
 * Returns a handle with the fault switches and the metrics for tests and the devnet.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hex } from 'viem';
import type { ChainEndpoint } from '../../electron/core/chain/contracts';
import type { NetworkManifest } from '../../shared/network-manifest';
import { type Ping, PROVIDER_API_VERSION, type ProviderFaults } from '../../shared/provider/wire';
import { CommitService } from './commit-service';
import { PaymentWatcher } from './payment-watcher';
import { PieceFiles } from './piece-files';
import { PieceHoldings } from './piece-holdings';
import { type CacheLimits, DEFAULT_CACHE_LIMITS, PreRegistrationCache } from './pre-registration-cache';
import { ProviderChain, setEndorsements } from './provider-chain';
import { ProviderDb } from './provider-db';
import { FaultSwitches } from './provider-faults';
import { ProviderMetrics, type ProviderMetricsSnapshot } from './provider-metrics';
import { createProviderHandler, PROVIDER_VERSION, type ProviderLimits } from './provider-routes';
import { PullService } from './pull-service';
import type { RegistrationTurn } from './registration-order';

/** 1 test USD (18 decimals) per GiB. */
export const DEFAULT_PRICE_PER_BYTE = 10n ** 18n / 2n ** 30n;

export const DEFAULT_LIMITS: ProviderLimits = {
  maxPieceBytes: 16 * 1024 * 1024,
  maxBatchCount: 128,
  maxBatchBytes: 256 * 1024 * 1024,
};

export interface ProviderOptions {
  network: ChainEndpoint;
  contracts: NetworkManifest['contracts'];
  /** The provider's own EVM key: signs quotes, sends commits, pays their gas. */
  privateKey: Hex;
  /** Keep pieces and metadata here across runs; default: a temp dir removed on stop. */
  dataDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Set the endorsed flag with the registry owner's key; without it the flag is left as it is. */
  endorsement?: { endorsed: boolean; ownerKey: Hex };
  /** Where this provider's registration goes in a fixed order among others (devnet: ids by slot). */
  registrationTurn?: RegistrationTurn;
  pricePerByte?: bigint;
  /** Batch store offered (default true); false makes clients fall back to single stores. */
  batch?: boolean;
  limits?: Partial<ProviderLimits>;
  cache?: Partial<CacheLimits>;
  /** How long a quote stays payable (default 30 minutes). */
  quoteTtlMs?: number;
  /** How often to look for payments and commit receipts (default 1000 ms). */
  pollIntervalMs?: number;
  /** How often expired cache entries are deleted (default: a quarter of the TTL, 50 ms to 5 s). */
  sweepIntervalMs?: number;
  /** Longest a pull source may take to deliver one piece (default 60 s). */
  pullPieceTimeoutMs?: number;
  /** Pieces one pull fetches at once (default 4). */
  pullConcurrency?: number;
  faults?: ProviderFaults;
  /** The admin endpoint's token; default: random. */
  adminToken?: string;
  log?: (line: string) => void;
}

export interface RunningProvider {
  url: string;
  port: number;
  address: Hex;
  providerId: number;
  dataDir: string;
  /** For `Authorization: Bearer …` on `/v1/admin/faults`. */
  adminToken: string;
  /** Replaces every injected fault (`{}` turns them off). */
  setFaults(faults: ProviderFaults): void;
  faults(): ProviderFaults;
  metrics(): ProviderMetricsSnapshot;
  metricsText(): string;
  /** Runs the cache sweep now (tests), returning how many entries expired. */
  sweepCache(): number;
  stop(): Promise<void>;
}

export async function startProvider(options: ProviderOptions): Promise<RunningProvider> {
  const log = options.log ?? (() => {});
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'coffer-provider-')));
  const limits: ProviderLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const cacheLimits: CacheLimits = { ...DEFAULT_CACHE_LIMITS, ...options.cache };
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const pricePerByte = options.pricePerByte ?? DEFAULT_PRICE_PER_BYTE;
  const adminToken = options.adminToken ?? randomBytes(24).toString('hex');
  const batch = options.batch ?? true;

  const files = new PieceFiles(dataDir);
  await files.init();
  const db = new ProviderDb(path.join(dataDir, 'provider.sqlite'));
  const stops: (() => Promise<void> | void)[] = [() => db.close()];
  if (ownsDataDir) stops.unshift(() => rm(dataDir, { recursive: true, force: true }));
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    const metrics = new ProviderMetrics();
    const faults = new FaultSwitches(metrics, options.faults);
    const chain = new ProviderChain({ ...options, pollingIntervalMs: pollIntervalMs });
    const cache = new PreRegistrationCache(cacheLimits, db, files, metrics, log);
    const holdings = new PieceHoldings(db, files, cache, faults, metrics, limits.maxPieceBytes);
    const authorization = {
      chainId: chain.chainId,
      dataSetRegistry: options.contracts.dataSetRegistry as Hex,
      provider: chain.address,
    };
    const watcher = new PaymentWatcher(chain, db, metrics, () => holdings.reconcile(), log);
    const seePayments = () => watcher.catchUpWithin(1_000);
    const pulls = new PullService({
      db,
      holdings,
      files,
      faults,
      metrics,
      authorization,
      pieceTimeoutMs: options.pullPieceTimeoutMs ?? 60_000,
      concurrency: options.pullConcurrency ?? 4,
      maxCount: limits.maxBatchCount,
      seePayments,
      log,
    });
    const commits = new CommitService({
      chain,
      db,
      holdings,
      faults,
      metrics,
      authorization,
      pollIntervalMs,
      log,
    });

    const gauges = () => {
      const cached = db.cacheTotals();
      const held = db.holdingCounts();
      return {
        cacheBytes: cached.bytes,
        cachePieces: cached.pieces,
        parkedPieces: held.parked.pieces,
        parkedBytes: held.parked.bytes,
        committedPieces: held.committed.pieces,
        lastBlock: db.lastBlock() ?? 0,
      };
    };
    const ping = (): Ping => ({
      ok: true,
      apiVersion: PROVIDER_API_VERSION,
      version: PROVIDER_VERSION,
      provider: chain.address,
      chainId: chain.chainId,
      pricePerByte: pricePerByte.toString(),
      capabilities: { batch, pull: true, ...limits },
      cache: cacheLimits,
    });

    const setFaults = (next: ProviderFaults) => {
      faults.set(next);
      holdings.reconcile();
    };
    const server = createServer(
      createProviderHandler({
        db,
        files,
        holdings,
        faults,
        metrics,
        pulls,
        commits,
        limits,
        batch,
        ping,
        adminToken,
        log,
        quoteTerms: {
          provider: chain.address,
          sign: chain.signDigest,
          chainId: chain.chainId,
          paymentVault: options.contracts.paymentVault as Hex,
          pricePerByte,
          ttlMs: options.quoteTtlMs ?? 30 * 60_000,
        },
        seePayments,
        setFaults,
        metricsText: () => metrics.render(gauges()),
      }),
    );
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    let closed: Promise<void> | undefined;
    const closeServer = () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }));
    stops.push(closeServer);
    const port = (server.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${port}`;

    const providerId = await chain.register(url, options.registrationTurn);
    if (options.endorsement)
      await setEndorsements(
        {
          network: options.network,
          contracts: options.contracts,
          pollingIntervalMs: pollIntervalMs,
          ownerKey: options.endorsement.ownerKey,
        },
        [{ providerId, endorsed: options.endorsement.endorsed }],
      );

    await watcher.start(pollIntervalMs);
    stops.push(() => watcher.stop());
    cache.sweep();
    cache.start(options.sweepIntervalMs ?? Math.max(50, Math.min(5_000, Math.floor(cacheLimits.ttlMs / 4))));
    stops.push(() => cache.stop());
    commits.resume();
    stops.push(
      () => commits.stop(),
      () => pulls.stop(),
    );
    log(
      `storage provider #${providerId} (${chain.address}) is listening at ${url}; ` +
        `quotes signed with ${chain.signerImplementation}`,
    );

    let stopped: Promise<void> | undefined;
    return {
      url,
      port,
      address: chain.address,
      providerId: Number(providerId),
      dataDir,
      adminToken,
      setFaults,
      faults: () => faults.current,
      metrics: () => metrics.snapshot(gauges()),
      metricsText: () => metrics.render(gauges()),
      sweepCache: () => cache.sweep(),
      // The server first, so nothing new starts while the background work winds down.
      stop: () => (stopped ??= closeServer().then(stopAll)),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
