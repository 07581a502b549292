/**
 * The lock screen: while the wallet is locked, nothing else of the app is shown. Unlock with the
 * password, or with the OS keychain where the user turned that on. The wallet locks itself after
 * its idle time; the `wallet.status` event brings this screen up at once.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { WalletStatus } from '../../shared/api/wallet';
import { api } from '../api/client';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { StandaloneFrame } from '../components/standalone-frame';
import { KeyIcon, LockIcon, WalletIcon } from '../components/ui/icons';
import { Button, Card, PasswordField, Spinner } from '../components/ui/primitives';
import { shortHash } from '../format';
import { walletKeys } from '../wallet/use-wallet';

export function LockView({ status }: { status: WalletStatus }) {
  const queryClient = useQueryClient();
  const [password, setPassword] = useState('');
  const [how, setHow] = useState<'password' | 'keychain'>('password');
  const action = useAction();
  const busy = action.busy ? how : null;

  const unlock = async (method: 'password' | 'keychain') => {
    setHow(method);
    const next = await action.run(() =>
      method === 'password' ? api.wallet.unlock({ password }) : api.wallet.unlockWithKeychain({}),
    );
    if (!next) return;
    setPassword('');
    queryClient.setQueryData(walletKeys.status, next);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (password) void unlock('password');
  };
  const first = status.accounts[0];
  const keychain = status.keychain.enabled && status.keychain.available;

  return (
    <StandaloneFrame>
      <Card className="lock-card">
        <form className="lock" onSubmit={onSubmit} aria-labelledby="lock-title">
          <div className="big-icon">
            <LockIcon />
          </div>
          <h1 id="lock-title" className="hero-title">
            Coffer is locked
          </h1>
          <p className="hero-text">Enter your password to unlock your wallet.</p>
          {first && (
            <span className="account-chip">
              <WalletIcon />
              <span>
                Account {first.index} · <span className="mono">{shortHash(first.address, 4)}</span>
                {status.accounts.length > 1 ? ` and ${status.accounts.length - 1} more` : ''}
              </span>
            </span>
          )}
          <PasswordField
            label="Password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            autoFocus
            disabled={busy !== null}
          />
          {action.failed && <ErrorNotice error={action.error} testId="unlock-error" />}
          <Button type="submit" variant="primary" className="wide" disabled={!password || busy !== null}>
            {busy === 'password' ? <Spinner /> : null}
            {busy === 'password' ? 'Unlocking…' : 'Unlock'}
          </Button>
          {keychain && (
            <Button className="wide" onClick={() => void unlock('keychain')} disabled={busy !== null}>
              {busy === 'keychain' ? <Spinner /> : <KeyIcon />}
              Unlock with the system keychain
            </Button>
          )}
          <p className="lock-note muted">
            {status.autoLockMinutes > 0
              ? `Coffer locks itself after ${status.autoLockMinutes} minutes without use.`
              : 'Auto-lock is off: Coffer stays unlocked until you lock it.'}
          </p>
        </form>
      </Card>
    </StandaloneFrame>
  );
}
