/**
 * The wallet's settings: auto-lock, keychain unlock, the password, and the recovery phrase (shown
 * only in a secure view). Each answers with the new status, which goes straight into the cache.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { NewPassword, type WalletStatus } from '../../../shared/api/wallet';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { useAction } from '../../components/use-action';
import { EyeIcon, KeyIcon, LockIcon, ShieldIcon } from '../../components/ui/icons';
import { Button, Card, Notice, PasswordField, Spinner } from '../../components/ui/primitives';
import { openSecureView, SECURE_VIEW_NOUN } from '../../wallet/secure-view';
import { walletKeys } from '../../wallet/use-wallet';

const AUTO_LOCK_CHOICES = [1, 5, 15, 30, 60, 240, 0];
/** The contract's own rule for a new password, so the form and the core agree. */
const MIN_PASSWORD = NewPassword.minLength ?? 1;

/** One settings call: the new status goes into the cache, and a "saved" note once it worked. */
function useSettingCall() {
  const queryClient = useQueryClient();
  const action = useAction();
  const [saved, setSaved] = useState<string | null>(null);
  const call = async (work: () => Promise<WalletStatus>, done: string): Promise<boolean> => {
    setSaved(null);
    const status = await action.run(work);
    if (!status) return false;
    queryClient.setQueryData(walletKeys.status, status);
    setSaved(done);
    return true;
  };
  return { ...action, saved, call };
}

export function SecurityCard({ status }: { status: WalletStatus }) {
  const autoLock = useSettingCall();
  const keychain = useSettingCall();
  const [keychainPassword, setKeychainPassword] = useState('');
  const [keychainWanted, setKeychainWanted] = useState<boolean | null>(null);
  const choices = AUTO_LOCK_CHOICES.includes(status.autoLockMinutes)
    ? AUTO_LOCK_CHOICES
    : [...AUTO_LOCK_CHOICES, status.autoLockMinutes];

  const saveKeychain = async (event: FormEvent) => {
    event.preventDefault();
    if (keychainWanted === null) return;
    const enabled = keychainWanted;
    const ok = await keychain.call(
      () => api.wallet.setKeychainUnlock({ enabled, password: keychainPassword }),
      enabled ? 'The system keychain can now unlock Coffer.' : 'Keychain unlock is off.',
    );
    if (ok) {
      setKeychainWanted(null);
      setKeychainPassword('');
    }
  };

  return (
    <Card
      title={
        <>
          <LockIcon className="title-icon" /> Locking
        </>
      }
    >
      <div className="setting">
        <div className="setting-text">
          <div className="setting-title">Lock automatically</div>
          <div className="setting-hint">
            After this long without use, Coffer forgets your keys until you enter the password again.
          </div>
        </div>
        <label className="setting-control">
          <span className="visually-hidden">Lock automatically after</span>
          <select
            value={status.autoLockMinutes}
            disabled={autoLock.busy}
            data-testid="auto-lock"
            onChange={(event) => {
              const minutes = Number(event.target.value);
              void autoLock.call(
                () => api.wallet.setAutoLock({ minutes }),
                minutes ? `Coffer now locks after ${minutes} minutes without use.` : 'Auto-lock is off.',
              );
            }}
          >
            {choices.map((minutes) => (
              <option key={minutes} value={minutes}>
                {minutes === 0 ? 'Never' : minutes < 60 ? `After ${minutes} min` : `After ${minutes / 60} h`}
              </option>
            ))}
          </select>
        </label>
      </div>
      {autoLock.saved && (
        <p className="saved" role="status">
          {autoLock.saved}
        </p>
      )}
      {autoLock.failed && <ErrorNotice error={autoLock.error} />}

      <div className="setting">
        <div className="setting-text">
          <div className="setting-title">Unlock with the system keychain</div>
          <div className="setting-hint">
            {status.keychain.available
              ? 'Your operating system’s keychain keeps an unlock key, so you need not type the password on this computer.'
              : `Not available here: ${status.keychain.problem ?? 'this app has no access to an OS keychain.'}`}
          </div>
        </div>
        <label className="setting-control switch">
          <input
            type="checkbox"
            role="switch"
            checked={keychainWanted ?? status.keychain.enabled}
            disabled={!status.keychain.available || keychain.busy}
            onChange={(event) =>
              setKeychainWanted(
                event.target.checked === status.keychain.enabled ? null : event.target.checked,
              )
            }
          />
          <span className="switch-track" aria-hidden="true" />
          <span className="visually-hidden">Unlock with the system keychain</span>
        </label>
      </div>
      {keychainWanted !== null && (
        <form className="inline-form" onSubmit={(event) => void saveKeychain(event)}>
          <PasswordField
            label="Your password, to confirm"
            autoComplete="current-password"
            value={keychainPassword}
            onChange={setKeychainPassword}
          />
          <div className="row">
            <Button type="submit" variant="primary" disabled={!keychainPassword || keychain.busy}>
              {keychain.busy ? <Spinner /> : <KeyIcon />}
              {keychainWanted ? 'Turn on' : 'Turn off'}
            </Button>
            <Button onClick={() => setKeychainWanted(null)}>Cancel</Button>
          </div>
        </form>
      )}
      {keychain.saved && (
        <p className="saved" role="status">
          {keychain.saved}
        </p>
      )}
      {keychain.failed && <ErrorNotice error={keychain.error} />}
    </Card>
  );
}

