import { useQuery } from '@tanstack/react-query';
import { api } from './api/client';
import { NetworkBadge } from './components/network-badge';

export function App() {
  const info = useQuery({ queryKey: ['app.info'], queryFn: () => api.app.info({}) });
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand" aria-label="Coffer">
          <span className="brand-mark" aria-hidden="true" />
          Coffer
        </div>
        <NetworkBadge />
      </header>
      <main className="content">
        <h1>Welcome to Coffer</h1>
        <p className="muted">
          Store files with several independent copies, and keep your shielded notes in sync.
        </p>
        {info.data && (
          <dl className="facts" data-testid="app-info">
            <dt>Version</dt>
            <dd>{info.data.version}</dd>
            <dt>Mode</dt>
            <dd>{info.data.mode}</dd>
            <dt>Data folder</dt>
            <dd>{info.data.dataDir}</dd>
          </dl>
        )}
        {info.error && <p role="alert">Could not reach the Coffer core: {info.error.message}</p>}
      </main>
    </div>
  );
}
