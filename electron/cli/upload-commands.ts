/**
 * `coffer upload`, `coffer download`, `coffer uploads` and `coffer providers`: the upload engine
 * from a terminal, through the same core and contract as the app. Progress is a bar per provider
 * (redrawn on a terminal, a line per change otherwise) or, with --json, one UploadView per line.
 * Ctrl+C pauses an upload (its journal says where); `coffer uploads resume <id>` goes on.
 *
 * Exit codes: 0 done (every copy), 3 partial (fewer copies than asked: see the failures),
 * 1 failed, interrupted or cancelled, 2 usage.
 */
import path from 'node:path';
import type { DownloadView, UploadView } from '../../shared/api/upload';
import { formatBytes } from '../../shared/format-bytes';
import type { Core } from '../core/core-app';
import { command, UsageError } from './command';
import {
  accountOf,
  ACCOUNT_OPTION,
  call,
  type CliSession,
  type Io,
  PASSWORD_OPTIONS,
  unlocked,
  withSession,
  YES_OPTION,
} from './cli-session';
import { outcomeLines, progressLines } from './upload-progress';

const JSON_OPTION = {
  json: { type: 'boolean', description: 'Print progress and the outcome as JSON lines on stdout' },
} as const;

const EXIT_PARTIAL = 3;

function count(value: string | undefined, name: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`--${name} must be a whole number ≥ ${min}`);
  return Number(value);
}

function idList(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id)))
    throw new UsageError(`--${name} takes ids separated by commas, e.g. 1,3`);
  return ids;
}

/** Follows an upload until its run ends, drawing progress; returns the final view. */
async function follow(core: Core, uploadId: string, io: Io, json: boolean): Promise<UploadView> {
  const uploads = core.uploads!;
  const live = process.stderr.isTTY && !json;
  let drawn = 0;
  let lastShown = '';
  const draw = (view: UploadView) => {
    if (json) return io.out(JSON.stringify({ event: 'upload.progress', view }));
    const lines = progressLines(view);
    if (live) {
      if (drawn > 0) process.stderr.write(`\x1b[${drawn}A`);
      for (const line of lines) process.stderr.write(`\x1b[2K${line}\n`);
      drawn = lines.length;
      return;
    }
    // Not a terminal: a line when a stage changes, not every tick.
    const shape = `${view.state} ${view.providers.map((p) => p.stage).join(',')}`;
    if (shape !== lastShown) for (const line of lines) io.err(line);
    lastShown = shape;
  };
  const unsubscribe = core.events.on('upload.progress', (view) => {
    if (view.uploadId === uploadId) draw(view);
  });
  const onInterrupt = () => {
    io.err('\nPausing the upload (Ctrl+C again to stop at once)…');
    process.off('SIGINT', onInterrupt);
    void uploads.pause(uploadId).catch(() => {});
  };
  process.on('SIGINT', onInterrupt);
  try {
    await uploads.session(uploadId).settled();
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
  }
  return await uploads.get(uploadId);
}

/** Prints the outcome and sets the exit code from the upload's state. */
function report(view: UploadView, io: Io, json: boolean): void {
  if (json) io.out(JSON.stringify({ event: 'upload.outcome', view }));
  else for (const line of outcomeLines(view)) io.out(line);
  if (view.state === 'partial') process.exitCode = EXIT_PARTIAL;
  else if (view.state !== 'completed') {
    const error = Object.assign(new Error(view.error?.message ?? `the upload ended ${view.state}`), {
      code: view.error?.code ?? view.state.toUpperCase(),
    });
    throw error;
  }
}

async function requireUploads(session: CliSession): Promise<Core> {
  const core = await session.core();
  if (!core.uploads)
    throw Object.assign(new Error('No network is configured (give --network or run `npm start` once)'), {
      code: 'NETWORK_OFFLINE',
    });
  return core;
}

