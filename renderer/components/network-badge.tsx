import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';

/** The network indicator in the top bar: chain, block height, or why the network is offline. */
export function NetworkBadge() {
  const status = useQuery({
    queryKey: ['network.status'],
    queryFn: () => api.network.status({}),
    refetchInterval: 5_000,
  });
  if (!status.data) return <span className="badge">Connecting…</span>;
  const { online, kind, chainId, blockNumber, problem } = status.data;
  return (
    <span
      className={`badge ${online ? 'badge-ok' : 'badge-bad'}`}
      data-testid="network-status"
      title={problem ?? undefined}
    >
      <span className="dot" aria-hidden="true" />
      {online
        ? `${kind === 'devnet' ? 'Devnet' : 'Network'} · chain ${chainId} · block ${blockNumber}`
        : 'Network offline'}
    </span>
  );
}
