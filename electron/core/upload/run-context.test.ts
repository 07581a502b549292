/**
 * The room a run leaves in a provider's pre-registration cache (cacheRoom): pieces held there
 * unpaid and pieces on their way there unpaid (a store in flight — two waves may be stored on the
 * primary at once) both count; what is paid does not. And how far paying runs ahead of storing
 * (lastWaveToPay).
 */
import { describe, expect, it } from 'vitest';
import type { Ping } from '../../../shared/provider/wire';
import type { ProviderClient } from '../providers/provider-client';
import { cacheRoom, DEFAULT_RUN_OPTIONS, lastWaveToPay, type RunContext } from './run-context';
import { Copy } from './upload-copy';

const PIECE = 100;
/** Half of the per-payer cap is the budget: room for two pieces. */
const PING: Ping = {
  ok: true,
  apiVersion: 1,
  version: 'test',
  provider: '0x0000000000000000000000000000000000000001',
  chainId: 31337,
  pricePerByte: '1',
  capabilities: {
    batch: true,
    pull: true,
    maxPieceBytes: PIECE,
    maxBatchCount: 64,
    maxBatchBytes: 64 * PIECE,
  },
  cache: { ttlMs: 60_000, maxBytes: 100 * PIECE, maxBytesPerPayer: 4 * PIECE },
};

function setup() {
  const copy = new Copy(
    { id: 1, address: PING.provider, url: 'http://127.0.0.1:1', endorsed: true },
    // cacheRoom never calls the provider.
    null as unknown as ProviderClient,
    PING,
    'primary',
    false,
    1,
    '1',
  );
  const context = {
    plan: { pieces: Array.from({ length: 8 }, (_, index) => ({ index, size: PIECE })) },
    signal: new AbortController().signal,
  } as unknown as RunContext;
  return { copy, context };
}

/** Whether cacheRoom has let `bytes` go by the next turn of the event loop. */
async function letsGo(room: Promise<void>): Promise<boolean> {
  return Promise.race([room.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);
}

describe('cacheRoom', () => {
  it('counts pieces in a store in flight whose payment is not confirmed', async () => {
    const { copy, context } = setup();
    for (const piece of [0, 1, 2, 3]) copy.paying.add(piece);
    copy.sending.add(0);
    expect(await letsGo(cacheRoom(context, copy, PIECE))).toBe(true);
    copy.sending.add(1);
    const waiting = cacheRoom(context, copy, PIECE);
    expect(await letsGo(waiting)).toBe(false);
    // Piece 0's payment is confirmed: it will be parked, not cached — room again.
    copy.paying.delete(0);
    copy.paid.add(0);
    copy.changed();
    expect(await letsGo(waiting)).toBe(true);
  });

  it('counts cached pieces with their payment in flight, together with those on their way', async () => {
    const { copy, context } = setup();
    for (const piece of [0, 1, 2]) copy.paying.add(piece);
    copy.held.set(0, 'cached');
    copy.sending.add(1);
    const waiting = cacheRoom(context, copy, PIECE);
    expect(await letsGo(waiting)).toBe(false);
    // The store answers (piece 1 now held, parked): only piece 0 is left unconfirmed.
    copy.sending.delete(1);
    copy.held.set(1, 'parked');
    copy.changed();
    expect(await letsGo(waiting)).toBe(true);
  });
});

describe('lastWaveToPay', () => {
  const MiB = 1024 * 1024;
  const limits = DEFAULT_RUN_OPTIONS.payAhead;

  it('pays two waves of 1 MiB chunks ahead, and the last wave with nothing after it', () => {
    const big = [...Array.from({ length: 16 }, () => 64 * MiB), 2 * MiB];
    expect(lastWaveToPay(big, 0, limits)).toBe(2);
    expect(lastWaveToPay(big, 13, limits)).toBe(15);
    expect(lastWaveToPay(big, 15, limits)).toBe(16);
    expect(lastWaveToPay(big, 16, limits)).toBe(16);
  });

  it('runs up to 16 waves of small files ahead', () => {
    const small = Array.from({ length: 1000 }, () => 64 * 10_000);
    expect(lastWaveToPay(small, 0, limits)).toBe(16);
    expect(lastWaveToPay(small, 990, limits)).toBe(999);
    expect(lastWaveToPay(small.slice(0, 16), 0, limits)).toBe(15);
  });

  it('always pays the next wave, even one larger than the byte limit', () => {
    const huge = [256 * MiB, 256 * MiB, 256 * MiB];
    expect(lastWaveToPay(huge, 0, limits)).toBe(1);
    // Bytes are counted from the wave after the one being stored, whatever their mix.
    expect(lastWaveToPay([MiB, 100 * MiB, 20 * MiB, 9 * MiB], 0, limits)).toBe(2);
  });
});
