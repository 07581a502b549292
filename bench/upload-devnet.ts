/**
 * The other side of the upload benchmark, away from the uploading process so the uploader's memory
 * and event loop are its own: the devnet chain (anvil with Coffer's contracts), each storage
 * provider in a process of its own (as real providers are separate machines; one of them without
 * batch store), and the raw baseline's sink (`PUT /sink`: hashes what arrives, writes it to disk,
 * flushes, answers with the sha-256; `PUT /sink?direct` writes with direct I/O, as the providers
 * write large pieces). Prints one JSON line (manifest, providers, sink URL) and runs until stdin
 * closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { DEV_ROLES, devAccount } from '../devnet/chain/dev-accounts';
import { startDevnet } from '../devnet/start-devnet';
import { builtPath } from '../electron/core/app-paths';
import { benchNodeArgs } from './bench-node-args';
import { tuneHeapForStreaming } from '../electron/core/heap-tuning';
import { DirectFileWriter } from '../devnet/provider/direct-io';

export interface BenchDevnetOptions {
  /** One entry per provider process: endorsed or not, batch store or not. */
  providers: { endorsed: boolean; batch: boolean }[];
  /** Seconds between blocks; absent: a block per transaction. */
  blockTime?: number;
}

export interface BenchProvider {
  providerId: number;
  url: string;
  endorsed: boolean;
  batch: boolean;
  adminToken: string;
}

function startProviderProcess(
  manifestFile: string,
  slot: number,
  options: BenchDevnetOptions['providers'][number],
  pollMs: number,
) {
  const args = [
    ...benchNodeArgs('provider'),
    builtPath('devnet', 'provider.js'),
    '--manifest',
    manifestFile,
    '--dev-slot',
    String(slot),
    '--poll-ms',
    String(pollMs),
  ];
  if (options.endorsed) args.push('--endorse-with', devAccount(DEV_ROLES.deployer).privateKey);
  if (!options.batch) args.push('--no-batch');
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'ignore'],
    // A provider makes a group of arrived pieces durable with their fsyncs side by side (a wave
    // of 64 pieces, their folders): with libuv's default 4 threads they ran four at a time.
    env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '16' },
  });
  return new Promise<{ child: ChildProcess; info: BenchProvider }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const info = JSON.parse(line) as Omit<BenchProvider, 'endorsed' | 'batch'>;
      resolve({ child, info: { ...info, endorsed: options.endorsed, batch: options.batch } });
    });
    child.once('exit', (code) => reject(new Error(`provider ${slot} exited (${code})`)));
  });
}

async function main(): Promise<void> {
  tuneHeapForStreaming();
  const options = JSON.parse(process.argv[2] ?? '{}') as BenchDevnetOptions;
  const devnet = await startDevnet({
    providers: 0,
    automine: options.blockTime === undefined,
    blockTime: options.blockTime,
  });
  const work = await mkdtemp(path.join(tmpdir(), 'coffer-bench-devnet-'));
  const manifestFile = path.join(work, 'network.json');
  await writeFile(manifestFile, JSON.stringify(devnet.manifest));
  // One after another: each registers itself from its own account, the owner endorses.
  const providers: Awaited<ReturnType<typeof startProviderProcess>>[] = [];
  for (const [slot, settings] of options.providers.entries())
    providers.push(await startProviderProcess(manifestFile, slot, settings, 100));

  const sink = createServer((request, response) => {
    void (async () => {
      const hash = createHash('sha256');
      const received = path.join(work, 'received');
      if (request.url?.endsWith('?direct')) {
        await rm(received, { force: true });
        const file = await DirectFileWriter.create(received);
        try {
          for await (const chunk of request as AsyncIterable<Buffer>) {
            hash.update(chunk);
            await file.write(chunk);
          }
          await file.finish();
          await file.file.sync();
        } finally {
          file.release();
          await file.file.close();
        }
      } else {
        const file = createWriteStream(received, { flush: true });
        for await (const chunk of request as AsyncIterable<Buffer>) {
          hash.update(chunk);
          if (!file.write(chunk)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
        }
        file.end();
        await finished(file);
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end(hash.digest('hex'));
    })().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  console.log(
    JSON.stringify({
      manifest: devnet.manifest,
      providers: providers.map((p) => p.info),
      sinkUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/sink`,
    }),
  );
  const stop = async () => {
    sink.close();
    await Promise.all(
      providers.map(
        ({ child }) =>
          new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM'))),
      ),
    );
    await devnet.stop();
    await rm(work, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
}

await main();
