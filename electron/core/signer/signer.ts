/**
 * The signer: turns approvals into signatures and transactions, and nothing else.
 *
 * - Every payload is checked against the network's allowlist (chain id, verifying contract) before
 *   an approval is requested and again before the key is touched.
 * - An approval becomes a grant the signer keeps to itself; callers hold only its id. A grant
 *   covers either exact payload hashes (a deposit's Permit) or an upload's scope: CreateDataSet and
 *   AddPieces for the upload's providers, and quote payments up to its amount, until its deadline.
 * - The signer signs its own frozen copy of a payload, recomputes the hash it signs, and after
 *   signing recovers the signer address and compares it with the account's.
 * - Transactions are signed only under a live grant, only to calls the grant names
 *   (contract + function selector), on this network's chain.
 * - Provider quotes are paid only once every signature on them is checked: by the chain, in the
 *   simulation run before the payment is sent, or here when that simulation fails (payQuotes).
 */
import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  keccak256,
  recoverTypedDataAddress,
  toHex,
  type Hex,
  type TypedDataDefinition,
} from 'viem';
import { createNonceManager, signTransaction, sign, toAccount, type LocalAccount } from 'viem/accounts';
import { jsonRpc } from 'viem/nonce';
import type { ApprovalKind, ApprovalRequest, ApprovalSummary } from '../../../shared/api/approval';
import { CofferError } from '../../../shared/api/errors';
import { domainFor, type Quote } from '../../../shared/chain/eip712';
import { quoteDigest } from '../../../shared/chain/quote-digest';
import { paymentVaultAbi } from '../../../shared/contracts/abis';
import type { Address } from '../../../shared/network-manifest';
import { networkChain, type ChainEndpoint } from '../chain/contracts';
import type { Vault } from '../vault/vault';
import type { SigningAllowlist } from './allowlist';
import type { ApprovalBroker } from './approvals';
import { QuoteSignatures } from './quote-signatures';
import { ownCopy, payloadHash, quotePayload, type SignablePayload } from './typed-data';

/** A call a grant allows a transaction to make: contract and 4-byte function selector. */
export interface AllowedCall {
  to: Address;
  selector: Hex;
  /** When set, the exact calldata: the call is allowed with these arguments only. */
  data?: Hex;
  /** For the summary: what the call does. */
  label: string;
}

/** Quotes checked between two turns of the event loop. */
const QUOTES_PER_TURN = 8;

/** What callers hold: the id of a grant the signer keeps. */
export interface GrantHandle {
  readonly id: string;
  readonly kind: ApprovalKind;
  readonly hash: Hex;
}

export interface SignedQuote {
  quote: Quote;
  signature: Hex;
}

export interface SignedPayload {
  hash: Hex;
  signature: Hex;
  signer: Address;
}

export interface SignerOptions {
  vault: Vault;
  allowlist: SigningAllowlist;
  approvals: ApprovalBroker;
  /** The chain, for transactions; without it the signer signs typed data only. */
  network?: ChainEndpoint;
  /** Told about every signature made (the audit trail). */
  onSigned?: (record: { grantId: string; kind: string; hash: Hex; signer: Address }) => void;
}

interface GrantState {
  handle: GrantHandle;
  account: number;
  payer: Address;
  deadline: bigint;
  payloadHashes: Set<string>;
  upload: { providers: Set<string>; maxAmount: bigint; spent: bigint; quoteNonces: Set<string> } | null;
  calls: AllowedCall[];
  closed: boolean;
}

export class Signer {
  readonly #grants = new Map<string, GrantState>();
  readonly #nonces = createNonceManager({ source: jsonRpc() });

  constructor(private readonly options: SignerOptions) {}

  get allowlist(): SigningAllowlist {
    return this.options.allowlist;
  }

