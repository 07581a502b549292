import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPACT_BYTES,
  decodeCompactRecords,
  encodeNote,
  KEM_CIPHERTEXT_BYTES,
  NOTE_BYTES,
  NONCE_BYTES,
  PAYLOAD_BYTES,
  SEALED_BYTES,
  TAG_BITS,
} from '../../shared/notes/format';
import { IncrementalMerkleTree } from '../../shared/notes/merkle';
import {
  MAX_PAYLOAD_BATCH,
  MAX_RANGE_COUNT,
  NoteServerErrorBody,
  NoteServerInfo,
  NoteServerStats,
  PublishResult,
} from '../../shared/notes/wire';
import { startNoteServer, type NoteServer } from './note-server';

/**
 * Format-valid notes with random contents: the server checks the format only, so these exercise
 * it without the cost of real encryption (the seeder test publishes real notes).
 */
function syntheticNotes(count: number): Uint8Array[] {
  return Array.from({ length: count }, () =>
    encodeNote({
      compact: {
        commitment: randomBytes(32),
        detectionCipherText: randomBytes(KEM_CIPHERTEXT_BYTES),
        tag: randomBytes(2).readUInt16BE() % (1 << TAG_BITS),
      },
      payload: {
        viewingCipherText: randomBytes(KEM_CIPHERTEXT_BYTES),
        nonce: randomBytes(NONCE_BYTES),
        sealed: randomBytes(SEALED_BYTES),
      },
    }),
  );
}

