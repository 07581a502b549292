/**
 * The wallet-sync benchmark (`npm run bench:sync`), side by side in one run:
 *
 * - trial decryption in a worker thread, notes/s per core, liboqs vs noble;
 * - scaling of decryption from 1 worker to every core (preloaded notes: decrypt-bound);
 * - a full sync of 67,000 notes (1% ours) from a note server answering each request after 40 ms,
 *   in range mode (the default; without prefetch, where a crash re-reads at most one range per
 *   worker; with up to MAX_DEPTH batches in flight per worker), in per-note mode at concurrency 4,
 *   32 and 128, and the sequential baseline (one request at a time, one worker); the slowest are
 *   measured on the first notes of the log and extrapolated, and marked so;
 * - bytes fetched per note that is not ours; a resync with nothing new; the main thread's
 *   event-loop delay (p99) during the sync.
 *
 * The note server runs in its own process so it does not compete with the coordinator for the
 * main event loop. The 67,000 notes are seeded once into out/bench/data and reused by later runs.
 * Every sync is checked against the seeder's oracle.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { transfer } from 'comlink';
import { NoteStore } from '../devnet/note-server/note-store';
import { startNoteServer } from '../devnet/note-server/note-server';
import { SeedOracle, seedNotes } from '../devnet/note-server/seed';
import { builtPath } from '../electron/core/app-paths';
import { createNoteSealer } from '../electron/core/sync/note-sealer';
import { DEFAULT_BATCHES_PER_WORKER, MAX_DEPTH } from '../electron/core/sync/pipeline-depth';
import { createBudgetBuffer } from '../electron/core/sync/request-budget';
import { SyncEngine, type SyncAccount, type SyncEngineOptions } from '../electron/core/sync/sync-engine';
import type { RunTotals } from '../electron/core/sync/sync-meter';
import { SyncStore } from '../electron/core/sync/sync-store';
import type { KemName, SyncSettings } from '../shared/api/sync';
import { encodeAddress } from '../shared/notes/address';
import { COMPACT_BYTES, PAYLOAD_BYTES } from '../shared/notes/format';
import { nobleKem } from '../shared/notes/noble-kem';
import type { NoteKeys } from '../shared/notes/note-crypto';
import { startSyncWorkers } from '../electron/core/sync/worker-pool';
import type { BenchResult, Target } from './report';

const NOTES = 67_000;
const FRACTION = 0.01;
const LATENCY_MS = 40;
const SEED = 'coffer sync bench v1';
/** Notes for the slow per-note modes, measured and then extrapolated to NOTES. */
const SAMPLE = { concurrency4: 2000, sequential: 300 };
const DECRYPT_NOTES = { liboqs: 20_000, noble: 2000 };
const REPEATS = 4;

const keys: NoteKeys = {
  detection: nobleKem.keygen(new Uint8Array(64).fill(0xb1)),
  viewing: nobleKem.keygen(new Uint8Array(64).fill(0xb2)),
};
const account = (): SyncAccount[] => [
  {
    account: 0,
    keys: {
      detection: { publicKey: keys.detection.publicKey.slice(), secretKey: keys.detection.secretKey.slice() },
      viewing: { publicKey: keys.viewing.publicKey.slice(), secretKey: keys.viewing.secretKey.slice() },
    },
  },
];

const log = (line: string) => process.stderr.write(`[bench sync] ${line}\n`);
const load = () => os.loadavg().map((n) => Number(n.toFixed(2)));

