/**
 * Chooses the providers of an upload, as the reference does:
 *
 * - Auto: the primary by tiers — an endorsed provider this payer already has a data set with, then
 *   any endorsed provider (new data set), then a non-endorsed one with a data set, then any other —
 *   each candidate pinged, the next one in the tier taken when a ping fails. Secondaries come from
 *   the pool without the primary, in the same order; the healthy providers left form the reserve
 *   that replaces a secondary that fails (up to `maxSecondaryAttempts` secondaries in all). Every
 *   provider that may be used is known before the approval, so the approval names them all.
 * - Explicit providers or data sets: used as given, in order (the first is the primary), never
 *   replaced. An explicit primary that does not answer stops the upload before anything is paid;
 *   an explicit secondary that does not answer is a failure of its own.
 */
import { randomBytes } from 'node:crypto';
import { CofferError } from '../../../shared/api/errors';
import type { Address } from '../../../shared/network-manifest';
import type { Ping } from '../../../shared/provider/wire';
import type { PingOutcome, ProviderDirectory, ProviderInfo } from '../providers/provider-directory';
import { ConcurrencyLimit } from './concurrency-limit';
import type { UploadChain } from './upload-chain';

/** A provider chosen for a copy, with its data set (existing, or the client id of a new one). */
export interface Candidate {
  provider: ProviderInfo;
  ping: Ping;
  clientDataSetId: string;
  /** The on-chain id of the payer's existing data set with this provider, if any. */
  dataSetId: string | null;
}

export interface Selection {
  primary: Candidate;
  secondaries: Candidate[];
  /** Providers a failed secondary may be replaced with, in the order they would be tried. */
  reserve: Candidate[];
  /** Providers that could not be used, and why (explicit ones that failed their ping, …). */
  skipped: { provider: ProviderInfo; role: 'primary' | 'secondary'; error: string }[];
  explicit: boolean;
}

export interface KnownDataSet {
  providerAddress: string;
  clientDataSetId: string;
  dataSetId: string;
}

export interface SelectionRequest {
  payer: Address;
  copies: number;
  providerIds?: number[] | null;
  dataSetIds?: string[] | null;
  /** The payer's data sets this app knows of (the journal), oldest first. */
  dataSets: readonly KnownDataSet[];
  maxSecondaryAttempts: number;
  /** Shuffle providers within a tier (default true: spreads uploads over equal providers). */
  shuffle?: boolean;
}

const PING_CONCURRENCY = 8;

export async function selectProviders(
  directory: ProviderDirectory,
  chain: UploadChain,
  request: SelectionRequest,
): Promise<Selection> {
  const providers = await directory.list();
  if (providers.length === 0)
    throw new CofferError('PROVIDER_ERROR', 'No storage providers are registered on this network');
  if (request.dataSetIds?.length) return explicitDataSets(directory, chain, providers, request);
  if (request.providerIds?.length) return explicitProviders(directory, providers, request);

  const { healthy, unhealthy } = await rankByTier(directory, providers, request);
  if (healthy.length === 0) {
    const reasons = unhealthy
      .slice(0, 3)
      .map(({ provider, error }) => `provider ${provider.id}: ${error}`)
      .join('; ');
    throw new CofferError(
      'PROVIDER_ERROR',
      `All ${providers.length} providers failed health check (${reasons}${providers.length > 3 ? '; …' : ''})`,
    );
  }
  const [primary, ...others] = healthy;
  const secondaries = others.slice(0, request.copies - 1);
  const reserve = others.slice(
    secondaries.length,
    Math.max(secondaries.length, request.maxSecondaryAttempts),
  );
  return {
    primary: primary!,
    secondaries,
    reserve,
    skipped: shortfall(unhealthy, request.copies - 1 - secondaries.length),
    explicit: false,
  };
}

/**
 * More secondaries for an upload that has some copies already (a top-up): `count` healthy
 * providers not in `exclude`, in tier order, and a reserve to replace them from.
 */
