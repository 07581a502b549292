// Provider-to-provider pulls on a real anvil: a puller fetches pieces from a source provider's
// retrieval URL, authorised only by the payer's AddPieces signature for the puller; every CID is
// verified while it streams; a lying source (wrong bytes, cut short, too slow, missing piece,
// unreachable) fails those pieces and nothing it sent is kept; progress is queryable, also after
// a restart.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddPiecesAuthorization, PullProgress } from '../../shared/provider/wire';
import { devUserAccount } from '../chain/dev-accounts';
import {
  bytesOf,
  randomPiece,
  rawRequest,
  refusal,
  refOf,
  startTestProvider,
  type TestPiece,
  TestPayer,
  type TestProvider,
} from '../test-support/provider-kit';
import { startTestChain, type TestChain } from '../test-support/test-chain';

let chain: TestChain;
let source: TestProvider;
let puller: TestProvider;
let payer: TestPayer;
let stranger: TestPayer;
const CLIENT_DATA_SET = 7n;

beforeAll(async () => {
  chain = await startTestChain();
  [source, puller] = await Promise.all([
    startTestProvider(chain, 0),
    startTestProvider(chain, 1, { pullPieceTimeoutMs: 800 }),
  ]);
  payer = new TestPayer(chain, 0);
  stranger = new TestPayer(chain, 1);
  await payer.deposit();
});
afterAll(async () => {
  await Promise.all([source?.stop(), puller?.stop()]);
  await chain?.stop();
});

/** Pieces stored on the source and quoted by the puller; pays both sides unless told not to. */
async function prepare(pieces: TestPiece[], options: { pay?: boolean } = {}) {
  const refs = pieces.map(refOf);
  const quotes = [
    ...(await source.client.quote(payer.address, refs)),
    ...(await puller.client.quote(payer.address, refs)),
  ];
  await source.client.storeBatch(
    payer.address,
    pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
  );
  if (options.pay ?? true) await payer.pay(quotes);
}

const authorize = (pieces: TestPiece[], options: Parameters<TestPayer['signAddPieces']>[3] = {}) =>
  payer.signAddPieces(
    puller.address,
    CLIENT_DATA_SET,
    pieces.map((piece) => piece.digest),
    options,
  );

function pull(
  pieces: TestPiece[],
  authorization: AddPiecesAuthorization,
  overrides: { sourceUrl?: string; clientDataSetId?: string } = {},
) {
  return puller.client.pull({
    sourceUrl: overrides.sourceUrl ?? source.url,
    payer: payer.address,
    clientDataSetId: overrides.clientDataSetId ?? CLIENT_DATA_SET.toString(),
    pieces: pieces.map(refOf),
    authorization,
  });
}

async function settled(pullId: string, provider = puller): Promise<PullProgress> {
  let progress = await provider.client.pullStatus(pullId);
  await expect
    .poll(async () => (progress = await provider.client.pullStatus(pullId)).state, { timeout: 10_000 })
    .not.toBe('running');
  return progress;
}

/** Requests a provider has answered on `route`. */
const served = (metrics: ReturnType<TestProvider['metrics']>, route: 'retrieve' | 'retrieve_batch') =>
  metrics.requests[route]?.count ?? 0;

const pullerHolds = async (piece: TestPiece) =>
  (await puller.client.pieceStatus(piece.cid, payer.address)).status;

