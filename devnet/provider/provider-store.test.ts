// The provider node's quote, store, batch-store, status and retrieval endpoints on a real anvil,
// driven through the ProviderClient (and raw requests for what a well-behaved client would never
// send): good input, every refusal with its code, what lands on disk, and the metrics moving.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import fc from 'fast-check';
import { recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainFor, quoteTypes } from '../../shared/chain/eip712';
import { BATCH_CONTENT_TYPE, encodeBatchHeader, quoteToWire } from '../../shared/provider/wire';
import { devProviderAccount } from '../chain/dev-accounts';
import { hostilePath } from '../../shared/test-support/hostile-paths';
import {
  bytesOf,
  promValue,
  randomPiece,
  refusal,
  rawRequest,
  refOf,
  startTestProvider,
  type TestPiece,
  TestPayer,
  type TestProvider,
} from '../test-support/provider-kit';
import { startTestChain, type TestChain } from '../test-support/test-chain';
import { DEFAULT_PRICE_PER_BYTE } from './start-provider';

let chain: TestChain;
/** Batch-capable, default limits. */
let full: TestProvider;
/** No batch, small limits, a fixed price. */
let small: TestProvider;
let payer: TestPayer;
let otherPayer: TestPayer;

const SMALL_LIMITS = { maxPieceBytes: 4096, maxBatchCount: 4, maxBatchBytes: 8192 };

beforeAll(async () => {
  chain = await startTestChain();
  [full, small] = await Promise.all([
    startTestProvider(chain, 0),
    startTestProvider(chain, 1, { batch: false, limits: SMALL_LIMITS, pricePerByte: 7n }),
  ]);
  payer = new TestPayer(chain, 0);
  otherPayer = new TestPayer(chain, 1);
  await payer.deposit();
});
afterAll(async () => {
  await Promise.all([full?.stop(), small?.stop()]);
  await chain?.stop();
});

async function quoted(provider: TestProvider, pieces: TestPiece[], who = payer) {
  return provider.client.quote(who.address, pieces.map(refOf));
}

/** Every piece file on disk, as relative path → sha-256. */
async function filesOnDisk(provider: TestProvider): Promise<Record<string, string>> {
  const root = path.join(provider.dataDir, 'pieces');
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(root, file)] = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
  }
  return out;
}

const tempFiles = (provider: TestProvider) => readdir(path.join(provider.dataDir, 'tmp'));

describe('ping', () => {
  it('says who the provider is, its price, and what it can do', async () => {
    const ping = await full.client.ping();
    expect(ping).toMatchObject({
      ok: true,
      provider: full.address,
      chainId: chain.chainId,
      pricePerByte: DEFAULT_PRICE_PER_BYTE.toString(),
      capabilities: { batch: true, pull: true },
      cache: { ttlMs: 600_000 },
    });
    expect(await small.client.ping()).toMatchObject({
      pricePerByte: '7',
      capabilities: { batch: false, ...SMALL_LIMITS },
    });
  });
});