const upload = command({
  name: 'upload',
  summary: 'Upload files with several copies (default 2), paid wave by wave after one approval.',
  args: '<files…>',
  options: {
    copies: {
      type: 'string',
      value: '<n>',
      description: 'Copies to keep (default: the upload setting, 2 unless changed)',
    },
    providers: {
      type: 'string',
      value: '<id,id>',
      description: 'Use exactly these providers, the first as primary (no replacement)',
    },
    'data-sets': { type: 'string', value: '<id,id>', description: 'Use exactly these data sets of yours' },
    'chunk-concurrency': {
      type: 'string',
      value: '<n>',
      description: 'Requests in flight at once (default: the setting, half the CPU threads)',
    },
    'chunk-size': { type: 'string', value: '<bytes>', description: 'Bytes per chunk (default 1048576)' },
    'wave-size': { type: 'string', value: '<n>', description: 'Chunks per wave and payment (default 64)' },
    ...ACCOUNT_OPTION,
    ...JSON_OPTION,
    ...YES_OPTION,
    ...PASSWORD_OPTIONS,
  },
  run: ({ values, positionals, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      if (positionals.length === 0) throw new UsageError('name at least one file to upload');
      const core = await requireUploads(session);
      await unlocked(session);
      const providerIds = idList(values.providers, 'providers')?.map(Number);
      const { uploadId } = await call<{ uploadId: string }>(session, 'upload.start', {
        files: positionals.map((file) => ({ kind: 'path', path: path.resolve(file) })),
        account: accountOf(values),
        copies: count(values.copies, 'copies'),
        providerIds,
        dataSetIds: idList(values['data-sets'], 'data-sets'),
        chunkConcurrency: count(values['chunk-concurrency'], 'chunk-concurrency'),
        chunkSize: count(values['chunk-size'], 'chunk-size'),
        waveSize: count(values['wave-size'], 'wave-size'),
      });
      if (values.json) out(JSON.stringify({ event: 'upload.started', uploadId }));
      else err(`Upload ${uploadId} started.`);
      report(
        await follow(core, uploadId, { out, err }, Boolean(values.json)),
        { out, err },
        Boolean(values.json),
      );
    }),
});

const download = command({
  name: 'download',
  summary: 'Download an upload by its root CID, every chunk verified before it is written.',
  args: '<root>',
  options: {
    output: { type: 'string', short: 'o', value: '<path>', description: 'File (one-file upload) or folder' },
    ...JSON_OPTION,
  },
  run: ({ values, positionals, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const [root, ...extra] = positionals;
      if (!root || extra.length) throw new UsageError('give exactly one root CID');
      const core = await requireUploads(session);
      const { downloadId } = await call<{ downloadId: string }>(session, 'download.start', {
        root,
        ...(values.output ? { destination: path.resolve(values.output) } : {}),
      });
      const unsubscribe = core.events.on('download.progress', (view) => {
        if (view.downloadId !== downloadId) return;
        if (values.json) out(JSON.stringify({ event: 'download.progress', view }));
        else if (process.stderr.isTTY)
          process.stderr.write(`\r\x1b[2K${formatBytes(view.bytesDone)} of ${formatBytes(view.bytesTotal)}`);
      });
      let view: DownloadView;
      try {
        view = await core.downloads!.settled(downloadId);
      } finally {
        unsubscribe();
      }
      if (process.stderr.isTTY && !values.json) process.stderr.write('\n');
      if (values.json) out(JSON.stringify({ event: 'download.outcome', view }));
      for (const fallback of values.json ? [] : view.fallbacks)
        err(
          `provider ${fallback.providerId} could not serve ${fallback.cid}: ${fallback.reason} (used another)`,
        );
      if (view.state !== 'completed')
        throw Object.assign(new Error(view.error?.message ?? 'the download failed'), {
          code: view.error?.code,
        });
      if (!values.json) {
        out(
          `Downloaded ${view.files.length} file${view.files.length === 1 ? '' : 's'} (${formatBytes(view.bytesTotal)}), every chunk verified:`,
        );
        out(`  ${view.destination}`);
      }
    }),
});

const ACTIONS = ['list', 'show', 'resume', 'top-up', 'cancel', 'retry-commit'] as const;

