/**
 * The upload benchmark (`npm run bench:upload`, `-- --quick` for 256 MiB instead of 1 GiB,
 * `-- --rounds=N` for N rounds instead of 3), side by side in each round:
 *
 * - the raw baseline: the file's bytes hashed and sent once over loopback to a sink that hashes
 *   and writes them (and, shown beside it, the same with the sink writing with direct I/O, as the
 *   providers write large pieces);
 * - the same file uploaded with 2 copies (store on the primary, pull to the secondary, paid wave
 *   by wave, committed), through the core as the app runs it;
 * - 1,000 files of 10 KB uploaded to a provider with batch store, and to one without.
 *
 * The devnet (and the sink) run in one process, each measured job in a process of its own, so the
 * memory and event-loop figures are the uploader's own. Payments are counted from the chain
 * (receipts of the upload's payment transactions and their QuotePaid events), store requests from
 * the providers' /metrics. Each job's CPU time is shown too (its own process, and the devnet's
 * processes meanwhile), with the cores it kept busy on average: what the job cost, apart from how
 * long it took on a machine others share.
 *
 * A single round cannot settle a target: the raw baseline alone moved between 4.5 and 9.1 s from
 * run to run, and an upload's end waits for a block (1 s), so the same work takes whole seconds
 * more or less depending on where it starts within the block interval. So every job runs once per
 * round, rounds one after another on the same devnet, each on files of its own (a provider that
 * already holds a piece does not write it again); the ratios are taken within each round and the
 * targets on the median round's, with every round's figure shown.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { parseEventLogs, type Hex } from 'viem';
import { promValue } from '../devnet/test-support/provider-kit';
import { createChainPublicClient } from '../electron/core/chain/contracts';
import { createCore } from '../electron/core/core-app';
import { builtPath } from '../electron/core/app-paths';
import { generateMnemonic } from '../electron/core/vault/mnemonic';
import { paymentVaultAbi } from '../shared/contracts/abis';
import type { NetworkManifest } from '../shared/network-manifest';
import type { BenchResult, Target } from './report';
import type { ClientFigures, ClientJob } from './upload-client';
import type { BenchDevnetOptions, BenchProvider } from './upload-devnet';
import { benchNodeArgs } from './bench-node-args';

const MiB = 1024 * 1024;
const SMALL_FILES = 1000;
const SMALL_SIZE = 10 * 1000;
const PASSWORD = 'upload bench password';

interface DevnetHandle {
  manifest: NetworkManifest;
  providers: BenchProvider[];
  sinkUrl: string;
  /** CPU seconds the devnet's processes (chain, providers, sink) have used so far; null off Linux. */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** User + system CPU seconds of a process and all its descendants, from /proc (Linux only). */
function treeCpuSeconds(rootPid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const pid of entries) {
    try {
      // Fields after the command name (which may hold spaces): state, ppid, …, utime (14), stime (15).
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
      stats.set(Number(pid), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // Gone meanwhile.
    }
  }
  if (!stats.has(rootPid)) return null;
  const tree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, { parent }] of stats)
      if (tree.has(parent) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
  }
  // Clock ticks are 1/100 s on Linux.
  return [...tree].reduce((sum, pid) => sum + stats.get(pid)!.ticks, 0) / 100;
}

