/**
 * The uploading process of the upload benchmark: runs ONE measured job and prints its figures as
 * one JSON line — an upload through the core (as the app and the CLI run it), or the raw baseline
 * (the file read, hashed and sent once over loopback to the sink). What it measures is its own:
 * wall time, peak RSS, bytes it wrote to sockets and files (/proc/self/io), bytes of piece data it
 * sent, and its main event loop's delay (p99) while the job ran.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { readFile } from 'node:fs/promises';
import { constants, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { request } from 'undici';
import { NetworkManifest } from '../shared/network-manifest';
import { createCore } from '../electron/core/core-app';
import { tuneHeapForStreaming } from '../electron/core/heap-tuning';

export type ClientJob =
  | {
      mode: 'upload';
      dataDir: string;
      manifest: string;
      password: string;
      files: string[];
      copies?: number;
      providerIds?: number[];
      /** Chunks per wave (one payment each); default the engine's 64. */
      waveSize?: number;
    }
  | { mode: 'raw'; file: string; sinkUrl: string };

export interface ClientFigures {
  ms: number;
  maxRssBytes: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Bytes this process wrote with write syscalls (sockets, files), from /proc/self/io. */
  writtenBytes: number | null;
  /** CPU time (user + system) this process spent on the job. */
  cpuMs: number;
  /** Full (mark-compact) garbage collections during the job. */
  majorGcs: number;
  /** Piece bytes handed to provider requests (upload), or file bytes sent (raw). */
  pieceBytesSent: number;
  uploadId?: string;
  root?: string;
  copies?: number;
  /** Provider ids of the copies, primary first. */
  copyProviders?: number[];
  failures?: number;
  pieces?: number;
  waves?: number;
  payments?: string[];
}

async function writtenBytes(): Promise<number | null> {
  const text = await readFile('/proc/self/io', 'utf8').catch(() => null);
  const match = text && /^wchar:\s*(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

async function main(): Promise<void> {
  tuneHeapForStreaming();
  const job = JSON.parse(process.argv[2]!) as ClientJob;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  // Start times of full collections; those after the job began are counted at the end.
  const majorGcStarts: number[] = [];
  const noteGcs = (entries: readonly object[]) => {
    // A 'gc' entry's detail says which collection it was (Node's own field, not in the DOM type).
    for (const entry of entries as { startTime: number; detail: { kind: number } }[])
      if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcStarts.push(entry.startTime);
  };
  const gcObserver = new PerformanceObserver((list) => noteGcs(list.getEntries()));
  gcObserver.observe({ entryTypes: ['gc'] });
  let jobStart = 0;
  let writtenBefore = await writtenBytes();
  let figures: Omit<
    ClientFigures,
    'maxRssBytes' | 'loopDelayP99Ms' | 'loopDelayMaxMs' | 'writtenBytes' | 'cpuMs' | 'majorGcs'
  >;
  let cpuBefore = process.cpuUsage();
  if (job.mode === 'raw') {
    loop.enable();
    const started = (jobStart = performance.now());
    const hash = createHash('sha256');
    let sent = 0;
    const file = job.file;
    async function* body() {
      for await (const chunk of createReadStream(file, {
        highWaterMark: 256 * 1024,
      }) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        sent += chunk.length;
        yield chunk;
      }
    }
    const response = await request(job.sinkUrl, { method: 'PUT', body: Readable.from(body()) });
    const theirs = await response.body.text();
    if (theirs !== hash.digest('hex')) throw new Error('the sink received other bytes');
    figures = { ms: performance.now() - started, pieceBytesSent: sent };
  } else {
    const network = NetworkManifest.parse(JSON.parse(await readFile(job.manifest, 'utf8')));
    const core = await createCore({ dataDir: job.dataDir, mode: 'cli', network });
    const { vault, approvals } = core.wallet;
    approvals.onRequested((r) =>
      queueMicrotask(() => approvals.respond({ id: r.id, hash: r.hash, decision: 'approve' })),
    );
    await vault.unlock(job.password);
    writtenBefore = await writtenBytes();
    cpuBefore = process.cpuUsage();
    loop.enable();
    const started = (jobStart = performance.now());
    const uploads = core.uploads!;
    const { uploadId } = await uploads.start({
      files: job.files.map((path) => ({ kind: 'path' as const, path })),
      account: 0,
      ...(job.providerIds ? { providerIds: job.providerIds } : { copies: job.copies ?? 2 }),
      ...(job.waveSize ? { waveSize: job.waveSize } : {}),
    });
    const session = uploads.session(uploadId);
    await session.settled();
    const ms = performance.now() - started;
    if (!session.result) throw new Error(`the upload ended ${session.state}: ${session.error?.message}`);
    figures = {
      ms,
      pieceBytesSent: session.lastContext!.bytesSent,
      uploadId,
      root: session.result.root,
      copies: session.result.copies.length,
      copyProviders: session.result.copies.map((copy) => copy.providerId),
      failures: session.result.failures.length,
      pieces: session.plan!.pieces.length,
      waves: session.plan!.waves.length,
      payments: uploads.journal
        .payments(uploadId)
        .filter((payment) => payment.txHash)
        .map((payment) => payment.txHash!),
    };
    // BENCH_TRACE=1: the journal's steps, in ms since the start, to stderr (where time goes).
    if (process.env.BENCH_TRACE)
      for (const step of uploads.journal.steps(uploadId))
        console.error(
          `${Math.round(step.at - performance.timeOrigin - started)} ms ${step.step} ${step.phase} ` +
            `provider ${step.providerId ?? '-'} ${JSON.stringify(step.detail ?? null)}`,
        );
    await core.close();
  }
  loop.disable();
  noteGcs(gcObserver.takeRecords());
  gcObserver.disconnect();
  const cpu = process.cpuUsage(cpuBefore);
  const writtenAfter = await writtenBytes();
  const result: ClientFigures = {
    ...figures,
    cpuMs: (cpu.user + cpu.system) / 1000,
    majorGcs: majorGcStarts.filter((at) => at >= jobStart).length,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    loopDelayMaxMs: loop.max / 1e6,
    writtenBytes: writtenBefore === null || writtenAfter === null ? null : writtenAfter - writtenBefore,
  };
  console.log(JSON.stringify(result));
}

await main();