describe('quotes', () => {
  it('signs one EIP-712 quote per piece, priced by bytes, that the vault recognises', async () => {
    const pieces = [randomPiece(100), randomPiece(3000, 'dag-cbor')];
    const before = Math.floor(Date.now() / 1000);
    const quotes = await quoted(small, pieces);
    expect(quotes.map((entry) => entry.cid)).toEqual(pieces.map((piece) => piece.cid));
    for (const [i, { quote, signature, quoteDigest }] of quotes.entries()) {
      expect(quote).toMatchObject({
        provider: small.address,
        pieceDigest: pieces[i]!.digest,
        size: BigInt(pieces[i]!.size),
        price: BigInt(pieces[i]!.size) * 7n,
      });
      expect(quote.payer.toLowerCase()).toBe(payer.address.toLowerCase());
      expect(Number(quote.expiry)).toBeGreaterThanOrEqual(before + 30 * 60 - 1);
      const signer = await recoverTypedDataAddress({
        domain: domainFor('paymentVault', chain.chainId, chain.contracts.paymentVault as `0x${string}`),
        types: quoteTypes,
        primaryType: 'Quote',
        message: quote,
        signature,
      });
      expect(signer).toBe(small.address);
      // Signed from the digest directly, it is the very signature signTypedData makes.
      expect(signature).toBe(
        await privateKeyToAccount(devProviderAccount(small.slot).privateKey).signTypedData({
          domain: domainFor('paymentVault', chain.chainId, chain.contracts.paymentVault as `0x${string}`),
          types: quoteTypes,
          primaryType: 'Quote',
          message: quote,
        }),
      );
      // The contract's own digest: the one QuotePaid will carry.
      expect(await payer.actor.contracts.paymentVault.read.quoteDigest([quote])).toBe(quoteDigest);
    }
    expect(quotes[0]!.quote.nonce).not.toBe(quotes[1]!.quote.nonce);
    expect(quoteToWire(quotes[0]!.quote).size).toBe('100');
  });

  it('refuses bad quote requests, saying what is wrong', async () => {
    const url = `${small.url}/v1/quotes`;
    const post = (body: string) =>
      rawRequest(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(body),
      });
    const piece = refOf(randomPiece(10));
    const cases: [string, string, number, string, RegExp][] = [
      ['not JSON', '{', 400, 'BAD_REQUEST', /not valid JSON/],
      ['no pieces', JSON.stringify({ payer: payer.address, pieces: [] }), 400, 'BAD_REQUEST', /pieces/],
      ['a bad payer', JSON.stringify({ payer: '0x12', pieces: [piece] }), 400, 'BAD_REQUEST', /payer/],
      [
        'a malformed CID',
        JSON.stringify({ payer: payer.address, pieces: [{ cid: '../../etc/passwd', size: 1 }] }),
        400,
        'BAD_REQUEST',
        /pieces\.0\.cid: .*not a CIDv1/,
      ],
      [
        'a negative size',
        JSON.stringify({ payer: payer.address, pieces: [{ ...piece, size: -1 }] }),
        400,
        'BAD_REQUEST',
        /pieces\.0\.size/,
      ],
      [
        'an oversized piece',
        JSON.stringify({ payer: payer.address, pieces: [{ ...piece, size: 4097 }] }),
        413,
        'PIECE_TOO_LARGE',
        /4097 bytes; the limit is 4096/,
      ],
      [
        'too many pieces',
        JSON.stringify({
          payer: payer.address,
          pieces: Array.from({ length: 5 }, () => refOf(randomPiece(1))),
        }),
        413,
        'BATCH_TOO_LARGE',
        /at most 4/,
      ],
      ['a body over 1 MiB', ' '.repeat(1024 * 1024 + 1), 413, 'BODY_TOO_LARGE', /exceeds/],
    ];
    for (const [what, body, status, code, message] of cases) {
      const response = await post(body);
      expect(response.status, what).toBe(status);
      expect(response.json.error?.code, what).toBe(code);
      expect(response.json.error?.message, what).toMatch(message);
    }
  });
});

