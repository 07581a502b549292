// Every fault knob of the provider node, observed the way the upload engine will see it: through
// the ProviderClient. Also the loopback admin endpoint (token required) that sets the same knobs
// for the devnet and demos, and the faults counter in the metrics. (Commit faults are in
// provider-commit.test.ts, lying pull sources in provider-pull.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderClient } from '../../electron/core/providers/provider-client';
import { parsePieceCid, PieceVerifier, PieceVerifyError } from '../../shared/pieces/cid';
import {
  bytesOf,
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

let chain: TestChain;
let provider: TestProvider;
let payer: TestPayer;

beforeAll(async () => {
  chain = await startTestChain();
  provider = await startTestProvider(chain, 0);
  payer = new TestPayer(chain, 0);
  await payer.deposit();
});
afterAll(async () => {
  await provider?.stop();
  await chain?.stop();
});

async function withFaults<T>(
  faults: Parameters<TestProvider['setFaults']>[0],
  run: () => Promise<T>,
): Promise<T> {
  provider.setFaults(faults);
  try {
    return await run();
  } finally {
    provider.setFaults({});
  }
}

async function quotedPieces(count: number): Promise<TestPiece[]> {
  const pieces = Array.from({ length: count }, () => randomPiece(500));
  await provider.client.quote(payer.address, pieces.map(refOf));
  return pieces;
}

const store = (piece: TestPiece) => provider.client.storePiece(payer.address, refOf(piece), piece.bytes);

it('failPing: ping answers 503 until cleared', async () => {
  const injected = provider.metrics().faultsInjected;
  await withFaults({ failPing: true }, async () => {
    const error = await refusal(provider.client.ping());
    expect(error).toMatchObject({ status: 503, code: 'UNAVAILABLE', providerUrl: provider.url });
    expect(error.message).toMatch(/injected fault: the provider is down/);
  });
  expect((await provider.client.ping()).ok).toBe(true);
  expect(provider.metrics().faultsInjected).toBe(injected + 1);
});

it('failStore: every store, or only the named CIDs, answer 503', async () => {
  const pieces = await quotedPieces(3);
  await withFaults({ failStore: true }, async () => {
    expect(await refusal(store(pieces[0]!))).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
    const results = await provider.client.storeBatch(
      payer.address,
      pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
    );
    expect(results.map((result) => !result.ok && result.error.code)).toEqual([
      'UNAVAILABLE',
      'UNAVAILABLE',
      'UNAVAILABLE',
    ]);
  });
  await withFaults({ failStore: [pieces[1]!.cid] }, async () => {
    expect((await store(pieces[0]!)).status).toBe('cached-unpaid');
    expect((await refusal(store(pieces[1]!))).code).toBe('UNAVAILABLE');
    const results = await provider.client.storeBatch(
      payer.address,
      pieces.map((piece) => ({ ...refOf(piece), body: piece.bytes })),
    );
    expect(results.map((result) => (result.ok ? result.status : result.error.code))).toEqual([
      'cached-unpaid',
      'UNAVAILABLE',
      'cached-unpaid',
    ]);
  });
  expect((await provider.client.pieceStatus(pieces[1]!.cid)).status).toBe('unknown');
});

it('stallParking: a paid piece is accepted but never parks until the fault is cleared', async () => {
  const [piece] = await quotedPieces(1);
  const quotes = await provider.client.quote(payer.address, [refOf(piece!)]);
  await withFaults({ stallParking: true }, async () => {
    const seen = provider.metrics().paymentsSeen;
    await payer.pay(quotes);
    expect((await store(piece!)).status).toBe('cached-unpaid');
    // The payment has been seen, and still the piece does not park.
    await expect.poll(() => provider.metrics().paymentsSeen).toBe(seen + 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await provider.client.pieceStatus(piece!.cid, payer.address)).status).toBe('cached-unpaid');
  });
  expect((await provider.client.pieceStatus(piece!.cid, payer.address)).status).toBe('parked');
});

it('failPull: pull requests answer 503', async () => {
  const [piece] = await quotedPieces(1);
  const authorization = await payer.signAddPieces(provider.address, 1n, [piece!.digest]);
  const error = await withFaults({ failPull: true }, () =>
    refusal(
      provider.client.pull({
        sourceUrl: 'http://127.0.0.1:9',
        payer: payer.address,
        clientDataSetId: '1',
        pieces: [refOf(piece!)],
        authorization,
      }),
    ),
  );
  expect(error).toMatchObject({ status: 503, code: 'UNAVAILABLE' });
  expect(error.message).toMatch(/injected fault: the provider refuses to pull/);
});

