import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { encodeFunctionData, getAddress, hashTypedData, type Hex, type TypedDataDefinition } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../../../shared/api/approval';
import type { Quote } from '../../../shared/chain/eip712';
import { paymentVaultAbi } from '../../../shared/contracts/abis';
import type { Address } from '../../../shared/network-manifest';
import { Vault } from '../vault/vault';
import { SigningAllowlist } from './allowlist';
import { ApprovalBroker } from './approvals';
import { Signer, type GrantHandle } from './signer';
import {
  addPiecesPayload,
  createDataSetPayload,
  permitPayload,
  quotePayload,
  type SignablePayload,
} from './typed-data';

const PHRASE = 'test test test test test test test test test test test junk';
const user = mnemonicToAccount(PHRASE); // the independent signer: viem's own HD account
const providerA = privateKeyToAccount('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const providerB = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
const outsider = privateKeyToAccount('0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a');

const contracts = {
  chainId: 31337,
  token: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as Address,
  paymentVault: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as Address,
  dataSetRegistry: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' as Address,
};
const deadline = () => BigInt(Math.floor(Date.now() / 1000) + 3600);
const token = { raw: '5000000', decimals: 6, symbol: 'tUSD', formatted: '5' };

let vault: Vault;
let broker: ApprovalBroker;
let signer: Signer;
let requests: ApprovalRequest[];
let signed: Hex[];

beforeEach(async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'coffer-signer-'));
  vault = new Vault({ dataDir, scrypt: { N: 2 ** 10, r: 8, p: 1 } });
  await vault.createFromMnemonic(PHRASE, 'signer test password');
  requests = [];
  signed = [];
  broker = new ApprovalBroker({ onRequested: (r) => requests.push(r) });
  signer = new Signer({
    vault,
    allowlist: new SigningAllowlist(contracts),
    approvals: broker,
    onSigned: (record) => signed.push(record.hash),
  });
});
afterEach(() => {
  broker.cancelAll();
  vault.close();
});

/** Answers the next approval request as the user would, with the hash that was shown. */
function answerNext(decision: 'approve' | 'reject'): void {
  const off = broker.onRequested((request) => {
    off();
    queueMicrotask(() => broker.respond({ id: request.id, hash: request.hash, decision }));
  });
}

const permit = (value = 5_000_000n, spender = contracts.paymentVault) =>
  permitPayload(contracts, { owner: user.address, spender, value, nonce: 0n, deadline: deadline() });
const summary = () => ({
  title: 'Deposit 5 tUSD',
  amount: token,
  deadline: Number(deadline()),
  counterparties: [],
  details: [],
});

async function approvedPermit(payload: SignablePayload): Promise<GrantHandle> {
  answerNext('approve');
  return signer.approvePayload({ account: 0, kind: 'deposit', payload, summary: summary() });
}