describe('single store', () => {
  it('caches an unpaid piece, parks it once paid, and keeps its verified bytes content-addressed', async () => {
    const piece = randomPiece(2500);
    const quotes = await quoted(small, [piece]);
    const stored = await small.client.storePiece(payer.address, refOf(piece), piece.bytes);
    expect(stored).toMatchObject({ cid: piece.cid, size: 2500, status: 'cached-unpaid' });
    expect(stored.expiresAt).toBeGreaterThan(Date.now() + 9 * 60_000);
    const onDisk = path.join(small.dataDir, 'pieces', piece.digest.slice(2, 4), piece.digest.slice(2));
    expect(
      createHash('sha256')
        .update(await readFile(onDisk))
        .digest('hex'),
    ).toBe(piece.digest.slice(2));

    await payer.pay(quotes);
    await expect
      .poll(async () => (await small.client.pieceStatus(piece.cid, payer.address)).status)
      .toBe('parked');
    expect(await small.client.pieceStatus(piece.cid)).toMatchObject({
      status: 'parked',
      size: 2500,
      commitments: [],
    });
  });

  it('streams a body it reads chunk by chunk', async () => {
    const piece = randomPiece(3000);
    await quoted(small, [piece]);
    async function* slowly() {
      for (let at = 0; at < piece.size; at += 700) yield piece.bytes.subarray(at, at + 700);
    }
    expect(await small.client.storePiece(payer.address, refOf(piece), slowly())).toMatchObject({
      status: 'cached-unpaid',
    });
  });

  it('refuses a piece that was not quoted to this payer, or at another size', async () => {
    const piece = randomPiece(100);
    let error = await refusal(small.client.storePiece(payer.address, refOf(piece), piece.bytes));
    expect(error).toMatchObject({ status: 403, code: 'NOT_QUOTED', providerUrl: small.url });
    expect(error.message).toMatch(/has not been quoted for payer .* ask for a quote/);
    await quoted(small, [piece], otherPayer);
    error = await refusal(small.client.storePiece(payer.address, refOf(piece), piece.bytes));
    expect(error.code).toBe('NOT_QUOTED');
    await quoted(small, [piece]);
    const padded = Uint8Array.of(...piece.bytes, 0);
    error = await refusal(small.client.storePiece(payer.address, { cid: piece.cid, size: 101 }, padded));
    expect(error).toMatchObject({ status: 400, code: 'SIZE_MISMATCH' });
    expect(error.message).toMatch(/quoted as 100 bytes, but this store says 101/);
    expect((await small.client.pieceStatus(piece.cid, payer.address)).status).toBe('unknown');
  });

  it('refuses bytes that do not match the CID, keeping nothing of them', async () => {
    const piece = randomPiece(2000);
    await quoted(small, [piece]);
    const wrong = Uint8Array.from(piece.bytes);
    wrong[1999]! ^= 1;
    const error = await refusal(small.client.storePiece(payer.address, refOf(piece), wrong));
    expect(error).toMatchObject({ status: 400, code: 'CID_MISMATCH' });
    expect(error.message).toMatch(/do not match piece/);
    expect((await small.client.pieceStatus(piece.cid)).status).toBe('unknown');
    expect(await tempFiles(small)).toEqual([]);
    expect(await filesOnDisk(small)).not.toHaveProperty(
      path.join(piece.digest.slice(2, 4), piece.digest.slice(2)),
    );
  });

  it('refuses bodies longer or shorter than the size, and oversized bodies before reading them', async () => {
    const piece = randomPiece(1000);
    await quoted(small, [piece]);
    const put = (size: number, body: Uint8Array[], headers: Record<string, string> = {}) =>
      rawRequest(`${small.url}/v1/pieces/${piece.cid}?payer=${payer.address}&size=${size}`, {
        method: 'PUT',
        headers,
        body,
      });
    // Chunked, so only the streaming check can catch it.
    let response = await put(1000, [piece.bytes, new Uint8Array(5)]);
    expect([response.status, response.json.error?.code]).toEqual([400, 'SIZE_MISMATCH']);
    expect(response.json.error?.message).toMatch(/more than the 1000 bytes/);
    response = await put(1000, [piece.bytes.subarray(0, 600)]);
    expect([response.status, response.json.error?.code]).toEqual([400, 'SIZE_MISMATCH']);
    expect(response.json.error?.message).toMatch(/ended after 600 of 1000 bytes/);
    response = await put(1000, [new Uint8Array(999)], { 'content-length': '999' });
    expect(response.json.error?.message).toMatch(/the body is 999 bytes but size says 1000/);
    response = await put(1000, [], { 'content-length': String(10 * 1024 * 1024) });
    expect([response.status, response.json.error?.code]).toEqual([413, 'BODY_TOO_LARGE']);
    // Not quoted at this size, and over the limit: refused on the declared size alone.
    response = await put(5000, [new Uint8Array(5000)]);
    expect([response.status, response.json.error?.code]).toEqual([413, 'PIECE_TOO_LARGE']);
    expect((await small.client.pieceStatus(piece.cid)).status).toBe('unknown');
    expect(await tempFiles(small)).toEqual([]);
  });

  it('refuses malformed CIDs, path traversal, bad parameters, wrong methods and unknown routes', async () => {
    const piece = randomPiece(10);
    const base = small.url;
    const cases: [string, string, string, number, string][] = [
      ['PUT', `/v1/pieces/not-a-cid?payer=${payer.address}&size=10`, 'a malformed CID', 400, 'INVALID_CID'],
      [
        'PUT',
        `/v1/pieces/..%2F..%2Fetc%2Fpasswd?payer=${payer.address}&size=10`,
        'an encoded path',
        400,
        'INVALID_CID',
      ],
      ['GET', '/v1/pieces/%2e%2e%2f%2e%2e%2fprovider.sqlite', 'an encoded traversal', 400, 'INVALID_CID'],
      ['GET', '/v1/pieces/%zz', 'bad percent-encoding', 400, 'INVALID_CID'],
      ['GET', '/v1/pieces/../../provider.sqlite', 'a dot-dot path', 404, 'NOT_FOUND'],
      ['GET', `/v1/pieces/${piece.cid}/status?payer=nobody`, 'a bad payer', 400, 'BAD_REQUEST'],
      ['PUT', `/v1/pieces/${piece.cid}?size=10`, 'no payer', 400, 'BAD_REQUEST'],
      ['PUT', `/v1/pieces/${piece.cid}?payer=${payer.address}`, 'no size', 400, 'BAD_REQUEST'],
      ['PUT', `/v1/pieces/${piece.cid}?payer=${payer.address}&size=1e3`, 'a bad size', 400, 'BAD_REQUEST'],
      ['DELETE', `/v1/pieces/${piece.cid}`, 'a wrong method', 405, 'METHOD_NOT_ALLOWED'],
      ['GET', '/v1/nothing-here', 'an unknown route', 404, 'NOT_FOUND'],
      ['GET', '/v1/pulls/..%2f..', 'a bad pull id', 404, 'UNKNOWN_PULL'],
      ['GET', '/v1/commits/1234', 'a bad commit id', 404, 'UNKNOWN_COMMIT'],
    ];
    for (const [method, target, what, status, code] of cases) {
      const response = await rawRequest(`${base}${target}`, { method });
      expect([response.status, response.json.error?.code], what).toEqual([status, code]);
      expect(response.json.error?.message.length, what).toBeGreaterThan(10);
    }
  });
});

