/**
 * The provider node's view of the chain: its own account (the EVM key it signs quotes with and
 * pays gas from), clients and contract handles, registration in ProviderRegistry, and one queue
 * through which every transaction it sends goes, so concurrent commits never race for a nonce.
 */
import { type Hash, type Hex, isAddressEqual } from 'viem';
import { receiptOf } from '../../electron/core/chain/receipt';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import {
  type ChainEndpoint,
  createChainPublicClient,
  createChainWalletClient,
  networkContracts,
} from '../../electron/core/chain/contracts';
import type { NetworkManifest } from '../../shared/network-manifest';
import { digestSigner, type SignDigest } from './digest-signer';
import type { RegistrationTurn } from './registration-order';

export interface ProviderChainOptions {
  network: ChainEndpoint;
  contracts: NetworkManifest['contracts'];
  privateKey: Hex;
  /** How often viem polls for receipts and blocks (ms). */
  pollingIntervalMs: number;
}

export class ProviderChain {
  readonly account: PrivateKeyAccount;
  /** The account's key signing a digest (quotes), by the fastest implementation that loads. */
  readonly signDigest: SignDigest;
  readonly signerImplementation: ReturnType<typeof digestSigner>['implementation'];
  readonly publicClient;
  readonly contracts;
  readonly chainId: number;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: ProviderChainOptions) {
    this.account = privateKeyToAccount(options.privateKey);
    ({ sign: this.signDigest, implementation: this.signerImplementation } = digestSigner(options.privateKey));
    this.chainId = options.network.chainId;
    this.publicClient = createChainPublicClient(options.network, {
      pollingInterval: options.pollingIntervalMs,
    });
    const wallet = createChainWalletClient(options.network, this.account);
    this.contracts = networkContracts(options.contracts, { public: this.publicClient, wallet });
  }

  get address(): Hex {
    return this.account.address;
  }

  /** Sends one transaction after every earlier one has been handed to the node. */
  send(submit: () => Promise<Hash>): Promise<Hash> {
    const sent = this.#queue.then(submit);
    this.#queue = sent.catch(() => {});
    return sent;
  }

  async mined(hash: Hash): Promise<void> {
    const receipt = await receiptOf(this.publicClient, hash);
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  }

  /**
   * Registers this provider with `serviceUrl`, or updates its URL if it is already registered
   * under another one (e.g. a restart on a new port). Returns its provider id.
   */
  async register(serviceUrl: string, turn?: RegistrationTurn): Promise<bigint> {
    const registry = this.contracts.providerRegistry;
    const existing = await registry.read.providerIdOf([this.address]);
    if (existing === 0n) {
      let hash: Hash;
      try {
        await turn?.wait();
        hash = await this.send(() => registry.write.registerProvider([serviceUrl]));
      } finally {
        turn?.done();
      }
      await this.mined(hash);
      return registry.read.providerIdOf([this.address]);
    }
    turn?.done();
    const [, url] = await registry.read.getProvider([existing]);
    if (url !== serviceUrl)
      await this.mined(await this.send(() => registry.write.updateServiceUrl([serviceUrl])));
    return existing;
  }
}

/**
 * Sets providers' endorsed flags as the registry's owner (whose key is `ownerKey`), all
 * transactions sent at once with consecutive nonces, then waits for them: one block on a chain
 * that mines every second, however many providers.
 */
export async function setEndorsements(
  options: Omit<ProviderChainOptions, 'privateKey'> & { ownerKey: Hex },
  endorsements: readonly { providerId: bigint; endorsed: boolean }[],
): Promise<void> {
  const owner = privateKeyToAccount(options.ownerKey);
  const publicClient = createChainPublicClient(options.network, {
    pollingInterval: options.pollingIntervalMs,
  });
  const { providerRegistry } = networkContracts(options.contracts, {
    public: publicClient,
    wallet: createChainWalletClient(options.network, owner),
  });
  const actual = await providerRegistry.read.owner();
  if (!isAddressEqual(actual, owner.address))
    throw new Error(
      `cannot endorse providers: ${owner.address} does not own the provider registry (${actual})`,
    );
  const changes: { providerId: bigint; endorsed: boolean }[] = [];
  for (const change of endorsements) {
    const [, , current] = await providerRegistry.read.getProvider([change.providerId]);
    if (current !== change.endorsed) changes.push(change);
  }
  const firstNonce = await publicClient.getTransactionCount({ address: owner.address, blockTag: 'pending' });
  // Sent in nonce order, one after another (all at once, an automining anvil could queue the later
  // nonces behind a gap and never mine them; see deploy.ts).
  const hashes: Hash[] = [];
  for (const [i, { providerId, endorsed }] of changes.entries())
    hashes.push(await providerRegistry.write.setEndorsed([providerId, endorsed], { nonce: firstNonce + i }));
  for (const hash of hashes) {
    const receipt = await receiptOf(publicClient, hash);
    if (receipt.status !== 'success') throw new Error(`setEndorsed transaction ${hash} reverted`);
  }
}
