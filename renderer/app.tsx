/**
 * The app's root: which screen the user may see now. No connection → why, and how to fix it; no
 * wallet → onboarding; locked → the lock screen; otherwise the app proper (top bar, navigation,
 * the screens of the SCREENS registry). Approval requests appear over whatever is showing.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ComponentType } from 'react';
import { api } from './api/client';
import { ApprovalModal } from './components/approval-modal';
import { ErrorText } from './components/error-notice';
import { explainError } from './errors/explain-error';
import { NetworkBadge } from './components/network-badge';
import { Sidebar, type NavItem } from './components/sidebar';
import { StandaloneFrame } from './components/standalone-frame';
import {
  AlertIcon,
  HistoryIcon,
  LockIcon,
  ServerIcon,
  SettingsIcon,
  UploadIcon,
  WalletIcon,
} from './components/ui/icons';
import { Button, Card, Spinner } from './components/ui/primitives';
import { useTheme } from './components/use-theme';
import { useUiStore } from './state/ui-store';
import { useUploadEvents } from './upload/use-uploads';
import { HistoryView } from './views/history-view';
import { LockView } from './views/lock-view';
import { OnboardingView } from './views/onboarding-view';
import { ProvidersView } from './views/providers-view';
import { SettingsView } from './views/settings-view';
import { UploadView } from './views/upload-view';
import { WalletView } from './views/wallet-view';
import { useSyncEvents, useWatchWhileUnlocked } from './sync/use-sync';
import { useStatusEvents, useWalletStatus, walletKeys } from './wallet/use-wallet';
import { Brand } from './components/brand';

/** Screens, in navigation order (the order of `VIEWS` in ui-store); Upload is the first. */
const SCREENS: ReadonlyArray<NavItem & { Component: ComponentType }> = [
  { view: 'upload', label: 'Upload', Icon: UploadIcon, Component: UploadView },
  { view: 'wallet', label: 'Wallet', Icon: WalletIcon, Component: WalletView },
  { view: 'history', label: 'History', Icon: HistoryIcon, Component: HistoryView },
  { view: 'providers', label: 'Providers', Icon: ServerIcon, Component: ProvidersView },
  { view: 'settings', label: 'Settings', Icon: SettingsIcon, Component: SettingsView },
];

export function App() {
  useTheme();
  useStatusEvents();
  useSyncEvents();
  useUploadEvents();
  const status = useWalletStatus();
  const onboarding = useUiStore((state) => state.onboarding);
  const wallet = status.data;
  useWatchWhileUnlocked(Boolean(wallet?.exists && !wallet.locked));
  return (
    <>
      {status.error ? (
        <Unreachable error={status.error} onRetry={() => void status.refetch()} />
      ) : !wallet ? (
        <StandaloneFrame>
          <p className="loading" role="status">
            <Spinner /> Starting Coffer…
          </p>
        </StandaloneFrame>
      ) : !wallet.exists || (onboarding && !wallet.locked) ? (
        <OnboardingView status={wallet} />
      ) : wallet.locked ? (
        <LockView status={wallet} />
      ) : (
        <Shell />
      )}
      <ApprovalModal />
    </>
  );
}

function Shell() {
  const { view, setView } = useUiStore();
  const current = SCREENS.find((screen) => screen.view === view) ?? SCREENS[0]!;
  // A view without a screen (yet) falls back to the first one; the store says so too, so the
  // rest of the UI (e.g. "go to the wallet" buttons) knows where the user is.
  useEffect(() => {
    if (current.view !== view) setView(current.view);
  }, [current.view, view, setView]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to the content
      </a>
      <header className="topbar">
        <Brand />
        <div className="topbar-right">
          <NetworkBadge />
          <LockButton />
        </div>
      </header>
      <div className="body">
        <Sidebar items={SCREENS} active={current.view} />
        <main className="content" id="main" tabIndex={-1}>
          <current.Component />
        </main>
      </div>
    </div>
  );
}

function LockButton() {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const lock = async () => {
    setBusy(true);
    try {
      queryClient.setQueryData(walletKeys.status, await api.wallet.lock({}));
    } catch {
      // Whatever happened, show what the core says the wallet's state is now.
      await queryClient.invalidateQueries({ queryKey: walletKeys.status });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button onClick={() => void lock()} disabled={busy} title="Lock the wallet now">
      <LockIcon /> Lock
    </Button>
  );
}

function Unreachable({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const explained = explainError(error);
  return (
    <StandaloneFrame connected={false}>
      <Card className="lock-card">
        <div className="lock" role="alert">
          <div className="big-icon big-icon-bad">
            <AlertIcon />
          </div>
          <h1 className="hero-title">{explained.title}</h1>
          <p className="hero-text">
            <ErrorText text={explained.detail} /> <ErrorText text={explained.fix ?? ''} />
          </p>
          <Button variant="primary" className="wide" onClick={onRetry}>
            Try again
          </Button>
        </div>
      </Card>
    </StandaloneFrame>
  );
}