describe('batch store', () => {
  it('stores many pieces in one request with a result per piece', async () => {
    const pieces = [randomPiece(1000), randomPiece(0), randomPiece(5000, 'dag-cbor'), randomPiece(1)];
    await quoted(full, pieces);
    const results = await full.client.storeBatch(
      payer.address,
      pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
    );
    expect(results.map((result) => [result.cid, result.ok && result.status])).toEqual(
      pieces.map((piece) => [piece.cid, 'cached-unpaid']),
    );
    for (const piece of pieces)
      expect(Buffer.from(await bytesOf((await full.client.retrieve(piece.cid)).body))).toEqual(
        Buffer.from(piece.bytes),
      );
  });

  it('fails a bad piece alone: not quoted, wrong bytes, bad CID, too large — the rest are stored', async () => {
    const good = [randomPiece(300), randomPiece(400), randomPiece(500)];
    const notQuoted = randomPiece(200);
    const wrongBytes = randomPiece(250);
    const tooLarge = randomPiece(20 * 1024 * 1024 + 1);
    await quoted(full, [...good, wrongBytes]);
    const flipped = Uint8Array.from(wrongBytes.bytes);
    flipped[0]! ^= 0xff;
    const items = [
      { ...refOf(good[0]!), body: good[0]!.bytes },
      { ...refOf(notQuoted), body: notQuoted.bytes },
      { ...refOf(good[1]!), body: good[1]!.bytes },
      { ...refOf(wrongBytes), body: flipped },
      { ...refOf(tooLarge), body: tooLarge.bytes },
      { ...refOf(good[2]!), body: good[2]!.bytes },
    ];
    const header = encodeBatchHeader([...items, { cid: 'bafy-not-a-cid', size: 3 }]);
    const body = [header, ...items.map((item) => item.body), new Uint8Array(3)];
    const response = await rawRequest(`${full.url}/v1/pieces/batch?payer=${payer.address}`, {
      method: 'POST',
      headers: { 'content-type': BATCH_CONTENT_TYPE },
      body,
    });
    expect(response.status).toBe(200);
    const results = response.json.results as { ok: boolean; cid: string; error?: { code: string } }[];
    expect(results.map((result) => (result.ok ? 'ok' : result.error!.code))).toEqual([
      'ok',
      'NOT_QUOTED',
      'ok',
      'CID_MISMATCH',
      'PIECE_TOO_LARGE',
      'ok',
      'INVALID_CID',
    ]);
    for (const piece of good) expect((await full.client.pieceStatus(piece.cid)).status).toBe('cached-unpaid');
    for (const piece of [notQuoted, wrongBytes, tooLarge])
      expect((await full.client.pieceStatus(piece.cid)).status).toBe('unknown');
    expect(await tempFiles(full)).toEqual([]);
  }, 30_000);

  it('fails the pieces a truncated body cut off, keeping those that came whole', async () => {
    const pieces = [randomPiece(600), randomPiece(600), randomPiece(600)];
    await quoted(full, pieces);
    const body = [encodeBatchHeader(pieces.map(refOf)), pieces[0]!.bytes, pieces[1]!.bytes.subarray(0, 300)];
    const response = await rawRequest(`${full.url}/v1/pieces/batch?payer=${payer.address}`, {
      method: 'POST',
      body,
    });
    const results = response.json.results as { ok: boolean; error?: { code: string; message: string } }[];
    expect(results.map((result) => (result.ok ? 'ok' : result.error!.code))).toEqual([
      'ok',
      'TRUNCATED',
      'TRUNCATED',
    ]);
    expect(results[1]!.error!.message).toMatch(/ended inside piece/);
    expect((await full.client.pieceStatus(pieces[0]!.cid)).status).toBe('cached-unpaid');
    expect((await full.client.pieceStatus(pieces[1]!.cid)).status).toBe('unknown');
  });

  it('refuses broken framing and batches over the limits', async () => {
    const post = (body: Uint8Array[], headers: Record<string, string> = {}) =>
      rawRequest(`${full.url}/v1/pieces/batch?payer=${payer.address}`, { method: 'POST', headers, body });
    const prefix = (n: number) => {
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, n);
      return bytes;
    };
    const many = Array.from({ length: 129 }, () => refOf(randomPiece(1)));
    const huge = [
      { ...refOf(randomPiece(1)), size: 200 * 1024 * 1024 },
      { ...refOf(randomPiece(1)), size: 100 * 1024 * 1024 },
    ];
    const cases: [string, Uint8Array[], Record<string, string>, number, string, RegExp][] = [
      ['an empty body', [], {}, 400, 'BAD_FRAMING', /ended inside the header/],
      ['a zero header length', [prefix(0)], {}, 400, 'BAD_FRAMING', /header length 0/],
      ['a huge header length', [prefix(2 ** 31)], {}, 400, 'BAD_FRAMING', /header length/],
      [
        'a header that is not JSON',
        [prefix(3), Buffer.from('{{{')],
        {},
        400,
        'BAD_FRAMING',
        /not valid JSON/,
      ],
      ['a header of the wrong shape', [prefix(2), Buffer.from('{}')], {}, 400, 'BAD_FRAMING', /pieces/],
      ['too many pieces', [encodeBatchHeader(many)], {}, 413, 'BATCH_TOO_LARGE', /at most 128 pieces/],
      ['too many bytes', [encodeBatchHeader(huge)], {}, 413, 'BATCH_TOO_LARGE', /at most 268435456 bytes/],
      [
        'the wrong content type',
        [prefix(0)],
        { 'content-type': 'text/plain' },
        400,
        'BAD_FRAMING',
        /not text\/plain/,
      ],
    ];
    for (const [what, body, headers, status, code, message] of cases) {
      const response = await post(body, headers);
      expect([response.status, response.json.error?.code], what).toEqual([status, code]);
      expect(response.json.error?.message, what).toMatch(message);
    }
    // Bytes after the last declared piece: the framing is wrong, but what was verified is kept.
    const piece = randomPiece(50);
    await quoted(full, [piece]);
    const response = await post([encodeBatchHeader([refOf(piece)]), piece.bytes, new Uint8Array(10)]);
    expect([response.status, response.json.error?.code]).toEqual([400, 'BAD_FRAMING']);
    expect(response.json.error?.details?.results).toEqual([
      expect.objectContaining({ ok: true, cid: piece.cid }),
    ]);
  });

  it('answers 501 BATCH_UNSUPPORTED where batch is off, so the client falls back', async () => {
    const piece = randomPiece(10);
    await quoted(small, [piece]);
    const error = await refusal(
      small.client.storeBatch(payer.address, [{ ...refOf(piece), body: piece.bytes }]),
    );
    expect(error).toMatchObject({ status: 501, code: 'BATCH_UNSUPPORTED' });
    expect(error.message).toMatch(/store pieces one by one/);
    expect(await small.client.storePiece(payer.address, refOf(piece), piece.bytes)).toMatchObject({
      status: 'cached-unpaid',
    });
  });

  it('leaves the same stored state as single stores of the same pieces', async () => {
    const [batched, single] = await Promise.all([startTestProvider(chain, 2), startTestProvider(chain, 3)]);
    try {
      const pieces = [randomPiece(700), randomPiece(0), randomPiece(1500, 'dag-cbor'), randomPiece(33)];
      const quotes = [...(await quoted(batched, pieces)), ...(await quoted(single, pieces))];
      const results = await batched.client.storeBatch(
        payer.address,
        pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
      );
      const singles = [];
      for (const piece of pieces)
        singles.push(await single.client.storePiece(payer.address, refOf(piece), piece.bytes));
      const strip = ({ expiresAt: _, ...rest }: { expiresAt?: number; ok?: boolean }) => {
        delete rest.ok;
        return rest;
      };
      expect(results.map(strip)).toEqual(singles.map(strip));
      expect(await filesOnDisk(batched)).toEqual(await filesOnDisk(single));
      expect(Object.keys(await filesOnDisk(single))).toHaveLength(4);
      await payer.pay(quotes);
      for (const piece of pieces)
        await expect
          .poll(async () => [
            await batched.client.pieceStatus(piece.cid, payer.address),
            await single.client.pieceStatus(piece.cid, payer.address),
          ])
          .toEqual([
            { cid: piece.cid, size: piece.size, status: 'parked', commitments: [] },
            { cid: piece.cid, size: piece.size, status: 'parked', commitments: [] },
          ]);
      expect(batched.metrics().piecesStored).toEqual({ batch: 4 });
      expect(single.metrics().piecesStored).toEqual({ single: 4 });
    } finally {
      await Promise.all([batched.stop(), single.stop()]);
    }
  });
});