describe('a pull', () => {
  it('fetches, verifies and parks the pieces, with per-piece progress', async () => {
    const pieces = [randomPiece(3000), randomPiece(0), randomPiece(70_000, 'dag-cbor')];
    await prepare(pieces);
    const before = puller.metrics();
    const sourceBefore = source.metrics();
    const started = await pull(pieces, await authorize(pieces));
    expect(started).toMatchObject({
      state: 'running',
      sourceUrl: source.url,
      payer: payer.address.toLowerCase(),
    });
    expect(started.pieces.map((item) => item.cid)).toEqual(pieces.map((piece) => piece.cid));

    const done = await settled(started.pullId);
    expect(done.state).toBe('complete');
    expect(done.pieces.map(({ state, bytes }) => ({ state, bytes }))).toEqual(
      pieces.map((piece) => ({ state: 'parked', bytes: piece.size })),
    );
    for (const piece of pieces) {
      expect(await pullerHolds(piece)).toBe('parked');
      expect(Buffer.from(await bytesOf((await puller.client.retrieve(piece.cid)).body))).toEqual(
        Buffer.from(piece.bytes),
      );
    }
    const after = puller.metrics();
    expect(after.piecesStored.pull! - (before.piecesStored.pull ?? 0)).toBe(3);
    expect(after.pulls.complete! - (before.pulls.complete ?? 0)).toBe(1);
    expect(after.bytesIn - before.bytesIn).toBeGreaterThanOrEqual(73_000);
    expect(source.metrics().bytesOut - sourceBefore.bytesOut).toBeGreaterThanOrEqual(73_000);
    // All three in one read request, none one by one.
    expect(served(source.metrics(), 'retrieve_batch') - served(sourceBefore, 'retrieve_batch')).toBe(1);
    expect(served(source.metrics(), 'retrieve') - served(sourceBefore, 'retrieve')).toBe(0);
  });

  it('reads a run of sixteen pieces with one request', async () => {
    const pieces = Array.from({ length: 20 }, (_, i) => randomPiece(1000 + i));
    await prepare(pieces);
    const sourceBefore = source.metrics();
    const done = await settled((await pull(pieces, await authorize(pieces))).pullId);
    expect(done.pieces.map((item) => item.state)).toEqual(Array(20).fill('parked'));
    expect(served(source.metrics(), 'retrieve_batch') - served(sourceBefore, 'retrieve_batch')).toBe(2);
    expect(served(source.metrics(), 'retrieve') - served(sourceBefore, 'retrieve')).toBe(0);
  });

  it('caches pieces whose payment has not been seen yet, and promotes them when it is', async () => {
    const pieces = [randomPiece(500)];
    const refs = pieces.map(refOf);
    const pullerQuotes = await puller.client.quote(payer.address, refs);
    await payer.pay(await source.client.quote(payer.address, refs));
    await source.client.storePiece(payer.address, refs[0]!, pieces[0]!.bytes);
    const done = await settled((await pull(pieces, await authorize(pieces))).pullId);
    expect(done.pieces[0]!.state).toBe('cached-unpaid');
    await payer.pay(pullerQuotes);
    await expect.poll(() => pullerHolds(pieces[0]!)).toBe('parked');
  });

  it('shows progress while it runs', async () => {
    const pieces = [randomPiece(100)];
    await prepare(pieces);
    source.setFaults({ latencyMs: 300 });
    try {
      const started = await pull(pieces, await authorize(pieces));
      const running = await puller.client.pullStatus(started.pullId);
      expect(running.state).toBe('running');
      expect(['pending', 'fetching']).toContain(running.pieces[0]!.state);
      expect((await settled(started.pullId)).state).toBe('complete');
    } finally {
      source.setFaults({});
    }
  });

  it('answers a status request that may wait when the pull ends, and at once when it is over', async () => {
    const pieces = [randomPiece(100)];
    await prepare(pieces);
    source.setFaults({ latencyMs: 400 });
    let started;
    try {
      started = await pull(pieces, await authorize(pieces));
      const asked = Date.now();
      const done = await puller.client.pullStatus(started.pullId, { waitMs: 8_000 });
      expect(done.state).toBe('complete');
      expect(Date.now() - asked).toBeLessThan(4_000);
    } finally {
      source.setFaults({});
    }
    const asked = Date.now();
    expect((await puller.client.pullStatus(started.pullId, { waitMs: 8_000 })).state).toBe('complete');
    expect(Date.now() - asked).toBeLessThan(1_000);
    for (const bad of ['abc', '-1', '10001', '1.5'])
      expect((await rawRequest(`${puller.url}/v1/pulls/${started.pullId}?waitMs=${bad}`)).json).toMatchObject(
        { error: { code: 'BAD_REQUEST', message: expect.stringMatching(/waitMs/) } },
      );
  });

  it('refuses duplicate pieces, too many pieces and unknown pull ids', async () => {
    const piece = randomPiece(10);
    let error = await refusal(pull([piece, piece], await authorize([piece])));
    expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    const many = Array.from({ length: 129 }, () => randomPiece(1));
    error = await refusal(pull(many, await authorize(many)));
    expect(error).toMatchObject({ status: 413, code: 'BATCH_TOO_LARGE' });
    error = await refusal(puller.client.pullStatus('0'.repeat(32)));
    expect(error).toMatchObject({ status: 404, code: 'UNKNOWN_PULL' });
  });
});

