import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSecrets, needlesFor } from '../core/test-support/secret-scan';
import { startWalletTestNetwork, type WalletTestNetwork } from '../core/test-support/wallet-network';
import { coffer } from './test-support/coffer-process';

const PHRASE = 'test test test test test test test test test test test junk';

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'coffer-cli-'));

describe('coffer wallet (CLI)', () => {
  it('has help at every level and refuses unknown commands', async () => {
    const top = await coffer(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: coffer <command>/);
    expect(top.stdout).toMatch(/wallet/);
    const wallet = await coffer(['wallet', '--help']);
    for (const name of ['create', 'import', 'address', 'balance', 'deposit', 'withdraw', 'lock', 'unlock'])
      expect(wallet.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    const deposit = await coffer(['wallet', 'deposit', '--help']);
    expect(deposit.stdout).toMatch(/Usage: coffer wallet deposit <amount>/);
    expect(deposit.stdout).toMatch(/--yes/);
    expect(deposit.stdout).toMatch(/--password-file/);
    // Every option line keeps its flag and description apart, the longest flag included.
    const importHelp = await coffer(['wallet', 'import', '--help']);
    const optionLines = importHelp.stdout.split('\n').filter((line) => /^ {2}(-\w, | {4})--/.test(line));
    expect(optionLines.length).toBeGreaterThan(4);
    for (const line of optionLines) expect(line).toMatch(/^ {2}(-\w, | {4})--[\w-]+( <[\w.]+>)? {2,}\S/);
    const unknown = await coffer(['wallet', 'destroy']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "destroy"/);
    const badOption = await coffer(['wallet', 'address', '--frobnicate']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/frobnicate/);
  });

  it('creates a wallet: the phrase printed once, three words asked back', async () => {
    const dataDir = await tempDir();
    let answered = 0;
    const run = await coffer(['wallet', 'create', '--data-dir', dataDir], {
      env: { COFFER_PASSWORD: 'cli test password' },
      respond: (stderr, stdout) => {
        const prompts = [...stderr.matchAll(/Word #(\d+): /g)];
        if (prompts.length <= answered) return null;
        const words = [...stdout.matchAll(/\d+\. (\w+)/g)].map((m) => m[1]!);
        return words[Number(prompts[answered++]![1]) - 1]!;
      },
    });
    expect(run.code, run.stderr).toBe(0);
    const words = [...run.stdout.matchAll(/\d+\. (\w+)/g)].map((m) => m[1]!);
    expect(words).toHaveLength(24);
    expect(answered).toBe(3);
    expect(run.stdout).toContain(`Account 0: ${mnemonicToAccount(words.join(' ')).address}`);
    const vaultText = await readFile(path.join(dataDir, 'vault.json'), 'utf8');
    expect(findSecrets(vaultText, needlesFor({ mnemonic: words.join(' ') }))).toEqual([]);
  });

  it('a wrong confirmation word creates nothing', async () => {
    const dataDir = await tempDir();
    const run = await coffer(['wallet', 'create', '--data-dir', dataDir], {
      env: { COFFER_PASSWORD: 'cli test password' },
      respond: (stderr) => (/Word #\d+: $/.test(stderr) ? 'zzz' : null),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/nothing was created/);
    await expect(readFile(path.join(dataDir, 'vault.json'))).rejects.toThrow(/ENOENT/);
  });

  it('imports a phrase from a file, checks passwords, and changes nothing on a wrong one', async () => {
    const dataDir = await tempDir();
    const phraseFile = path.join(dataDir, 'phrase.txt');
    const passwordFile = path.join(dataDir, 'password.txt');
    await writeFile(phraseFile, `${PHRASE}\n`);
    await writeFile(passwordFile, 'from a file 123\n');
    const importArgs = [
      'wallet',
      'import',
      '--data-dir',
      dataDir,
      '--mnemonic-file',
      phraseFile,
      '--password-file',
      passwordFile,
    ];
    const imported = await coffer(importArgs);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Account 0: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');

    const before = await readFile(path.join(dataDir, 'vault.json'));
    const wrong = await coffer(['wallet', 'unlock', '--data-dir', dataDir], {
      env: { COFFER_PASSWORD: 'not the password' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/The password is wrong \(WRONG_PASSWORD\)/);
    expect(await readFile(path.join(dataDir, 'vault.json'))).toEqual(before);

    const right = await coffer(['wallet', 'unlock', '--data-dir', dataDir, '--password-file', passwordFile]);
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/0: 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/);

    const address = await coffer(['wallet', 'address'], { env: { COFFER_HOME: dataDir } });
    expect(address.stdout.trim()).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    const lock = await coffer(['wallet', 'lock', '--data-dir', dataDir]);
    expect(lock.stdout).toMatch(/locked/);

    const again = await coffer(importArgs);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/WALLET_EXISTS/);
  });

  it('says plainly when there is no network for balances', async () => {
    const dataDir = await tempDir();
    const phraseFile = path.join(dataDir, 'phrase.txt');
    await writeFile(phraseFile, PHRASE);
    await coffer(['wallet', 'import', '--data-dir', dataDir, '--mnemonic-file', phraseFile], {
      env: { COFFER_PASSWORD: 'cli test password' },
    });
    const balance = await coffer(['wallet', 'balance', '--data-dir', dataDir]);
    expect(balance.code).toBe(1);
    expect(balance.stderr).toMatch(/No network is configured \(NETWORK_OFFLINE\)/);
    const bad = await coffer(['wallet', 'deposit', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/exactly one amount/);
  });
});

describe('coffer wallet on the devnet chain', () => {
  let network: WalletTestNetwork;
  let dataDir: string;
  const env = { COFFER_PASSWORD: 'cli chain password' };

  beforeAll(async () => {
    network = await startWalletTestNetwork();
    dataDir = await tempDir();
    await writeFile(path.join(dataDir, 'network.json'), JSON.stringify(network.manifest));
    // Not a dev account (those start with tokens of their own).
    await writeFile(path.join(dataDir, 'phrase.txt'), `${'abandon '.repeat(23)}art`);
    const imported = await coffer(
      ['wallet', 'import', '--data-dir', dataDir, '--mnemonic-file', path.join(dataDir, 'phrase.txt')],
      {
        env,
      },
    );
    expect(imported.code, imported.stderr).toBe(0);
  }, 120_000);
  afterAll(() => network?.stop());

  it('funds, deposits after a y/N approval, and shows the balances', async () => {
    expect((await coffer(['wallet', 'faucet', '--data-dir', dataDir])).code).toBe(0);

    const refused = await coffer(['wallet', 'deposit', '5', '--data-dir', dataDir], {
      env,
      respond: (stderr) => (/Approve\? \[y\/N\] $/.test(stderr) ? 'n' : null),
    });
    expect(refused.stderr).toMatch(/Approval requested: Deposit 5 tUSD into the PaymentVault/);
    expect(refused.stderr).toMatch(/hash: +0x[0-9a-f]{64}/);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/APPROVAL_REJECTED/);

    const deposited = await coffer(['wallet', 'deposit', '12.5', '--data-dir', dataDir], {
      env,
      respond: (stderr) => (/Approve\? \[y\/N\] $/.test(stderr) ? 'y' : null),
    });
    expect(deposited.code, deposited.stderr).toBe(0);
    expect(deposited.stdout).toMatch(/Deposited 12.5 tUSD/);

    const withdrew = await coffer(['wallet', 'withdraw', '2.5', '--yes', '--data-dir', dataDir], { env });
    expect(withdrew.code, withdrew.stderr).toBe(0);

    const balance = await coffer(['wallet', 'balance', '--data-dir', dataDir]);
    expect(balance.stdout).toMatch(/^deposit +10 tUSD/m);
    expect(balance.stdout).toMatch(/^token +9990 tUSD/m);
  });
});
