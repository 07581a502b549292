/**
 * Hostile providers against the real ProviderClient and the real download path (downloadRoot):
 * answers that are malformed, oversized, slow, cut short, or that lie about which CIDs they are
 * for. The server below is a FAULT INJECTOR, not a provider: a real HTTP server on 127.0.0.1 whose
 * only job is to answer what a lying or broken provider would, which the devnet provider (being
 * honest) cannot be made to do for every case. Each property has a fixed seed and prints a count.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../shared/api/errors';
import { cidOf } from '../../../shared/pieces/cid';
import { encodeManifest } from '../../../shared/pieces/upload-manifest';
import { SignedQuote } from '../../../shared/provider/wire';
import { downloadRoot, type DownloadSource } from '../download/root-download';
import { ProviderClient, ProviderError } from './provider-client';

const FC_SEED = 5_151_2026;

type Answer = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** FAULT INJECTOR: answers every request with whatever `answer` says (see the top comment). */
async function startFaultInjector(): Promise<{
  url: string;
  set(answer: Answer): void;
  close(): Promise<void>;
}> {
  let answer: Answer = (_request, response) => response.writeHead(500).end();
  const server = http.createServer((request, response) => {
    request.resume();
    answer(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (next) => (answer = next),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const json =
  (body: unknown, status = 200): Answer =>
  (_request, response) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json' }).end(text);
  };

let injector: Awaited<ReturnType<typeof startFaultInjector>>;
let honest: Awaited<ReturnType<typeof startFaultInjector>>;
let client: ProviderClient;
let tempDir: string;

beforeAll(async () => {
  injector = await startFaultInjector();
  honest = await startFaultInjector();
  client = new ProviderClient({ url: injector.url, timeoutMs: 300 });
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-hostile-provider-'));
});
afterAll(async () => {
  await client?.close();
  await injector?.close();
  await honest?.close();
  await rm(tempDir, { recursive: true, force: true });
});

const payer = '0x' + '11'.repeat(20);
const pieces = [1, 2, 3].map((n) => {
  const bytes = new Uint8Array(100 + n).fill(n);
  return { cid: cidOf(bytes).toString(), size: bytes.length };
});
const signedQuoteFor = (cid: string) =>
  SignedQuote.parse({
    cid,
    quote: {
      provider: '0x' + '22'.repeat(20),
      payer,
      pieceDigest: '0x' + '33'.repeat(32),
      size: '101',
      price: '5',
      expiry: '9999999999',
      nonce: '0x' + '44'.repeat(32),
    },
    signature: '0x' + '55'.repeat(65),
    quoteDigest: '0x' + '66'.repeat(32),
  });

/** Every JSON call of the client, with what it asks for. */
const calls: [string, () => Promise<unknown>][] = [
  ['ping', () => client.ping()],
  ['quote', () => client.quote(payer, pieces)],
  ['storePiece', () => client.storePiece(payer, pieces[0]!, new Uint8Array(pieces[0]!.size))],
  ['pieceStatus', () => client.pieceStatus(pieces[0]!.cid)],
  ['pullStatus', () => client.pullStatus('p-1')],
  ['commitStatus', () => client.commitStatus('c-1')],
];

/** The call's outcome: 'ok', or the ProviderError code; anything else is thrown on. */
async function outcomeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    expect(error.message).toContain(injector.url);
    return error.code;
  }
}

describe('a provider answering garbage', () => {
  it('property: random JSON, random bytes and random error statuses are ProviderErrors, never crashes', async () => {
    const bodies = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.string({ maxLength: 100 }),
    );
    const answers = fc.tuple(fc.constantFrom(200, 201, 202, 400, 404, 409, 500, 502, 503, 507), bodies);
    const samples = fc.sample(fc.tuple(fc.nat(calls.length - 1), answers), { seed: FC_SEED, numRuns: 300 });
    const outcomes = new Map<string, number>();
    for (const [which, [status, body]] of samples) {
      injector.set(json(body, status));
      const outcome = await outcomeOf(calls[which]![1]);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log(
      `provider garbage: ${samples.length} inputs tried (seed ${FC_SEED}), ${outcomes.get('ok') ?? 0} accepted wrongly; ` +
        `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(outcomes.get('ok') ?? 0).toBe(0);
  });

  it('a JSON error body in the provider format carries its code; any other error body is BAD_RESPONSE', async () => {
    injector.set(json({ error: { code: 'OUT_OF_SPACE', message: 'full' } }, 507));
    await expect(client.ping()).rejects.toMatchObject({ code: 'OUT_OF_SPACE', status: 507 });
    injector.set(json({ error: { code: 7, message: ['x'] } }, 500));
    await expect(client.ping()).rejects.toMatchObject({ code: 'BAD_RESPONSE', status: 500 });
  });
});

describe('a provider lying about CIDs', () => {
  it('property: quotes for other pieces, in another order, too few or too many are BAD_RESPONSE', async () => {
    const stranger = cidOf(new Uint8Array([9, 9, 9])).toString();
    const asked = pieces.map((piece) => piece.cid);
    const lies = fc.oneof(
      fc
        .shuffledSubarray(asked, { minLength: 3, maxLength: 3 })
        .filter((order) => order.join() !== asked.join()),
      fc.shuffledSubarray(asked, { minLength: 0, maxLength: 2 }),
      fc.nat(2).map((at) => asked.map((cid, i) => (i === at ? stranger : cid))),
      fc.nat(3).map((at) => [...asked.slice(0, at), stranger, ...asked.slice(at)]),
      fc.constant([...asked, asked[0]!]),
    );
    const samples = fc.sample(lies, { seed: FC_SEED, numRuns: 60 });
    let wrong = 0;
    for (const cids of samples) {
      injector.set(json({ quotes: cids.map(signedQuoteFor) }));
      const outcome = await outcomeOf(() => client.quote(payer, pieces));
      if (outcome !== 'BAD_RESPONSE') wrong++;
    }
    // The honest answer, same server and same shape, goes through: the refusals are about the lie.
    injector.set(json({ quotes: asked.map(signedQuoteFor) }));
    expect(await client.quote(payer, pieces)).toHaveLength(3);
    console.log(
      `quote CID lies: ${samples.length} inputs tried (seed ${FC_SEED}), ${wrong} accepted wrongly`,
    );
    expect(wrong).toBe(0);
  });

  it('a batch store answering for fewer pieces than sent is BAD_RESPONSE', async () => {
    injector.set(
      json({
        results: [
          { cid: pieces[0]!.cid, ok: true, result: { cid: pieces[0]!.cid, size: 101, status: 'parked' } },
        ],
      }),
    );
    const items = pieces.map((piece) => ({ ...piece, body: new Uint8Array(piece.size) }));
    await expect(client.storeBatch(payer, items)).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});

describe('a provider answering too much, too slowly, or cut short', () => {
  it('an oversized JSON answer is refused without reading it all, declared or streamed', async () => {
    injector.set((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 64 * 1024 * 1024 });
      response.write('{"quotes":[');
    });
    await expect(client.quote(payer, pieces)).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringMatching(/larger than \d+ bytes/),
    });
    let sent = 0;
    injector.set((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const block = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!response.destroyed && sent < 256 * 1024 * 1024) {
          sent += block.length;
          if (!response.write(block)) return void response.once('drain', pump);
        }
      };
      response.write('{"x":"');
      pump();
    });
    await expect(client.ping()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    // The client stopped reading a few MiB in, not after the 256 MiB the provider would send.
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('an answer that never starts, or stalls mid-body, times out', async () => {
    injector.set(() => {});
    await expect(client.ping()).rejects.toMatchObject({ code: 'TIMEOUT' });
    injector.set((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      response.write('{"provider');
    });
    await expect(client.ping()).rejects.toMatchObject({ code: expect.stringMatching(/^(TIMEOUT|NETWORK)$/) });
  });

  it('an answer cut short (connection closed before its Content-Length) is a NETWORK error', async () => {
    injector.set((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      response.write('{"provider', () => response.destroy());
    });
    await expect(client.ping()).rejects.toMatchObject({ code: 'NETWORK' });
  });
});

describe('downloads from a lying provider', () => {
  const file = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff);
  const chunkSize = 1024;
  const chunks = [0, 1, 2].map((i) => file.subarray(i * chunkSize, (i + 1) * chunkSize));
  const manifest = encodeManifest({
    files: [
      {
        name: 'data.bin',
        size: file.length,
        mediaType: 'application/octet-stream',
        chunkSize,
        chunks: chunks.map((chunk) => cidOf(chunk).toString()),
      },
    ],
  });
  const byCid = new Map<string, Uint8Array>([
    [manifest.cid, manifest.bytes],
    ...chunks.map((chunk) => [cidOf(chunk).toString(), chunk] as const),
  ]);

  type Lie =
    | { kind: 'flip'; at: number; bit: number }
    | { kind: 'truncate'; keep: number }
    | { kind: 'extend'; extra: number }
    | { kind: 'swap' }
    | { kind: 'short-body' }
    | { kind: 'no-length' };

  /** Serves the pieces, lying in one way about the piece whose CID is `target`. */
  function piecesServer(lie: Lie | null, target: string | null): Answer {
    return (request, response) => {
      const match = /^\/v1\/pieces\/([a-z2-7]+)(\/status)?$/.exec(request.url ?? '');
      const bytes = match ? byCid.get(match[1]!) : undefined;
      if (!match || !bytes)
        return void json({ error: { code: 'NOT_FOUND', message: 'no' } }, 404)(request, response);
      if (match[2])
        return void json({ cid: match[1], status: 'parked', size: bytes.length, commitments: [] })(
          request,
          response,
        );
      let body = Buffer.from(bytes);
      if (lie && match[1] === target) {
        if (lie.kind === 'flip') body[lie.at % body.length]! ^= 1 << lie.bit;
        if (lie.kind === 'truncate') body = body.subarray(0, lie.keep % body.length);
        if (lie.kind === 'extend') body = Buffer.concat([body, Buffer.alloc(lie.extra, 1)]);
        if (lie.kind === 'swap') body = Buffer.from([...byCid.values()].find((other) => other !== bytes)!);
        if (lie.kind === 'short-body') {
          response.writeHead(200, { 'content-length': body.length });
          // The connection closes one byte short of the length it announced.
          return void response.write(body.subarray(0, body.length - 1), () => response.socket?.destroy());
        }
        if (lie.kind === 'no-length') {
          response.writeHead(200, { 'transfer-encoding': 'chunked' });
          return void response.end(body);
        }
      }
      response.writeHead(200, { 'content-length': body.length }).end(body);
    };
  }

  const lies: fc.Arbitrary<Lie> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(4096), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat(4096) }),
    fc.record({ kind: fc.constant('extend' as const), extra: fc.integer({ min: 1, max: 64 }) }),
    fc.constant({ kind: 'swap' as const }),
    fc.constant({ kind: 'short-body' as const }),
    fc.constant({ kind: 'no-length' as const }),
  );
  const source = (id: number, url: string): DownloadSource => ({
    provider: { id, address: `0x${String(id).repeat(40)}`, url, endorsed: true },
    client: new ProviderClient({ url, timeoutMs: 2000 }),
  });

  it('no holder of the root (or one answering garbage to the status call) → NOT_FOUND, nothing written', async () => {
    const destination = path.join(tempDir, 'nobody', 'data.bin');
    for (const answer of [
      json({ error: { code: 'UNKNOWN_PIECE', message: 'no' } }, 404),
      json('not a status'),
    ]) {
      injector.set(answer);
      const nobody = source(1, injector.url);
      await expect(
        downloadRoot({ root: manifest.cid, destination, sources: [nobody] }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
        message: expect.stringContaining(manifest.cid),
      });
      await nobody.client.close();
    }
    expect(await readdir(path.dirname(destination)).catch(() => [])).toEqual([]);
  });

  it('property: one lying holder → VERIFY_FAILED and nothing written; with an honest second holder → the exact file', async () => {
    honest.set(piecesServer(null, null));
    const liar = source(1, injector.url);
    const good = source(2, honest.url);
    const samples = fc.sample(fc.tuple(lies, fc.constantFrom(...byCid.keys())), {
      seed: FC_SEED,
      numRuns: 60,
    });
    let wrong = 0;
    for (const [n, [lie, target]] of samples.entries()) {
      injector.set(piecesServer(lie, target));
      const alone = path.join(tempDir, `alone-${n}`, 'data.bin');
      try {
        await downloadRoot({ root: manifest.cid, destination: alone, sources: [liar] });
        wrong++;
      } catch (error) {
        if (!(error instanceof CofferError) || error.code !== 'VERIFY_FAILED') throw error;
        // Nothing at the destination, not even a partial file.
        expect(await readdir(path.dirname(alone)).catch(() => [])).toEqual([]);
      }
      const helped = path.join(tempDir, `helped-${n}`, 'data.bin');
      const { manifest: got } = await downloadRoot({
        root: manifest.cid,
        destination: helped,
        sources: [liar, good],
      });
      expect(got.files[0]!.name).toBe('data.bin');
      if (!Buffer.from(await readFile(helped)).equals(Buffer.from(file))) wrong++;
    }
    await liar.client.close();
    await good.client.close();
    console.log(
      `download lies: ${samples.length * 2} downloads tried (seed ${FC_SEED}), ${wrong} accepted wrongly ` +
        `(flip, truncate, extend, swap, short body, no length; on the manifest and on chunks)`,
    );
    expect(wrong).toBe(0);
  });
});
