import { ApprovalModal } from './components/approval-modal';
import { NetworkBadge } from './components/network-badge';
import { Sidebar, type NavItem } from './components/sidebar';
import { SettingsIcon } from './components/ui/icons';
import { useTheme } from './components/use-theme';
import { useUiStore } from './state/ui-store';
import { SettingsView } from './views/settings-view';
import type { ComponentType } from 'react';

/** Screens, in navigation order. Each screen is added here when its engine lands. */
const SCREENS: ReadonlyArray<NavItem & { Component: ComponentType }> = [
  { view: 'settings', label: 'Settings', Icon: SettingsIcon, Component: SettingsView },
];

export function App() {
  useTheme();
  const view = useUiStore((state) => state.view);
  const current = SCREENS.find((screen) => screen.view === view) ?? SCREENS[0]!;
  return (
    <div className="shell">
      <header className="topbar">
        <div className="brand" aria-label="Coffer">
          <span className="brand-mark" aria-hidden="true" />
          Coffer
        </div>
        <NetworkBadge />
      </header>
      <div className="body">
        <Sidebar items={SCREENS} active={current.view} />
        <main className="content" id="main">
          <current.Component />
        </main>
      </div>
      <ApprovalModal />
    </div>
  );
}
