import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mnemonicToAccount } from 'viem/accounts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KEYSTORE_ADDRESS, KEYSTORE_PASSWORD, PBKDF2_KEYSTORE } from '../test-support/keystore-vectors';
import { SecureViews, TICKET_TTL_MS, type SecureViewResponse } from './secure-views';
import { Vault } from './vault';

const PHRASE = 'test test test test test test test test test test test junk';
const PASSWORD = 'secure views password';

const vaults: Vault[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const vault of vaults.splice(0)) vault.close();
});

async function setup(): Promise<{ vault: Vault; views: SecureViews }> {
  const vault = new Vault({
    dataDir: await mkdtemp(path.join(os.tmpdir(), 'coffer-views-')),
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
  });
  vaults.push(vault);
  const views = new SecureViews({ vault });
  views.setBaseUrl('http://127.0.0.1:9999/');
  return { vault, views };
}

/** Plays the person at the window: opens the ticket and posts its forms. */
class Window {
  page!: SecureViewResponse;
  constructor(
    private readonly views: SecureViews,
    readonly path: string,
  ) {}
  static async open(views: SecureViews, url: string): Promise<Window> {
    const window = new Window(views, new URL(url).pathname);
    window.page = await views.handle('GET', window.path);
    return window;
  }
  get token(): string {
    return /name="token" value="([^"]+)"/.exec(this.page.html)?.[1] ?? '';
  }
  get text(): string {
    return this.page.html.replace(/<style>[\s\S]*?<\/style>/, '').replace(/<[^>]+>/g, ' ');
  }
  words(): string[] {
    return [...this.page.html.matchAll(/<li>([a-z]+)<\/li>/g)].map((m) => m[1]!);
  }
  async post(fields: Record<string, string>): Promise<SecureViewResponse> {
    this.page = await this.views.handle('POST', this.path, {
      token: this.token,
      action: 'submit',
      ...fields,
    });
    return this.page;
  }
}