describe('an unauthorised pull', () => {
  let pieces: TestPiece[];
  beforeAll(async () => {
    pieces = [randomPiece(200), randomPiece(300)];
    await prepare(pieces);
  });

  const cases: [
    string,
    () => Promise<{ auth: AddPiecesAuthorization; clientDataSetId?: string }>,
    string,
    RegExp,
  ][] = [
    [
      'signed by someone else',
      async () => ({ auth: await authorize(pieces, { signer: chain.as(devUserAccount(1)) }) }),
      'BAD_AUTHORIZATION',
      /not payer 0x[0-9a-f]{40}'s for this provider/,
    ],
    [
      'signed for another provider',
      async () => ({
        auth: await payer.signAddPieces(
          source.address,
          CLIENT_DATA_SET,
          pieces.map((piece) => piece.digest),
        ),
      }),
      'BAD_AUTHORIZATION',
      /for this provider/,
    ],
    [
      'signed for another chain',
      async () => ({ auth: await authorize(pieces, { chainId: 1 }) }),
      'BAD_AUTHORIZATION',
      /on chain 31337/,
    ],
    [
      'signed for another client data set',
      async () => ({ auth: await authorize(pieces), clientDataSetId: '8' }),
      'BAD_AUTHORIZATION',
      /client data set 8/,
    ],
    [
      'expired',
      async () => ({
        auth: await authorize(pieces, { deadline: BigInt(Math.floor(Date.now() / 1000) - 60) }),
      }),
      'AUTHORIZATION_EXPIRED',
      /expired at/,
    ],
    [
      'not covering every piece',
      async () => ({ auth: await authorize(pieces.slice(0, 1)) }),
      'PIECES_NOT_COVERED',
      /does not cover 1 of the pieces/,
    ],
    [
      'with a garbled signature',
      async () => ({ auth: { ...(await authorize(pieces)), signature: `0x${'11'.repeat(65)}` } }),
      'BAD_AUTHORIZATION',
      /AddPieces signature/,
    ],
  ];
  for (const [what, make, code, message] of cases)
    it(`is refused when ${what}, and fetches nothing`, async () => {
      const { auth, clientDataSetId } = await make();
      const served = source.metrics().requests.retrieve?.count ?? 0;
      const error = await refusal(pull(pieces, auth, { clientDataSetId }));
      expect(error).toMatchObject({ status: 403, code });
      expect(error.message).toMatch(message);
      expect(source.metrics().requests.retrieve?.count ?? 0).toBe(served);
      for (const piece of pieces) expect(await pullerHolds(piece)).toBe('unknown');
    });

  it('is refused when the signature is not even 65 bytes', async () => {
    const error = await refusal(pull(pieces, { ...(await authorize(pieces)), signature: '0x1234' }));
    expect(error).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(error.message).toMatch(/authorization\.signature/);
  });

  it('from a stranger for the payer is refused the same way', async () => {
    const auth = await stranger.signAddPieces(
      puller.address,
      CLIENT_DATA_SET,
      pieces.map((piece) => piece.digest),
    );
    expect((await refusal(pull(pieces, auth))).code).toBe('BAD_AUTHORIZATION');
  });
});

