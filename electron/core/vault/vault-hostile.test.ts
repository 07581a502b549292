/**
 * Hostile input on the wallet's files, with fixed fast-check seeds: mutated vault files (our own
 * `vault.json`) and mutated V3 keystore files (imports). A mutant must be refused with a
 * CofferError — or, where the mutation touched nothing that matters (an id, the auto-lock
 * setting), open to the very same account — and nothing on disk may be overwritten or created.
 *
 * The keystore is written here, independently of the importer: scrypt, AES-128-CTR and the
 * keccak MAC as the Web3 Secret Storage definition says, at a low cost so hundreds of tries stay fast.
 */
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { bytesToHex, keccak256 } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CofferError } from '../../../shared/api/errors';
import { Vault } from './vault';

const FC_SEED = 2_718_2026;
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
const PHRASE = 'test test test test test test test test test test test junk';
const PASSWORD = 'correct horse battery';
const KEYSTORE_PASSWORD = 'keystore password';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type PathTo = (string | number)[];

/** Every leaf of a JSON value, with its path. */
function leavesOf(value: Json, at: PathTo = []): { path: PathTo; value: Json }[] {
  if (value === null || typeof value !== 'object') return [{ path: at, value }];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return entries.flatMap(([key, inner]) => leavesOf(inner, [...at, key]));
}

function withLeaf(root: Json, at: PathTo, change: (value: Json) => Json | undefined): Json {
  const copy = structuredClone(root);
  let parent = copy as Record<string | number, Json>;
  for (const step of at.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
  const last = at[at.length - 1]!;
  const next = change(parent[last]!);
  if (next === undefined) delete parent[last];
  else parent[last] = next;
  return copy;
}

/** One character of a string changed to another of the same alphabet (hex stays hex, base64 base64). */
function changeOneChar(text: string, at: number, pick: number): string {
  const alphabet = /^(0x)?[0-9a-f]+$/i.test(text)
    ? '0123456789abcdef'
    : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const i = at % text.length;
  const options = alphabet.replace(text[i]!, '');
  return text.slice(0, i) + options[pick % options.length] + text.slice(i + 1);
}

/** Mutations of a JSON file's text: a leaf replaced, removed or retyped by one character, or the bytes cut or extended. */
function mutantsOf(original: string): fc.Arbitrary<string> {
  const json = JSON.parse(original) as Json;
  const leaves = leavesOf(json);
  const strings = leaves.filter((leaf) => typeof leaf.value === 'string' && leaf.value.length > 0);
  const leaf = fc.constantFrom(...leaves);
  return fc.oneof(
    fc
      .tuple(leaf, fc.jsonValue({ maxDepth: 1 }))
      .map(([l, value]) => JSON.stringify(withLeaf(json, l.path, () => value as Json))),
    leaf.map((l) => JSON.stringify(withLeaf(json, l.path, () => undefined))),
    fc
      .tuple(fc.constantFrom(...strings), fc.nat(), fc.nat())
      .map(([l, at, pick]) =>
        JSON.stringify(withLeaf(json, l.path, (v) => changeOneChar(v as string, at, pick))),
      ),
    fc.nat(original.length - 1).map((n) => original.slice(0, n)),
    fc.string({ minLength: 1, maxLength: 8 }).map((extra) => original + extra),
  );
}

let tempDir: string;
beforeAll(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-vault-hostile-'));
});
afterAll(() => rm(tempDir, { recursive: true, force: true }));

let trial = 0;
const freshDir = () => mkdtemp(path.join(tempDir, `trial-${trial++}-`));

