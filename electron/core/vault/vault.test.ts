import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeKeychain } from '../test-support/fake-keychain';
import { KEYSTORE_ADDRESS, KEYSTORE_PASSWORD, PBKDF2_KEYSTORE } from '../test-support/keystore-vectors';
import { DEFAULT_SCRYPT } from './vault-file';
import { Vault, type VaultOptions } from './vault';

// Tests use a cheap scrypt cost (N = 2^10) except the one that checks the production default.
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };
// Not "abandon … art": its entropy is all zeros, which would hide a secret wiped too early.
const PHRASE = 'test test test test test test test test test test test junk';
const ADDRESS_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const ADDRESS_1 = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const PASSWORD = 'correct horse battery';

const vaults: Vault[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const vault of vaults.splice(0)) vault.close();
});

async function newVault(options: Partial<VaultOptions> = {}): Promise<Vault> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'coffer-vault-')));
  const vault = new Vault({ scrypt: CHEAP, ...options, dataDir });
  vaults.push(vault);
  return vault;
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: { code?: string; message: string }) => ({ code: error.code, message: error.message }),
  );

describe('vault', () => {
  it('creates from a recovery phrase, unlocked, with the derived address on file', async () => {
    const vault = await newVault();
    expect(await vault.status()).toMatchObject({ exists: false, locked: true, accounts: [] });
    const status = await vault.createFromMnemonic(`  ${PHRASE.toUpperCase()}  `, PASSWORD);
    expect(status).toMatchObject({
      exists: true,
      locked: false,
      kind: 'mnemonic',
      accounts: [{ index: 0, address: ADDRESS_0 }],
    });
    const file = JSON.parse(await readFile(vault.file, 'utf8'));
    expect(file).toMatchObject({
      format: 'coffer-vault',
      version: 1,
      slots: { password: { kdf: { N: 1024 } } },
    });
    expect(await errorOf(vault.createFromMnemonic(PHRASE, PASSWORD))).toMatchObject({
      code: 'WALLET_EXISTS',
    });
  });

  it('writes the production scrypt cost (N = 2^17, r = 8, p = 1) by default and opens with it', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-vault-'));
    const vault = new Vault({ dataDir });
    vaults.push(vault);
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    const { kdf } = JSON.parse(await readFile(vault.file, 'utf8')).slots.password;
    expect(kdf).toMatchObject({ name: 'scrypt', N: DEFAULT_SCRYPT.N, r: 8, p: 1, dkLen: 32 });
    expect(DEFAULT_SCRYPT.N).toBeGreaterThanOrEqual(2 ** 17);
    const reopened = new Vault({ dataDir });
    vaults.push(reopened);
    expect(await reopened.unlock(PASSWORD)).toMatchObject({ locked: false });
  });

  it('locks, refuses key use while locked, and unlocks only with the right password', async () => {
    const vault = await newVault();
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    await vault.lock();
    expect(() => vault.withPrivateKey(0, () => 1)).toThrow(/locked/);
    const before = await readFile(vault.file);
    expect(await errorOf(vault.unlock('wrong password'))).toEqual({
      code: 'WRONG_PASSWORD',
      message: 'The password is wrong',
    });
    expect(await readFile(vault.file)).toEqual(before);
    expect((await vault.status()).locked).toBe(true);
    await vault.unlock(PASSWORD);
    expect(vault.withPrivateKey(0, (_key, address) => address)).toBe(ADDRESS_0);
    // Unlocking an unlocked wallet still checks the password.
    expect(await errorOf(vault.unlock('wrong password'))).toMatchObject({ code: 'WRONG_PASSWORD' });
  });

  it('zeroes every key buffer on lock', async () => {
    const vault = await newVault();
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    const held = vault.withPrivateKey(0, (key) => key);
    expect(held.some((byte) => byte !== 0)).toBe(true);
    await vault.lock();
    expect(held.every((byte) => byte === 0)).toBe(true);
  });

  it('changes the password atomically; a wrong old password changes nothing', async () => {
    const vault = await newVault();
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    const before = await readFile(vault.file);
    expect(await errorOf(vault.changePassword('not it at all', 'a new password'))).toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    expect(await errorOf(vault.changePassword(PASSWORD, 'short'))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await readFile(vault.file)).toEqual(before);

    await vault.changePassword(PASSWORD, 'a new password');
    const after = JSON.parse(await readFile(vault.file, 'utf8'));
    const old = JSON.parse(before.toString());
    expect(after.slots.password.kdf.salt).not.toBe(old.slots.password.kdf.salt);
    expect(after.secret.ciphertext).not.toBe(old.secret.ciphertext);

    const reopened = await newVault({ dataDir: path.dirname(vault.file) });
    expect(await errorOf(reopened.unlock(PASSWORD))).toMatchObject({ code: 'WRONG_PASSWORD' });
    expect(await reopened.unlock('a new password')).toMatchObject({ locked: false });
    expect(await reopened.revealMnemonic('a new password')).toBe(PHRASE);
  });

  it('locks itself after the configured idle time, and any key use restarts the countdown', async () => {
    const seen: boolean[] = [];
    const watched = await newVault({ onStatus: (s) => seen.push(s.locked) });
    await watched.createFromMnemonic(PHRASE, PASSWORD);
    await watched.setAutoLock(2);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    watched.withPrivateKey(0, () => undefined);
    vi.advanceTimersByTime(90_000);
    watched.withPrivateKey(0, () => undefined);
    vi.advanceTimersByTime(90_000);
    expect(watched.isUnlocked).toBe(true);
    vi.advanceTimersByTime(31_000);
    expect(watched.isUnlocked).toBe(false);
    vi.useRealTimers();
    await vi.waitFor(() => expect(seen.at(-1)).toBe(true));
    expect((await watched.status()).autoLockMinutes).toBe(2);
  });

  it('adds accounts that survive a restart', async () => {
    const vault = await newVault();
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    expect((await vault.addAccount()).accounts).toEqual([
      { index: 0, address: ADDRESS_0 },
      { index: 1, address: ADDRESS_1 },
    ]);
    const reopened = await newVault({ dataDir: path.dirname(vault.file) });
    await reopened.unlock(PASSWORD);
    expect(reopened.withPrivateKey(1, (_key, address) => address)).toBe(ADDRESS_1);
    expect(reopened.publicKeys(1).detectionPublicKey).toHaveLength(1184);
  });

  it('refuses a vault file whose account list was edited', async () => {
    const vault = await newVault();
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    const file = JSON.parse(await readFile(vault.file, 'utf8'));
    file.public.accounts[0].address = ADDRESS_1;
    await writeFile(vault.file, JSON.stringify(file));
    const reopened = await newVault({ dataDir: path.dirname(vault.file) });
    expect(await errorOf(reopened.unlock(PASSWORD))).toMatchObject({
      message: expect.stringMatching(/altered/),
    });
  });

  it('imports a mnemonic only when it is valid, naming the wrong word', async () => {
    const vault = await newVault();
    const bad = PHRASE.replace(/junk$/, 'junx');
    expect(await errorOf(vault.createFromMnemonic(bad, PASSWORD))).toEqual({
      code: 'INVALID_INPUT',
      message: 'Word 12 ("junx") is not in the BIP-39 English word list',
    });
    expect(await errorOf(vault.createFromMnemonic(PHRASE.replace(/junk$/, 'test'), PASSWORD))).toMatchObject({
      message: expect.stringMatching(/checksum/),
    });
    expect(await errorOf(vault.createFromMnemonic('abandon abandon', PASSWORD))).toMatchObject({
      message: expect.stringMatching(/has 2/),
    });
    expect(await errorOf(vault.createFromMnemonic(PHRASE, 'short'))).toMatchObject({ code: 'INVALID_INPUT' });
    expect((await vault.status()).exists).toBe(false);
  });

  it('imports a keystore as a single-account wallet without a phrase', async () => {
    const vault = await newVault();
    const keystore = PBKDF2_KEYSTORE;
    expect(await errorOf(vault.createFromKeystore(JSON.stringify(keystore), 'nope', PASSWORD))).toMatchObject(
      {
        code: 'WRONG_PASSWORD',
      },
    );
    expect((await vault.status()).exists).toBe(false);
    const status = await vault.createFromKeystore(JSON.stringify(keystore), KEYSTORE_PASSWORD, PASSWORD);
    expect(status).toMatchObject({
      kind: 'privateKey',
      accounts: [{ index: 0, address: KEYSTORE_ADDRESS }],
    });
    expect(await errorOf(vault.addAccount())).toMatchObject({ code: 'CONFLICT' });
    expect(await errorOf(vault.revealMnemonic(PASSWORD))).toMatchObject({ code: 'CONFLICT' });
  });

  it('unlocks through the OS keychain when asked, and refuses a plain-text keychain', async () => {
    const keychain = new FakeKeychain();
    const vault = await newVault({ keychain });
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    expect(await errorOf(vault.setKeychainUnlock(true, 'wrong password'))).toMatchObject({
      code: 'WRONG_PASSWORD',
    });
    expect((await vault.setKeychainUnlock(true, PASSWORD)).keychain).toEqual({
      available: true,
      enabled: true,
      problem: null,
    });
    await vault.lock();
    expect(await vault.unlockWithKeychain()).toMatchObject({ locked: false });
    expect(keychain.calls.decrypt).toBe(1);

    // After a password change the keychain still unlocks (it holds the new data key).
    await vault.changePassword(PASSWORD, 'another password');
    await vault.lock();
    expect(await vault.unlockWithKeychain()).toMatchObject({ locked: false });

    await vault.setKeychainUnlock(false, 'another password');
    await vault.lock();
    expect(await errorOf(vault.unlockWithKeychain())).toMatchObject({ code: 'CONFLICT' });

    const plain = await newVault({ keychain: new FakeKeychain('basic_text') });
    await plain.createFromMnemonic(PHRASE, PASSWORD);
    expect((await plain.status()).keychain).toEqual({
      available: false,
      enabled: false,
      problem: expect.stringMatching(/plain text/),
    });
    expect(await errorOf(plain.setKeychainUnlock(true, PASSWORD))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/plain text/),
    });
  });

  it('a keychain from another install cannot unlock this wallet', async () => {
    const vault = await newVault({ keychain: new FakeKeychain() });
    await vault.createFromMnemonic(PHRASE, PASSWORD);
    await vault.setKeychainUnlock(true, PASSWORD);
    const other = await newVault({ dataDir: path.dirname(vault.file), keychain: new FakeKeychain() });
    expect(await errorOf(other.unlockWithKeychain())).toMatchObject({ code: 'FORBIDDEN' });
    expect(other.isUnlocked).toBe(false);
  });
});