  /**
   * Asks the user to approve exact payloads (by their EIP-712 hash) and, optionally, the
   * transactions that use them. Resolves with a grant once approved.
   */
  async approvePayload(request: {
    account: number;
    kind: ApprovalKind;
    payload: SignablePayload;
    summary: Omit<ApprovalSummary, 'account'>;
    calls?: AllowedCall[];
    signal?: AbortSignal;
  }): Promise<GrantHandle> {
    this.options.allowlist.check(request.payload);
    for (const call of request.calls ?? []) this.#checkCall(call);
    const own = ownCopy(request.payload);
    const hash = payloadHash(own);
    return this.#grant(request.kind, request.account, {
      hash,
      domains: [own.domain],
      summary: request.summary,
      deadline: BigInt(request.summary.deadline),
      payloadHashes: new Set([hash.toLowerCase()]),
      upload: null,
      calls: request.calls ?? [],
      signal: request.signal,
    });
  }

  /** Asks the user to approve a call with no typed data (a withdrawal): the hash covers the call. */
  async approveCalls(request: {
    account: number;
    kind: ApprovalKind;
    calls: AllowedCall[];
    summary: Omit<ApprovalSummary, 'account'>;
    signal?: AbortSignal;
  }): Promise<GrantHandle> {
    for (const call of request.calls) this.#checkCall(call);
    const payer = await this.options.vault.address(request.account);
    const hash = scopeHash({
      kind: request.kind,
      chainId: this.#chainId,
      payer,
      calls: request.calls,
      summary: request.summary,
    });
    return this.#grant(request.kind, request.account, {
      hash,
      domains: [],
      summary: request.summary,
      deadline: BigInt(request.summary.deadline),
      payloadHashes: new Set(),
      upload: null,
      calls: request.calls,
      signal: request.signal,
    });
  }

  /**
   * One approval for one upload: CreateDataSet / AddPieces for these providers and quote payments
   * up to `maxAmount`, until `deadline` (unix seconds), and nothing else.
   */
  async approveUpload(request: {
    account: number;
    providers: Array<{ address: Address; label: string | null }>;
    maxAmount: bigint;
    deadline: bigint;
    summary: Omit<ApprovalSummary, 'account' | 'counterparties' | 'deadline'>;
    signal?: AbortSignal;
  }): Promise<GrantHandle> {
    const payer = await this.options.vault.address(request.account);
    const { contracts } = this.options.allowlist;
    const summary = {
      ...request.summary,
      deadline: Number(request.deadline),
      counterparties: request.providers.map((p) => ({
        role: 'storage provider',
        address: p.address,
        label: p.label,
      })),
    };
    const hash = scopeHash({
      kind: 'upload',
      chainId: contracts.chainId,
      payer,
      contracts,
      providers: request.providers.map((p) => p.address.toLowerCase()).sort(),
      maxAmount: request.maxAmount,
      deadline: request.deadline,
      summary,
    });
    return this.#grant('upload', request.account, {
      hash,
      domains: [
        domainFor('dataSetRegistry', contracts.chainId, contracts.dataSetRegistry),
        domainFor('paymentVault', contracts.chainId, contracts.paymentVault),
      ],
      summary,
      deadline: request.deadline,
      payloadHashes: new Set(),
      upload: {
        providers: new Set(request.providers.map((p) => p.address.toLowerCase())),
        maxAmount: request.maxAmount,
        spent: 0n,
        quoteNonces: new Set(),
      },
      // Quote payments go out only through payQuotes, which builds the call from checked quotes.
      calls: [],
      signal: request.signal,
    });
  }

  /** Signs the signer's own copy of `payload`, if the grant covers it. */
  async sign(grant: GrantHandle, payload: SignablePayload): Promise<SignedPayload> {
    const state = this.#live(grant);
    // Before anything touches the key: is this network's contract, and covered by the approval?
    this.options.allowlist.check(payload);
    const own = ownCopy(payload);
    const hash = payloadHash(own);
    this.#checkCovered(state, own, hash);
    const signature = await this.options.vault.withPrivateKey(state.account, (key) =>
      sign({ hash, privateKey: toHex(key), to: 'hex' }),
    );
    const signer = await recoverTypedDataAddress({ ...(own as unknown as TypedDataDefinition), signature });
    if (signer.toLowerCase() !== state.payer.toLowerCase())
      throw new CofferError(
        'INTERNAL',
        `The signature recovers to ${signer}, not the account ${state.payer}`,
      );
    this.options.onSigned?.({ grantId: grant.id, kind: own.primaryType, hash, signer });
    return { hash, signature, signer };
  }

  /**
   * Checks provider-signed quotes for an upload's payment and counts them against its amount:
   * each must be signed by its provider (recovered and compared), be for this payer and one of the
   * upload's providers, not expired, not seen before, and the total must stay within the approval.
   */
  authorizeQuotePayments(grant: GrantHandle, quotes: SignedQuote[], nowSeconds = unixNow()): Promise<bigint> {
    return this.#admitQuotes(this.#live(grant), quotes, nowSeconds, 'here');
  }

  /**
   * authorizeQuotePayments, with the signatures checked `here` or left to the chain's simulation
   * of the payment (payQuotes).
   */
  async #admitQuotes(
    state: GrantState,
    quotes: SignedQuote[],
    nowSeconds: bigint,
    signatures: 'here' | 'by-simulation',
  ): Promise<bigint> {
    if (!state.upload) throw new CofferError('FORBIDDEN', 'This approval does not cover quote payments');
    if (signatures === 'here') await this.#verifySignatures(quotes);
    let total = 0n;
    const nonces = new Set<string>();
    for (const { quote } of quotes) {
      if (signatures === 'by-simulation') allowedQuotePayload(this.options.allowlist, quote);
      if (!state.upload.providers.has(quote.provider.toLowerCase()))
        throw new CofferError(
          'FORBIDDEN',
          `Quote from ${quote.provider}, which is not one of this upload's providers`,
        );
      if (quote.payer.toLowerCase() !== state.payer.toLowerCase())
        throw new CofferError('FORBIDDEN', `Quote names payer ${quote.payer}, not this account`);
      if (quote.expiry < nowSeconds)
        throw new CofferError('VERIFY_FAILED', `Quote from ${quote.provider} has expired`);
      const nonce = quote.nonce.toLowerCase();
      if (state.upload.quoteNonces.has(nonce) || nonces.has(nonce))
        throw new CofferError('FORBIDDEN', `Quote ${quote.nonce} was already paid under this approval`);
      nonces.add(nonce);
      total += quote.price;
    }
    if (state.upload.spent + total > state.upload.maxAmount)
      throw new CofferError(
        'LIMIT_EXCEEDED',
        `Paying these quotes (${total}) would exceed the approved amount (${state.upload.maxAmount - state.upload.spent} left)`,
      );
    state.upload.spent += total;
    for (const nonce of nonces) state.upload.quoteNonces.add(nonce);
    return total;
  }

  /**
   * Pays provider quotes under an upload's approval: checks them as authorizeQuotePayments does,
   * then sends PaymentVault.payForQuotes with exactly those quotes. Returns the transaction hash.
   * If a check fails or the transaction cannot be sent, the amount is given back to the approval.
   *
   * The signatures are checked by the chain: the payment is simulated first (for its gas), and
   * PaymentVault recovers every quote's signer and compares it with the quote's provider, as
   * verifyQuote does — a simulation that succeeds has checked them all, and recovering 64 of them
   * again here cost the uploader about as much CPU as hashing the wave's bytes. When the
   * simulation fails (or cannot run), every signature is checked here before anything is sent,
   * so a quote its provider did not sign is named and nothing is paid.
   */
  async payQuotes(grant: GrantHandle, quotes: SignedQuote[]): Promise<Hex> {
    const state = this.#live(grant);
    const call = {
      to: this.options.allowlist.contracts.paymentVault,
      data: encodeFunctionData({
        abi: paymentVaultAbi,
        functionName: 'payForQuotes',
        args: [quotes.map((q) => q.quote), quotes.map((q) => q.signature)],
      }),
    };
    // Simulated (gas, signatures) while the rest is checked; nothing is signed before both pass.
    const simulating = this.#gasLimit(state, call);
    const total = await this.#admitQuotes(state, quotes, unixNow(), 'by-simulation');
    try {
      const gas = await simulating;
      if (gas === null) await this.#verifySignatures(quotes);
      return await this.#send(state, gas === null ? call : { ...call, gas });
    } catch (error) {
      state.upload!.spent -= total;
      for (const { quote } of quotes) state.upload!.quoteNonces.delete(quote.nonce.toLowerCase());
      throw error;
    }
  }

  /** Every quote signed by its provider (throws VERIFY_FAILED naming the first that is not). */
  async #verifySignatures(quotes: readonly SignedQuote[]): Promise<void> {
    for (const [i, { quote, signature }] of quotes.entries()) {
      // A wave's quotes are checked one by one: let the event loop breathe between a few.
      if (i % QUOTES_PER_TURN === QUOTES_PER_TURN - 1) await new Promise((resolve) => setImmediate(resolve));
      await verifyQuote(this.options.allowlist, quote, signature);
    }
  }

  /** Sends a transaction under a grant: only a call the grant names, on this network. */
  async sendTransaction(grant: GrantHandle, call: { to: Address; data: Hex }): Promise<Hex> {
    const state = this.#live(grant);
    const selector = call.data.slice(0, 10).toLowerCase();
    const allowed = state.calls.some(
      (c) =>
        c.to.toLowerCase() === call.to.toLowerCase() &&
        c.selector.toLowerCase() === selector &&
        (c.data === undefined || c.data.toLowerCase() === call.data.toLowerCase()),
    );
    if (!allowed)
      throw new CofferError(
        'FORBIDDEN',
        `Refusing to send: the approval does not cover calling ${selector} on ${call.to}`,
      );
    return this.#send(state, call);
  }

  /**
   * A gas limit for `call` from one simulation (eth_createAccessList's gasUsed) plus a quarter:
   * eth_estimateGas finds the same by running the call over and over (~150 ms for a wave of 64
   * quotes, one wave after another). The call's cost depends only on its quotes, so a quarter
   * more covers the cold-slot difference many times over; unused gas is not paid. Null when the
   * simulation fails: the send then estimates as usual and reports why the call would fail.
   */
  async #gasLimit(state: GrantState, call: { to: Address; data: Hex }): Promise<bigint | null> {
    const { network } = this.options;
    if (!network) return null;
    const client = createPublicClient({ chain: networkChain(network), transport: http(network.rpcUrl) });
    try {
      const { gasUsed } = await client.createAccessList({ account: state.payer, ...call });
      return gasUsed + gasUsed / 4n;
    } catch {
      return null;
    }
  }

  async #send(state: GrantState, call: { to: Address; data: Hex; gas?: bigint }): Promise<Hex> {
    const { network } = this.options;
    if (!network) throw new CofferError('NETWORK_OFFLINE', 'No network is configured');
    const chain = networkChain(network);
    const client = createWalletClient({ chain, transport: http(network.rpcUrl) });
    try {
      return await client.sendTransaction({ account: this.#txAccount(state), chain, ...call });
    } catch (error) {
      throw new CofferError('CHAIN_ERROR', `The transaction was not sent: ${shortError(error)}`);
    }
  }

  /**
   * One of this grant's transactions was dropped by the node: the next one takes its nonce from
   * the chain again, not the one after the dropped one's (a gap no transaction would fill).
   */
  transactionDropped(grant: GrantHandle): void {
    const state = this.#grants.get(grant.id);
    if (state) this.#nonces.reset({ address: state.payer, chainId: this.#chainId });
  }

  /** Ends a grant: nothing more is signed under it. */
  close(grant: GrantHandle): void {
    const state = this.#grants.get(grant.id);
    if (state) state.closed = true;
    this.#grants.delete(grant.id);
  }

  /** Approved amount left on an upload grant. */
  remaining(grant: GrantHandle): bigint {
    const state = this.#live(grant);
    return state.upload ? state.upload.maxAmount - state.upload.spent : 0n;
  }

  // --- internals ---

  get #chainId(): number {
    return this.options.allowlist.contracts.chainId;
  }

  async #grant(
    kind: ApprovalKind,
    account: number,
    spec: Omit<GrantState, 'handle' | 'account' | 'payer' | 'closed'> & {
      hash: Hex;
      domains: ApprovalRequest['domains'];
      summary: Omit<ApprovalSummary, 'account'>;
      signal?: AbortSignal;
    },
  ): Promise<GrantHandle> {
    const payer = await this.options.vault.address(account);
    const approved = await this.options.approvals.request(
      { kind, hash: spec.hash, domains: spec.domains, summary: { ...spec.summary, account: payer } },
      spec.signal,
    );
    const handle: GrantHandle = Object.freeze({ id: approved.id, kind, hash: spec.hash });
    this.#grants.set(handle.id, {
      handle,
      account,
      payer,
      deadline: spec.deadline,
      payloadHashes: spec.payloadHashes,
      upload: spec.upload,
      calls: spec.calls.map((c) => ({ ...c })),
      closed: false,
    });
    return handle;
  }

  #live(grant: GrantHandle): GrantState {
    const state = this.#grants.get(grant.id);
    if (!state || state.closed || state.handle.hash !== grant.hash)
      throw new CofferError('FORBIDDEN', 'Refusing to sign: there is no open approval with this id');
    if (unixNow() > state.deadline) {
      this.close(grant);
      throw new CofferError('APPROVAL_EXPIRED', 'Refusing to sign: the approval deadline has passed');
    }
    return state;
  }

  #checkCovered(state: GrantState, payload: SignablePayload, hash: Hex): void {
    if (state.payloadHashes.has(hash.toLowerCase())) return;
    const altered = 'Refusing to sign: the payload is not the one approved (altered after approval?)';
    if (!state.upload || payload.primaryType === 'Permit') throw new CofferError('FORBIDDEN', altered);
    const { message } = payload;
    if (message.payer.toLowerCase() !== state.payer.toLowerCase())
      throw new CofferError(
        'FORBIDDEN',
        `Refusing to sign: ${payload.primaryType} names payer ${message.payer}, not this account`,
      );
    if (!state.upload.providers.has(message.provider.toLowerCase()))
      throw new CofferError(
        'FORBIDDEN',
        `Refusing to sign: ${payload.primaryType} for provider ${message.provider}, which this upload's approval does not name`,
      );
    if (message.deadline > state.deadline)
      throw new CofferError(
        'FORBIDDEN',
        `Refusing to sign: ${payload.primaryType} deadline is past the approved deadline`,
      );
  }

  #checkCall(call: AllowedCall): void {
    if (!this.options.allowlist.isContract(call.to))
      throw new CofferError(
        'FORBIDDEN',
        `Refusing to send to ${call.to}: not one of this network's contracts`,
      );
  }

  /** A viem account whose only power is signing transactions for this grant's account. */
  #txAccount(state: GrantState): LocalAccount {
    const vault = this.options.vault;
    const refuse = async (): Promise<never> => {
      throw new CofferError('FORBIDDEN', 'This account only signs transactions');
    };
    return toAccount({
      address: state.payer,
      nonceManager: this.#nonces,
      signMessage: refuse,
      signTypedData: refuse,
      signTransaction: async (transaction, options) => {
        if (transaction.chainId !== this.#chainId)
          throw new CofferError(
            'FORBIDDEN',
            `Refusing to sign a transaction for chain ${transaction.chainId}`,
          );
        const privateKey = vault.withPrivateKey(state.account, (key) => toHex(key));
        return signTransaction({ privateKey, transaction, serializer: options?.serializer });
      },
    });
  }
}

