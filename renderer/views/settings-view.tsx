import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { ErrorNotice } from '../components/error-notice';
import { Card } from '../components/ui/primitives';
import { useUiStore, type ThemePreference } from '../state/ui-store';
import { useWalletStatus } from '../wallet/use-wallet';
import { NetworkSettingsCard } from './settings/network-settings-card';
import { SyncSettingsCard } from './settings/sync-settings-card';
import { UploadSettingsCard } from './settings/upload-settings-card';
import { PasswordCard, RecoveryPhraseCard, SecurityCard } from './settings/wallet-settings';
import { ViewHeader } from '../components/view-header';

/** Settings: the wallet's security, uploads, the wallet sync, appearance, the network, and what is running where. */
export function SettingsView() {
  const info = useQuery({ queryKey: ['app.info'], queryFn: () => api.app.info({}) });
  const status = useWalletStatus().data;
  const { theme, setTheme } = useUiStore();
  return (
    <div className="view">
      <ViewHeader
        title="Settings"
        subtitle="Security, uploads, wallet sync, appearance and the network Coffer is on."
      />
      {status?.exists && (
        <div className="grid-2">
          <div className="stack">
            <SecurityCard status={status} />
            <RecoveryPhraseCard status={status} />
          </div>
          <PasswordCard />
        </div>
      )}
      <UploadSettingsCard />
      <SyncSettingsCard />
      <Card title="Appearance">
        <div className="setting">
          <div className="setting-text">
            <div className="setting-title">Theme</div>
            <div className="setting-hint">
              “Follow the system” switches with your operating system’s setting.
            </div>
          </div>
          <label className="setting-control">
            <span className="visually-hidden">Theme</span>
            <select value={theme} onChange={(event) => setTheme(event.target.value as ThemePreference)}>
              <option value="system">Follow the system</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
        </div>
      </Card>
      <NetworkSettingsCard />
      <Card title="About">
        {info.data && (
          <dl className="facts" data-testid="about">
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
        {info.error && <ErrorNotice error={info.error} onRetry={() => void info.refetch()} />}
      </Card>
    </div>
  );
}
