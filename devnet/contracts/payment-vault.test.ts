// PaymentVault on a real anvil: deposits (plain and permit + deposit in one transaction),
// withdrawals, and payForQuotes — every revert path, exact balances and events, the gas of a
// wave, and an independent read of the result with the `cast` binary.
import { type Hex, hashTypedData, parseEventLogs, parseUnits, zeroAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { domainFor, permitTypes, type Quote, quoteTypes } from '../../shared/chain/eip712';
import { paymentVaultAbi } from '../../shared/contracts/abis';
import { devProviderAccount, devUserAccount } from '../chain/dev-accounts';
import { cast, castCall } from '../test-support/cast';
import {
  randomBytes32,
  revertOf,
  startTestChain,
  type TestActor,
  type TestChain,
} from '../test-support/test-chain';

const PRICE = parseUnits('0.001', 18);
let chain: TestChain;
let payer: TestActor;
let providerA: TestActor;
let providerB: TestActor;

beforeAll(async () => {
  chain = await startTestChain();
  payer = chain.as(devUserAccount(0));
  providerA = chain.as(devProviderAccount(0));
  providerB = chain.as(devProviderAccount(1));
});
afterAll(() => chain?.stop());

const vaultAddress = () => chain.contracts.paymentVault as `0x${string}`;
const tokenBalance = (address: Hex) => payer.contracts.token.read.balanceOf([address]);
const deposited = (address: Hex) => payer.contracts.paymentVault.read.balanceOf([address]);
const earned = (address: Hex) => payer.contracts.paymentVault.read.earningsOf([address]);

async function chainTime(): Promise<bigint> {
  return (await chain.publicClient.getBlock()).timestamp;
}

async function deposit(actor: TestActor, amount: bigint): Promise<void> {
  await chain.mined(actor.contracts.token.write.approve([vaultAddress(), amount]));
  await chain.mined(actor.contracts.paymentVault.write.deposit([amount]));
}

async function newQuote(overrides: Partial<Quote> = {}): Promise<Quote> {
  return {
    provider: providerA.address,
    payer: payer.address,
    pieceDigest: randomBytes32(),
    size: 1_048_576n,
    price: PRICE,
    expiry: (await chainTime()) + 3600n,
    nonce: randomBytes32(),
    ...overrides,
  };
}

function signQuote(
  quote: Quote,
  signer: TestActor,
  domain: { chainId?: number; verifyingContract?: Hex } = {},
): Promise<Hex> {
  return signer.account.signTypedData({
    domain: domainFor(
      'paymentVault',
      domain.chainId ?? chain.chainId,
      domain.verifyingContract ?? vaultAddress(),
    ),
    types: quoteTypes,
    primaryType: 'Quote',
    message: quote,
  });
}

const signerOf = (quote: Quote) => (quote.provider === providerB.address ? providerB : providerA);
const signAll = (quotes: Quote[]) => Promise.all(quotes.map((quote) => signQuote(quote, signerOf(quote))));
const pay = (quotes: Quote[], signatures: Hex[], from = payer) =>
  from.contracts.paymentVault.write.payForQuotes([quotes, signatures]);

describe('deposits and withdrawals', () => {
  it('deposits after an approval and withdraws part of it', async () => {
    const actor = chain.as(devUserAccount(1));
    const before = await tokenBalance(actor.address);
    await deposit(actor, parseUnits('10', 18));
    expect(await deposited(actor.address)).toBe(parseUnits('10', 18));
    await chain.mined(actor.contracts.paymentVault.write.withdraw([parseUnits('4', 18)]));
    expect(await deposited(actor.address)).toBe(parseUnits('6', 18));
    expect(await tokenBalance(actor.address)).toBe(before - parseUnits('6', 18));
    expect(await revertOf(actor.contracts.paymentVault.write.withdraw([parseUnits('7', 18)]))).toEqual({
      name: 'InsufficientBalance',
      args: [parseUnits('7', 18), parseUnits('6', 18)],
    });
    expect((await revertOf(actor.contracts.paymentVault.write.deposit([0n]))).name).toBe('ZeroAmount');
  });

  async function signPermit(actor: TestActor, value: bigint, deadline: bigint) {
    const nonce = await actor.contracts.token.read.nonces([actor.address]);
    const signature = await actor.account.signTypedData({
      domain: domainFor('token', chain.chainId, chain.contracts.token as Hex),
      types: permitTypes,
      primaryType: 'Permit',
      message: { owner: actor.address, spender: vaultAddress(), value, nonce, deadline },
    });
    return {
      r: `0x${signature.slice(2, 66)}` as Hex,
      s: `0x${signature.slice(66, 130)}` as Hex,
      v: Number.parseInt(signature.slice(130, 132), 16),
    };
  }

  it('approves by permit and deposits in one transaction', async () => {
    const actor = chain.as(devUserAccount(2));
    const amount = parseUnits('25', 18);
    const deadline = (await chainTime()) + 600n;
    const before = await tokenBalance(actor.address);
    const { v, r, s } = await signPermit(actor, amount, deadline);
    const receipt = await chain.mined(
      actor.contracts.paymentVault.write.depositWithPermit([amount, deadline, v, r, s]),
    );
    expect(receipt.status).toBe('success');
    expect(await deposited(actor.address)).toBe(amount);
    expect(await tokenBalance(actor.address)).toBe(before - amount);
    // The permit was consumed by the same transaction: no allowance is left over.
    expect(await actor.contracts.token.read.allowance([actor.address, vaultAddress()])).toBe(0n);
  });

  it('still deposits when someone submitted the permit first, and refuses a permit for less', async () => {
    const actor = chain.as(devUserAccount(3));
    const amount = parseUnits('5', 18);
    const deadline = (await chainTime()) + 600n;
    const { v, r, s } = await signPermit(actor, amount, deadline);
    // A third party front-runs the permit: the deposit must not be griefed by it.
    await chain.mined(
      payer.contracts.token.write.permit([actor.address, vaultAddress(), amount, deadline, v, r, s]),
    );
    await chain.mined(actor.contracts.paymentVault.write.depositWithPermit([amount, deadline, v, r, s]));
    expect(await deposited(actor.address)).toBe(amount);

    const small = await signPermit(actor, amount, deadline);
    const failure = await revertOf(
      actor.contracts.paymentVault.write.depositWithPermit([
        amount * 2n,
        deadline,
        small.v,
        small.r,
        small.s,
      ]),
    );
    expect(failure.name).toBe('PermitFailed');
  });
});

describe('payForQuotes', () => {
  beforeAll(() => deposit(payer, parseUnits('1000', 18)));

  it('pays quotes from two providers in one transaction, with exact balances and one event each', async () => {
    const quotes = [
      await newQuote(),
      await newQuote({ provider: providerB.address, price: PRICE * 3n }),
      await newQuote({ size: 17n, price: 0n }),
    ];
    const [depositBefore, earnedA, earnedB] = await Promise.all([
      deposited(payer.address),
      earned(providerA.address),
      earned(providerB.address),
    ]);
    const receipt = await chain.mined(pay(quotes, await signAll(quotes)));

    expect(await deposited(payer.address)).toBe(depositBefore - PRICE * 4n);
    expect(await earned(providerA.address)).toBe(earnedA + PRICE);
    expect(await earned(providerB.address)).toBe(earnedB + PRICE * 3n);
    const events = parseEventLogs({ abi: paymentVaultAbi, logs: receipt.logs, eventName: 'QuotePaid' });
    expect(events.map((event) => event.args)).toEqual(
      quotes.map((quote) => ({
        // viem's own EIP-712 hashing is the oracle for the contract's digest.
        quoteDigest: hashTypedData({
          domain: domainFor('paymentVault', chain.chainId, vaultAddress()),
          types: quoteTypes,
          primaryType: 'Quote',
          message: quote,
        }),
        payer: payer.address,
        provider: quote.provider,
        pieceDigest: quote.pieceDigest,
        size: quote.size,
        price: quote.price,
      })),
    );
    for (const event of events)
      expect(await payer.contracts.paymentVault.read.isPaid([event.args.quoteDigest])).toBe(true);
    expect(await payer.contracts.paymentVault.read.quoteDigest([quotes[0]!])).toBe(
      events[0]!.args.quoteDigest,
    );
  });

  it('lets a provider withdraw its earnings', async () => {
    const amount = await earned(providerB.address);
    expect(amount).toBeGreaterThan(0n);
    const before = await tokenBalance(providerB.address);
    await chain.mined(providerB.contracts.paymentVault.write.withdrawEarnings());
    expect(await tokenBalance(providerB.address)).toBe(before + amount);
    expect(await earned(providerB.address)).toBe(0n);
    expect((await revertOf(providerB.contracts.paymentVault.write.withdrawEarnings())).name).toBe(
      'ZeroAmount',
    );
  });

  it('rejects a quote signed by someone other than its provider, naming its index', async () => {
    const quotes = [await newQuote(), await newQuote()];
    const signatures = [await signQuote(quotes[0]!, providerA), await signQuote(quotes[1]!, providerB)];
    expect(await revertOf(pay(quotes, signatures))).toEqual({ name: 'BadQuoteSignature', args: [1n] });
  });

  it('rejects a quote signed for another chain id', async () => {
    const quote = await newQuote();
    const signature = await signQuote(quote, providerA, { chainId: 1 });
    expect(await revertOf(pay([quote], [signature]))).toEqual({ name: 'BadQuoteSignature', args: [0n] });
  });

  it('rejects a quote signed for another verifying contract', async () => {
    const quote = await newQuote();
    const signature = await signQuote(quote, providerA, {
      verifyingContract: chain.contracts.dataSetRegistry as Hex,
    });
    expect(await revertOf(pay([quote], [signature]))).toEqual({ name: 'BadQuoteSignature', args: [0n] });
  });

  it('rejects a signature that is not a signature, and a quote whose price was changed after signing', async () => {
    const quote = await newQuote();
    const signature = await signQuote(quote, providerA);
    expect(await revertOf(pay([quote], ['0x1234']))).toEqual({ name: 'BadQuoteSignature', args: [0n] });
    expect(await revertOf(pay([{ ...quote, price: 1n }], [signature]))).toEqual({
      name: 'BadQuoteSignature',
      args: [0n],
    });
    expect(await revertOf(pay([{ ...quote, provider: zeroAddress }], [signature]))).toEqual({
      name: 'BadQuoteSignature',
      args: [0n],
    });
  });

  it('rejects an expired quote', async () => {
    const now = await chainTime();
    const quotes = [await newQuote(), await newQuote({ expiry: now - 1n })];
    expect(await revertOf(pay(quotes, await signAll(quotes)))).toEqual({ name: 'QuoteExpired', args: [1n] });
  });

  it('rejects a quote made out to another payer', async () => {
    const quotes = [await newQuote({ payer: devUserAccount(5).address })];
    expect(await revertOf(pay(quotes, await signAll(quotes)))).toEqual({ name: 'WrongPayer', args: [0n] });
  });

  it('rejects a quote paid in an earlier call, and a duplicate within one call, paying none of the batch', async () => {
    const paid = await newQuote();
    await chain.mined(pay([paid], await signAll([paid])));
    const fresh = await newQuote();
    const depositBefore = await deposited(payer.address);
    expect(await revertOf(pay([fresh, paid], await signAll([fresh, paid])))).toEqual({
      name: 'QuoteAlreadyPaid',
      args: [1n],
    });
    expect(await revertOf(pay([fresh, fresh], await signAll([fresh, fresh])))).toEqual({
      name: 'QuoteAlreadyPaid',
      args: [1n],
    });
    // All or nothing: the good first quote of the failed batches was not paid.
    const digest = await payer.contracts.paymentVault.read.quoteDigest([fresh]);
    expect(await payer.contracts.paymentVault.read.isPaid([digest])).toBe(false);
    expect(await deposited(payer.address)).toBe(depositBefore);
  });

  it('rejects a batch costing more than the deposit, saying how much is needed and available', async () => {
    const poor = chain.as(devUserAccount(4));
    await deposit(poor, PRICE * 2n);
    const quotes = await Promise.all([1, 2, 3].map(() => newQuote({ payer: poor.address })));
    expect(await revertOf(pay(quotes, await signAll(quotes), poor))).toEqual({
      name: 'InsufficientDeposit',
      args: [PRICE * 3n, PRICE * 2n],
    });
  });

  it('rejects mismatched lengths and an empty batch', async () => {
    const quotes = [await newQuote(), await newQuote()];
    const signatures = await signAll(quotes);
    expect(await revertOf(pay(quotes, signatures.slice(0, 1)))).toEqual({ name: 'LengthMismatch', args: [] });
    expect(await revertOf(pay([], []))).toEqual({ name: 'EmptyBatch', args: [] });
  });

  it('reports its gas for 1, 64 and 128 quotes (a wave must fit well inside a block)', async () => {
    const gas: Record<number, bigint> = {};
    for (const count of [1, 64, 128]) {
      const quotes = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          newQuote({ provider: index % 2 === 0 ? providerA.address : providerB.address }),
        ),
      );
      const receipt = await chain.mined(pay(quotes, await signAll(quotes)));
      expect(
        parseEventLogs({ abi: paymentVaultAbi, logs: receipt.logs, eventName: 'QuotePaid' }),
      ).toHaveLength(count);
      gas[count] = receipt.gasUsed;
    }
    console.log(
      `payForQuotes gas (quotes alternating between 2 providers): ${Object.entries(gas)
        .map(([count, used]) => `${count} quotes = ${used} (${Number(used) / Number(count)} per quote)`)
        .join('; ')}`,
    );
    expect(gas[128]!).toBeLessThan(15_000_000n); // half of anvil's 30M block gas limit
  });
});

