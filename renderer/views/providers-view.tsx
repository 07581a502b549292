/**
 * Providers: the storage providers of the registry on chain, each pinged now — endorsed or not,
 * online or not (and why), its latency, its price, whether it takes batch stores — with the data
 * sets this account has with it.
 */
import { useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { ProviderListing } from '../../shared/api/upload';
import { QueryView } from '../components/query-view';
import { CheckIcon, RefreshIcon, ServerIcon } from '../components/ui/icons';
import { Button, Card, CopyButton, EmptyState, OutOf, Stat } from '../components/ui/primitives';
import { formatUnits, shortHash } from '../format';
import { uploadKeys, useProviders } from '../upload/use-uploads';
import { useBalances, useSelectedAccount } from '../wallet/use-wallet';
import { ViewHeader } from '../components/view-header';

type Provider = z.infer<typeof ProviderListing>;

const GIB = 2n ** 30n;

export function ProvidersView() {
  const account = useSelectedAccount();
  const providers = useProviders(account);
  const queryClient = useQueryClient();
  return (
    <div className="view">
      <ViewHeader
        title="Providers"
        subtitle="The storage providers registered on chain, checked just now, and your data sets with each."
      >
        <Button
          onClick={() => void queryClient.invalidateQueries({ queryKey: uploadKeys.providers(account) })}
          disabled={providers.isFetching}
        >
          <RefreshIcon /> Ping again
        </Button>
      </ViewHeader>
      <QueryView query={providers} loading="Pinging the providers…">
        {({ providers: list }) =>
          list.length === 0 ? (
            <Card>
              <EmptyState icon={<ServerIcon />} title="No providers registered">
                This network’s registry lists no storage provider yet.
              </EmptyState>
            </Card>
          ) : (
            <>
              <Summary list={list} />
              <div className="provider-grid" data-testid="provider-list">
                {list.map((provider) => (
                  <ProviderCard key={provider.id} provider={provider} account={account} />
                ))}
              </div>
            </>
          )
        }
      </QueryView>
    </div>
  );
}

function Summary({ list }: { list: Provider[] }) {
  const online = list.filter((p) => p.online);
  const latencies = online.map((p) => p.latencyMs).filter((ms): ms is number => ms !== null);
  return (
    <div className="stats stats-4">
      <Stat label="Online" value={<OutOf value={online.length} total={list.length} />} accent />
      <Stat
        label="Endorsed"
        value={list.filter((p) => p.endorsed).length}
        hint="Preferred for the primary copy"
      />
      <Stat
        label="Fastest answer"
        value={
          latencies.length ? (
            <>
              {Math.min(...latencies)} <span className="unit">ms</span>
            </>
          ) : (
            '—'
          )
        }
      />
      <Stat
        label="Your data sets"
        value={list.reduce((sum, p) => sum + p.dataSets.length, 0)}
        hint="Reused by your next uploads"
      />
    </div>
  );
}

function ProviderCard({ provider, account }: { provider: Provider; account: number }) {
  const token = useBalances(account).data?.deposit;
  const perGiB = provider.pricePerByte !== null ? (BigInt(provider.pricePerByte) * GIB).toString() : null;
  return (
    <section
      className={`card provider-card ${provider.online ? '' : 'provider-offline'}`}
      data-testid="provider-card"
      data-provider-id={provider.id}
      aria-label={`Provider ${provider.id}`}
    >
      <header className="provider-head">
        <div className="icon-tile" aria-hidden="true">
          <ServerIcon />
        </div>
        <h2 className="provider-name">Provider {provider.id}</h2>
        {provider.endorsed && (
          <span className="badge badge-accent" data-testid="provider-endorsed">
            <CheckIcon /> Endorsed
          </span>
        )}
        <span className={`badge ${provider.online ? 'badge-ok' : 'badge-bad'}`} data-testid="provider-status">
          <span className="dot" aria-hidden="true" />
          {provider.online ? `Online · ${provider.latencyMs ?? '—'} ms` : 'Offline'}
        </span>
      </header>
      {!provider.online && provider.problem && (
        <p className="provider-problem" role="status">
          {provider.problem}
        </p>
      )}
      <dl className="facts provider-facts">
        <dt>Address</dt>
        <dd className="with-copy">
          <span className="mono" title={provider.address}>
            {shortHash(provider.address, 6)}
          </span>
          <CopyButton text={provider.address} label={`Copy provider ${provider.id}’s address`} />
        </dd>
        <dt>Service</dt>
        <dd className="mono">{provider.url}</dd>
        <dt>Price</dt>
        <dd>
          {perGiB && token
            ? `${formatUnits(perGiB, token.decimals, 6)} ${token.symbol} per GiB stored`
            : perGiB
              ? `${perGiB} base units per GiB`
              : '—'}
        </dd>
        <dt>Batch store</dt>
        <dd>
          {provider.batch === null
            ? '—'
            : provider.batch
              ? 'Yes: a wave in one request'
              : 'No: piece by piece'}
        </dd>
        <dt>Your data sets</dt>
        <dd data-testid="provider-data-sets">
          {provider.dataSets.length === 0 ? (
            <span className="muted">None yet</span>
          ) : (
            <span className="chips">
              {provider.dataSets.map((set) => (
                <span key={set.dataSetId} className="chip">
                  data set {set.dataSetId}
                </span>
              ))}
            </span>
          )}
        </dd>
      </dl>
    </section>
  );
}
