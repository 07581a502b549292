/**
 * The signer's output accepted by Coffer's own contracts on a real devnet chain: a Permit by
 * PaymentVault.depositWithPermit (through the wallet's deposit), CreateDataSet + AddPieces by the
 * DataSetRegistry when a provider submits them, and provider quotes paid in one payForQuotes.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseUnits, type TypedDataDefinition } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Quote } from '../../../shared/chain/eip712';
import type { Address } from '../../../shared/network-manifest';
import { DEV_ROLES } from '../../../devnet/chain/dev-accounts';
import { randomBytes32, revertOf, type TestActor } from '../../../devnet/test-support/test-chain';
import { startWalletTestNetwork, type WalletTestNetwork } from '../test-support/wallet-network';
import { generateMnemonic } from '../vault/mnemonic';
import { Vault } from '../vault/vault';
import { WalletChain } from '../wallet/wallet-chain';
import { SigningAllowlist } from './allowlist';
import { ApprovalBroker } from './approvals';
import { Signer, type GrantHandle } from './signer';
import { addPiecesPayload, createDataSetPayload, quotePayload } from './typed-data';

let network: WalletTestNetwork;
let vault: Vault;
let signer: Signer;
let wallet: WalletChain;
let payer: Address;
let provider: TestActor;
const hour = () => BigInt(Math.floor(Date.now() / 1000) + 3600);

beforeAll(async () => {
  network = await startWalletTestNetwork();
  vault = new Vault({
    dataDir: await mkdtemp(path.join(os.tmpdir(), 'coffer-signer-chain-')),
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
  });
  await vault.createFromMnemonic(generateMnemonic(), 'signer chain password');
  // The user approves whatever is asked here, with the hash shown.
  const approvals = new ApprovalBroker();
  approvals.onRequested((r) =>
    queueMicrotask(() => approvals.respond({ id: r.id, hash: r.hash, decision: 'approve' })),
  );
  signer = new Signer({
    vault,
    approvals,
    allowlist: SigningAllowlist.fromManifest(network.manifest),
    network: network.manifest,
  });
  wallet = new WalletChain(network.manifest, vault, signer);
  payer = await vault.address(0);
  provider = network.chain.as(DEV_ROLES.firstProvider);
  await wallet.faucet(0);
}, 120_000);

afterAll(async () => {
  vault?.close();
  await network?.stop();
});

async function uploadGrant(maxAmount: bigint): Promise<GrantHandle> {
  return signer.approveUpload({
    account: 0,
    providers: [{ address: provider.address, label: 'provider 1' }],
    maxAmount,
    deadline: hour(),
    summary: {
      title: 'Upload test.bin (2 pieces), 1 copy',
      amount: { raw: maxAmount.toString(), decimals: 18, symbol: 'tUSD', formatted: '1' },
      details: [],
    },
  });
}

describe('signatures accepted by the contracts on anvil', () => {
  it('Permit → PaymentVault.depositWithPermit (one transaction)', async () => {
    const before = await provider.contracts.paymentVault.read.balanceOf([payer]);
    const result = await wallet.deposit(0, '25');
    expect(result.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await provider.contracts.paymentVault.read.balanceOf([payer])).toBe(before + parseUnits('25', 18));
    const receipt = await network.chain.publicClient.getTransactionReceipt({ hash: result.txHash });
    expect(receipt.from.toLowerCase()).toBe(payer.toLowerCase());
  });

  it('CreateDataSet + AddPieces, submitted by the provider, land in the DataSetRegistry', async () => {
    const grant = await uploadGrant(parseUnits('1', 18));
    const deadline = hour();
    const clientDataSetId = 7n;
    const pieceDigests = [randomBytes32(), randomBytes32()];
    const nonce = randomBytes32();
    const { contracts } = signer.allowlist;
    const create = await signer.sign(
      grant,
      createDataSetPayload(contracts, { payer, provider: provider.address, clientDataSetId, deadline }),
    );
    const add = await signer.sign(
      grant,
      addPiecesPayload(contracts, {
        payer,
        provider: provider.address,
        clientDataSetId,
        pieceDigests,
        nonce,
        deadline,
      }),
    );
    const registry = provider.contracts.dataSetRegistry;

    // The chain checks the payer's signature: the same signature over other pieces is refused.
    const tampered = registry.write.createDataSetAndAddPieces([
      payer,
      clientDataSetId,
      deadline,
      create.signature,
      [randomBytes32()],
      nonce,
      deadline,
      add.signature,
    ]);
    expect((await revertOf(tampered)).name).toBe('BadSignature');

    await network.chain.mined(
      registry.write.createDataSetAndAddPieces([
        payer,
        clientDataSetId,
        deadline,
        create.signature,
        pieceDigests,
        nonce,
        deadline,
        add.signature,
      ]),
    );
    const dataSetId = await registry.read.dataSetIdOf([payer, provider.address, clientDataSetId]);
    expect(dataSetId).toBeGreaterThan(0n);
    expect(await registry.read.getPiece([dataSetId, 1n])).toBe(pieceDigests[0]);
    expect(await registry.read.getPiece([dataSetId, 2n])).toBe(pieceDigests[1]);
    signer.close(grant);
  });

  it('provider quotes → PaymentVault.payForQuotes, within the approved amount', async () => {
    const price = parseUnits('0.4', 18);
    const grant = await uploadGrant(parseUnits('1', 18));
    const quote = (): Quote => ({
      provider: provider.address,
      payer,
      pieceDigest: randomBytes32(),
      size: 1024n,
      price,
      expiry: hour(),
      nonce: randomBytes32(),
    });
    const signedBy = async (q: Quote) => ({
      quote: q,
      signature: await provider.account.signTypedData(
        quotePayload(signer.allowlist.contracts, q) as unknown as TypedDataDefinition,
      ),
    });
    const signed = [await signedBy(quote()), await signedBy(quote())];
    const earned = await provider.contracts.paymentVault.read.earningsOf([provider.address]);
    const txHash = await signer.payQuotes(grant, signed);
    await network.chain.mined(txHash);
    expect(await provider.contracts.paymentVault.read.earningsOf([provider.address])).toBe(
      earned + 2n * price,
    );
    // Its gas limit came from one simulation plus a quarter: above what it used, not far above.
    const sent = await network.chain.publicClient.getTransaction({ hash: txHash });
    const { gasUsed } = await network.chain.publicClient.getTransactionReceipt({ hash: txHash });
    expect(sent.gas).toBeGreaterThan(gasUsed);
    expect(sent.gas).toBeLessThanOrEqual((gasUsed * 13n) / 10n);
    // A third 0.4 would pass the approved 1.0: refused before anything is sent.
    await expect(signer.payQuotes(grant, [await signedBy(quote())])).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
    // A quote whose signature is not the provider's never reaches the chain either: the chain's
    // simulation refuses it, and the signer then names it (checking the signatures itself).
    const sentBefore = await network.chain.publicClient.getTransactionCount({
      address: payer,
      blockTag: 'pending',
    });
    await expect(
      signer.payQuotes(grant, [{ ...signed[0]!, quote: { ...quote(), price: 1n } }]),
    ).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringContaining('but was signed by'),
    });
    expect(
      await network.chain.publicClient.getTransactionCount({ address: payer, blockTag: 'pending' }),
    ).toBe(sentBefore);
    signer.close(grant);
  });
});