describe('checked with cast, independently of viem', () => {
  it('pays a quote that cast signed, and cast reads the balances, earnings and paid flag', async () => {
    const quote = await newQuote();
    const typedData = {
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
          { name: 'chainId', type: 'uint256' },
          { name: 'verifyingContract', type: 'address' },
        ],
        ...quoteTypes,
      },
      primaryType: 'Quote',
      domain: domainFor('paymentVault', chain.chainId, vaultAddress()),
      message: Object.fromEntries(Object.entries(quote).map(([key, value]) => [key, String(value)])),
    };
    const signature = (await cast(
      'wallet',
      'sign',
      '--private-key',
      devProviderAccount(0).privateKey,
      '--data',
      JSON.stringify(typedData),
    )) as Hex;
    const [depositBefore, earnedBefore] = await Promise.all([
      deposited(payer.address),
      earned(providerA.address),
    ]);
    await chain.mined(pay([quote], [signature]));

    const vault = vaultAddress();
    const digest = await castCall(
      chain.rpcUrl,
      vault,
      'quoteDigest((address,address,bytes32,uint64,uint256,uint64,bytes32))(bytes32)',
      `(${[quote.provider, quote.payer, quote.pieceDigest, quote.size, quote.price, quote.expiry, quote.nonce].join(',')})`,
    );
    expect(await castCall(chain.rpcUrl, vault, 'isPaid(bytes32)(bool)', digest)).toBe('true');
    expect(BigInt(await castCall(chain.rpcUrl, vault, 'balanceOf(address)(uint256)', payer.address))).toBe(
      depositBefore - PRICE,
    );
    expect(
      BigInt(await castCall(chain.rpcUrl, vault, 'earningsOf(address)(uint256)', providerA.address)),
    ).toBe(earnedBefore + PRICE);
  });
});
