/**
 * Hostile input on every API method: for each method of the real contract, fast-check generates
 * inputs that are wrong by construction — not an object, an unknown key, or a field (nested ones
 * and array items included) of a JSON type its schema does not allow. The expected failure is
 * derived from the method's JSON Schema, independently of the zod parse the dispatcher runs.
 * Each input goes through the three real transports: the dispatcher, the Electron IPC binding and
 * the browser host over a real WebSocket. Every one must come back INVALID_INPUT naming the bad
 * field (or key), and no handler may run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { contract } from '../shared/api/contract';
import { findMethod, ipcChannel, listChannels, type Handlers } from '../shared/api/define';
import type { Envelope } from '../shared/api/errors';
import { TOKEN_PROTOCOL_PREFIX } from '../shared/api/host-protocol';
import { createDispatcher } from './core/api/dispatcher';
import { startBrowserHost, type BrowserHost } from './host/browser-host';
import { bindIpc } from './ipc';
import { FakeIpcMain } from './test-support/fake-ipc-main';

const FC_SEED = 7_310_2026;
const RUNS_PER_METHOD = 30;

type JsonType = 'string' | 'number' | 'boolean' | 'null' | 'array' | 'object';
interface JsonSchema {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
}

const jsonTypeOf = (value: unknown): JsonType =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : (typeof value as JsonType);

/** The JSON types a schema admits; null when it admits anything (no wrong type to pick). */
function typesOf(schema: JsonSchema): Set<JsonType> | null {
  if (schema.const !== undefined) return new Set([jsonTypeOf(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonTypeOf));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const union = new Set<JsonType>();
    for (const alternative of alternatives) {
      const types = typesOf(alternative);
      if (!types) return null;
      types.forEach((type) => union.add(type));
    }
    return union;
  }
  if (schema.type === undefined) return null;
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return new Set(types.map((type) => (type === 'integer' ? 'number' : (type as JsonType))));
}

interface Field {
  path: (string | number)[];
  schema: JsonSchema;
  /** The input holding `value` at `path`, with the tags (consts) of the enclosing variants set. */
  build: (value: unknown) => unknown;
}

/** Every place a wrong value can be put: object fields (recursively) and an array's first item. */
function fieldsOf(schema: JsonSchema, path: Field['path'] = [], build = (value: unknown) => value): Field[] {
  const out: Field[] = [];
  // A variant's tag fields (e.g. kind: 'path') are set, so the error is about the field we broke.
  const tags = Object.fromEntries(
    Object.entries(schema.properties ?? {}).flatMap(([key, sub]) =>
      sub.const === undefined ? [] : [[key, sub.const]],
    ),
  );
  for (const [key, sub] of Object.entries(schema.properties ?? {})) {
    const inner = (value: unknown) => build({ ...tags, [key]: value });
    out.push({ path: [...path, key], schema: sub, build: inner }, ...fieldsOf(sub, [...path, key], inner));
  }
  if (schema.items) {
    const inner = (value: unknown) => build([value]);
    out.push({ path: [...path, 0], schema: schema.items, build: inner });
    for (const variant of schema.items.oneOf ?? schema.items.anyOf ?? [schema.items])
      out.push(...fieldsOf(variant, [...path, 0], inner));
  }
  return out;
}

const VALUES: Record<JsonType, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 20 }),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
};

interface BadInput {
  input: unknown;
  /** What the error must name: a field path, or an unknown key. */
  names: { path: string } | { key: string };
}

function badInputs(schema: JsonSchema): fc.Arbitrary<BadInput> {
  const notObject = fc
    .oneof(VALUES.string, VALUES.number, VALUES.boolean, VALUES.array)
    .map((input): BadInput => ({ input, names: { path: '' } }));
  const arbitraries: fc.Arbitrary<BadInput>[] = [notObject];
  if (schema.additionalProperties === false) {
    const known = new Set(Object.keys(schema.properties ?? {}));
    arbitraries.push(
      fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 12 }).filter((key) => !known.has(key)),
          fc.jsonValue({ maxDepth: 1 }),
        )
        .map(([key, value]): BadInput => ({ input: Object.fromEntries([[key, value]]), names: { key } })),
    );
  }
  for (const field of fieldsOf(schema)) {
    const allowed = typesOf(field.schema);
    if (!allowed) continue;
    const wrong = (Object.keys(VALUES) as JsonType[]).filter((type) => !allowed.has(type));
    arbitraries.push(
      fc
        .oneof(...wrong.map((type) => VALUES[type]))
        .map((value): BadInput => ({ input: field.build(value), names: { path: field.path.join('.') } })),
    );
  }
  return fc.oneof(...arbitraries);
}

