import type { WalletStatus } from '../../../shared/api/wallet';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { useAction } from '../../components/use-action';
import { PlusIcon } from '../../components/ui/icons';
import { Button, Spinner } from '../../components/ui/primitives';
import { shortHash } from '../../format';
import { useUiStore } from '../../state/ui-store';

/** Which account the wallet screen shows, and "add account" (next index from the recovery phrase). */
export function AccountPicker({ status, selected }: { status: WalletStatus; selected: number }) {
  const setAccount = useUiStore((state) => state.setAccount);
  const { busy: adding, error, failed, run } = useAction();
  const add = async () => {
    const next = await run(() => api.wallet.addAccount({}));
    if (next) setAccount(Math.max(...next.accounts.map((a) => a.index)));
  };
  const single = status.kind === 'privateKey';
  return (
    <div className="account-picker">
      <label className="inline-field">
        <span className="field-label">Account</span>
        <select
          value={selected}
          onChange={(event) => setAccount(Number(event.target.value))}
          data-testid="account-select"
        >
          {status.accounts.map(({ index, address }) => (
            <option key={index} value={index}>
              Account {index} · {shortHash(address, 4)}
            </option>
          ))}
        </select>
      </label>
      <Button
        onClick={() => void add()}
        disabled={adding || single}
        title={single ? 'A wallet imported from a keystore file has a single account' : undefined}
      >
        {adding ? <Spinner /> : <PlusIcon />}
        Add account
      </Button>
      {failed && <ErrorNotice error={error} />}
    </div>
  );
}
