/**
 * The wallet's chain calls when the RPC does not answer: a NETWORK_OFFLINE error naming the RPC,
 * never a raw viem error or a hang, and nothing changed in the vault.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkWithNoteServer } from '../sync/test-support/sync-fixture';
import { SigningAllowlist } from '../signer/allowlist';
import { ApprovalBroker } from '../signer/approvals';
import { Signer } from '../signer/signer';
import { Vault } from '../vault/vault';
import { WalletChain } from './wallet-chain';

// Port 1 on loopback: nothing listens there, so every call is refused at once.
const network = networkWithNoteServer('http://127.0.0.1:9');
let dataDir: string;
let vault: Vault;
let chain: WalletChain;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-wallet-offline-'));
  vault = new Vault({ dataDir, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  await vault.createFromMnemonic(
    'test test test test test test test test test test test junk',
    'offline password',
  );
  const signer = new Signer({
    vault,
    allowlist: SigningAllowlist.fromManifest(network),
    approvals: new ApprovalBroker(),
  });
  chain = new WalletChain(network, vault, signer);
});
afterAll(async () => {
  vault?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('wallet calls with the RPC down', () => {
  it('balances and deposits fail NETWORK_OFFLINE naming the RPC; the vault file is unchanged', async () => {
    const before = await readFile(vault.file, 'utf8');
    for (const call of [() => chain.balances(0), () => chain.deposit(0, '1')]) {
      await expect(call()).rejects.toMatchObject({
        code: 'NETWORK_OFFLINE',
        message: expect.stringContaining(`The chain at ${network.rpcUrl} did not answer`),
      });
    }
    expect(await readFile(vault.file, 'utf8')).toBe(before);
  });
});
