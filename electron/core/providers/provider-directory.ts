/**
 * The live list of storage providers: read from ProviderRegistry on chain (id, address, service
 * URL, endorsed), not only from the network manifest, with one ProviderClient per provider and a
 * health check (ping) that also checks the provider answers as the address the registry names.
 */
import type { Chain, PublicClient, Transport } from 'viem';
import { providerRegistryAbi } from '../../../shared/contracts/abis';
import type { Address, NetworkManifest } from '../../../shared/network-manifest';
import type { Ping } from '../../../shared/provider/wire';
import { ProviderClient } from './provider-client';

export interface ProviderInfo {
  id: number;
  address: Address;
  url: string;
  endorsed: boolean;
}

export type PingOutcome =
  { ok: true; ping: Ping; latencyMs: number } | { ok: false; error: string; latencyMs: number };

/** Providers read per registry call. */
const PAGE = 100n;
/** How long a read of the registry is reused. */
const LIST_TTL_MS = 5_000;
export const DEFAULT_PING_TIMEOUT_MS = 5_000;

export class ProviderDirectory {
  readonly #clients = new Map<string, ProviderClient>();
  #listed: { at: number; providers: Promise<ProviderInfo[]> } | null = null;

  constructor(
    private readonly network: NetworkManifest,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly options: { clientTimeoutMs?: number } = {},
  ) {}

  /** Every registered provider, in id order. */
  list(): Promise<ProviderInfo[]> {
    if (this.#listed && Date.now() - this.#listed.at < LIST_TTL_MS) return this.#listed.providers;
    const providers = this.#read().catch((error: unknown) => {
      this.#listed = null;
      throw error;
    });
    this.#listed = { at: Date.now(), providers };
    return providers;
  }

  async byId(id: number): Promise<ProviderInfo | undefined> {
    return (await this.list()).find((provider) => provider.id === id);
  }

  clientFor(provider: Pick<ProviderInfo, 'url'>): ProviderClient {
    let client = this.#clients.get(provider.url);
    if (!client) {
      client = new ProviderClient({ url: provider.url, timeoutMs: this.options.clientTimeoutMs });
      this.#clients.set(provider.url, client);
    }
    return client;
  }

  /** Pings a provider: it must answer, for this chain, as the address the registry names. */
  async ping(provider: ProviderInfo, timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<PingOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const ping = await this.clientFor(provider).ping({ signal: AbortSignal.timeout(timeoutMs) });
      if (ping.provider.toLowerCase() !== provider.address.toLowerCase())
        return {
          ok: false,
          error: `answers as ${ping.provider}, not ${provider.address} as registered`,
          latencyMs: elapsed(),
        };
      if (ping.chainId !== this.network.chainId)
        return {
          ok: false,
          error: `serves chain ${ping.chainId}, not ${this.network.chainId}`,
          latencyMs: elapsed(),
        };
      return { ok: true, ping, latencyMs: elapsed() };
    } catch (error) {
      return { ok: false, error: (error as Error).message, latencyMs: elapsed() };
    }
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.close()));
  }

  async #read(): Promise<ProviderInfo[]> {
    const address = this.network.contracts.providerRegistry as Address;
    const out: ProviderInfo[] = [];
    for (let offset = 0n; ; offset += PAGE) {
      const page = await this.client.readContract({
        address,
        abi: providerRegistryAbi,
        functionName: 'getProviders',
        args: [offset, PAGE],
      });
      for (const entry of page)
        out.push({
          id: Number(entry.id),
          address: entry.provider,
          url: entry.serviceUrl.replace(/\/+$/, ''),
          endorsed: entry.endorsed,
        });
      if (BigInt(page.length) < PAGE) return out;
    }
  }
}