describe('piece status and retrieval', () => {
  let piece: TestPiece;
  beforeAll(async () => {
    piece = randomPiece(1000);
    await quoted(full, [piece]);
    await full.client.storePiece(payer.address, refOf(piece), piece.bytes);
  });

  it('says unknown for a piece it does not hold, and per payer', async () => {
    expect(await full.client.pieceStatus(randomPiece(5).cid)).toEqual({
      cid: expect.any(String),
      status: 'unknown',
      commitments: [],
    });
    expect((await full.client.pieceStatus(piece.cid, otherPayer.address)).status).toBe('unknown');
    expect((await full.client.pieceStatus(piece.cid, payer.address)).status).toBe('cached-unpaid');
  });

  it('serves the whole piece, and byte ranges with 206 (even while it is unpaid)', async () => {
    const whole = await full.client.retrieve(piece.cid);
    expect(whole).toMatchObject({ status: 200, size: 1000, start: 0, end: 999 });
    expect(Buffer.from(await bytesOf(whole.body))).toEqual(Buffer.from(piece.bytes));
    for (const [range, start, end] of [
      [{ start: 100, end: 199 }, 100, 199],
      [{ start: 990 }, 990, 999],
      [{ start: 0, end: 5000 }, 0, 999],
    ] as const) {
      const part = await full.client.retrieve(piece.cid, range);
      expect(part).toMatchObject({ status: 206, size: 1000, start, end });
      expect(Buffer.from(await bytesOf(part.body))).toEqual(
        Buffer.from(piece.bytes.subarray(start, end + 1)),
      );
    }
    const raw = await rawRequest(`${full.url}/v1/pieces/${piece.cid}`, { headers: { range: 'bytes=-10' } });
    expect(raw.status).toBe(206);
    expect(raw.headers).toMatchObject({
      'content-range': 'bytes 990-999/1000',
      'content-length': '10',
      'accept-ranges': 'bytes',
      etag: `"${piece.cid}"`,
    });
  });

  it('serves several whole pieces one after another in one answer, and refuses what it cannot', async () => {
    const more = [randomPiece(2000), randomPiece(0)];
    await quoted(full, more);
    for (const each of more) await full.client.storePiece(payer.address, refOf(each), each.bytes);
    const asked = [more[0]!, piece, more[1]!, piece];
    const body = await full.client.retrievePieces(asked.map((each) => each.cid));
    expect(Buffer.from(await bytesOf(body))).toEqual(Buffer.concat(asked.map((each) => each.bytes)));
    const missing = randomPiece(3);
    expect(await refusal(full.client.retrievePieces([piece.cid, missing.cid]))).toMatchObject({
      status: 404,
      code: 'UNKNOWN_PIECE',
      message: expect.stringContaining(missing.cid),
    });
    expect(await refusal(full.client.retrievePieces([]))).toMatchObject({ status: 400 });
    expect(await refusal(full.client.retrievePieces([piece.cid, 'bafy-not-a-cid']))).toMatchObject({
      status: 400,
      code: 'INVALID_CID',
    });
  });

  it('answers 416 for a range outside the piece and 404 for a piece it does not hold', async () => {
    const error = await refusal(full.client.retrieve(piece.cid, { start: 1000 }));
    expect(error).toMatchObject({ status: 416, code: 'RANGE_NOT_SATISFIABLE' });
    const missing = randomPiece(3);
    expect(await refusal(full.client.retrieve(missing.cid))).toMatchObject({
      status: 404,
      code: 'UNKNOWN_PIECE',
    });
  });
});

