/**
 * The `upload` and `providers` handlers of the API contract: starts uploads (answering at once
 * with an id), keeps the ones running, brings the others back from the journal when asked,
 * throttles their progress into `upload.progress` events, and cleans up staged files once an
 * upload is over. Uploads a previous run of Coffer left running are marked interrupted at start,
 * so they are listed and can be resumed.
 */
import os from 'node:os';
import { CofferError } from '../../../shared/api/errors';
import type { CancelSummary, UploadResult, UploadSettings, UploadView } from '../../../shared/api/upload';
import { StartUploadInput } from '../../../shared/api/upload';
import type { NetworkManifest } from '../../../shared/network-manifest';
import type { z } from 'zod';
import { createChainPublicClient } from '../chain/contracts';
import { ProviderDirectory } from '../providers/provider-directory';
import type { Signer } from '../signer/signer';
import type { Vault } from '../vault/vault';
import type { WalletChain } from '../wallet/wallet-chain';
import type { RunOptions, UploadCallbacks } from './run-context';
import type { StagedFiles } from './staged-files';
import { UploadChain } from './upload-chain';
import { ACTIVE_STATES, FINAL_STATES, UploadJournal } from './upload-journal';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WAVE_SIZE, inspectFiles } from './upload-plan';
import { amountOf, type UploadEnvironment, UploadSession } from './upload-session';
import { buildView, RateMeter, summaryOf, type TokenInfo } from './upload-view';

export const DEFAULT_COPIES = 2;
/** Most `upload.progress` events per upload per second (stage changes go out at once). */
const PROGRESS_INTERVAL_MS = 250;