const uploads = command({
  name: 'uploads',
  summary: 'Upload history; show, resume, top-up, cancel or retry-commit one upload.',
  args: `[${ACTIONS.join('|')}] [<upload id>]`,
  options: {
    copies: { type: 'string', value: '<n>', description: 'top-up: the copies to have in all' },
    limit: { type: 'string', value: '<n>', description: 'list: how many (default 20)' },
    ...JSON_OPTION,
    ...YES_OPTION,
    ...PASSWORD_OPTIONS,
  },
  run: ({ values, positionals, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const [action = 'list', uploadId, ...extra] = positionals;
      if (!(ACTIONS as readonly string[]).includes(action))
        throw new UsageError(`unknown action "${action}" (one of ${ACTIONS.join(', ')})`);
      if (extra.length || (action !== 'list' && !uploadId))
        throw new UsageError(`${action} takes one upload id`);
      const core = await requireUploads(session);
      const json = Boolean(values.json);
      const io = { out, err };
      switch (action) {
        case 'list': {
          const { uploads: list, total } = await core.uploads!.list({
            offset: 0,
            limit: count(values.limit, 'limit') ?? 20,
          });
          if (json) return out(JSON.stringify({ uploads: list, total }));
          if (list.length === 0) return out('No uploads yet.');
          for (const entry of list)
            out(
              `${entry.uploadId}  ${new Date(entry.createdAt).toISOString().slice(0, 19)}  ${entry.state.padEnd(11)} ` +
                `${entry.copiesConfirmed}/${entry.copiesRequested} copies  ${formatBytes(entry.size).padStart(10)}  ` +
                `${entry.fileNames.join(', ')}${entry.fileCount > entry.fileNames.length ? ', …' : ''}`,
            );
          const resumable = list.filter((entry) => entry.actions.resume);
          if (resumable.length) out(`\n${resumable.length} can be resumed: coffer uploads resume <id>`);
          return;
        }
        case 'show': {
          const view = await core.uploads!.get(uploadId!);
          return json ? out(JSON.stringify(view)) : outcomeLines(view).forEach((line) => out(line));
        }
        case 'cancel': {
          const summary = await call<{
            paid: { formatted: string; symbol: string } | null;
            payments: unknown[];
            committed: { providerId: number; dataSetId: string }[];
          }>(session, 'upload.cancel', { uploadId });
          if (json) return out(JSON.stringify(summary));
          out(`Cancelled ${uploadId}.`);
          out(
            `  paid       ${summary.paid ? `${summary.paid.formatted} ${summary.paid.symbol}` : '0'} in ${summary.payments.length} transactions`,
          );
          for (const copy of summary.committed)
            out(`  committed  provider ${copy.providerId}, data set ${copy.dataSetId}`);
          return;
        }
        default: {
          await unlocked(session);
          const channel = {
            resume: 'upload.resume',
            'top-up': 'upload.topUp',
            'retry-commit': 'upload.retryCommit',
          }[action as 'resume' | 'top-up' | 'retry-commit'];
          const copies = count(values.copies, 'copies');
          if (action === 'top-up' && copies === undefined) throw new UsageError('top-up needs --copies <n>');
          await call(session, channel, action === 'top-up' ? { uploadId, copies } : { uploadId });
          report(await follow(core, uploadId!, io, json), io, json);
        }
      }
    }),
});

const providers = command({
  name: 'providers',
  summary: 'Storage providers from the registry on chain: health, price, your data sets.',
  options: { ...ACCOUNT_OPTION, ...JSON_OPTION },
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      await requireUploads(session);
      const { providers: list } = await call<{
        providers: {
          id: number;
          url: string;
          endorsed: boolean;
          online: boolean;
          latencyMs: number | null;
          problem: string | null;
          dataSets: { dataSetId: string }[];
        }[];
      }>(session, 'providers.list', { account: accountOf(values) });
      if (values.json) return out(JSON.stringify(list));
      for (const p of list)
        out(
          `${String(p.id).padStart(3)}  ${p.endorsed ? 'endorsed' : '        '}  ${p.online ? `online ${p.latencyMs} ms` : `offline: ${p.problem}`}  ` +
            `${p.url}${p.dataSets.length ? `  data sets ${p.dataSets.map((d) => d.dataSetId).join(', ')}` : ''}`,
        );
    }),
});

export const uploadCommands = [upload, download, uploads, providers];