describe('hostile paths', () => {
  it('property: no route, method or traversal path reads or writes outside the pieces (fixed seed)', async () => {
    const FC_SEED = 3_141_2026;
    const SECRET = 'provider-secret-marker-91d2';
    await writeFile(path.join(full.dataDir, 'secret.txt'), SECRET);
    const stored = randomPiece(50);
    await quoted(full, [stored]);
    await full.client.storePiece(payer.address, refOf(stored), stored.bytes);
    const before = await readdir(full.dataDir, { recursive: true });
    const port = new URL(full.url).port;
    const requests = fc.tuple(
      fc.constantFrom('GET', 'PUT', 'HEAD', 'POST', 'DELETE'),
      fc.constantFrom('/v1/pieces', '/v1/pieces/batch', '/v1/pulls', '/v1/commits', '/v1', ''),
      hostilePath([stored.cid, 'secret.txt', 'provider.sqlite', 'pieces', 'status']),
    );
    const samples = fc.sample(requests, { seed: FC_SEED, numRuns: 300 });
    const statuses = new Map<number, number>();
    let leaked = 0;
    for (const [method, prefix, hostile] of samples) {
      // Sent as is: a URL string would have its dot segments resolved before it left.
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const query = `?payer=${payer.address}&size=10`;
        const request = http.request(
          { host: '127.0.0.1', port, method, path: `${prefix}${hostile}${query}` },
          (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on('error', reject);
        request.end(method === 'PUT' || method === 'POST' ? Buffer.alloc(10, 1) : undefined);
      });
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.body.includes(SECRET) || answer.body.includes('SQLite format 3')) leaked++;
    }
    const after = await readdir(full.dataDir, { recursive: true });
    const created = after.filter((entry) => !before.includes(entry) && !/^(tmp|pieces)\b/.test(entry));
    console.log(
      `provider paths: ${samples.length} inputs tried (seed ${FC_SEED}), ${leaked} leaked, ` +
        `${created.length} files created outside pieces/ and tmp/; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(leaked).toBe(0);
    expect(created).toEqual([]);
    // The same server does serve what it holds: the refusals are about the paths.
    expect((await rawRequest(`${full.url}/v1/pieces/${stored.cid}`)).status).toBe(200);
  });
});

describe('metrics', () => {
  it('count bytes, batches, latencies per route and errors by code as requests arrive', async () => {
    const before = full.metrics();
    const textBefore = await full.client.metricsText();
    const pieces = [randomPiece(1234), randomPiece(4321)];
    await quoted(full, pieces);
    await full.client.storeBatch(
      payer.address,
      pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
    );
    await bytesOf((await full.client.retrieve(pieces[0]!.cid)).body);
    await refusal(full.client.retrieve(randomPiece(1).cid));
    const after = full.metrics();
    const text = await full.client.metricsText();

    expect(after.batchRequests - before.batchRequests).toBe(1);
    expect(after.batchPieces - before.batchPieces).toBe(2);
    expect(after.batchBytes - before.batchBytes).toBe(1234 + 4321);
    expect(after.bytesIn - before.bytesIn).toBeGreaterThan(1234 + 4321);
    expect(after.bytesOut - before.bytesOut).toBeGreaterThanOrEqual(1234);
    expect((after.errors.UNKNOWN_PIECE ?? 0) - (before.errors.UNKNOWN_PIECE ?? 0)).toBe(1);
    expect(after.cachePieces - before.cachePieces).toBe(2);
    expect(after.cacheBytes - before.cacheBytes).toBe(1234 + 4321);
    expect(after.requests.store_batch!.count - (before.requests.store_batch?.count ?? 0)).toBe(1);

    // The Prometheus text says the same.
    const delta = (sample: string) => (promValue(text, sample) ?? 0) - (promValue(textBefore, sample) ?? 0);
    expect(delta('coffer_provider_batch_pieces_sum')).toBe(2);
    expect(delta('coffer_provider_batch_bytes_count')).toBe(1);
    expect(delta('coffer_provider_cache_bytes')).toBe(1234 + 4321);
    expect(delta('coffer_provider_errors_total{code="UNKNOWN_PIECE"}')).toBe(1);
    expect(delta('coffer_provider_request_duration_seconds_count{route="store_batch"}')).toBe(1);
    expect(promValue(text, 'coffer_provider_bytes_in_total')).toBe(after.bytesIn);
    expect(text).toMatch(/^# TYPE coffer_provider_request_duration_seconds histogram$/m);
  });
});