const concat = (parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

async function bytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  expect(res.status, await res.clone().text()).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function expectError(response: Promise<Response>, status: number, code: string, message?: RegExp) {
  const res = await response;
  expect(res.status).toBe(status);
  const body = NoteServerErrorBody.parse(await res.json());
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
  return body.error.message;
}

const post = (url: string, body: Uint8Array | string, type = 'application/octet-stream') =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': type } });

async function info(server: NoteServer) {
  return NoteServerInfo.parse(await (await fetch(`${server.url}/v1/info`)).json());
}

describe('note server', () => {
  let server: NoteServer;
  let dataDir: string;
  const notes = syntheticNotes(40);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-note-server-test-'));
    server = await startNoteServer({ dataDir });
  });
  afterAll(async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts empty, with the root of the empty tree and its capabilities', async () => {
    const first = await info(server);
    expect(first).toMatchObject({
      treeSize: 0,
      capabilities: { range: true, maxRangeCount: MAX_RANGE_COUNT },
    });
    expect(first.root).toBe(Buffer.from(IncrementalMerkleTree.empty().root()).toString('hex'));
    expect(first.sizes).toEqual({ compact: COMPACT_BYTES, payload: PAYLOAD_BYTES, note: NOTE_BYTES });
  });

  it('publishes one note and a batch, in order, and reports the root of what it holds', async () => {
    const one = PublishResult.parse(await (await post(`${server.url}/v1/notes`, notes[0]!)).json());
    expect(one).toMatchObject({ firstIndex: 0, count: 1, treeSize: 1 });
    const batch = PublishResult.parse(
      await (await post(`${server.url}/v1/notes/batch`, concat(notes.slice(1)))).json(),
    );
    expect(batch).toMatchObject({ firstIndex: 1, count: 39, treeSize: 40 });

    const tree = IncrementalMerkleTree.empty();
    for (const note of notes) tree.append(note.subarray(1, 33));
    const expectedRoot = Buffer.from(tree.root()).toString('hex');
    expect(batch.root).toBe(expectedRoot);
    expect((await info(server)).root).toBe(expectedRoot);
  });

  it('serves a note, its compact part and its payload by index', async () => {
    expect(await bytes(`${server.url}/v1/notes/7`)).toEqual(notes[7]);
    expect(await bytes(`${server.url}/v1/notes/7/compact`)).toEqual(notes[7]!.subarray(0, COMPACT_BYTES));
    expect(await bytes(`${server.url}/v1/notes/39/payload`)).toEqual(notes[39]!.subarray(COMPACT_BYTES));
    const res = await fetch(`${server.url}/v1/notes/3/compact`);
    expect(res.headers.get('x-coffer-tree-size')).toBe('40');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('rejects bad and unknown indices with a JSON error naming them', async () => {
    await expectError(
      fetch(`${server.url}/v1/notes/40`),
      404,
      'index_out_of_range',
      /index 40 .*tree size 40/,
    );
    await expectError(fetch(`${server.url}/v1/notes/-1/compact`), 400, 'bad_request', /'-1'/);
    await expectError(fetch(`${server.url}/v1/notes/1e3`), 400, 'bad_request', /non-negative integer/);
    await expectError(fetch(`${server.url}/v1/notes/007`), 400, 'bad_request');
    await expectError(fetch(`${server.url}/v1/notes/99999999999999999999`), 400, 'bad_request');
    await expectError(fetch(`${server.url}/v1/nope`), 404, 'not_found', /GET \/v1\/nope/);
    const res = await fetch(`${server.url}/v1/info`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('serves a range of compact parts in one body, in index order', async () => {
    const res = await fetch(`${server.url}/v1/compact?start=5&count=30`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-coffer-start')).toBe('5');
    expect(res.headers.get('x-coffer-count')).toBe('30');
    const body = new Uint8Array(await res.arrayBuffer());
    expect(body).toEqual(concat(notes.slice(5, 35).map((note) => note.subarray(0, COMPACT_BYTES))));
    expect(decodeCompactRecords(body, 30)).toHaveLength(30);
    expect(await bytes(`${server.url}/v1/compact?start=0&count=40`)).toHaveLength(40 * COMPACT_BYTES);
  });

  it('rejects oversized, empty, malformed and out-of-range ranges', async () => {
    await expectError(
      fetch(`${server.url}/v1/compact?start=0&count=${MAX_RANGE_COUNT + 1}`),
      400,
      'range_too_large',
      new RegExp(`maximum range of ${MAX_RANGE_COUNT}`),
    );
    await expectError(fetch(`${server.url}/v1/compact?start=0&count=0`), 400, 'bad_request', /at least 1/);
    await expectError(
      fetch(`${server.url}/v1/compact?start=30&count=11`),
      404,
      'index_out_of_range',
      /\[30, 41\)/,
    );
    await expectError(fetch(`${server.url}/v1/compact?count=5`), 400, 'bad_request', /start is missing/);
    await expectError(fetch(`${server.url}/v1/compact?start=x&count=5`), 400, 'bad_request', /start must/);
  });

  it('serves payloads of a list of indices in the order asked, by GET and by POST', async () => {
    const expected = concat([39, 2, 17].map((i) => notes[i]!.subarray(COMPACT_BYTES)));
    expect(await bytes(`${server.url}/v1/payloads?indices=39,2,17`)).toEqual(expected);
    const res = await post(
      `${server.url}/v1/payloads`,
      JSON.stringify({ indices: [39, 2, 17] }),
      'application/json',
    );
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(expected);
  });

  it('rejects bad payload requests', async () => {
    await expectError(fetch(`${server.url}/v1/payloads?indices=1,1`), 400, 'bad_request', /listed twice/);
    await expectError(fetch(`${server.url}/v1/payloads?indices=1,40`), 404, 'index_out_of_range', /index 40/);
    await expectError(fetch(`${server.url}/v1/payloads?indices=1,a`), 400, 'bad_request', /indices\[1\]/);
    await expectError(fetch(`${server.url}/v1/payloads`), 400, 'bad_request', /indices is missing/);
    const tooMany = Array.from({ length: MAX_PAYLOAD_BATCH + 1 }, (_, i) => i);
    await expectError(
      post(`${server.url}/v1/payloads`, JSON.stringify({ indices: tooMany }), 'application/json'),
      400,
      'range_too_large',
    );
    await expectError(
      post(`${server.url}/v1/payloads`, '{nope', 'application/json'),
      400,
      'bad_request',
      /JSON/,
    );
    await expectError(
      post(`${server.url}/v1/payloads`, JSON.stringify({ indices: [-2] }), 'application/json'),
      400,
      'bad_request',
    );
  });

  it('rejects malformed publishes whole, naming the bad note, and appends nothing', async () => {
    const [a, b, c] = syntheticNotes(3);
    const badVersion = c!.slice();
    badVersion[COMPACT_BYTES] = 9; // the payload's version byte
    await expectError(
      post(`${server.url}/v1/notes/batch`, concat([a!, b!, badVersion])),
      400,
      'invalid_note',
      /note 2 of 3 .*payload: unsupported format version 9/,
    );
    const badTag = a!.slice();
    badTag[COMPACT_BYTES - 2] = 0xf0;
    await expectError(post(`${server.url}/v1/notes`, badTag), 400, 'invalid_note', /tag/);
    await expectError(post(`${server.url}/v1/notes`, a!.subarray(1)), 400, 'invalid_note', /one note/);
    await expectError(
      post(`${server.url}/v1/notes/batch`, concat([a!, b!]).subarray(5)),
      400,
      'invalid_note',
      /whole number/,
    );
    await expectError(post(`${server.url}/v1/notes`, concat([a!, b!])), 413, 'body_too_large');
    expect((await info(server)).treeSize).toBe(40);
  });

  it('counts requests per route, bytes served and connections', async () => {
    server.resetStats();
    await bytes(`${server.url}/v1/notes/1/compact`);
    await bytes(`${server.url}/v1/compact?start=0&count=10`);
    const notFound = await (await fetch(`${server.url}/v1/notes/400`)).arrayBuffer();
    const stats = server.stats();
    expect(stats.requestsTotal).toBe(3);
    expect(stats.requestsByRoute).toEqual({ note_compact: 1, compact_range: 1, note: 1 });
    expect(stats.responsesByStatus['200']).toBe(2);
    expect(stats.responsesByStatus['404']).toBe(1);
    expect(stats.bytesServed).toBe(11 * COMPACT_BYTES + notFound.byteLength);
    expect(stats.treeSize).toBe(40);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^note_server_requests_total\{route="note_compact"\} 1$/m);
    expect(metrics).toMatch(/^note_server_tree_size 40$/m);
    const json = NoteServerStats.parse(await (await fetch(`${server.url}/v1/stats`)).json());
    expect(json.requestsByRoute.metrics).toBe(1);

    // One keep-alive agent: one new connection for several requests, and a second agent one more.
    const before = server.stats().connectionsTotal;
    for (const expected of [1, 2]) {
      const agent = new Agent({ connections: 1 });
      for (let i = 0; i < 3; i++)
        await (await request(`${server.url}/v1/notes/${i}`, { dispatcher: agent })).body.arrayBuffer();
      await agent.close();
      expect(server.stats().connectionsTotal - before).toBe(expected);
    }
  });

  it('keeps its log across a restart on the same data folder', async () => {
    const before = await info(server);
    await server.stop();
    server = await startNoteServer({ dataDir });
    const after = await info(server);
    expect(after).toEqual(before);
    expect(await bytes(`${server.url}/v1/notes/33`)).toEqual(notes[33]);
    const next = PublishResult.parse(
      await (await post(`${server.url}/v1/notes`, syntheticNotes(1)[0]!)).json(),
    );
    expect(next.firstIndex).toBe(40);
  });
});

describe('note server faults and options', () => {
  let server: NoteServer;
  const notes = syntheticNotes(20);

  beforeAll(async () => {
    server = await startNoteServer();
    await post(`${server.url}/v1/notes/batch`, concat(notes));
  });
  afterAll(() => server.stop());

  it('answers 503 to every read touching index i, and only those', async () => {
    server.setFaults([{ kind: 'unavailable', at: [7] }]);
    const message = await expectError(fetch(`${server.url}/v1/compact?start=0&count=10`), 503, 'unavailable');
    expect(message).toMatch(/injected fault/);
    await expectError(fetch(`${server.url}/v1/notes/7/compact`), 503, 'unavailable');
    await expectError(fetch(`${server.url}/v1/payloads?indices=1,7`), 503, 'unavailable');
    expect(await bytes(`${server.url}/v1/compact?start=8&count=10`)).toHaveLength(10 * COMPACT_BYTES);
    expect(await bytes(`${server.url}/v1/notes/6/compact`)).toHaveLength(COMPACT_BYTES);
    expect(server.stats().faultsInjected).toBe(3);
  });

  it('narrows a fault to compact parts or payloads with part; a whole-note read is both', async () => {
    server.setFaults([{ kind: 'unavailable', at: [7], part: 'payload' }]);
    expect(await bytes(`${server.url}/v1/compact?start=0&count=10`)).toHaveLength(10 * COMPACT_BYTES);
    expect(await bytes(`${server.url}/v1/notes/7/compact`)).toHaveLength(COMPACT_BYTES);
    await expectError(fetch(`${server.url}/v1/payloads?indices=1,7`), 503, 'unavailable');
    await expectError(fetch(`${server.url}/v1/notes/7/payload`), 503, 'unavailable');
    await expectError(fetch(`${server.url}/v1/notes/7`), 503, 'unavailable');
    server.setFaults([{ kind: 'unavailable', part: 'compact' }]);
    await expectError(fetch(`${server.url}/v1/compact?start=0&count=10`), 503, 'unavailable');
    expect(await bytes(`${server.url}/v1/payloads?indices=1,7`)).toHaveLength(2 * PAYLOAD_BYTES);
    server.setFaults([]);
  });

  it('makes a fault transient with times', async () => {
    server.setFaults([{ kind: 'unavailable', at: [3], times: 2 }]);
    await expectError(fetch(`${server.url}/v1/notes/3`), 503, 'unavailable');
    await expectError(fetch(`${server.url}/v1/notes/3`), 503, 'unavailable');
    expect(await bytes(`${server.url}/v1/notes/3`)).toEqual(notes[3]);
  });

  it('truncates bodies, either short with a matching length or cut mid-body', async () => {
    server.setFaults([{ kind: 'truncate-body', at: [2] }]);
    const short = await bytes(`${server.url}/v1/compact?start=0&count=4`);
    expect(short.length).toBe(2 * COMPACT_BYTES);
    expect(() => decodeCompactRecords(short, 4)).toThrow(/expected 4 records/);

    server.setFaults([{ kind: 'truncate-connection' }]);
    const res = await fetch(`${server.url}/v1/compact?start=0&count=4`);
    expect(res.headers.get('content-length')).toBe(String(4 * COMPACT_BYTES));
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it('answers garbage of the right length that the codec rejects', async () => {
    server.setFaults([{ kind: 'garbage' }]);
    const body = await bytes(`${server.url}/v1/compact?start=0&count=5`);
    expect(body.length).toBe(5 * COMPACT_BYTES);
    expect(body).not.toEqual(concat(notes.slice(0, 5).map((n) => n.subarray(0, COMPACT_BYTES))));
    expect(() => decodeCompactRecords(body, 5)).toThrow(/record \d of 5 compact parts/);
  });

  it('slows responses down and adds per-request latency', async () => {
    server.setFaults([{ kind: 'slow', at: [4], delayMs: 150 }]);
    let started = performance.now();
    await bytes(`${server.url}/v1/notes/4/compact`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);

    server.setFaults([]);
    server.setLatency(60);
    started = performance.now();
    await fetch(`${server.url}/v1/info`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    server.setLatency(0);
  });

  it('changes faults through the loopback admin endpoint', async () => {
    const admin = (body: unknown) => post(`${server.url}/v1/admin`, JSON.stringify(body), 'application/json');
    expect((await admin({ faults: [{ kind: 'unavailable', at: [0] }], resetStats: true })).status).toBe(200);
    await expectError(fetch(`${server.url}/v1/notes/0`), 503, 'unavailable');
    expect(server.stats().requestsByRoute).toEqual({ note: 1 });
    await expectError(admin({ faults: [{ kind: 'explode' }] }), 400, 'bad_request', /admin request/);
    await expectError(admin({ latency: 5 }), 400, 'bad_request');
    expect((await admin({ faults: [] })).status).toBe(200);
    expect(await bytes(`${server.url}/v1/notes/0`)).toEqual(notes[0]);
  });
});

describe('note server without range reads', () => {
  let server: NoteServer;

  beforeAll(async () => {
    server = await startNoteServer({ range: false });
    await post(`${server.url}/v1/notes/batch`, concat(syntheticNotes(3)));
  });
  afterAll(() => server.stop());

  it('says so in its info, answers 501 to range reads and still serves note by note', async () => {
    expect((await info(server)).capabilities.range).toBe(false);
    await expectError(fetch(`${server.url}/v1/compact?start=0&count=2`), 501, 'range_unsupported');
    await expectError(fetch(`${server.url}/v1/payloads?indices=0`), 501, 'range_unsupported');
    expect(await bytes(`${server.url}/v1/notes/2/compact`)).toHaveLength(COMPACT_BYTES);
  });
});