/** Half the machine's threads, at least one. */
export function defaultChunkConcurrency(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

export interface UploadServiceOptions {
  dataDir: string;
  network: NetworkManifest;
  vault: Vault;
  signer: Signer;
  wallet: WalletChain;
  staging: StagedFiles;
  emitProgress: (view: UploadView) => void;
  runOptions?: Partial<RunOptions>;
  shuffle?: boolean;
  callbacks?: UploadCallbacks;
  /** Chunk size and wave size (tests and benchmarks; the app uses the defaults). */
  chunkSize?: number;
  waveSize?: number;
}

type StartInput = z.output<typeof StartUploadInput>;

export class UploadService {
  readonly journal: UploadJournal;
  readonly directory: ProviderDirectory;
  readonly chain: UploadChain;
  readonly #env: UploadEnvironment;
  readonly #sessions = new Map<string, UploadSession>();
  readonly #meter = new RateMeter();
  readonly #emitted = new Map<string, { at: number; state: string; timer?: NodeJS.Timeout }>();
  #token: Promise<TokenInfo> | null = null;
  #tokenInfo: TokenInfo | null = null;

  constructor(private readonly options: UploadServiceOptions) {
    this.journal = new UploadJournal(options.dataDir);
    this.chain = new UploadChain(options.network);
    this.directory = new ProviderDirectory(
      options.network,
      createChainPublicClient(options.network, { pollingInterval: 250 }),
    );
    this.#env = {
      network: options.network,
      journal: this.journal,
      vault: options.vault,
      signer: options.signer,
      wallet: options.wallet,
      chain: this.chain,
      directory: this.directory,
      runOptions: options.runOptions,
      shuffle: options.shuffle,
      callbacks: options.callbacks,
    };
    for (const row of this.journal.uploadsIn(ACTIVE_STATES))
      this.journal.setState(row.id, 'interrupted', {
        code: 'INTERRUPTED',
        message: 'Coffer stopped while this upload was running; resume it to go on from where it was',
        stage: null,
      });
    const inUse = new Set(
      this.journal
        .uploadsIn(['paused', 'interrupted', 'awaiting-approval', 'running', 'preparing'])
        .flatMap((row) => this.journal.files(row.id).map((file) => file.stagedId ?? '')),
    );
    void options.staging.sweep(inUse);
    void this.#tokenOf().catch(() => null);
  }

  settings(): UploadSettings {
    const stored = (key: keyof UploadSettings, fallback: number) => {
      const value = Number(this.journal.setting(key));
      return value >= 1 ? value : fallback;
    };
    const defaultChunks = defaultChunkConcurrency();
    return {
      chunkConcurrency: stored('chunkConcurrency', defaultChunks),
      defaultChunkConcurrency: defaultChunks,
      copies: stored('copies', DEFAULT_COPIES),
      defaultCopies: DEFAULT_COPIES,
    };
  }

  setSettings(input: { chunkConcurrency?: number; copies?: number }): UploadSettings {
    for (const key of ['chunkConcurrency', 'copies'] as const)
      if (input[key] !== undefined) this.journal.setSetting(key, String(input[key]));
    return this.settings();
  }

  /**
   * The core API: uploads and waits. Resolves with the result (all copies, or fewer with their
   * failures); rejects with StoreError, CommitError, UploadHalted or a CofferError.
   */
  async upload(input: z.input<typeof StartUploadInput>, callbacks?: UploadCallbacks): Promise<UploadResult> {
    const { uploadId } = await this.start(StartUploadInput.parse(input), callbacks);
    const session = this.#session(uploadId);
    await session.settled();
    if ((session.state === 'completed' || session.state === 'partial') && session.result)
      return session.result;
    throw session.lastError ?? new CofferError('INTERNAL', `The upload ended ${session.state}`);
  }

  /** Checks the request, then starts the upload in the background; answers with its id at once. */
  async start(input: StartInput, callbacks?: UploadCallbacks): Promise<{ uploadId: string }> {
    const { vault } = this.options;
    const status = await vault.status();
    if (!status.exists) throw new CofferError('NO_WALLET', 'Create or import a wallet first');
    if (!vault.isUnlocked) throw new CofferError('LOCKED', 'The wallet is locked: unlock it to upload');
    await vault.address(input.account);
    const explicit = input.providerIds ?? input.dataSetIds ?? null;
    if (explicit && input.copies !== undefined && input.copies !== explicit.length)
      throw new CofferError(
        'INVALID_INPUT',
        `${explicit.length} providers or data sets are named but ${input.copies} copies are asked for`,
      );
    const files = await Promise.all(
      input.files.map(async (file) => {
        if (file.kind === 'path') return { path: file.path, stagedId: null };
        const staged = await this.options.staging.resolve(file.stagedId);
        return { path: staged.path, name: staged.name, stagedId: file.stagedId };
      }),
    );
    const chunkSize = input.chunkSize ?? this.options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    await inspectFiles(files, chunkSize);
    const session = UploadSession.create(
      this.#env,
      {
        files,
        account: input.account,
        copies: explicit?.length ?? input.copies ?? this.settings().copies,
        providerIds: input.providerIds ?? null,
        dataSetIds: input.dataSetIds ?? null,
        chunkConcurrency: input.chunkConcurrency ?? this.settings().chunkConcurrency,
        chunkSize,
        waveSize: input.waveSize ?? this.options.waveSize ?? DEFAULT_WAVE_SIZE,
        callbacks,
      },
      (s) => this.#onChange(s),
    );
    this.#sessions.set(session.id, session);
    void this.#tokenOf();
    session.start();
    return { uploadId: session.id };
  }

  async list(input: { offset: number; limit: number }) {
    await this.#tokenOf().catch(() => null);
    const { uploads, total } = this.journal.listUploads(input.offset, input.limit);
    const running = [...this.#sessions.values()].filter(
      (s) => s.running && !uploads.some((row) => row.id === s.id),
    );
    const views = [
      // Uploads still hashing are not in the journal yet.
      ...(input.offset === 0
        ? running.filter((s) => !this.journal.upload(s.id)).map((s) => this.#view(s))
        : []),
      ...uploads.map((row) => this.#view(this.#session(row.id))),
    ];
    return {
      uploads: views.map(summaryOf),
      total: total + (input.offset === 0 ? views.length - uploads.length : 0),
    };
  }

  async get(uploadId: string): Promise<UploadView> {
    await this.#tokenOf().catch(() => null);
    return this.#view(this.#session(uploadId));
  }

  /** Uploads a run stopped in the middle (this one or an earlier one), to offer resuming them. */
  interrupted(): Promise<UploadView[]> {
    return Promise.all(this.journal.uploadsIn(['interrupted', 'paused']).map((row) => this.get(row.id)));
  }

  /** The session of an upload, running here or brought back from the journal. */
  session(uploadId: string): UploadSession {
    return this.#session(uploadId);
  }

  async pause(uploadId: string): Promise<UploadView> {
    const session = this.#session(uploadId);
    await session.pause();
    return this.get(uploadId);
  }

  resume(uploadId: string): Promise<UploadView> {
    return this.#restart(uploadId, (session) => session.resume());
  }

  async cancel(uploadId: string): Promise<CancelSummary> {
    const session = this.#session(uploadId);
    const facts = await session.cancel();
    const token = await this.#tokenOf();
    const paid = facts.payments.reduce((sum, payment) => sum + payment.amount, 0n);
    return {
      ...facts,
      paid: amountOf(paid, token),
      payments: facts.payments.map((payment) => ({
        txHash: payment.txHash,
        amount: amountOf(payment.amount, token),
      })),
    };
  }

  topUp(uploadId: string, copies: number): Promise<UploadView> {
    return this.#restart(uploadId, (session) => session.topUp(copies));
  }

  retryCommit(uploadId: string): Promise<UploadView> {
    return this.#restart(uploadId, (session) => session.retryCommit());
  }

  /** Providers from the registry, pinged, with this account's data sets. */
  async providers(account: number) {
    const payer = (await this.options.vault.address(account)).toLowerCase();
    const dataSets = this.journal.dataSets(payer);
    const providers = await this.directory.list();
    const pings = await Promise.all(providers.map((provider) => this.directory.ping(provider)));
    return {
      providers: providers.map((provider, i) => {
        const outcome = pings[i]!;
        return {
          id: provider.id,
          address: provider.address,
          url: provider.url,
          endorsed: provider.endorsed,
          online: outcome.ok,
          latencyMs: outcome.latencyMs,
          problem: outcome.ok ? null : outcome.error,
          pricePerByte: outcome.ok ? outcome.ping.pricePerByte : null,
          batch: outcome.ok ? outcome.ping.capabilities.batch : null,
          dataSets: dataSets
            .filter((entry) => entry.providerAddress === provider.address.toLowerCase())
            .map((entry) => ({ dataSetId: entry.dataSetId, clientDataSetId: entry.clientDataSetId })),
        };
      }),
    };
  }

  /** Pauses what is running (its journal says where it stopped) and closes everything. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#sessions.values()].filter((s) => s.running).map((s) => s.pause().catch(() => {})),
    );
    for (const entry of this.#emitted.values()) clearTimeout(entry.timer);
    await this.directory.close();
    this.journal.close();
  }

  #session(uploadId: string): UploadSession {
    let session = this.#sessions.get(uploadId);
    if (session) return session;
    const row = this.journal.upload(uploadId);
    if (!row) throw new CofferError('NOT_FOUND', `There is no upload ${uploadId}`);
    session = UploadSession.load(this.#env, row, (s) => this.#onChange(s));
    this.#sessions.set(uploadId, session);
    return session;
  }

  #view(session: UploadSession): UploadView {
    return buildView(session, this.journal, this.#tokenInfo, this.#meter);
  }

  /** Starts another run of an upload (resume, top-up, retry-commit): it will sign, so unlocked. */
  async #restart(uploadId: string, start: (session: UploadSession) => void): Promise<UploadView> {
    if (!this.options.vault.isUnlocked)
      throw new CofferError('LOCKED', 'The wallet is locked: unlock it first');
    start(this.#session(uploadId));
    return this.get(uploadId);
  }

  #tokenOf(): Promise<TokenInfo> {
    this.#token ??= this.options.wallet.balances(0).then(
      ({ deposit }) => (this.#tokenInfo = { decimals: deposit.decimals, symbol: deposit.symbol }),
      (error: unknown) => {
        this.#token = null;
        throw error;
      },
    );
    return this.#token;
  }

  /**
   * Emits progress: at once when the upload's state or a provider's stage changed, otherwise at
   * most every PROGRESS_INTERVAL_MS.
   */
  #onChange(session: UploadSession): void {
    const entry = this.#emitted.get(session.id) ?? { at: 0, state: '' };
    this.#emitted.set(session.id, entry);
    const shape = `${session.state} ${session.copies.map((copy) => copy.stage).join(',')}`;
    const emit = () => {
      entry.timer = undefined;
      entry.at = Date.now();
      entry.state = shape;
      this.options.emitProgress(this.#view(session));
      if (FINAL_STATES.has(session.state) && !session.running) {
        this.#meter.forget(session.id);
        void this.#cleanUp(session);
      }
    };
    if (shape !== entry.state || !session.running) {
      clearTimeout(entry.timer);
      emit();
    } else if (!entry.timer)
      entry.timer = setTimeout(emit, Math.max(0, entry.at + PROGRESS_INTERVAL_MS - Date.now()));
  }

  async #cleanUp(session: UploadSession): Promise<void> {
    for (const file of session.request.files)
      if (file.stagedId) await this.options.staging.remove(file.stagedId);
  }
}
