/**
 * The wallet's chain operations: balances (native coin, the network's token, the PaymentVault
 * deposit), deposit (an EIP-2612 permit and `depositWithPermit` in one transaction), withdraw,
 * and the devnet faucet. Every spend goes through the signer under the user's approval; the faucet
 * pays from the devnet's own funded account and never touches the user's keys.
 */
import {
  encodeFunctionData,
  formatUnits,
  parseSignature,
  parseUnits,
  toFunctionSelector,
  type Chain,
  type Hex,
  type PublicClient,
  type Transport,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { TokenAmount } from '../../../shared/api/chain-values';
import { CofferError } from '../../../shared/api/errors';
import type { WalletBalances } from '../../../shared/api/wallet';
import { paymentVaultAbi, testUsdAbi } from '../../../shared/contracts/abis';
import type { Address, NetworkManifest } from '../../../shared/network-manifest';
import { createChainPublicClient, createChainWalletClient } from '../chain/contracts';
import { receiptOf, TransactionDroppedError } from '../chain/receipt';
import { shortError, type Signer } from '../signer/signer';
import { permitPayload } from '../signer/typed-data';
import type { Vault } from '../vault/vault';

/** How long a deposit permit (and its approval) stays valid. */
export const PERMIT_LIFETIME_SECONDS = 30 * 60;
/** What the devnet faucet gives: enough coin for fees, enough tokens for many uploads. */
export const FAUCET_NATIVE = 10n * 10n ** 18n;
export const FAUCET_TOKEN_UNITS = '10000';
/** How often to look for a transaction's receipt (the devnet mines a block a second). */
const RECEIPT_POLL_MS = 250;

interface TokenInfo {
  decimals: number;
  symbol: string;
}

export class WalletChain {
  readonly client: PublicClient<Transport, Chain>;
  #token: Promise<TokenInfo> | null = null;

  constructor(
    private readonly network: NetworkManifest,
    private readonly vault: Vault,
    private readonly signer: Signer,
  ) {
    this.client = createChainPublicClient(network, { pollingInterval: RECEIPT_POLL_MS });
  }

  async balances(account: number): Promise<WalletBalances> {
    const address = await this.vault.address(account);
    const token = await this.#tokenInfo();
    return this.#rpc(async () => {
      const [blockNumber, native, tokens, deposit] = await Promise.all([
        this.client.getBlockNumber(),
        this.client.getBalance({ address }),
        this.client.readContract({
          address: this.#contracts.token,
          abi: testUsdAbi,
          functionName: 'balanceOf',
          args: [address],
        }),
        this.client.readContract({
          address: this.#contracts.paymentVault,
          abi: paymentVaultAbi,
          functionName: 'balanceOf',
          args: [address],
        }),
      ]);
      return {
        address,
        native: amount(native, 18, 'ETH'),
        token: amount(tokens, token.decimals, token.symbol),
        deposit: amount(deposit, token.decimals, token.symbol),
        blockNumber: Number(blockNumber),
      };
    });
  }

  /** Permit + depositWithPermit in one transaction, after the user approves the permit's hash. */
  async deposit(
    account: number,
    units: string,
    signal?: AbortSignal,
  ): Promise<{ txHash: Hex; blockNumber: number; amount: TokenAmount }> {
    const { token, value, shown } = await this.#spendable(account, units, 'token');
    const owner = await this.vault.address(account);
    const { paymentVault } = this.#contracts;
    const nonce = await this.#rpc(() =>
      this.client.readContract({
        address: this.#contracts.token,
        abi: testUsdAbi,
        functionName: 'nonces',
        args: [owner],
      }),
    );
    const deadline = BigInt(Math.floor(Date.now() / 1000) + PERMIT_LIFETIME_SECONDS);
    const payload = permitPayload(this.signer.allowlist.contracts, {
      owner,
      spender: paymentVault,
      value,
      nonce,
      deadline,
    });
    const grant = await this.signer.approvePayload({
      account,
      kind: 'deposit',
      payload,
      summary: {
        title: `Deposit ${shown.formatted} ${token.symbol} into the PaymentVault`,
        amount: shown,
        deadline: Number(deadline),
        counterparties: [
          { role: 'spender', address: paymentVault, label: 'PaymentVault' },
          { role: 'token', address: this.#contracts.token, label: token.symbol },
        ],
        details: [
          {
            label: 'Signs',
            value: `EIP-2612 Permit: ${owner} lets the PaymentVault take ${value} base units`,
          },
          { label: 'Permit nonce', value: nonce.toString() },
          { label: 'Then sends', value: 'PaymentVault.depositWithPermit, one transaction' },
        ],
      },
      calls: [
        {
          to: paymentVault,
          selector: selectorOf('depositWithPermit'),
          label: 'PaymentVault.depositWithPermit',
        },
      ],
      signal,
    });
    try {
      const { signature } = await this.signer.sign(grant, payload);
      const { v, r, s, yParity } = parseSignature(signature);
      const data = encodeFunctionData({
        abi: paymentVaultAbi,
        functionName: 'depositWithPermit',
        args: [value, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
      });
      return await this.#sendAndConfirm(grant, paymentVault, data, shown);
    } finally {
      this.signer.close(grant);
    }
  }

  async withdraw(
    account: number,
    units: string,
    signal?: AbortSignal,
  ): Promise<{ txHash: Hex; blockNumber: number; amount: TokenAmount }> {
    const { token, value, shown } = await this.#spendable(account, units, 'deposit');
    const { paymentVault } = this.#contracts;
    const data = encodeFunctionData({ abi: paymentVaultAbi, functionName: 'withdraw', args: [value] });
    const grant = await this.signer.approveCalls({
      account,
      kind: 'withdraw',
      calls: [{ to: paymentVault, selector: selectorOf('withdraw'), data, label: 'PaymentVault.withdraw' }],
      summary: {
        title: `Withdraw ${shown.formatted} ${token.symbol} from the PaymentVault`,
        amount: shown,
        deadline: Math.floor(Date.now() / 1000) + PERMIT_LIFETIME_SECONDS,
        counterparties: [{ role: 'contract', address: paymentVault, label: 'PaymentVault' }],
        details: [{ label: 'To', value: `${await this.vault.address(account)} (this account)` }],
      },
      signal,
    });
    try {
      return await this.#sendAndConfirm(grant, paymentVault, data, shown);
    } finally {
      this.signer.close(grant);
    }
  }

  /** Devnet only: coin for fees and test tokens, paid by the devnet's faucet account. */
  async faucet(account: number): Promise<{ txHashes: Hex[]; native: TokenAmount; token: TokenAmount }> {
    const faucetKey = this.network.faucet?.privateKey;
    if (!faucetKey)
      throw new CofferError('FORBIDDEN', 'This network has no faucet (only the devnet has one)');
    const to = await this.vault.address(account);
    const token = await this.#tokenInfo();
    const tokens = parseUnits(FAUCET_TOKEN_UNITS, token.decimals);
    const wallet = createChainWalletClient(this.network, privateKeyToAccount(faucetKey as Hex));
    return this.#rpc(async () => {
      const coinTx = await wallet.sendTransaction({ to, value: FAUCET_NATIVE });
      await this.#receipt(coinTx);
      const tokenTx = await wallet.writeContract({
        address: this.#contracts.token,
        abi: testUsdAbi,
        functionName: 'transfer',
        args: [to, tokens],
      });
      await this.#receipt(tokenTx);
      return {
        txHashes: [coinTx, tokenTx],
        native: amount(FAUCET_NATIVE, 18, 'ETH'),
        token: amount(tokens, token.decimals, token.symbol),
      };
    });
  }

  // --- internals ---

  get #contracts(): { token: Address; paymentVault: Address } {
    return {
      token: this.network.contracts.token as Address,
      paymentVault: this.network.contracts.paymentVault as Address,
    };
  }

  /** Parses an amount and checks the account holds it (tokens, or its PaymentVault deposit). */
  async #spendable(
    account: number,
    units: string,
    from: 'token' | 'deposit',
  ): Promise<{ token: TokenInfo; value: bigint; shown: TokenAmount }> {
    if (!this.vault.isUnlocked) throw new CofferError('LOCKED', 'The wallet is locked: unlock it first');
    const token = await this.#tokenInfo();
    const value = parseAmount(units, token);
    const held = (await this.balances(account))[from];
    if (BigInt(held.raw) < value)
      throw new CofferError(
        'INSUFFICIENT_FUNDS',
        `${from === 'token' ? 'This account holds' : 'The PaymentVault holds, for this account,'} ${held.formatted} ${token.symbol}, less than ${units}`,
      );
    return { token, value, shown: amount(value, token.decimals, token.symbol) };
  }

  async #sendAndConfirm(
    grant: Parameters<Signer['sendTransaction']>[0],
    to: Address,
    data: Hex,
    shown: TokenAmount,
  ): Promise<{ txHash: Hex; blockNumber: number; amount: TokenAmount }> {
    const txHash = await this.signer.sendTransaction(grant, { to, data });
    let receipt;
    try {
      receipt = await this.#receipt(txHash);
    } catch (error) {
      if (!(error instanceof TransactionDroppedError)) throw error;
      this.signer.transactionDropped(grant);
      throw new CofferError('CHAIN_ERROR', `${error.message}: nothing was done on chain; try again`);
    }
    return { txHash, blockNumber: Number(receipt.blockNumber), amount: shown };
  }

  async #receipt(hash: Hex) {
    const receipt = await receiptOf(this.client, hash, { pollMs: RECEIPT_POLL_MS });
    if (receipt.status !== 'success') throw new CofferError('CHAIN_ERROR', `Transaction ${hash} reverted`);
    return receipt;
  }

  #tokenInfo(): Promise<TokenInfo> {
    this.#token ??= this.#rpc(async () => {
      const address = this.#contracts.token;
      const [decimals, symbol] = await Promise.all([
        this.client.readContract({ address, abi: testUsdAbi, functionName: 'decimals' }),
        this.client.readContract({ address, abi: testUsdAbi, functionName: 'symbol' }),
      ]);
      return { decimals: Number(decimals), symbol };
    }).catch((error: unknown) => {
      this.#token = null;
      throw error;
    });
    return this.#token;
  }

  /** Runs chain reads, turning a dead RPC into NETWORK_OFFLINE with the URL. */
  async #rpc<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof CofferError) throw error;
      throw new CofferError(
        'NETWORK_OFFLINE',
        `The chain at ${this.network.rpcUrl} did not answer: ${shortError(error)}`,
      );
    }
  }
}

export function amount(raw: bigint, decimals: number, symbol: string): TokenAmount {
  return { raw: raw.toString(), decimals, symbol, formatted: formatUnits(raw, decimals) };
}

function parseAmount(units: string, token: TokenInfo): bigint {
  const [, fraction = ''] = units.split('.');
  if (fraction.length > token.decimals)
    throw new CofferError(
      'INVALID_INPUT',
      `${token.symbol} has ${token.decimals} decimals; ${units} has more`,
    );
  const value = parseUnits(units, token.decimals);
  if (value <= 0n) throw new CofferError('INVALID_INPUT', 'The amount must be more than zero');
  return value;
}

function selectorOf(name: 'depositWithPermit' | 'withdraw'): Hex {
  const item = paymentVaultAbi.find((entry) => entry.type === 'function' && entry.name === name);
  if (!item) throw new Error(`PaymentVault ABI has no ${name}`);
  return toFunctionSelector(item as Parameters<typeof toFunctionSelector>[0]);
}
