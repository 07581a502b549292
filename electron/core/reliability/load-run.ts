/**
 * The load run: on a real devnet, one Coffer core runs N uploads at once (each a seeded random
 * file with 2 copies) while its wallet sync catches up on a seeded note server and then watches
 * it, and new notes are published meanwhile. Then every copy of every upload is downloaded from its
 * own provider and compared with its source, the chain is checked for double payments, and the
 * synced notes are compared with the seeder's oracles (the first seeding and the one made while
 * watching). The process's RSS is sampled all along; its peak is reported.
 */
import { seedNotes, type SeedOracle } from '../../../devnet/note-server/seed';
import type { SyncNote, SyncProgress } from '../../../shared/api/sync';
import type { UploadView } from '../../../shared/api/upload';
import {
  accountsOf,
  addressOf,
  expectedNotes,
  testSealer,
  walletKeys,
} from '../sync/test-support/sync-fixture';
import { startUploadTestbed } from '../test-support/upload-testbed';
import { SeededRandom, type Violation } from './crash-harness';
import { chainView, doublePayments, resultMismatches } from './upload-oracle';

export interface LoadOptions {
  seed: number;
  uploads: number;
  /** Bytes per uploaded file. */
  fileSize: number;
  /** Notes on the server before the sync starts, and published while it watches. */
  notes: number;
  watchNotes: number;
  log?: (line: string) => void;
}

export interface LoadReport {
  seed: number;
  uploads: number;
  bytesUploaded: number;
  copiesVerified: number;
  notesScanned: number;
  notesFound: number;
  /** Notes found by watch mode (published after the sync caught up). */
  notesFoundWatching: number;
  seconds: number;
  rssBaselineMiB: number;
  rssPeakMiB: number;
  violations: Violation[];
}

const SEED_BYTE = 0x3b;
const MiB = 1024 * 1024;

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => {});
  const random = new SeededRandom(options.seed);
  const keys = walletKeys(SEED_BYTE);
  const bed = await startUploadTestbed({
    deposit: '4000',
    upload: { chunkSize: 64 * 1024, waveSize: 8 },
    syncWallet: { noteAccounts: () => accountsOf(keys), noteSealer: testSealer },
  });
  const violations: Violation[] = [];
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const sampler = setInterval(sample, 50);
  try {
    const seed = (count: number, name: string) =>
      seedNotes({
        url: bed.devnet.manifest.noteServerUrl,
        count,
        fraction: 0.05,
        address: addressOf(keys),
        seed: `load ${options.seed} ${name}`,
        decoys: 8,
        workers: 1,
      });
    const oracles: SeedOracle[] = [await seed(options.notes, 'before')];
    const sources = options.uploads
      ? await Promise.all(
          Array.from({ length: options.uploads }, async (_, i) => {
            const bytes = random.bytes(options.fileSize - random.int(0, 1000));
            return { bytes, path: await bed.file(`load-${i}.bin`, bytes) };
          }),
        )
      : [];
    const baseline = process.memoryUsage().rss;
    const started = Date.now();
    const call = async <T>(channel: string, input: unknown = {}): Promise<T> => {
      const envelope = await bed.core.dispatch(channel, input, { transport: 'test' });
      if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.message}`);
      return envelope.value as T;
    };
    const syncErrors: string[] = [];
    const offProgress = bed.core.events.on('sync.progress', (p: SyncProgress) => {
      if (p.error) syncErrors.push(p.error.message);
    });
    await call('sync.start', { watch: true, settings: { workers: 1, checkpointEvery: 100 } });
    const uploads = bed.core.uploads!;
    const views: Promise<UploadView>[] = sources.map(async (source) => {
      const { uploadId } = await uploads.start({ files: [{ kind: 'path', path: source.path }], account: 0 });
      await uploads.session(uploadId).settled();
      return uploads.get(uploadId);
    });
    // Once the sync caught up, publish more notes: watch mode must find them as they come.
    const caughtUp = async () => {
      while ((await call<SyncProgress>('sync.status')).lastSynced === null) await delay(100);
    };
    await caughtUp();
    log(`load: sync caught up after ${((Date.now() - started) / 1000).toFixed(1)} s; publishing more notes`);
    if (options.watchNotes) oracles.push(await seed(options.watchNotes, 'watching'));
    const expected = oracles.flatMap(expectedNotes);
    const notes = async () =>
      (await call<{ notes: SyncNote[] }>('sync.notes', { limit: 1000 })).notes.map(
        ({ index, value, memo }) => ({ index, value, memo }),
      );
    const done = await Promise.all(views);
    for (let waited = 0; (await notes()).length < expected.length && waited < 60_000; waited += 200)
      await delay(200);
    const status = await call<SyncProgress>('sync.status');
    const found = await notes();
    await call('sync.stop');
    offProgress();
    const seconds = (Date.now() - started) / 1000;

    if (JSON.stringify(found) !== JSON.stringify(expected))
      violations.push({
        kind: 'notes-mismatch',
        detail: `${found.length} notes synced, the oracles have ${expected.length}`,
      });
    violations.push(...syncErrors.map((message) => ({ kind: 'sync-error', detail: message })));
    for (const [i, view] of done.entries()) {
      if (view.state !== 'completed' || !view.result || view.result.copies.length !== view.copiesRequested) {
        violations.push({
          kind: 'not-completed',
          detail: `upload ${i} ended ${view.state}: ${view.error?.message ?? ''}`,
        });
        continue;
      }
      violations.push(...(await resultMismatches(bed, view.result, sources[i]!.bytes)));
    }
    violations.push(...doublePayments(await chainView(bed), new Set()));
    sample();
    return {
      seed: options.seed,
      uploads: done.length,
      bytesUploaded: sources.reduce((sum, s) => sum + s.bytes.length, 0),
      copiesVerified: done.reduce((sum, view) => sum + (view.result?.copies.length ?? 0), 0),
      notesScanned: status.scanned,
      notesFound: found.length,
      notesFoundWatching: options.watchNotes ? expectedNotes(oracles[1]!).length : 0,
      seconds,
      rssBaselineMiB: Math.round(baseline / MiB),
      rssPeakMiB: Math.round(peak / MiB),
      violations,
    };
  } finally {
    clearInterval(sampler);
    await bed.stop();
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const loadSummary = (name: string, r: LoadReport): string =>
  `${name}: seed ${r.seed}, ${r.uploads} uploads at once (${(r.bytesUploaded / MiB).toFixed(1)} MiB, ${r.copiesVerified} copies downloaded and compared), sync of ${r.notesScanned} notes finding ${r.notesFound} (${r.notesFoundWatching} while watching), ${r.seconds.toFixed(1)} s; RSS ${r.rssBaselineMiB} MiB at the start, peak ${r.rssPeakMiB} MiB; violations ${r.violations.length}`;