/** Checks one answer; returns a description of what is wrong with it, or null. */
function problemWith(answer: Envelope<unknown>, bad: BadInput): string | null {
  if (answer.ok) return 'accepted';
  const { code, details } = answer.error;
  if (code !== 'INVALID_INPUT') return `code ${code}`;
  const issues = (details?.issues ?? []) as { path: string[]; message: string }[];
  const named =
    'key' in bad.names
      ? issues.some((issue) => issue.message.includes(`"${(bad.names as { key: string }).key}"`))
      : issues.some((issue) => issue.path.join('.') === (bad.names as { path: string }).path);
  return named ? null : `does not name ${JSON.stringify(bad.names)}: ${answer.error.message}`;
}

// A probe, not a fake of anything: each handler only counts that it ran. The dispatcher, IPC
// binding and browser host in front of it are the real ones.
let handlerRuns = 0;
const countingHandlers = Object.fromEntries(
  Object.entries(contract.methods).map(([ns, methods]) => [
    ns,
    Object.fromEntries(
      Object.keys(methods).map((name) => [
        name,
        async () => {
          handlerRuns++;
          throw new Error(`handler ${ns}.${name} ran on bad input`);
        },
      ]),
    ),
  ]),
) as unknown as Handlers<typeof contract>;

const dispatch = createDispatcher(contract, countingHandlers);
const ipc = new FakeIpcMain();
bindIpc(ipc, contract, dispatch);
const ownFrame = { url: 'app://coffer/index.html', parent: null };

let host: BrowserHost;
let staticDir: string;
let ws: WebSocket;
let nextId = 1;
const pending = new Map<number, (envelope: Envelope<unknown>) => void>();

beforeAll(async () => {
  staticDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-ipc-fuzz-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  host = await startBrowserHost({ dispatch, subscribeEvents: () => () => {}, staticDir });
  ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, [`${TOKEN_PROTOCOL_PREFIX}${host.token}`], {
    origin: host.origin,
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { id: number; envelope: Envelope<unknown> };
    pending.get(message.id)?.(message.envelope);
    pending.delete(message.id);
  });
});
afterAll(async () => {
  ws?.close();
  await host?.close();
  await rm(staticDir, { recursive: true, force: true });
});

function overWebSocket(method: string, input: unknown): Promise<Envelope<unknown>> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, input }));
  });
}

describe('every API method, fed wrong input', () => {
  it('answers INVALID_INPUT naming the bad field over the dispatcher, IPC and the browser host; no handler runs', async () => {
    const channels = listChannels(contract).map(([, , channel]) => channel);
    let tried = 0;
    const wrongly: string[] = [];
    for (const [index, channel] of channels.entries()) {
      const schema = z.toJSONSchema(findMethod(contract, channel)!.input, {
        io: 'input',
        unrepresentable: 'any',
      }) as JsonSchema;
      // One generated sample per run, so the three transports see exactly the same inputs.
      const samples = fc.sample(badInputs(schema), { seed: FC_SEED + index, numRuns: RUNS_PER_METHOD });
      for (const bad of samples) {
        // What crosses IPC and the socket is JSON: normalise (e.g. -0) so all three see the same.
        const input = JSON.parse(JSON.stringify(bad.input)) as unknown;
        const answers = [
          await dispatch(channel, input, { transport: 'test' }),
          (await ipc.invoke(ipcChannel(channel), ownFrame, input)) as Envelope<unknown>,
          await overWebSocket(channel, input),
        ];
        tried += answers.length;
        for (const [i, transport] of ['dispatcher', 'ipc', 'host'].entries()) {
          const problem = problemWith(answers[i]!, { ...bad, input });
          if (problem) wrongly.push(`${transport} ${channel} ${JSON.stringify(input)}: ${problem}`);
        }
      }
    }
    console.log(
      `IPC payloads: ${tried} inputs tried over ${channels.length} methods × 3 transports (seed ${FC_SEED}), ` +
        `${wrongly.length} accepted or misreported, ${handlerRuns} handler runs`,
    );
    expect(wrongly.slice(0, 10)).toEqual([]);
    expect(handlerRuns).toBe(0);
    expect(tried).toBe(channels.length * RUNS_PER_METHOD * 3);
  });

  it('the probe is live: a valid input does reach its handler', async () => {
    const before = handlerRuns;
    const answer = await dispatch('wallet.setAutoLock', { minutes: 5 }, { transport: 'test' });
    expect(answer).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('ran on bad input') },
    });
    expect(handlerRuns).toBe(before + 1);
  });
});