it('corruptServedBytes and truncateServedBytes: retrieval serves bytes that fail verification', async () => {
  const [piece] = await quotedPieces(1);
  await store(piece!);
  const verify = async (body: AsyncIterable<Uint8Array>) => {
    const verifier = new PieceVerifier(parsePieceCid(piece!.cid), piece!.size);
    try {
      for await (const chunk of body) verifier.update(chunk);
      verifier.finish();
      return 'verified';
    } catch (error) {
      if (error instanceof PieceVerifyError) return error.failure;
      return `stream error: ${(error as Error).message}`;
    }
  };
  expect(await verify((await provider.client.retrieve(piece!.cid)).body)).toBe('verified');
  await withFaults({ corruptServedBytes: true }, async () => {
    const served = await provider.client.retrieve(piece!.cid);
    const bytes = await bytesOf(served.body);
    expect(bytes).toHaveLength(piece!.size);
    expect(Buffer.from(bytes)).not.toEqual(Buffer.from(piece!.bytes));
    expect(await verify((await provider.client.retrieve(piece!.cid)).body)).toBe('cid-mismatch');
  });
  await withFaults({ truncateServedBytes: [piece!.cid] }, async () => {
    expect(await verify((await provider.client.retrieve(piece!.cid)).body)).toMatch(/too-short|stream error/);
  });
});

it('latencyMs: every API request waits, so a client with a shorter timeout gives up', async () => {
  await withFaults({ latencyMs: 400 }, async () => {
    const started = Date.now();
    await provider.client.ping();
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    const impatient = new ProviderClient({ url: provider.url, timeoutMs: 100 });
    try {
      const error = await refusal(impatient.ping());
      expect(error).toMatchObject({ code: 'TIMEOUT', status: undefined });
      expect(error.message).toMatch(/timed out after 100 ms/);
    } finally {
      await impatient.close();
    }
    // Observing the node is never slowed down.
    const observed = Date.now();
    await provider.client.metricsText();
    expect(Date.now() - observed).toBeLessThan(390);
  });
});

it('outOfSpace: stores answer 507', async () => {
  const [piece] = await quotedPieces(1);
  const error = await withFaults({ outOfSpace: true }, () => refusal(store(piece!)));
  expect(error).toMatchObject({ status: 507, code: 'OUT_OF_SPACE' });
  expect((await store(piece!)).status).toBe('cached-unpaid');
});

it('a network failure is a NETWORK ProviderError naming the provider', async () => {
  const gone = new ProviderClient({ url: 'http://127.0.0.1:9' });
  try {
    expect(await refusal(gone.ping())).toMatchObject({ code: 'NETWORK', providerUrl: 'http://127.0.0.1:9' });
  } finally {
    await gone.close();
  }
});

describe('the admin endpoint', () => {
  it('sets and reads the faults with the admin token, and refuses without it', async () => {
    const url = `${provider.url}/v1/admin/faults`;
    expect((await rawRequest(url)).json.error?.code).toBe('FORBIDDEN');
    expect((await rawRequest(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    try {
      expect(await provider.client.setFaults(provider.adminToken, { failPing: true, latencyMs: 5 })).toEqual({
        failPing: true,
        latencyMs: 5,
      });
      expect(provider.faults()).toEqual({ failPing: true, latencyMs: 5 });
      expect(await provider.client.getFaults(provider.adminToken)).toEqual({ failPing: true, latencyMs: 5 });
      expect((await refusal(provider.client.ping())).code).toBe('UNAVAILABLE');
      const bad = await refusal(
        provider.client.setFaults(provider.adminToken, { failCommit: 'sometimes' } as never),
      );
      expect(bad).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
      expect(bad.message).toMatch(/failCommit/);
      const unknown = await refusal(
        provider.client.setFaults(provider.adminToken, { explode: true } as never),
      );
      expect(unknown.message).toMatch(/explode/);
    } finally {
      await provider.client.setFaults(provider.adminToken, {});
    }
    expect((await provider.client.ping()).ok).toBe(true);
  });

  it('takes faults at start too', async () => {
    const faulty = await startTestProvider(chain, 1, { faults: { failPing: true } });
    try {
      expect((await refusal(faulty.client.ping())).status).toBe(503);
      expect(() => faulty.setFaults({ latencyMs: -1 })).toThrow();
    } finally {
      await faulty.stop();
    }
  });
});
