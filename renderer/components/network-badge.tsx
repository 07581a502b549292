import { useNetworkStatus } from '../wallet/use-wallet';

/** The network indicator in the top bar: chain, block height, or why the network is offline. */
export function NetworkBadge() {
  const status = useNetworkStatus();
  if (status.isError && !status.data)
    return (
      <span className="badge badge-bad" data-testid="network-status">
        <span className="dot" aria-hidden="true" />
        Not connected to Coffer
      </span>
    );
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