describe('a lying source', () => {
  const tempFiles = () => readdir(path.join(puller.dataDir, 'tmp'));
  const pieceFiles = async () =>
    (await readdir(path.join(puller.dataDir, 'pieces'), { recursive: true })).length;

  async function pullExpectingFailure(
    pieces: TestPiece[],
    faulty: TestPiece[],
    code: string,
    message: RegExp,
  ) {
    const filesBefore = await pieceFiles();
    const done = await settled((await pull(pieces, await authorize(pieces))).pullId);
    expect(done.state).toBe('failed');
    for (const [i, piece] of pieces.entries()) {
      const item = done.pieces[i]!;
      if (faulty.includes(piece)) {
        expect(item.state, piece.cid).toBe('failed');
        expect(item.error?.code).toBe(code);
        expect(item.error?.message).toMatch(message);
        expect(await pullerHolds(piece)).toBe('unknown');
      } else expect(item.state).toBe('parked');
    }
    expect(await tempFiles()).toEqual([]);
    // Only the good pieces' files (and their folders) appeared.
    expect(await pieceFiles()).toBeLessThanOrEqual(filesBefore + 2 * (pieces.length - faulty.length));
    return done;
  }

  it('sending wrong bytes is caught by the CID check', async () => {
    const pieces = [randomPiece(4000), randomPiece(5000), randomPiece(6000)];
    await prepare(pieces);
    source.setFaults({ corruptServedBytes: [pieces[1]!.cid] });
    const sourceBefore = source.metrics();
    try {
      await pullExpectingFailure(
        pieces,
        [pieces[1]!],
        'CID_MISMATCH',
        /sent bytes that do not match .*nothing was kept/,
      );
      // Read together until the bad piece; it and the one after it were then read alone.
      expect(served(source.metrics(), 'retrieve_batch') - served(sourceBefore, 'retrieve_batch')).toBe(1);
      expect(served(source.metrics(), 'retrieve') - served(sourceBefore, 'retrieve')).toBe(2);
    } finally {
      source.setFaults({});
    }
  });

  it('cutting a piece short is caught', async () => {
    const pieces = [randomPiece(100_000), randomPiece(1000)];
    await prepare(pieces);
    source.setFaults({ truncateServedBytes: [pieces[0]!.cid] });
    try {
      await pullExpectingFailure(
        pieces,
        [pieces[0]!],
        'TRUNCATED',
        /broke off after \d+ of the 100000 bytes|sent only/,
      );
    } finally {
      source.setFaults({});
    }
  });

  it('too slow is given up on', async () => {
    const pieces = [randomPiece(1000)];
    await prepare(pieces);
    source.setFaults({ latencyMs: 1500 });
    try {
      await pullExpectingFailure(pieces, pieces, 'TIMEOUT', /did not deliver .* within 800 ms/);
    } finally {
      source.setFaults({});
    }
  });

  it('not holding the piece, or not answering at all, fails those pieces', async () => {
    const held = randomPiece(100);
    const missing = randomPiece(100);
    await prepare([held]);
    await puller.client.quote(payer.address, [refOf(missing)]);
    await pullExpectingFailure(
      [held, missing],
      [missing],
      'SOURCE_FAILED',
      /could not serve .*404 UNKNOWN_PIECE/,
    );

    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const done = await settled(
      (await pull([held], await authorize([held]), { sourceUrl: `http://127.0.0.1:${closedPort}` })).pullId,
    );
    expect(done.pieces[0]!.error).toMatchObject({
      code: 'SOURCE_FAILED',
      message: expect.stringMatching(/ECONNREFUSED|failed/),
    });
  });

  it('cannot make the puller take a piece it never quoted', async () => {
    const quotedHere = randomPiece(100);
    const notQuoted = randomPiece(100);
    await prepare([quotedHere]);
    await source.client.quote(payer.address, [refOf(notQuoted)]);
    await source.client.storePiece(payer.address, refOf(notQuoted), notQuoted.bytes);
    const served = source.metrics().requests.retrieve?.count ?? 0;
    await pullExpectingFailure([quotedHere, notQuoted], [notQuoted], 'NOT_QUOTED', /has not been quoted/);
    // The unquoted piece was refused before anything was fetched.
    expect((source.metrics().requests.retrieve?.count ?? 0) - served).toBe(1);
  });
});

describe('pull progress across a restart', () => {
  it('keeps finished pulls, and reports one cut off by the stop as failed', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'coffer-pull-restart-'));
    const options = { dataDir, pullPieceTimeoutMs: 10_000 };
    let node = await startTestProvider(chain, 2, options);
    try {
      const pieces = [randomPiece(100)];
      const refs = pieces.map(refOf);
      await prepare(pieces);
      await payer.pay(await node.client.quote(payer.address, refs));
      const authorization = await payer.signAddPieces(node.address, CLIENT_DATA_SET, [pieces[0]!.digest]);
      const request = {
        sourceUrl: source.url,
        payer: payer.address,
        clientDataSetId: CLIENT_DATA_SET.toString(),
        pieces: refs,
        authorization,
      };
      const finished = await settled((await node.client.pull(request)).pullId, node);
      source.setFaults({ latencyMs: 5_000 });
      const cut = await node.client.pull(request);
      await node.stop();
      source.setFaults({});

      node = await startTestProvider(chain, 2, options);
      expect(await node.client.pullStatus(finished.pullId)).toEqual(finished);
      const after = await node.client.pullStatus(cut.pullId);
      expect(after.state).toBe('failed');
      expect(after.pieces[0]!.error).toMatchObject({ code: 'INTERRUPTED' });
    } finally {
      source.setFaults({});
      await node.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
