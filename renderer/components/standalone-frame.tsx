import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api } from '../api/client';
import { NetworkBadge } from './network-badge';
import { Brand } from './brand';

/**
 * The frame of the screens shown before the app proper (welcome, lock, "cannot connect"): the
 * brand, one centred column, and a footer saying what is running where.
 */
export function StandaloneFrame({
  children,
  wide = false,
  connected = true,
}: {
  children: ReactNode;
  wide?: boolean;
  /** False when the core cannot be reached: nothing to show about the network then. */
  connected?: boolean;
}) {
  return (
    <div className="standalone">
      <header className="standalone-header">
        <Brand />
        {connected && <NetworkBadge />}
      </header>
      <main className={`standalone-main ${wide ? 'wide' : ''}`} id="main">
        {children}
      </main>
      {connected && <AppFooter />}
    </div>
  );
}

function AppFooter() {
  const info = useQuery({ queryKey: ['app.info'], queryFn: () => api.app.info({}) });
  if (!info.data) return null;
  const { version, mode, dataDir } = info.data;
  return (
    <footer className="standalone-footer" data-testid="app-info">
      Coffer {version} · {mode} mode · data in <span className="mono">{dataDir}</span>
    </footer>
  );
}
