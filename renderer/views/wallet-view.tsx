/**
 * The wallet screen: the account picker, balances (with the PaymentVault deposit first: it pays
 * for storage), deposit and withdraw, the two addresses, the devnet faucet, and the shielded notes
 * with their sync.
 */
import { useQueryClient } from '@tanstack/react-query';
import { ErrorNotice } from '../components/error-notice';
import { RefreshIcon } from '../components/ui/icons';
import { Button, Card } from '../components/ui/primitives';
import {
  useBalances,
  useNetworkStatus,
  useSelectedAccount,
  useWalletStatus,
  walletKeys,
} from '../wallet/use-wallet';
import { AccountPicker } from './wallet/account-picker';
import { AddressesCard } from './wallet/addresses-card';
import { BalanceStats } from './wallet/balance-stats';
import { FaucetCard } from './wallet/faucet-card';
import { NotesSection } from './wallet/notes-section';
import { TransferCard } from './wallet/transfer-card';
import { ViewHeader } from '../components/view-header';

export function WalletView() {
  const status = useWalletStatus().data;
  const account = useSelectedAccount();
  const network = useNetworkStatus().data;
  if (!status) return null;
  return (
    <div className="view">
      <ViewHeader
        title="Wallet"
        subtitle="Your balances, the funds that pay for storage, and your addresses."
      >
        <AccountPicker status={status} selected={account} />
      </ViewHeader>
      <BalancesCard account={account} />
      <div className="grid-2">
        <TransferCard account={account} />
        <div className="stack">
          <AddressesCard account={account} />
          {network?.kind === 'devnet' && <FaucetCard account={account} />}
        </div>
      </div>
      <NotesSection account={account} />
    </div>
  );
}

function BalancesCard({ account }: { account: number }) {
  const queryClient = useQueryClient();
  const balances = useBalances(account);
  return (
    <Card
      title="Balances"
      actions={
        <>
          {balances.data && (
            <span className="muted small" data-testid="balances-block">
              as of block {balances.data.blockNumber.toLocaleString()}
            </span>
          )}
          <Button
            variant="ghost"
            className="btn-icon"
            aria-label="Refresh the balances"
            title="Refresh the balances"
            onClick={() => void queryClient.invalidateQueries({ queryKey: walletKeys.balances(account) })}
          >
            <RefreshIcon />
          </Button>
        </>
      }
    >
      <BalanceStats account={account} />
      {balances.isError && <ErrorNotice error={balances.error} onRetry={() => void balances.refetch()} />}
    </Card>
  );
}