describe('a mutated vault file', () => {
  it('property: is refused with a CofferError or opens to the same account; the file is never rewritten', async () => {
    const genuineDir = await freshDir();
    const genuine = new Vault({ dataDir: genuineDir, scrypt: CHEAP });
    await genuine.createFromMnemonic(PHRASE, PASSWORD);
    const address = await genuine.address(0);
    genuine.close();
    const original = await readFile(path.join(genuineDir, 'vault.json'), 'utf8');

    const samples = fc.sample(mutantsOf(original), { seed: FC_SEED, numRuns: 150 });
    const outcomes = new Map<string, number>();
    let wrong = 0;
    for (const text of samples) {
      const dataDir = await freshDir();
      const vault = new Vault({ dataDir, scrypt: CHEAP });
      await writeFile(vault.file, text);
      let outcome: string;
      try {
        await vault.unlock(PASSWORD);
        outcome = 'opened';
        if ((await vault.address(0)) !== address) wrong++;
      } catch (error) {
        if (!(error instanceof CofferError)) throw error;
        outcome = error.code;
        expect(error.message.length).toBeGreaterThan(10);
      } finally {
        vault.close();
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if ((await readFile(vault.file, 'utf8')) !== text) wrong++;
    }
    console.log(
      `vault file mutations: ${samples.length} inputs tried (seed ${FC_SEED}), ${wrong} accepted wrongly or rewritten; ` +
        `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(wrong).toBe(0);
    expect(outcomes.get('INTERNAL') ?? 0).toBeGreaterThan(0);
  });
});

describe('a mutated keystore file', () => {
  const privateKey = new Uint8Array(32).fill(7);
  const keystore = (() => {
    const salt = randomBytes(32);
    const iv = randomBytes(16);
    const dk = scryptSync(KEYSTORE_PASSWORD, salt, 32, { N: 2 ** 10, r: 8, p: 1 });
    const cipher = createCipheriv('aes-128-ctr', dk.subarray(0, 16), iv);
    const ciphertext = Buffer.concat([cipher.update(privateKey), cipher.final()]);
    const mac = keccak256(Buffer.concat([dk.subarray(16, 32), ciphertext])).slice(2);
    return JSON.stringify({
      version: 3,
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      address: privateKeyToAddress(bytesToHex(privateKey)).slice(2).toLowerCase(),
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: iv.toString('hex') },
        ciphertext: ciphertext.toString('hex'),
        kdf: 'scrypt',
        kdfparams: { dklen: 32, n: 1024, r: 8, p: 1, salt: salt.toString('hex') },
        mac,
      },
    });
  })();
  const address = privateKeyToAddress(bytesToHex(privateKey));

  it('the genuine keystore imports (the oracle the mutants are measured against)', async () => {
    const vault = new Vault({ dataDir: await freshDir(), scrypt: CHEAP });
    const status = await vault.createFromKeystore(keystore, KEYSTORE_PASSWORD, PASSWORD);
    expect(status.accounts[0]!.address).toBe(address);
    vault.close();
  });

  it('property: is refused naming the problem, or imports the same key; a refusal writes no vault', async () => {
    // Costs a mutant may ask for are capped by scryptParamsProblem (its own test); here large
    // powers of two are nudged off so a run stays fast.
    const affordable = (text: string) =>
      !/"n":(\d+)/.test(text) || Number(/"n":(\d+)/.exec(text)![1]) <= 2 ** 14;
    const samples = fc.sample(mutantsOf(keystore).filter(affordable), { seed: FC_SEED, numRuns: 200 });
    const outcomes = new Map<string, number>();
    let wrong = 0;
    for (const text of samples) {
      const vault = new Vault({ dataDir: await freshDir(), scrypt: CHEAP });
      let outcome: string;
      try {
        const status = await vault.createFromKeystore(text, KEYSTORE_PASSWORD, PASSWORD);
        outcome = 'imported';
        if (status.accounts[0]?.address !== address) wrong++;
      } catch (error) {
        if (!(error instanceof CofferError)) throw error;
        outcome = error.code;
        if ((await vault.status()).exists) wrong++;
      } finally {
        vault.close();
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    console.log(
      `keystore mutations: ${samples.length} inputs tried (seed ${FC_SEED}), ${wrong} accepted wrongly; ` +
        `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(wrong).toBe(0);
    expect(outcomes.get('INVALID_INPUT') ?? 0).toBeGreaterThan(0);
    expect(outcomes.get('WRONG_PASSWORD') ?? 0).toBeGreaterThan(0);
  });

  it('an import over an existing wallet is refused and leaves its file as it was', async () => {
    const dataDir = await freshDir();
    const vault = new Vault({ dataDir, scrypt: CHEAP });
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    const before = await readFile(vault.file, 'utf8');
    await expect(vault.createFromKeystore(keystore, KEYSTORE_PASSWORD, PASSWORD)).rejects.toMatchObject({
      code: 'WALLET_EXISTS',
    });
    expect(await readFile(vault.file, 'utf8')).toBe(before);
    vault.close();
  });
});