describe('signer: single payloads', () => {
  it('signs an approved Permit exactly as an independent wallet would', async () => {
    const payload = permit();
    const grant = await approvedPermit(payload);
    expect(grant.hash).toBe(hashTypedData(payload as unknown as TypedDataDefinition));
    expect(requests[0]).toMatchObject({
      kind: 'deposit',
      hash: grant.hash,
      domains: [
        { name: 'Coffer Test USD', version: '1', chainId: 31337, verifyingContract: contracts.token },
      ],
      summary: { account: user.address, title: 'Deposit 5 tUSD' },
    });
    const result = await signer.sign(grant, payload);
    expect(result.signer).toBe(user.address);
    expect(result.signature).toBe(await user.signTypedData(payload as unknown as TypedDataDefinition));
  });

  it('refuses a payload altered after approval', async () => {
    const grant = await approvedPermit(permit(5_000_000n));
    await expect(signer.sign(grant, permit(5_000_001n))).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/not the one approved/),
    });
    expect(signed).toEqual([]);
  });

  it('refuses a wrong chain id or contract before asking and before signing', async () => {
    const wrong: SignablePayload[] = [
      { ...permit(), domain: { ...permit().domain, chainId: 1 } },
      { ...permit(), domain: { ...permit().domain, verifyingContract: outsider.address } },
      { ...permit(), domain: { ...permit().domain, name: 'Other Token' } },
      permit(5n, outsider.address),
    ];
    for (const payload of wrong) {
      await expect(
        signer.approvePayload({ account: 0, kind: 'deposit', payload, summary: summary() }),
      ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/^Refusing to sign: /) });
    }
    expect(requests).toEqual([]);

    // Even with a grant for a good payload in hand, a foreign domain never reaches the key: the
    // allowlist answers first (not just the approval's hash check).
    const grant = await approvedPermit(permit());
    for (const payload of wrong) {
      await expect(signer.sign(grant, payload)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(/is for chain|is for contract|names domain|as spender/),
      });
    }
    expect(signed).toEqual([]);
  });

  it('ends cleanly on rejection, and does not take an answer with another hash', async () => {
    const pending = signer.approvePayload({
      account: 0,
      kind: 'deposit',
      payload: permit(),
      summary: summary(),
    });
    await expect.poll(() => requests.length).toBe(1);
    const [request] = requests;
    expect(() =>
      broker.respond({ id: request!.id, hash: `0x${'00'.repeat(32)}`, decision: 'approve' }),
    ).toThrow(/hash does not match/);
    expect(broker.list()).toHaveLength(1);
    broker.respond({ id: request!.id, hash: request!.hash, decision: 'reject' });
    await expect(pending).rejects.toMatchObject({ code: 'APPROVAL_REJECTED' });
    expect(broker.list()).toEqual([]);
    expect(() => broker.respond({ id: request!.id, hash: request!.hash, decision: 'approve' })).toThrow(
      /No approval/,
    );
  });

  it('expires an unanswered request, and cancels with the operation', async () => {
    const quick = new ApprovalBroker({ ttlMs: 50 });
    const s = new Signer({ vault, allowlist: new SigningAllowlist(contracts), approvals: quick });
    await expect(
      s.approvePayload({ account: 0, kind: 'deposit', payload: permit(), summary: summary() }),
    ).rejects.toMatchObject({
      code: 'APPROVAL_EXPIRED',
    });
    const abort = new AbortController();
    const pending = signer.approvePayload({
      account: 0,
      kind: 'deposit',
      payload: permit(),
      summary: summary(),
      signal: abort.signal,
    });
    await expect.poll(() => broker.list().length).toBe(1);
    abort.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('signs nothing under a closed grant or while locked', async () => {
    const payload = permit();
    const grant = await approvedPermit(payload);
    await vault.lock();
    await expect(signer.sign(grant, payload)).rejects.toMatchObject({ code: 'LOCKED' });
    await vault.unlock('signer test password');
    signer.close(grant);
    await expect(signer.sign(grant, payload)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('signer: one approval per upload', () => {
  const uploadDeadline = deadline();

  async function approvedUpload(maxAmount = 1000n): Promise<GrantHandle> {
    answerNext('approve');
    return signer.approveUpload({
      account: 0,
      providers: [
        { address: providerA.address, label: 'provider 1' },
        { address: providerB.address, label: 'provider 2' },
      ],
      maxAmount,
      deadline: uploadDeadline,
      summary: {
        title: 'Upload 2 files, 2 copies',
        amount: { ...token, raw: String(maxAmount) },
        details: [],
      },
    });
  }

  const createDataSet = (provider: Address, extra: Partial<{ payer: Address; deadline: bigint }> = {}) =>
    createDataSetPayload(contracts, {
      payer: extra.payer ?? user.address,
      provider,
      clientDataSetId: 7n,
      deadline: extra.deadline ?? uploadDeadline,
    });
  const addPieces = (provider: Address) =>
    addPiecesPayload(contracts, {
      payer: user.address,
      provider,
      clientDataSetId: 7n,
      pieceDigests: [`0x${'ab'.repeat(32)}`],
      nonce: `0x${'01'.repeat(32)}`,
      deadline: uploadDeadline,
    });

  async function signedQuote(
    by: typeof providerA,
    price: bigint,
    nonceByte: string,
    provider = by.address,
  ): Promise<{ quote: Quote; signature: Hex }> {
    const quote: Quote = {
      provider,
      payer: user.address,
      pieceDigest: `0x${'cd'.repeat(32)}`,
      size: 1024n,
      price,
      expiry: deadline(),
      nonce: `0x${nonceByte.repeat(32)}`,
    };
    const signature = await by.signTypedData(
      quotePayload(contracts, quote) as unknown as TypedDataDefinition,
    );
    return { quote, signature };
  }

  it('covers CreateDataSet and AddPieces for its providers, signed as an independent wallet would', async () => {
    const grant = await approvedUpload();
    expect(requests[0]).toMatchObject({
      kind: 'upload',
      domains: [
        { verifyingContract: contracts.dataSetRegistry },
        { verifyingContract: contracts.paymentVault },
      ],
      summary: {
        counterparties: [
          { role: 'storage provider', address: providerA.address },
          { role: 'storage provider', address: providerB.address },
        ],
        deadline: Number(uploadDeadline),
      },
    });
    for (const payload of [createDataSet(providerA.address), addPieces(providerB.address)]) {
      const { signature } = await signer.sign(grant, payload);
      expect(signature).toBe(await user.signTypedData(payload as unknown as TypedDataDefinition));
    }
  });

  it('refuses payloads outside the upload: another provider, another payer, a later deadline, a Permit', async () => {
    const grant = await approvedUpload();
    const cases: Array<[SignablePayload, RegExp]> = [
      [createDataSet(outsider.address), /does not name/],
      [createDataSet(providerA.address, { payer: outsider.address }), /payer/],
      [createDataSet(providerA.address, { deadline: uploadDeadline + 1n }), /deadline/],
      [permit(), /not the one approved/],
    ];
    for (const [payload, reason] of cases) {
      await expect(signer.sign(grant, payload)).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringMatching(reason),
      });
    }
    expect(signed).toEqual([]);
  });

  it('pays verified quotes up to the approved amount and no further', async () => {
    const grant = await approvedUpload(1000n);
    const first = [await signedQuote(providerA, 400n, '01'), await signedQuote(providerB, 400n, '02')];
    expect(await signer.authorizeQuotePayments(grant, first)).toBe(800n);
    expect(signer.remaining(grant)).toBe(200n);
    await expect(
      signer.authorizeQuotePayments(grant, [await signedQuote(providerA, 201n, '03')]),
    ).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
    });
    await expect(signer.authorizeQuotePayments(grant, [first[0]!])).rejects.toMatchObject({
      message: expect.stringMatching(/already paid/),
    });
    expect(await signer.authorizeQuotePayments(grant, [await signedQuote(providerA, 200n, '04')])).toBe(200n);
    expect(signer.remaining(grant)).toBe(0n);
  });

  it('rejects a forged quote, and a quote from a provider the upload does not name', async () => {
    const grant = await approvedUpload();
    await expect(
      signer.authorizeQuotePayments(grant, [await signedQuote(outsider, 1n, '05', providerA.address)]),
    ).rejects.toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/signed by/) });
    await expect(
      signer.authorizeQuotePayments(grant, [await signedQuote(outsider, 1n, '06')]),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    // Signed by the right provider (its key known from earlier quotes), then changed: cheaper.
    const genuine = await signedQuote(providerA, 500n, '07');
    expect(await signer.authorizeQuotePayments(grant, [genuine])).toBe(500n);
    const altered = await signedQuote(providerA, 400n, '08');
    altered.quote = { ...altered.quote, price: 1n };
    await expect(signer.authorizeQuotePayments(grant, [altered])).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/signed by/),
    });
    const malformed = await signedQuote(providerA, 1n, '09');
    malformed.quote = { ...malformed.quote, size: 1n << 64n };
    await expect(signer.authorizeQuotePayments(grant, [malformed])).rejects.toMatchObject({
      code: 'VERIFY_FAILED',
      message: expect.stringMatching(/malformed: size is not a uint64/),
    });
    expect(signer.remaining(grant)).toBe(500n);
  });

  it('property: a quote a provider altered, or signed for another chain, contract, payer or time, pays nothing (fixed seed)', async () => {
    const FC_SEED = 1_618_2026;
    const grant = await approvedUpload(1000n);
    const otherAddress = fc
      .uint8Array({ minLength: 20, maxLength: 20 })
      .map((bytes) => getAddress(`0x${Buffer.from(bytes).toString('hex')}`));
    type Lie =
      | { kind: 'altered'; field: keyof Quote; value: bigint | Address | Hex }
      | { kind: 'domain'; chainId: number; verifyingContract: Address }
      | { kind: 'signed'; field: 'payer' | 'expiry' | 'price'; value: bigint | Address };
    const lies: fc.Arbitrary<Lie> = fc.oneof(
      fc.record({
        kind: fc.constant('altered' as const),
        field: fc.constant('price' as const),
        value: fc.bigInt(0n, 10n ** 20n),
      }),
      fc.record({
        kind: fc.constant('altered' as const),
        field: fc.constant('size' as const),
        value: fc.bigInt(0n, 10n ** 12n),
      }),
      fc.record({
        kind: fc.constant('altered' as const),
        field: fc.constantFrom('payer' as const, 'provider' as const),
        value: otherAddress,
      }),
      fc.record({
        kind: fc.constant('altered' as const),
        field: fc.constantFrom('pieceDigest' as const, 'nonce' as const),
        value: fc
          .uint8Array({ minLength: 32, maxLength: 32 })
          .map((b) => `0x${Buffer.from(b).toString('hex')}` as Hex),
      }),
      fc.record({
        kind: fc.constant('domain' as const),
        chainId: fc.integer({ min: 1, max: 2 ** 31 }),
        verifyingContract: fc.constant(contracts.paymentVault),
      }),
      fc.record({
        kind: fc.constant('domain' as const),
        chainId: fc.constant(contracts.chainId),
        verifyingContract: otherAddress,
      }),
      fc.record({
        kind: fc.constant('signed' as const),
        field: fc.constant('payer' as const),
        value: otherAddress,
      }),
      fc.record({
        kind: fc.constant('signed' as const),
        field: fc.constant('expiry' as const),
        value: fc.bigInt(0n, BigInt(Math.floor(Date.now() / 1000) - 1)),
      }),
      fc.record({
        kind: fc.constant('signed' as const),
        field: fc.constant('price' as const),
        value: fc.bigInt(1001n, 10n ** 30n),
      }),
    );
    const samples = fc.sample(lies, { seed: FC_SEED, numRuns: 120 });
    const outcomes = new Map<string, number>();
    let wrong = 0;
    for (const [n, lie] of samples.entries()) {
      const quote: Quote = {
        provider: providerA.address,
        payer: user.address,
        pieceDigest: `0x${'cd'.repeat(32)}`,
        size: 1024n,
        price: 100n,
        expiry: deadline(),
        nonce: `0x${n.toString(16).padStart(64, '0')}`,
      };
      if (lie.kind === 'signed') Object.assign(quote, { [lie.field]: lie.value });
      const domain =
        lie.kind === 'domain'
          ? { ...contracts, chainId: lie.chainId, paymentVault: lie.verifyingContract }
          : contracts;
      const signature = await providerA.signTypedData(
        quotePayload(domain, quote) as unknown as TypedDataDefinition,
      );
      const offered = lie.kind === 'altered' ? { ...quote, [lie.field]: lie.value } : quote;
      if (
        lie.kind === 'domain' &&
        lie.chainId === contracts.chainId &&
        lie.verifyingContract === contracts.paymentVault
      )
        continue;
      if (
        lie.kind === 'altered' &&
        String(offered[lie.field]).toLowerCase() === String(quote[lie.field]).toLowerCase()
      )
        continue;
      try {
        await signer.authorizeQuotePayments(grant, [{ quote: offered, signature }]);
        wrong++;
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'not a CofferError';
        outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        if (!['VERIFY_FAILED', 'FORBIDDEN', 'LIMIT_EXCEEDED'].includes(code)) wrong++;
      }
    }
    const tried = [...outcomes.values()].reduce((a, b) => a + b, 0) + wrong;
    console.log(
      `signer quote lies: ${tried} inputs tried (seed ${FC_SEED}), ${wrong} accepted wrongly; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(wrong).toBe(0);
    expect(tried).toBeGreaterThan(100);
    expect(signer.remaining(grant)).toBe(1000n);
    // The honest quote, same provider and grant, is paid: the refusals are about the lies.
    expect(await signer.authorizeQuotePayments(grant, [await signedQuote(providerA, 100n, 'ee')])).toBe(100n);
  });

  it('refuses CreateDataSet and AddPieces for another chain or contract under an upload approval', async () => {
    const grant = await approvedUpload();
    const elsewhere = [
      { ...contracts, chainId: 1 },
      { ...contracts, dataSetRegistry: contracts.paymentVault },
      { ...contracts, dataSetRegistry: outsider.address },
    ];
    for (const where of elsewhere) {
      const payloads = [
        createDataSetPayload(where, {
          payer: user.address,
          provider: providerA.address,
          clientDataSetId: 7n,
          deadline: uploadDeadline,
        }),
        addPiecesPayload(where, {
          payer: user.address,
          provider: providerA.address,
          clientDataSetId: 7n,
          pieceDigests: [`0x${'ab'.repeat(32)}`],
          nonce: `0x${'01'.repeat(32)}`,
          deadline: uploadDeadline,
        }),
      ];
      for (const payload of payloads)
        await expect(signer.sign(grant, payload), JSON.stringify(where)).rejects.toMatchObject({
          code: 'FORBIDDEN',
          message: expect.stringMatching(/chain|contract|verifying/i),
        });
    }
    expect(signed).toEqual([]);
  });

  it('sends no call of its own: quote payments go through payQuotes only', async () => {
    const grant = await approvedUpload();
    const payForQuotes = encodeFunctionData({
      abi: paymentVaultAbi,
      functionName: 'payForQuotes',
      args: [[], []],
    });
    await expect(
      signer.sendTransaction(grant, { to: contracts.paymentVault, data: payForQuotes }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      signer.sendTransaction(grant, { to: contracts.token, data: '0x095ea7b3' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/does not cover/) });
    await expect(
      signer.sendTransaction(grant, { to: contracts.paymentVault, data: '0xdeadbeef' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
