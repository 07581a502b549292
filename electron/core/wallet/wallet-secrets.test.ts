/**
 * The values half of "no secret crosses to the renderer or to disk": a whole wallet life through
 * the API (create in the secure view, accounts, faucet, deposit, withdraw, keychain, lock, unlock,
 * password change, reveal) on a real devnet chain, calling every method of the contract while the
 * wallet is unlocked; then every response and event, and every file the core wrote in its data
 * folder, is searched for the recovery phrase, the seed, the entropy, the private keys, the note
 * secret keys and the passwords, in words, hex, base64 and raw bytes.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract } from '../../../shared/api/contract';
import { listChannels } from '../../../shared/api/define';
import type { Envelope } from '../../../shared/api/errors';
import { createCore, type Core } from '../core-app';
import { FakeKeychain } from '../test-support/fake-keychain';
import { findSecrets, needlesFor, type KnownSecrets } from '../test-support/secret-scan';
import { startWalletTestNetwork, type WalletTestNetwork } from '../test-support/wallet-network';
import { kemSeed, seedFromMnemonic } from '../vault/key-derivation';

const PASSWORD = 'scan test password one';
const NEW_PASSWORD = 'scan test password two';

let network: WalletTestNetwork;
let core: Core;
let dataDir: string;
const sent: unknown[] = [];
const called = new Set<string>();
let mnemonic = '';
const secrets: KnownSecrets = {
  bytes: {},
  strings: { 'the password': PASSWORD, 'the new password': NEW_PASSWORD },
};

async function call<T = unknown>(channel: string, input: unknown = {}): Promise<Envelope<T>> {
  called.add(channel);
  const envelope = await core.dispatch(channel, input, { transport: 'test' });
  sent.push({ channel, envelope });
  return envelope as Envelope<T>;
}

async function value<T>(channel: string, input: unknown = {}): Promise<T> {
  const envelope = await call<T>(channel, input);
  if (!envelope.ok) throw new Error(`${channel}: ${envelope.error.code} ${envelope.error.message}`);
  return envelope.value;
}

/** Plays the user at a secure view: opens the ticket and posts forms, as a browser would. */
async function view(url: string, posts: Array<(html: string) => Record<string, string>>): Promise<string> {
  const views = core.wallet.secureViews;
  const pathname = new URL(url).pathname;
  let html = (await views.handle('GET', pathname)).html;
  for (const post of posts) {
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;
    html = (await views.handle('POST', pathname, { token, action: 'submit', ...post(html) })).html;
  }
  return html;
}
const wordsIn = (html: string) => [...html.matchAll(/<li>([a-z]+)<\/li>/g)].map((m) => m[1]!);

