/**
 * The `download` handlers of the API contract: starts a download by root CID in the background
 * (answering with its id at once), asks first the providers this app knows hold a copy, then every
 * other registered provider, and reports progress as `download.progress` events (at most a few a
 * second). Completed downloads can be streamed to a browser-mode page by the host's download route.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CofferError, toErrorBody } from '../../../shared/api/errors';
import type { DownloadView } from '../../../shared/api/upload';
import type { ProviderDirectory } from '../providers/provider-directory';
import { RateMeter } from '../upload/upload-view';
import type { UploadJournal } from '../upload/upload-journal';
import { type DownloadProgress, downloadRoot } from './root-download';

const PROGRESS_INTERVAL_MS = 250;

interface DownloadRecord {
  id: string;
  root: string;
  destination: string;
  state: DownloadView['state'];
  progress: DownloadProgress;
  paths: string[];
  error: DownloadView['error'];
  task: Promise<void>;
}

export class DownloadService {
  readonly #downloads = new Map<string, DownloadRecord>();
  readonly #meter = new RateMeter();

  constructor(
    private readonly options: {
      dataDir: string;
      directory: ProviderDirectory;
      journal: UploadJournal;
      emitProgress: (view: DownloadView) => void;
    },
  ) {}

  start(input: { root: string; destination?: string }): { downloadId: string } {
    const id = `d-${randomBytes(12).toString('base64url')}`;
    const destination = path.resolve(
      input.destination ?? path.join(this.options.dataDir, 'downloads', input.root),
    );
    const record: DownloadRecord = {
      id,
      root: input.root,
      destination,
      state: 'running',
      progress: { files: [], bytesDone: 0, bytesTotal: 0, chunksDone: 0, chunksTotal: 0, fallbacks: [] },
      paths: [],
      error: null,
      task: Promise.resolve(),
    };
    this.#downloads.set(id, record);
    let last = 0;
    record.task = (async () => {
      try {
        const { paths } = await downloadRoot({
          root: input.root,
          destination,
          folder: input.destination === undefined,
          sources: await this.#sources(input.root),
          onProgress: (progress) => {
            record.progress = progress;
            if (Date.now() - last >= PROGRESS_INTERVAL_MS) {
              last = Date.now();
              this.options.emitProgress(this.get(id));
            }
          },
        });
        record.paths = paths;
        record.state = 'completed';
      } catch (error) {
        record.state = 'failed';
        const body = toErrorBody(error);
        record.error = { code: body.code, message: body.message };
      }
      this.options.emitProgress(this.get(id));
    })();
    return { downloadId: id };
  }

  get(downloadId: string): DownloadView {
    const record = this.#record(downloadId);
    const { progress } = record;
    return {
      downloadId: record.id,
      root: record.root,
      state: record.state,
      destination: record.destination,
      files: progress.files,
      bytesDone: progress.bytesDone,
      bytesTotal: progress.bytesTotal,
      chunksDone: progress.chunksDone,
      chunksTotal: progress.chunksTotal,
      throughput: record.state === 'running' ? this.#meter.sample(record.id, progress.bytesDone) : 0,
      fallbacks: progress.fallbacks.slice(-50),
      error: record.error,
    };
  }

  /** Resolves when the download has ended (tests, the CLI). */
  async settled(downloadId: string): Promise<DownloadView> {
    await this.#record(downloadId).task;
    return this.get(downloadId);
  }

  /** A completed download's file, for the browser host to stream. */
  fileOf(downloadId: string, index: number): { path: string; name: string; size: number } {
    const record = this.#record(downloadId);
    const file = record.progress.files[index];
    if (record.state !== 'completed' || !file || !record.paths[index])
      throw new CofferError('NOT_FOUND', 'That download has no such completed file');
    return { path: record.paths[index]!, name: file.name, size: file.size };
  }

  async #sources(root: string) {
    const { directory, journal } = this.options;
    const providers = await directory.list();
    const known = journal.holdersOf(root);
    const rank = (id: number) => (known.includes(id) ? known.indexOf(id) : known.length + id);
    return [...providers]
      .sort((a, b) => rank(a.id) - rank(b.id))
      .map((provider) => ({ provider, client: directory.clientFor(provider) }));
  }

  #record(downloadId: string): DownloadRecord {
    const record = this.#downloads.get(downloadId);
    if (!record) throw new CofferError('NOT_FOUND', `There is no download ${downloadId}`);
    return record;
  }
}
