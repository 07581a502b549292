/**
 * The other side of the upload benchmark, in a process of its own so the uploader's memory and
 * event loop are its own: the devnet (chain, storage providers — one without batch store) and the
 * raw baseline's sink (`PUT /sink`: hashes what arrives, writes it to disk, fsyncs, answers with
 * the sha-256). Prints one JSON line (manifest, providers, sink URL) and runs until stdin closes.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { startDevnet, type DevnetProviderOptions } from '../devnet/start-devnet';

export interface BenchDevnetOptions {
  providers: DevnetProviderOptions[];
  /** Seconds between blocks; absent: a block per transaction. */
  blockTime?: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as BenchDevnetOptions;
  const devnet = await startDevnet({
    providers: options.providers,
    automine: options.blockTime === undefined,
    blockTime: options.blockTime,
  });
  const sinkDir = await mkdtemp(path.join(tmpdir(), 'coffer-bench-sink-'));
  const sink = createServer((request, response) => {
    void (async () => {
      const hash = createHash('sha256');
      const file = createWriteStream(path.join(sinkDir, 'received'), { flush: true });
      for await (const chunk of request as AsyncIterable<Buffer>) {
        hash.update(chunk);
        if (!file.write(chunk)) await new Promise<void>((resolve) => file.once('drain', () => resolve()));
      }
      file.end();
      await finished(file);
      response.writeHead(200, { 'content-type': 'text/plain' }).end(hash.digest('hex'));
    })().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  console.log(
    JSON.stringify({
      manifest: devnet.manifest,
      providers: devnet.providers.map((p) => ({
        providerId: p.providerId,
        url: p.url,
        endorsed: p.endorsed,
        adminToken: p.adminToken,
      })),
      sinkUrl: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/sink`,
    }),
  );
  const stop = async () => {
    sink.close();
    await devnet.stop();
    await rm(sinkDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.resume();
  process.on('SIGTERM', () => void stop());
}

await main();
