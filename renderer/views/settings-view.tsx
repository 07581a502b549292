import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { Card } from '../components/ui/primitives';
import { useUiStore, type ThemePreference } from '../state/ui-store';

/** Settings: appearance, and what is running where. */
export function SettingsView() {
  const info = useQuery({ queryKey: ['app.info'], queryFn: () => api.app.info({}) });
  const network = useQuery({ queryKey: ['network.status'], queryFn: () => api.network.status({}) });
  const { theme, setTheme } = useUiStore();
  return (
    <div className="view">
      <h1 className="view-title">Settings</h1>
      <Card title="Appearance">
        <label className="field">
          <span className="field-label">Theme</span>
          <select value={theme} onChange={(event) => setTheme(event.target.value as ThemePreference)}>
            <option value="system">Follow the system</option>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
      </Card>
      <Card title="Network">
        {network.data && (
          <dl className="facts" data-testid="network-facts">
            <dt>Network</dt>
            <dd>
              {network.data.kind === 'devnet'
                ? 'Embedded devnet'
                : network.data.kind === 'custom'
                  ? 'Custom'
                  : 'None'}
            </dd>
            <dt>Chain</dt>
            <dd>{network.data.chainId ?? '—'}</dd>
            <dt>RPC</dt>
            <dd className="mono">{network.data.rpcUrl ?? '—'}</dd>
            <dt>Storage providers</dt>
            <dd>{network.data.providerCount}</dd>
            <dt>Note server</dt>
            <dd className="mono">{network.data.noteServerUrl ?? '—'}</dd>
            {network.data.problem && (
              <>
                <dt>Problem</dt>
                <dd role="status">{network.data.problem}</dd>
              </>
            )}
          </dl>
        )}
      </Card>
      <Card title="About">
        {info.data && (
          <dl className="facts" data-testid="app-info">
            <dt>Version</dt>
            <dd>{info.data.version}</dd>
            <dt>Mode</dt>
            <dd>{info.data.mode}</dd>
            <dt>Platform</dt>
            <dd>{info.data.platform}</dd>
            <dt>Data folder</dt>
            <dd className="mono">{info.data.dataDir}</dd>
          </dl>
        )}
        {info.error && <p role="alert">Could not reach the Coffer core: {info.error.message}</p>}
      </Card>
    </div>
  );
}