describe('secure views', () => {
  it('serve static forms with no scripts, posting only to themselves', async () => {
    const { views } = await setup();
    const ticket = await views.issue('create');
    expect(ticket).toMatchObject({
      kind: 'create',
      opened: false,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:9999\/secure-view\/[\w-]{43}$/),
    });
    const window = await Window.open(views, ticket.url);
    expect(window.page.status).toBe(200);
    const csp = window.page.headers['Content-Security-Policy']!;
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe/);
    expect(window.page.headers['Cache-Control']).toBe('no-store');
    expect(window.page.html).not.toMatch(/<script|javascript:|\son\w+=/i);
  });

  it('open once: a second visit, a wrong step token or an expired ticket gets nothing', async () => {
    const { views } = await setup();
    const ticket = await views.issue('create');
    const window = await Window.open(views, ticket.url);
    expect((await views.handle('GET', window.path)).status).toBe(410);
    const forged = await views.handle('POST', window.path, {
      token: 'x'.repeat(32),
      password: PASSWORD,
      confirm: PASSWORD,
    });
    expect(forged.status).toBe(410);
    expect((await views.handle('GET', '/secure-view/nope')).status).toBe(410);

    vi.useFakeTimers({ toFake: ['Date'] });
    const late = await views.issue('create');
    vi.setSystemTime(Date.now() + TICKET_TTL_MS + 1);
    expect((await views.handle('GET', new URL(late.url).pathname)).status).toBe(410);
  });

  it('create: password, the words shown once, three of them confirmed, then the wallet', async () => {
    const { vault, views } = await setup();
    const window = await Window.open(views, (await views.issue('create')).url);
    await window.post({ password: PASSWORD, confirm: 'something else' });
    expect(window.text).toContain('The two passwords are not the same.');
    await window.post({ password: PASSWORD, confirm: PASSWORD });
    const words = window.words();
    expect(words).toHaveLength(24);
    expect(window.text).toMatch(/only way to recover/);

    await window.post({});
    expect(window.words()).toEqual([]); // not shown again
    const asked = [...window.page.html.matchAll(/name="word(\d+)"/g)].map((m) => Number(m[1]));
    expect(asked).toHaveLength(3);
    const answers = Object.fromEntries(asked.map((p) => [`word${p}`, words[p]!]));
    await window.post({ step: 'confirm', ...answers, [`word${asked[0]}`]: 'wrong' });
    expect(window.text).toMatch(/do not match/);
    expect((await vault.status()).exists).toBe(false);

    await window.post({ step: 'confirm', ...answers });
    expect(window.text).toMatch(/Your wallet is ready/);
    const expected = mnemonicToAccount(words.join(' ')).address;
    expect(window.text).toContain(expected);
    expect(await vault.status()).toMatchObject({
      exists: true,
      locked: false,
      accounts: [{ address: expected }],
    });
    expect((await views.handle('POST', window.path, { token: window.token })).status).toBe(410);
  });

  it('create: three wrong confirmations create nothing and end the view', async () => {
    const { vault, views } = await setup();
    const window = await Window.open(views, (await views.issue('create')).url);
    await window.post({ password: PASSWORD, confirm: PASSWORD });
    await window.post({});
    for (let i = 0; i < 3; i++) await window.post({ step: 'confirm', word0: 'x', word1: 'y', word2: 'z' });
    expect(window.text).toMatch(/Nothing was created/);
    expect((await vault.status()).exists).toBe(false);
  });

  it('import a recovery phrase, naming a wrong word', async () => {
    const { vault, views } = await setup();
    const window = await Window.open(views, (await views.issue('import-mnemonic')).url);
    await window.post({ phrase: PHRASE.replace('junk', 'junx'), password: PASSWORD, confirm: PASSWORD });
    expect(window.text).toContain('Word 12 (&#34;junx&#34;) is not in the BIP-39 English word list');
    await window.post({ phrase: PHRASE, password: PASSWORD, confirm: PASSWORD });
    expect(window.text).toContain('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect((await vault.status()).accounts).toEqual([
      { index: 0, address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' },
    ]);
    await expect(views.issue('import-mnemonic')).rejects.toMatchObject({ code: 'WALLET_EXISTS' });
  });

  it('import a keystore: a malformed file and a wrong keystore password are told apart', async () => {
    const { vault, views } = await setup();
    const { crypto } = PBKDF2_KEYSTORE;
    const window = await Window.open(views, (await views.issue('import-keystore')).url);
    expect(window.page.html).toContain('enctype="multipart/form-data"');
    const fields = { keystorePassword: KEYSTORE_PASSWORD, password: PASSWORD, confirm: PASSWORD };
    await window.post({
      ...fields,
      keystoreText: JSON.stringify({ version: 3, crypto: { ...crypto, mac: '00' } }),
    });
    expect(window.text).toMatch(/not a usable V3 keystore file: crypto\.mac/);
    await window.post({
      ...fields,
      keystorePassword: 'wrong',
      keystoreFile: JSON.stringify({ version: 3, crypto }),
    });
    expect(window.text).toMatch(/The keystore password is wrong/);
    expect((await vault.status()).exists).toBe(false);
    await window.post({ ...fields, keystoreFile: JSON.stringify({ version: 3, crypto }) });
    expect(window.text).toContain(KEYSTORE_ADDRESS);
    expect(await vault.status()).toMatchObject({ exists: true, kind: 'privateKey' });
  });

  it('reveal: the words only after the password', async () => {
    const { vault, views } = await setup();
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    await vault.lock();
    const window = await Window.open(views, (await views.issue('reveal')).url);
    expect(window.words()).toEqual([]);
    await window.post({ password: 'not the password' });
    expect(window.text).toMatch(/The password is wrong/);
    expect(window.words()).toEqual([]);
    await window.post({ password: PASSWORD });
    expect(window.words().join(' ')).toBe(PHRASE);
    expect(vault.isUnlocked).toBe(false);
  });

  it('cancel ends the view and changes nothing', async () => {
    const { vault, views } = await setup();
    const window = await Window.open(views, (await views.issue('import-mnemonic')).url);
    await window.post({ action: 'cancel', phrase: PHRASE, password: PASSWORD, confirm: PASSWORD });
    expect(window.text).toMatch(/Nothing was changed/);
    expect((await vault.status()).exists).toBe(false);
  });
});