/** Providers' quote signatures, checked fast once a provider's key is known (quote-signatures.ts). */
const quoteSignatures = new QuoteSignatures();

/** The quote's typed data, if it is for this network's chain and PaymentVault (else throws). */
function allowedQuotePayload(allowlist: SigningAllowlist, quote: Quote) {
  const payload = quotePayload(allowlist.contracts, quote);
  allowlist.check(payload);
  return payload;
}

/** Finds who signed a provider's quote and compares it with the quote's provider. */
export async function verifyQuote(allowlist: SigningAllowlist, quote: Quote, signature: Hex): Promise<void> {
  const payload = allowedQuotePayload(allowlist, quote);
  let digest: Hex;
  try {
    digest = quoteDigest(payload.domain, payload.message);
  } catch (error) {
    throw new CofferError(
      'VERIFY_FAILED',
      `The quote from ${quote.provider} is malformed: ${shortError(error)}`,
    );
  }
  let signer: Address;
  try {
    signer = await quoteSignatures.signer(digest, signature, quote.provider);
  } catch {
    throw new CofferError('VERIFY_FAILED', `The quote from ${quote.provider} carries a malformed signature`);
  }
  if (signer.toLowerCase() !== quote.provider.toLowerCase())
    throw new CofferError(
      'VERIFY_FAILED',
      `The quote claims provider ${quote.provider} but was signed by ${signer}`,
    );
}

/** keccak256 of a canonical JSON of an approval's scope (keys sorted, bigints as decimal strings). */
export function scopeHash(scope: unknown): Hex {
  return keccak256(toHex(canonicalJson(scope)));
}

function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function unixNow(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

export function shortError(error: unknown): string {
  const e = error as { shortMessage?: string; message?: string };
  return e.shortMessage ?? e.message ?? String(error);
}