export function PasswordCard() {
  const change = useSettingCall();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const tooShort = next.length > 0 && next.length < MIN_PASSWORD;
  const mismatch = again.length > 0 && again !== next;
  const ready = current.length > 0 && next.length >= MIN_PASSWORD && again === next;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    const ok = await change.call(
      () => api.wallet.changePassword({ oldPassword: current, newPassword: next }),
      'Password changed. Use the new one from now on.',
    );
    if (ok) {
      setCurrent('');
      setNext('');
      setAgain('');
    }
  };
  return (
    <Card
      title={
        <>
          <KeyIcon className="title-icon" /> Password
        </>
      }
    >
      <form
        className="password-form"
        onSubmit={(event) => void submit(event)}
        aria-label="Change the password"
      >
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={current}
          onChange={setCurrent}
        />
        <PasswordField
          label="New password"
          hint={`At least ${MIN_PASSWORD} characters.`}
          error={tooShort ? `Use at least ${MIN_PASSWORD} characters.` : null}
          autoComplete="new-password"
          value={next}
          onChange={setNext}
        />
        <PasswordField
          label="New password again"
          error={mismatch ? 'The two new passwords are not the same.' : null}
          autoComplete="new-password"
          value={again}
          onChange={setAgain}
        />
        <div className="row">
          <Button type="submit" variant="primary" disabled={!ready || change.busy}>
            {change.busy ? <Spinner /> : null}
            Change the password
          </Button>
        </div>
      </form>
      {change.saved && <Notice tone="ok" title={change.saved} />}
      {change.failed && <ErrorNotice error={change.error} />}
    </Card>
  );
}

export function RecoveryPhraseCard({ status }: { status: WalletStatus }) {
  const [opened, setOpened] = useState(false);
  const { busy, error, failed, run } = useAction();
  const reveal = async () => {
    setOpened((await run(() => openSecureView('reveal').then(() => true))) ?? false);
  };
  const hasPhrase = status.kind === 'mnemonic';
  return (
    <Card
      title={
        <>
          <ShieldIcon className="title-icon" /> Recovery phrase
        </>
      }
    >
      <p className="card-text">
        {hasPhrase
          ? `Your recovery phrase restores this wallet anywhere. Coffer shows it in a secure ${SECURE_VIEW_NOUN}, after your password; make sure nobody can see your screen.`
          : 'This wallet was imported from a keystore file, so it has no recovery phrase. Keep a copy of the keystore file and its password instead.'}
      </p>
      {hasPhrase && (
        <div className="row">
          <Button onClick={() => void reveal()} disabled={busy}>
            {busy ? <Spinner /> : <EyeIcon />}
            Show the recovery phrase
          </Button>
        </div>
      )}
      {opened && (
        <Notice tone="info" title={`Continue in the secure ${SECURE_VIEW_NOUN}`}>
          Enter your password there to see the words. Close it when you are done.
        </Notice>
      )}
      {failed && <ErrorNotice error={error} />}
    </Card>
  );
}