/** The seeded log of NOTES notes and its oracle, made once and reused. */
async function benchData(): Promise<{ dir: string; oracle: SeedOracle }> {
  const dir = builtPath('bench', 'data', `notes-${NOTES}`);
  const oracleFile = path.join(dir, 'oracle.json');
  if (existsSync(oracleFile)) {
    const oracle = SeedOracle.parse(JSON.parse(readFileSync(oracleFile, 'utf8')));
    if (oracle.treeSize === NOTES && oracle.seed === SEED) return { dir, oracle };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  log(`seeding ${NOTES} notes (once; reused by later runs)…`);
  const server = await startNoteServer({ dataDir: dir });
  try {
    const began = performance.now();
    const oracle = await seedNotes({
      url: server.url,
      count: NOTES,
      fraction: FRACTION,
      address: encodeAddress({
        detectionPublicKey: keys.detection.publicKey,
        viewingPublicKey: keys.viewing.publicKey,
      }),
      seed: SEED,
      oracleFile,
    });
    log(`seeded in ${((performance.now() - began) / 1000).toFixed(1)} s`);
    return { dir, oracle };
  } finally {
    await server.stop();
  }
}

/** A log holding the first `count` notes of `source`, for the modes too slow to run in full. */
function sampleData(source: string, count: number): string {
  const dir = builtPath('bench', 'data', `notes-${NOTES}-first-${count}`);
  const from = new NoteStore(path.join(source, 'notes.sqlite'));
  try {
    if (existsSync(dir)) {
      const existing = new NoteStore(path.join(dir, 'notes.sqlite'));
      const ok = existing.size === count;
      existing.close();
      if (ok) return dir;
      rmSync(dir, { recursive: true, force: true });
    }
    const to = new NoteStore(path.join(dir, 'notes.sqlite'));
    for (let start = 0; start < count; start += 1000) {
      const end = Math.min(count, start + 1000);
      to.append(Buffer.concat(Array.from({ length: end - start }, (_, i) => from.note(start + i)!)));
    }
    to.close();
    return dir;
  } finally {
    from.close();
  }
}

/** The note server CLI in its own process. */
async function serverProcess(
  dataDir: string,
  range: boolean,
): Promise<{ url: string; stop(): Promise<void> }> {
  const args = [
    builtPath('devnet', 'note-server.js'),
    '--data-dir',
    dataDir,
    '--latency-ms',
    String(LATENCY_MS),
  ];
  const proc = spawn(process.execPath, range ? args : [...args, '--no-range'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`note server exited early (code ${code})`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** A pool of `workers` sync workers set up for decryption only, and one timed round on it. */
async function decryptionPool(kem: KemName, workers: number, compacts: Uint8Array) {
  const pool = startSyncWorkers(workers);
  await Promise.all(
    pool.map((worker) =>
      worker.call((api) =>
        api.init({
          baseUrl: 'http://127.0.0.1:9', // unused: no request is made
          kem,
          accounts: account(),
          mode: { range: false },
          budget: createBudgetBuffer(1),
          concurrency: 1,
          maxBatches: 1,
        }),
      ),
    ),
  );
  return {
    /** Notes per second decrypting `notes` preloaded notes split over the pool. */
    async round(notes: number): Promise<number> {
      const share = Math.ceil(notes / workers);
      const slices = pool.map((_, w) => {
        const n = Math.max(0, Math.min(share, notes - w * share));
        const bytes = compacts.slice(w * share * COMPACT_BYTES, (w * share + n) * COMPACT_BYTES);
        return { start: w * share, n, bytes };
      });
      const began = performance.now();
      await Promise.all(
        pool.map((worker, w) => {
          const { start, n, bytes } = slices[w]!;
          return worker.call((api) => api.trialDecrypt(start, transfer(bytes, [bytes.buffer]), n));
        }),
      );
      return (notes * 1000) / (performance.now() - began);
    },
    close: () => Promise.all(pool.map((worker) => worker.terminate())),
  };
}

/**
 * Trial decryption rates (notes/s) of `count` preloaded notes for each pool size: the best of
 * `REPEATS` rounds each, after an untimed warm-up (the WASM code tiers up as it runs). The rounds
 * of the pool sizes alternate, so a burst of load from other processes on this shared machine
 * does not fall on one size only.
 */
async function decryptRates(
  kem: KemName,
  sizes: number[],
  compacts: Uint8Array,
  count: number,
): Promise<number[]> {
  const pools = await Promise.all(sizes.map((size) => decryptionPool(kem, size, compacts)));
  try {
    for (const [i, pool] of pools.entries()) await pool.round(Math.min(count, 500 * sizes[i]!));
    const best = sizes.map(() => 0);
    for (let r = 0; r < REPEATS; r++)
      for (const [i, pool] of pools.entries()) best[i] = Math.max(best[i]!, await pool.round(count));
    return best;
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

interface SyncRun {
  ms: number;
  totals: RunTotals;
  lagP99Ms: number;
  correct: boolean;
  storeDir: string;
}

/** One sync on a fresh store (or `storeDir`), timed, with the main thread's event-loop delay. */
async function timedSync(
  url: string,
  settings: Partial<SyncSettings>,
  oracle: SeedOracle,
  upTo: number,
  options: { storeDir?: string } & Pick<SyncEngineOptions, 'maxBatchesPerWorker' | 'prefetch'> = {},
): Promise<SyncRun> {
  const storeDir = options.storeDir ?? mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-sync-'));
  const store = new SyncStore(path.join(storeDir, 'sync.sqlite'));
  const engine = new SyncEngine({
    store,
    serverUrl: url,
    sealer: createNoteSealer(new Uint8Array(32).fill(7)),
    ...(options.maxBatchesPerWorker && { maxBatchesPerWorker: options.maxBatchesPerWorker }),
    ...(options.prefetch !== undefined && { prefetch: options.prefetch }),
  });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const began = performance.now();
  try {
    const { totals } = await engine.run({ accounts: account(), settings });
    const ms = performance.now() - began;
    lag.disable();
    const found = store.notes(0, 0, 1_000_000).notes.map((n) => `${n.index}:${n.value}:${n.memo}`);
    const expected = oracle.ours.filter((n) => n.index < upTo).map((n) => `${n.index}:${n.value}:${n.memo}`);
    return {
      ms,
      totals,
      lagP99Ms: lag.percentile(99) / 1e6,
      correct: found.join() === expected.join(),
      storeDir,
    };
  } finally {
    store.close();
  }
}

export async function runSyncBench(): Promise<BenchResult> {
  const cores = os.availableParallelism();
  const loadBefore = load();
  const { dir, oracle } = await benchData();
  const ours = oracle.ours.length;
  const decryption: BenchResult['tables'][number]['rows'] = [];
  const syncs: BenchResult['tables'][number]['rows'] = [];
  const targets: Target[] = [];

  // --- decryption, in worker threads, from preloaded compact parts ---
  const log67k = new NoteStore(path.join(dir, 'notes.sqlite'));
  // A plain Uint8Array: its slice() copies (a Buffer's would share the memory it then transfers).
  const compacts = new Uint8Array(log67k.compactRange(0, DECRYPT_NOTES.liboqs));
  log67k.close();
  log('decryption: liboqs vs noble, one worker');
  const nobleRate = (await decryptRates('noble', [1], compacts, DECRYPT_NOTES.noble))[0]!;
  decryption.push({ kem: 'noble', workers: 1, notes: DECRYPT_NOTES.noble, 'notes/s': nobleRate });
  log(`decryption scaling: liboqs, 1 to ${cores} workers`);
  const sizes = Array.from({ length: cores }, (_, i) => i + 1);
  const scaling = await decryptRates('liboqs', sizes, compacts, DECRYPT_NOTES.liboqs);
  const liboqsRate = scaling[0]!;
  for (const [i, rate] of scaling.entries())
    decryption.push({
      kem: 'liboqs',
      workers: sizes[i]!,
      notes: DECRYPT_NOTES.liboqs,
      'notes/s': rate,
      'per core': rate / sizes[i]!,
      speedup: rate / liboqsRate,
    });
  targets.push({
    what: 'decryption per core, liboqs',
    value: Math.round(liboqsRate),
    unit: 'notes/s',
    goal: '≥ 10000',
    met: liboqsRate >= 10_000,
    note: `noble: ${Math.round(nobleRate)} notes/s`,
  });
  if (cores >= 2)
    targets.push({
      what: 'decryption scaling, 1 → 2 workers',
      value: Number((scaling[1]! / scaling[0]!).toFixed(2)),
      unit: '×',
      goal: '≥ 1.7',
      met: scaling[1]! / scaling[0]! >= 1.7,
    });

  // --- full syncs at 40 ms a request ---
  const syncRow = (mode: string, run: SyncRun, notes: number, extrapolated: boolean) => {
    const scale = NOTES / notes;
    const seconds = (run.ms * scale) / 1000;
    syncs.push({
      mode,
      notes,
      seconds: Number(seconds.toFixed(2)),
      'notes/s': (notes * 1000) / run.ms,
      requests: run.totals.requests,
      'bytes/note': Number((run.totals.bytes / notes).toFixed(1)),
      'lag p99 ms': Number(run.lagP99Ms.toFixed(1)),
      correct: run.correct,
      extrapolated: extrapolated ? `yes (×${scale.toFixed(1)} from ${notes} notes)` : 'no',
    });
    return seconds;
  };

  log(`range mode: ${NOTES} notes`);
  const rangeServer = await serverProcess(dir, true);
  let range: SyncRun;
  let strict: SyncRun;
  let deep: SyncRun;
  let resyncMs: number;
  try {
    range = await timedSync(rangeServer.url, {}, oracle, NOTES);
    const resync = await timedSync(rangeServer.url, {}, oracle, NOTES, { storeDir: range.storeDir });
    resyncMs = resync.ms;
    rmSync(range.storeDir, { recursive: true, force: true });
    log(`range mode without prefetch: ${NOTES} notes`);
    strict = await timedSync(rangeServer.url, {}, oracle, NOTES, { prefetch: false });
    rmSync(strict.storeDir, { recursive: true, force: true });
    log(`range mode, up to ${MAX_DEPTH} batches in flight per worker: ${NOTES} notes`);
    deep = await timedSync(rangeServer.url, {}, oracle, NOTES, { maxBatchesPerWorker: MAX_DEPTH });
    rmSync(deep.storeDir, { recursive: true, force: true });
  } finally {
    await rangeServer.stop();
  }
  // What a SIGKILL makes the next run redo, per worker (sync-crash.test.ts checks the first two).
  const rangeSeconds = syncRow(
    'range (default: 1 batch per worker + the next range prefetched; a kill redoes ≤ 1 batch, re-reads ≤ 2 ranges)',
    range,
    NOTES,
    false,
  );
  syncRow('range, no prefetch (a kill redoes ≤ 1 batch, re-reads ≤ 1 range)', strict, NOTES, false);
  syncRow(
    `range, up to ${MAX_DEPTH} batches per worker (a kill redoes ≤ ${MAX_DEPTH} batches)`,
    deep,
    NOTES,
    false,
  );
  syncs.push({
    mode: 'range, resync with nothing new',
    notes: 0,
    seconds: Number((resyncMs / 1000).toFixed(3)),
  });
  const foreignBytes = (range.totals.bytes - ours * (COMPACT_BYTES + PAYLOAD_BYTES)) / (NOTES - ours);

  const perNote: Record<string, number> = {};
  const perNoteServer = await serverProcess(dir, false);
  try {
    for (const concurrency of [32, 128]) {
      log(`per-note mode, concurrency ${concurrency}: ${NOTES} notes`);
      const run = await timedSync(perNoteServer.url, { concurrency }, oracle, NOTES);
      rmSync(run.storeDir, { recursive: true, force: true });
      perNote[concurrency] = syncRow(`per-note, concurrency ${concurrency}`, run, NOTES, false);
    }
  } finally {
    await perNoteServer.stop();
  }
  for (const [label, notes, settings] of [
    ['per-note, concurrency 4', SAMPLE.concurrency4, { concurrency: 4 }],
    ['sequential (1 worker, 1 request at a time)', SAMPLE.sequential, { concurrency: 1, workers: 1 }],
  ] as const) {
    log(`${label}: first ${notes} notes`);
    const sample = await serverProcess(sampleData(dir, notes), false);
    try {
      const run = await timedSync(sample.url, settings, oracle, notes);
      rmSync(run.storeDir, { recursive: true, force: true });
      perNote[label] = syncRow(label, run, notes, true);
    } finally {
      await sample.stop();
    }
  }
  const sequentialSeconds = perNote['sequential (1 worker, 1 request at a time)']!;

  targets.push(
    {
      what: `sync of ${NOTES} notes, range mode`,
      value: Number(rangeSeconds.toFixed(2)),
      unit: 's',
      goal: '≤ 10',
      met: rangeSeconds <= 10 && range.correct,
      ...(!range.correct && { note: 'notes differ from the oracle' }),
    },
    {
      what: 'per-note at concurrency 32 vs sequential',
      value: Number((sequentialSeconds / perNote[32]!).toFixed(1)),
      unit: '× faster',
      goal: '≥ 25',
      met: sequentialSeconds / perNote[32]! >= 25,
      note: `sequential extrapolated from ${SAMPLE.sequential} notes: ${sequentialSeconds.toFixed(0)} s`,
    },
    {
      what: 'bytes fetched per note not ours (range mode)',
      value: Number(foreignBytes.toFixed(1)),
      unit: 'B',
      goal: '≤ 1300',
      met: foreignBytes <= 1300,
      note: `compact part ${COMPACT_BYTES} B; payloads only for tag hits`,
    },
    {
      what: 'resync with nothing new',
      value: Number(resyncMs.toFixed(1)),
      unit: 'ms',
      goal: '< 200',
      met: resyncMs < 200,
    },
    {
      what: 'main event-loop delay p99 during the range sync',
      value: Number(range.lagP99Ms.toFixed(1)),
      unit: 'ms',
      goal: '< 50',
      met: range.lagP99Ms < 50,
    },
  );

  return {
    name: 'sync',
    conditions: {
      cores,
      'load average before (1, 5, 15 min)': loadBefore,
      'load average after': load(),
      notes: NOTES,
      ours,
      latencyMs: LATENCY_MS,
      workers: cores,
      checkpointEvery: 250,
      'batches in flight per worker': DEFAULT_BATCHES_PER_WORKER,
      prefetch: true,
      node: process.version,
    },
    tables: [
      { title: 'trial decryption in worker threads, preloaded notes', rows: decryption },
      { title: `sync of ${NOTES} notes (${ours} ours), ${LATENCY_MS} ms per request, liboqs`, rows: syncs },
    ],
    targets,
  };
}
