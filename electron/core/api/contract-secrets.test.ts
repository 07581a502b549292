/**
 * Schema half of "no method or event can carry key material": walks every output schema and event
 * schema of the contract (what reaches the renderer) and
 * - refuses any field named like a secret (mnemonic, private key, seed, password, …);
 * - finds every leaf that would accept a secret-shaped value (a recovery phrase, a 32-byte key in
 *   hex or base64, a 64-byte seed, an ML-KEM secret key in base64) and requires each to be one
 *   reviewed below, with the reason it is safe. A new field that could carry a key fails here
 *   until someone looks at it. The values actually sent are scanned by wallet-api-secrets.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import { listChannels } from '../../../shared/api/define';

const SECRET_NAMES =
  /mnemonic|phrase|words|seed|private|secret|password|passphrase|entropy|keystore|sk$|dataKey/i;

const key = randomBytes(32);
const CANDIDATES: Record<string, string> = {
  'a 24-word recovery phrase': `${'abandon '.repeat(23)}art`,
  'a 12-word recovery phrase': 'test test test test test test test test test test test junk',
  'a private key (0x hex)': `0x${key.toString('hex')}`,
  'a private key (hex)': key.toString('hex'),
  'a private key (base64)': key.toString('base64'),
  'a seed (hex)': randomBytes(64).toString('hex'),
  'an ML-KEM secret key (base64)': randomBytes(2400).toString('base64'),
};

/**
 * Field paths (in any method's output or event) that accept a secret-shaped value, and why that is
 * safe. Hashes have the shape of a private key by nature; free text is built by the core from
 * public facts.
 */
const REVIEWED: Record<string, string> = {
  rpcUrl: 'the RPC URL from the network manifest',
  noteServerUrl: 'the note server URL from the network manifest',
  problem: 'a sentence written by the core about the network',
  'probe.rpcUrl': 'the RPC URL the user typed for a custom network, as probed',
  'probe.noteServerUrl': 'the note server URL the user typed for a custom network',
  'probe.problem': 'a sentence written by the core about the custom network probed',
  version: "package.json's version",
  platform: 'os.platform()-os.arch()',
  dataDir: 'the data folder path',
  'keychain.problem': 'a sentence naming the keychain backend',
  txHash: 'a transaction hash',
  'txHashes[]': 'transaction hashes',
  hash: 'the EIP-712 / scope hash the user approves',
  'summary.title': 'a sentence built by the core from amounts and names',
  'summary.details[].value': 'facts built by the core (payload fields, counts)',
  'summary.details[].label': 'labels written by the core',
  'summary.counterparties[].label': 'provider / contract names',
  'domains[].name': 'EIP-712 domain names from shared/chain/eip712.ts',
  'files[].name': "names of the user's own files (as the upload manifest keeps them)",
  'uploads[].fileNames[]': "names of the user's own files",
  destination: 'the path the user chose to download to',
  'providers[].commitTxHash': 'a commit transaction hash',
  'payments[].txHash': 'payment transaction hashes',
  'uploads[].error.message': 'a sentence written by the core about the upload',
  'providers[].error.message': "a sentence written by the core about a provider's failure",
  'result.failures[].error': "a sentence written by the core about a provider's failure",
  'fallbacks[].reason': 'why a provider could not serve a chunk, written by the core',
  'providers[].problem': 'why a provider did not answer its ping, written by the core',
  'error.message':
    'a sentence written by the core: a sync, upload or download failure (status, URL, the server’s words)',
  'notes[].memo': 'the memo the sender wrote in a note, shown to its recipient',
  'notes[].commitment': 'a note commitment: a public hash published by the note server',
};

interface Leaf {
  path: string;
  schema: z.ZodType;
  type: string;
}

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Every leaf of a schema with its path; field names are reported through `onField`. */
function leaves(schema: z.ZodType, path: string, onField: (path: string, name: string) => void): Leaf[] {
  const def = defOf(schema);
  const join = (name: string) => (path ? `${path}.${name}` : name);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([name, child]) => {
        onField(path, name);
        return leaves(child, join(name), onField);
      });
    case 'array':
      return leaves(def.element as z.ZodType, `${path}[]`, onField);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
    case 'prefault':
      return leaves(def.innerType as z.ZodType, path, onField);
    case 'union':
      return (def.options as z.ZodType[]).flatMap((option) => leaves(option, path, onField));
    case 'pipe':
      return leaves(def.in as z.ZodType, path, onField);
    case 'record':
      return [
        ...leaves(def.keyType as z.ZodType, `${path}{key}`, onField),
        ...leaves(def.valueType as z.ZodType, `${path}{}`, onField),
      ];
    case 'tuple':
      return (def.items as z.ZodType[]).flatMap((item, i) => leaves(item, `${path}[${i}]`, onField));
    default:
      return [{ path, schema, type: def.type }];
  }
}

function outgoingSchemas(): Array<[string, z.ZodType]> {
  return [
    ...listChannels(contract).map(([ns, name, channel]): [string, z.ZodType] => [
      channel,
      (contract.methods as unknown as Record<string, Record<string, { output: z.ZodType }>>)[ns]![name]!
        .output,
    ]),
    ...Object.entries(contract.events).map(([event, schema]): [string, z.ZodType] => [
      `event ${event}`,
      schema,
    ]),
  ];
}

describe('the API contract cannot carry key material to the renderer', () => {
  it('names no output or event field like a secret', () => {
    const offenders: string[] = [];
    for (const [where, schema] of outgoingSchemas())
      leaves(schema, '', (path, name) => {
        if (SECRET_NAMES.test(name)) offenders.push(`${where} → ${path ? `${path}.` : ''}${name}`);
      });
    expect(offenders).toEqual([]);
  });

  it('has no output or event leaf that takes anything (unknown, any)', () => {
    const open = outgoingSchemas().flatMap(([where, schema]) =>
      leaves(schema, '', () => {})
        .filter((leaf) => leaf.type === 'unknown' || leaf.type === 'any')
        .map((leaf) => `${where} → ${leaf.path}`),
    );
    expect(open).toEqual([]);
  });

  it('accepts a secret-shaped value only in reviewed fields', () => {
    const accepting = new Map<string, string[]>();
    for (const [where, schema] of outgoingSchemas()) {
      for (const leaf of leaves(schema, '', () => {})) {
        const takes = Object.entries(CANDIDATES)
          .filter(([, value]) => leaf.schema.safeParse(value).success)
          .map(([label]) => label);
        if (takes.length) accepting.set(`${where} → ${leaf.path}`, takes);
      }
    }
    // Approval lists nest requests one level down; review them as the request's own fields.
    const fieldOf = (where: string) => where.split(' → ')[1]!.replace(/^approvals\[\]\./, '');
    const unreviewed = [...accepting.keys()].filter((where) => !(fieldOf(where) in REVIEWED));
    expect(unreviewed, 'new fields that could carry a key: review them and add them to REVIEWED').toEqual([]);
    // The list stays honest: every reviewed field still exists and still needs reviewing.
    const seen = new Set([...accepting.keys()].map(fieldOf));
    expect(Object.keys(REVIEWED).filter((field) => !seen.has(field))).toEqual([]);
  });
});