beforeAll(async () => {
  network = await startWalletTestNetwork();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-secrets-'));
  core = await createCore({
    dataDir,
    mode: 'test',
    network: network.manifest,
    keychain: new FakeKeychain(),
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
  });
  core.events.subscribeAll((event, payload) => {
    sent.push({ event, payload });
    // The user approves every request, answering with the hash shown.
    if (event === 'approval.requested') {
      const { id, hash } = payload as { id: string; hash: string };
      void call('approval.respond', { id, hash, decision: 'approve' });
    }
  });

  await call('app.info');
  await call('network.status');
  await call('wallet.status');
  await call('wallet.addresses', {});

  // Create: the words are shown in the secure view only.
  const ticket = await value<{ url: string }>('wallet.create');
  let shown: string[] = [];
  await view(ticket.url, [
    () => ({ password: PASSWORD, confirm: PASSWORD }),
    (html) => ((shown = wordsIn(html)), {}),
    (html) => ({
      step: 'confirm',
      ...Object.fromEntries(
        [...html.matchAll(/name="word(\d+)"/g)].map((m) => [`word${m[1]}`, shown[Number(m[1])]!]),
      ),
    }),
  ]);
  mnemonic = shown.join(' ');
  await call('wallet.importMnemonic');
  await call('wallet.importKeystore');

  // Every method, with the wallet unlocked.
  await value('wallet.status');
  await value('wallet.addAccount');
  await value('wallet.addresses', { account: 0 });
  await value('wallet.addresses', { account: 1 });
  await value('wallet.faucet', { account: 0 });
  await value('wallet.deposit', { account: 0, amount: '100' });
  await value('wallet.withdraw', { account: 0, amount: '40' });
  await value('wallet.balances', { account: 0 });
  await value('approval.list');
  await call('approval.respond', {
    id: 'AAAAAAAAAAAAAAAA',
    hash: `0x${'11'.repeat(32)}`,
    decision: 'reject',
  });
  await value('wallet.setAutoLock', { minutes: 5 });
  await value('wallet.setKeychainUnlock', { enabled: true, password: PASSWORD });

  // The secrets to look for, taken while unlocked.
  const { vault } = core.wallet;
  const seed = seedFromMnemonic(mnemonic);
  secrets.mnemonic = mnemonic;
  secrets.bytes!['BIP-39 seed'] = seed;
  secrets.bytes!['BIP-39 entropy'] = mnemonicToEntropy(mnemonic, wordlist);
  for (const account of [0, 1]) {
    secrets.bytes![`private key ${account}`] = vault.withPrivateKey(account, (key) => new Uint8Array(key));
    const notes = vault.noteSecretKeys(account);
    secrets.bytes![`detection secret key ${account}`] = notes.detection;
    secrets.bytes![`viewing secret key ${account}`] = notes.viewing;
    for (const purpose of ['detection', 'viewing'] as const)
      secrets.bytes![`${purpose} keygen seed ${account}`] = kemSeed(
        { kind: 'mnemonic', seed },
        purpose,
        account,
      );
  }

  await value('wallet.lock');
  await value('wallet.unlockWithKeychain');
  await value('wallet.changePassword', { oldPassword: PASSWORD, newPassword: NEW_PASSWORD });
  const reveal = await value<{ url: string }>('wallet.revealMnemonic');
  expect(wordsIn(await view(reveal.url, [() => ({ password: NEW_PASSWORD })])).join(' ')).toBe(mnemonic);
  await value('wallet.lock');
  await call('wallet.unlock', { password: PASSWORD });
  await value('wallet.unlock', { password: NEW_PASSWORD });
  // Methods of other namespaces, whatever they are: called too, and their answers scanned.
  for (const [, , channel] of listChannels(contract)) if (!called.has(channel)) await call(channel, {});
}, 120_000);

afterAll(async () => {
  await core?.close();
  await network?.stop();
});

describe('no secret leaves the main process', () => {
  it('the flow really ran: every method called, money moved, the phrase known', async () => {
    expect([...called].sort()).toEqual(
      listChannels(contract)
        .map(([, , c]) => c)
        .sort(),
    );
    expect(mnemonic.split(' ')).toHaveLength(24);
    const balances = await value<{ deposit: { formatted: string }; token: { formatted: string } }>(
      'wallet.balances',
      {
        account: 0,
      },
    );
    expect(balances.deposit.formatted).toBe('60');
    expect(balances.token.formatted).toBe('9940');
  });

  it('the scanner finds each kind of secret when it is there', () => {
    const needles = needlesFor(secrets);
    expect(findSecrets(JSON.stringify({ words: mnemonic }), needles)).not.toEqual([]);
    for (const [label, bytes] of Object.entries(secrets.bytes!)) {
      const buffer = Buffer.from(bytes);
      for (const form of [
        `0x${buffer.toString('hex')}`,
        buffer.toString('base64'),
        buffer.toString('base64url'),
      ])
        expect(findSecrets(`{"x":"${form}"}`, needles), `${label} as ${form.slice(0, 6)}…`).not.toEqual([]);
    }
  });

  it('no API response or event carries one', () => {
    const events = new Set(sent.map((item) => (item as { event?: string }).event).filter(Boolean));
    expect([...events].sort()).toEqual([
      'approval.requested',
      'approval.settled',
      'sync.progress',
      'wallet.status',
    ]);
    expect(findSecrets(JSON.stringify(sent), needlesFor(secrets))).toEqual([]);
  });

  it('no file in the data folder holds one in clear', async () => {
    const files = (await readdir(dataDir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));
    expect(files.map((f) => path.relative(dataDir, f))).toContain('vault.json');
    const needles = needlesFor(secrets);
    for (const file of files) {
      const bytes = await readFile(file);
      expect(findSecrets(bytes.toString('latin1'), needles), file).toEqual([]);
      // Raw bytes too: any 16-byte window of a key.
      for (const [label, secret] of Object.entries(secrets.bytes!))
        for (let start = 0; start + 16 <= secret.length; start += 16)
          expect(
            bytes.includes(Buffer.from(secret.subarray(start, start + 16))),
            `${label} raw in ${file}`,
          ).toBe(false);
    }
  });
});