export async function selectMore(
  directory: ProviderDirectory,
  request: Omit<SelectionRequest, 'copies' | 'providerIds' | 'dataSetIds'> & {
    count: number;
    exclude: ReadonlySet<number>;
  },
): Promise<Pick<Selection, 'secondaries' | 'reserve' | 'skipped'>> {
  const providers = (await directory.list()).filter((provider) => !request.exclude.has(provider.id));
  const { healthy, unhealthy } = await rankByTier(directory, providers, request);
  const secondaries = healthy.slice(0, request.count);
  return {
    secondaries,
    reserve: healthy.slice(secondaries.length, Math.max(secondaries.length, request.maxSecondaryAttempts)),
    skipped: shortfall(unhealthy, request.count - secondaries.length),
  };
}

/** Pings every provider and orders the healthy ones by tier (shuffled within a tier). */
async function rankByTier(
  directory: ProviderDirectory,
  providers: readonly ProviderInfo[],
  request: Pick<SelectionRequest, 'dataSets' | 'shuffle'>,
): Promise<{ healthy: Candidate[]; unhealthy: { provider: ProviderInfo; error: string }[] }> {
  const dataSetOf = dataSetIndex(request.dataSets);
  const shuffle = request.shuffle ?? true;
  const tier = (p: ProviderInfo) => (p.endorsed ? 0 : 2) + (dataSetOf.has(p.address.toLowerCase()) ? 0 : 1);
  const ordered = [...providers]
    .map((provider) => ({ provider, key: shuffle ? randomBytes(4).readUInt32BE() : provider.id }))
    .sort((a, b) => tier(a.provider) - tier(b.provider) || a.key - b.key)
    .map(({ provider }) => provider);
  const pings = await pingAll(directory, ordered);
  const healthy: Candidate[] = [];
  const unhealthy: { provider: ProviderInfo; error: string }[] = [];
  ordered.forEach((provider, i) => {
    const outcome = pings[i]!;
    if (outcome.ok) healthy.push({ provider, ping: outcome.ping, ...dataSetFor(dataSetOf, provider) });
    else unhealthy.push({ provider, error: outcome.error });
  });
  return { healthy, unhealthy };
}

/** Fewer healthy providers than copies wanted: which ones could not be reached, as failures. */
function shortfall(
  unhealthy: readonly { provider: ProviderInfo; error: string }[],
  short: number,
): Selection['skipped'] {
  return unhealthy.slice(0, Math.max(0, short)).map(({ provider, error }) => ({
    provider,
    role: 'secondary' as const,
    error: `failed health check: ${error}`,
  }));
}

/** The next healthy provider to replace a failed secondary with, pinged again when it is needed. */
export class ReplacementPool {
  readonly #candidates: Candidate[];

  constructor(
    private readonly directory: ProviderDirectory,
    reserve: readonly Candidate[],
  ) {
    this.#candidates = [...reserve];
  }

  get size(): number {
    return this.#candidates.length;
  }

  async next(): Promise<Candidate | null> {
    for (let candidate = this.#candidates.shift(); candidate; candidate = this.#candidates.shift()) {
      const outcome = await this.directory.ping(candidate.provider);
      if (outcome.ok) return { ...candidate, ping: outcome.ping };
    }
    return null;
  }
}

async function explicitProviders(
  directory: ProviderDirectory,
  providers: readonly ProviderInfo[],
  request: SelectionRequest,
): Promise<Selection> {
  const ids = request.providerIds!;
  if (new Set(ids).size !== ids.length)
    throw new CofferError('INVALID_INPUT', 'providerIds names a provider more than once');
  const chosen = ids.map((id) => {
    const provider = providers.find((p) => p.id === id);
    if (!provider) throw new CofferError('INVALID_INPUT', `Provider ${id} is not registered on this network`);
    return provider;
  });
  const dataSetOf = dataSetIndex(request.dataSets);
  return explicitSelection(directory, chosen, (provider) => dataSetFor(dataSetOf, provider));
}