async function startBenchDevnet(options: BenchDevnetOptions): Promise<DevnetHandle> {
  const child = spawn(process.execPath, [builtPath('bench', 'upload-devnet.js'), JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const reader = createInterface({ input: child.stdout! });
    reader.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the bench devnet exited (${code})`)));
  });
  const info = JSON.parse(line) as Omit<DevnetHandle, 'stop'>;
  return {
    ...info,
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

function runClient(job: ClientJob): Promise<ClientFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...benchNodeArgs('client'), builtPath('bench', 'upload-client.js'), JSON.stringify(job)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout!.on('data', (chunk) => (out += chunk));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ClientFigures);
      else reject(new Error(`the bench client failed (${code}): ${out.slice(-500)}`));
    });
  });
}

/** A file of random bytes, written once and reused by later runs. */
async function randomFile(file: string, size: number): Promise<string> {
  if (existsSync(file) && statSync(file).size === size) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const out = createWriteStream(file);
  for (let written = 0; written < size; written += 4 * MiB) {
    if (!out.write(randomBytes(Math.min(4 * MiB, size - written))))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  return file;
}

/** Reads a file to its end, leaving it in the page cache. */
async function readThrough(file: string): Promise<void> {
  for await (const block of createReadStream(file, { highWaterMark: 4 * MiB })) void block;
}

/** A data folder with a funded wallet and a deposit, for one client process. */
async function walletFolder(
  manifest: NetworkManifest,
  root: string,
): Promise<{ dataDir: string; manifestFile: string }> {
  const dataDir = await mkdtemp(path.join(root, 'client-'));
  const manifestFile = path.join(dataDir, 'network.json');
  await writeFile(manifestFile, JSON.stringify(manifest));
  const core = await createCore({
    dataDir,
    mode: 'cli',
    network: manifest,
    scrypt: { N: 2 ** 12, r: 8, p: 1 },
  });
  const { vault, chain, approvals } = core.wallet;
  approvals.onRequested((r) =>
    queueMicrotask(() => approvals.respond({ id: r.id, hash: r.hash, decision: 'approve' })),
  );
  await vault.createFromMnemonic(generateMnemonic(), PASSWORD);
  await vault.unlock(PASSWORD);
  await chain!.faucet(0);
  await chain!.deposit(0, '5000');
  await core.close();
  return { dataDir, manifestFile };
}

/** A client job uploading `files` from a fresh funded wallet. */
async function uploadJob(
  manifest: NetworkManifest,
  root: string,
  files: string[],
  target: { copies: number } | { providerIds: number[] },
  waveSize?: number,
): Promise<ClientJob> {
  const wallet = await walletFolder(manifest, root);
  return {
    mode: 'upload',
    dataDir: wallet.dataDir,
    manifest: wallet.manifestFile,
    password: PASSWORD,
    files,
    ...target,
    ...(waveSize ? { waveSize } : {}),
  };
}

async function metric(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return promValue(text, sample) ?? 0;
}

/** From the chain: each payment transaction mined, its QuotePaid events, and the providers paid. */
async function paymentsOnChain(manifest: NetworkManifest, hashes: readonly string[]) {
  const client = createChainPublicClient(manifest);
  const receipts = await Promise.all(
    hashes.map((hash) => client.getTransactionReceipt({ hash: hash as Hex })),
  );
  const quotes = receipts.map(
    (receipt) => parseEventLogs({ abi: paymentVaultAbi, logs: receipt.logs, eventName: 'QuotePaid' }).length,
  );
  return {
    transactions: receipts.filter((r) => r.status === 'success').length,
    quotes: quotes.reduce((a, b) => a + b, 0),
  };
}

/** CPU seconds of a job, the uploader's and the devnet's, and the cores they kept busy on average. */
const cpuColumns = (job: ClientFigures & { devnetCpuS: number | null }) => ({
  'CPU s uploader': job.cpuMs / 1000,
  'CPU s devnet': job.devnetCpuS ?? 'n/a',
  'cores busy': job.devnetCpuS === null ? 'n/a' : (job.cpuMs / 1000 + job.devnetCpuS) / (job.ms / 1000),
});

const mibPerSecond = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);
const target = (
  what: string,
  value: number,
  unit: string,
  goal: string,
  met: boolean,
  note?: string,
): Target => ({
  what,
  value,
  unit,
  goal,
  met,
  ...(note ? { note } : {}),
});

/** The middle value (the mean of the two middle ones for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const listed = (values: readonly number[], digits = 2) => values.map((v) => v.toFixed(digits)).join(' · ');

type Measured = ClientFigures & { devnetCpuS: number | null };

/** Every job of one round, measured one after another on the same devnet. */
interface Round {
  raw: Measured;
  rawDirect: Measured;
  upload: Measured;
  /** Batch store requests the primary answered, pull requests the secondary answered. */
  stores: number;
  pulls: number;
  chain: Awaited<ReturnType<typeof paymentsOnChain>>;
  smallBatched: Measured;
  smallStoreOff: Measured;
  smallAllOff: Measured;
}

/** A round's files: its own big file and small-file sets, so no job finds its bytes already held. */
async function roundFiles(dataRoot: string, size: number, round: number) {
  // A provider that holds a piece receives it but does not write it again: a job on bytes a
  // provider already holds would store less than its first upload did.
  const smallSet = (job: string) =>
    Promise.all(
      Array.from({ length: SMALL_FILES }, (_, i) =>
        randomFile(
          path.join(dataRoot, `small-${job}-${round}`, `f${String(i).padStart(4, '0')}.bin`),
          SMALL_SIZE,
        ),
      ),
    );
  return {
    big: await randomFile(path.join(dataRoot, `big-${size / MiB}MiB-${round}.bin`), size),
    batched: await smallSet('batched'),
    storeOff: await smallSet('store-off'),
    allOff: await smallSet('all-off'),
  };
}

async function runRound(
  devnet: DevnetHandle,
  work: string,
  files: Awaited<ReturnType<typeof roundFiles>>,
  label: string,
): Promise<Round> {
  const [batching, , unbatching] = devnet.providers;
  console.error(`upload bench, ${label}: raw baseline…`);
  // Each job with the CPU it cost: its own process, and the devnet's (chain, providers, sink).
  // Written data is flushed to disk first, so a job does not pay for the writeback of the one
  // before (the raw baseline, the 1 GiB upload and the small files all write and fsync). A job's
  // files are read through first, so every job starts with them cached: this VM reclaims page
  // cache left untouched for some seconds (kdamond), and a baseline that read the big file from
  // disk while the jobs after it found it cached was slower by seconds.
  const measure = async (job: ClientJob, inputs: readonly string[]): Promise<Measured> => {
    spawnSync('sync');
    for (const file of inputs) await readThrough(file);
    const before = devnet.cpuSeconds();
    const figures = await runClient(job);
    const after = devnet.cpuSeconds();
    return { ...figures, devnetCpuS: before === null || after === null ? null : after - before };
  };
  const raw = await measure({ mode: 'raw', file: files.big, sinkUrl: devnet.sinkUrl }, [files.big]);
  const rawDirect = await measure({ mode: 'raw', file: files.big, sinkUrl: `${devnet.sinkUrl}?direct` }, [
    files.big,
  ]);

  console.error(`upload bench, ${label}: upload with 2 copies…`);
  const job = await uploadJob(devnet.manifest, work, [files.big], { copies: 2 });
  const requests = (url: string) =>
    Promise.all([
      metric(url, 'coffer_provider_responses_total{route="store_batch",status="200"}'),
      metric(url, 'coffer_provider_responses_total{route="pull",status="202"}'),
    ]);
  const before = await Promise.all(devnet.providers.map((p) => requests(p.url)));
  const upload = await measure(job, [files.big]);
  const after = await Promise.all(devnet.providers.map((p) => requests(p.url)));
  const delta = (providerId: number, which: 0 | 1) => {
    const i = devnet.providers.findIndex((p) => p.providerId === providerId);
    return after[i]![which] - before[i]![which];
  };
  const [primaryId, secondaryId] = upload.copyProviders ?? [];

  console.error(`upload bench, ${label}: 1,000 small files, batched and not…`);
  // Batching on: waves of 64 (one payment each) stored in batch requests. Off, as the issue
  // counts it: waves of 1 (a payment per piece) and one store request per piece. Between them,
  // only the batch store off (waves of 64, one store request per piece).
  const smallJob = async (paths: string[], provider: BenchProvider, waveSize?: number) =>
    measure(
      await uploadJob(devnet.manifest, work, paths, { providerIds: [provider.providerId] }, waveSize),
      paths,
    );
  return {
    raw,
    rawDirect,
    upload,
    stores: delta(primaryId!, 0),
    pulls: delta(secondaryId!, 1),
    chain: await paymentsOnChain(devnet.manifest, upload.payments ?? []),
    smallBatched: await smallJob(files.batched, batching!),
    smallStoreOff: await smallJob(files.storeOff, unbatching!),
    smallAllOff: await smallJob(files.allOff, unbatching!, 1),
  };
}

/** One row for a job over the rounds: median time, CPU and rate; the worst memory and lag. */
function jobRow(run: string, jobs: readonly Measured[], extra: (job: Measured) => Record<string, number>) {
  const columns: Record<string, number | string>[] = jobs.map((job) => ({
    ...extra(job),
    ...cpuColumns(job),
  }));
  const medianOf = (key: string) => {
    const values = columns.map((column) => column[key]);
    return values.every((value): value is number => typeof value === 'number') ? median(values) : 'n/a';
  };
  return {
    run,
    seconds: median(jobs.map((job) => job.ms / 1000)),
    'each round s': listed(jobs.map((job) => job.ms / 1000)),
    ...Object.fromEntries(Object.keys(columns[0]!).map((key) => [key, medianOf(key)])),
    'peak RSS MiB': Math.max(...jobs.map((job) => job.maxRssBytes / MiB)),
    'loop p99 ms': Math.max(...jobs.map((job) => job.loopDelayP99Ms)),
  };
}

export async function runUploadBench(): Promise<BenchResult> {
  const quick = process.argv.includes('--quick');
  const roundsArg = process.argv.find((arg) => arg.startsWith('--rounds='));
  const roundCount = roundsArg ? Number(roundsArg.slice('--rounds='.length)) : 3;
  if (!Number.isInteger(roundCount) || roundCount < 1)
    throw new Error(`--rounds wants a whole number of rounds, at least 1, not ${roundsArg}`);
  const size = quick ? 256 * MiB : 1024 * MiB;
  const dataRoot = builtPath('bench', 'upload-data');
  mkdirSync(dataRoot, { recursive: true });
  const work = await mkdtemp(path.join(os.tmpdir(), 'coffer-upload-bench-'));
  const loadBefore = os.loadavg();
  console.error(
    `upload bench: preparing ${roundCount} round(s) of files: a ${size / MiB} MiB file and 3 × 1,000 small files each…`,
  );
  const files = [];
  for (let round = 1; round <= roundCount; round++) files.push(await roundFiles(dataRoot, size, round));
  // Two endorsed providers with batch store, one without batch store, one more; 1-second blocks.
  const devnet = await startBenchDevnet({
    providers: [
      { endorsed: true, batch: true },
      { endorsed: true, batch: true },
      { endorsed: false, batch: false },
      { endorsed: false, batch: true },
    ],
    blockTime: 1,
  });
  try {
    const rounds: Round[] = [];
    for (const [i, roundFiles] of files.entries())
      rounds.push(await runRound(devnet, work, roundFiles, `round ${i + 1} of ${roundCount}`));
    const loadAfter = os.loadavg();
    const all = <K extends keyof Round>(key: K) => rounds.map((round) => round[key]);
    const chunks = Math.ceil(size / MiB);

    // The ratios are taken within each round (its jobs ran side by side), then the median round's.
    const ratios = rounds.map((round) => round.raw.ms / round.upload.ms);
    const ratiosDirect = rounds.map((round) => round.rawDirect.ms / round.upload.ms);
    const speedups = rounds.map((round) => round.smallAllOff.ms / round.smallBatched.ms);
    const storeOffSpeedups = rounds.map((round) => round.smallStoreOff.ms / round.smallBatched.ms);
    const sent = rounds.map((round) => (round.upload.writtenBytes ?? round.upload.pieceBytesSent) / size);
    const transactions = rounds.map((round) => round.chain.transactions);
    const storesPerWave = rounds.map(
      (round) => Math.max(round.stores, round.pulls) / (round.upload.waves ?? 1),
    );
    const rss = Math.max(...all('upload').map((job) => job.maxRssBytes / MiB));
    const lag = Math.max(...all('upload').map((job) => job.loopDelayP99Ms));
    return {
      name: 'upload',
      conditions: {
        mode: quick ? 'quick (256 MiB)' : 'full (1 GiB)',
        rounds: roundCount,
        cpus: os.cpus().length,
        node: process.version,
        blockTime: '1 s',
        chunkSize: '1 MiB',
        waveSize: 64,
        loadBefore: loadBefore.map((l) => l.toFixed(2)).join(' '),
        loadAfter: loadAfter.map((l) => l.toFixed(2)).join(' '),
      },
      tables: [
        {
          title: `${size / MiB} MiB: raw baseline vs upload with 2 copies (medians of ${roundCount} rounds; RSS and lag the worst)`,
          rows: (
            [
              ['raw baseline (hash + send once to a sink)', all('raw')],
              ['  the same, the sink writing with direct I/O', all('rawDirect')],
              ['upload, 2 copies (store + pull + pay + commit)', all('upload')],
            ] as const
          ).map(([run, jobs]) => jobRow(run, jobs, (job) => ({ 'MiB/s': mibPerSecond(size, job.ms) }))),
        },
        {
          title: 'upload details, each round',
          rows: rounds.map((round, i) => ({
            round: i + 1,
            pieces: round.upload.pieces ?? 0,
            waves: round.upload.waves ?? 0,
            'payment txs (chain)': round.chain.transactions,
            'quotes paid (chain)': round.chain.quotes,
            'primary store requests': round.stores,
            'secondary pull requests': round.pulls,
            'client bytes written': round.upload.writtenBytes ?? 'n/a',
            'piece bytes sent': round.upload.pieceBytesSent,
            'loop max ms': round.upload.loopDelayMaxMs,
            'uploader major GCs': round.upload.majorGcs,
            copies: round.upload.copies ?? 0,
          })),
        },
        {
          title: `${SMALL_FILES} files of ${SMALL_SIZE / 1000} KB, 1 copy (medians of ${roundCount} rounds)`,
          rows: (
            [
              ['batching on (waves of 64: one payment + one batch store each)', all('smallBatched')],
              ['batch store only off (waves of 64, a store request per piece)', all('smallStoreOff')],
              ['all batching off (waves of 1: payment + store per piece)', all('smallAllOff')],
            ] as const
          ).map(([run, jobs]) => jobRow(run, jobs, (job) => ({ 'payment txs': job.payments?.length ?? 0 }))),
        },
      ],
      targets: [
        target(
          'upload throughput vs raw baseline',
          median(ratios),
          '×',
          '≥ 0.5',
          median(ratios) >= 0.5,
          `median of the rounds' ${listed(ratios)}; vs the sink writing with direct I/O: ${median(ratiosDirect).toFixed(2)} ×`,
        ),
        target(
          'client bytes sent / file size (2 copies)',
          Math.max(...sent),
          '×',
          '≤ 1.02',
          Math.max(...sent) <= 1.02,
          'all bytes this process wrote (/proc/self/io), the most of any round',
        ),
        target(
          'payment transactions',
          Math.max(...transactions),
          'txs',
          `= ceil(${chunks} chunks / 64) = ${Math.ceil(chunks / 64)}`,
          transactions.every((count) => count === Math.ceil(chunks / 64)),
          `each round: ${transactions.join(' · ')}`,
        ),
        target(
          'store requests per provider per wave',
          Math.max(...storesPerWave),
          'requests',
          '= 1',
          rounds.every((round) => round.stores === round.upload.waves && round.pulls === round.upload.waves),
          'primary: batch stores; secondary: pulls; the most of any round',
        ),
        target(
          '1,000 small files: batched speed-up',
          median(speedups),
          '×',
          '≥ 5',
          median(speedups) >= 5,
          `all batching off / on, median of the rounds' ${listed(speedups)}; batch store only off: ${median(storeOffSpeedups).toFixed(2)} ×`,
        ),
        target(
          `peak RSS of the uploader (${size / MiB} MiB)`,
          rss,
          'MiB',
          '< 300 MB',
          rss * MiB < 300e6,
          'the most of any round',
        ),
        target(
          'main event-loop lag p99 during the upload',
          lag,
          'ms',
          '< 50',
          lag < 50,
          'the most of any round',
        ),
      ],
    };
  } finally {
    await devnet.stop();
    await rm(work, { recursive: true, force: true });
  }
}