async function explicitDataSets(
  directory: ProviderDirectory,
  chain: UploadChain,
  providers: readonly ProviderInfo[],
  request: SelectionRequest,
): Promise<Selection> {
  const ids = request.dataSetIds!;
  const entries = await Promise.all(
    ids.map(async (id) => {
      const dataSet = await chain.dataSet(BigInt(id));
      if (!dataSet) throw new CofferError('INVALID_INPUT', `Data set ${id} does not exist on this network`);
      if (dataSet.payer.toLowerCase() !== request.payer.toLowerCase())
        throw new CofferError(
          'INVALID_INPUT',
          `Data set ${id} belongs to ${dataSet.payer}, not this account`,
        );
      const provider = providers.find((p) => p.address.toLowerCase() === dataSet.provider.toLowerCase());
      if (!provider)
        throw new CofferError(
          'INVALID_INPUT',
          `Data set ${id}'s provider ${dataSet.provider} is not registered`,
        );
      return { provider, clientDataSetId: dataSet.clientDataSetId.toString(), dataSetId: id };
    }),
  );
  if (new Set(entries.map((entry) => entry.provider.id)).size !== entries.length)
    throw new CofferError('INVALID_INPUT', 'dataSetIds names two data sets with the same provider');
  const byProvider = new Map(entries.map((entry) => [entry.provider.id, entry]));
  return explicitSelection(
    directory,
    entries.map((entry) => entry.provider),
    (provider) => byProvider.get(provider.id)!,
  );
}

async function explicitSelection(
  directory: ProviderDirectory,
  chosen: readonly ProviderInfo[],
  dataSetOf: (provider: ProviderInfo) => Pick<Candidate, 'clientDataSetId' | 'dataSetId'>,
): Promise<Selection> {
  const pings = await pingAll(directory, chosen);
  const [first] = pings;
  if (!first!.ok)
    throw new CofferError(
      'PROVIDER_ERROR',
      `Provider ${chosen[0]!.id} (${chosen[0]!.url}), chosen as primary, failed health check: ${first!.error}`,
    );
  const candidates: Candidate[] = [];
  const skipped: Selection['skipped'] = [];
  chosen.forEach((provider, i) => {
    const outcome = pings[i]!;
    if (outcome.ok) candidates.push({ provider, ping: outcome.ping, ...dataSetOf(provider) });
    else skipped.push({ provider, role: 'secondary', error: `failed health check: ${outcome.error}` });
  });
  const [primary, ...secondaries] = candidates;
  return { primary: primary!, secondaries, reserve: [], skipped, explicit: true };
}

function pingAll(directory: ProviderDirectory, providers: readonly ProviderInfo[]): Promise<PingOutcome[]> {
  const limit = new ConcurrencyLimit(PING_CONCURRENCY);
  return limit.map(providers, (provider) => directory.ping(provider));
}

function dataSetIndex(dataSets: readonly KnownDataSet[]): Map<string, KnownDataSet> {
  const index = new Map<string, KnownDataSet>();
  for (const entry of dataSets) {
    const key = entry.providerAddress.toLowerCase();
    if (!index.has(key)) index.set(key, entry);
  }
  return index;
}

/** The payer's data set with this provider, or a fresh client id for a new one. */
function dataSetFor(
  index: ReadonlyMap<string, KnownDataSet>,
  provider: ProviderInfo,
): Pick<Candidate, 'clientDataSetId' | 'dataSetId'> {
  const known = index.get(provider.address.toLowerCase());
  if (known) return { clientDataSetId: known.clientDataSetId, dataSetId: known.dataSetId };
  return { clientDataSetId: newClientDataSetId(), dataSetId: null };
}

/** A random client data-set id: 64 bits, so two uploads creating data sets never collide. */
export function newClientDataSetId(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}
