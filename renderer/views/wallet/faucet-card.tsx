import { useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { DropletIcon } from '../../components/ui/icons';
import { Button, Card, Notice, Spinner } from '../../components/ui/primitives';
import { useChainOperation } from '../../wallet/use-chain-operation';
import { useBalances, walletKeys } from '../../wallet/use-wallet';
import { Amount } from './balance-stats';
import { TxHash } from './tx-hash';

type FaucetResult = Awaited<ReturnType<typeof api.wallet.faucet>>;

/** Devnet only: the faucet that gives a new account coin for fees and test tokens. */
export function FaucetCard({ account, title = 'Test funds' }: { account: number; title?: string }) {
  const queryClient = useQueryClient();
  const { state, busy, run } = useChainOperation<FaucetResult>(null);
  // The first thing to do with an empty account; a side option once it has funds.
  const balances = useBalances(account).data;
  const empty = balances?.native.raw === '0' && balances.token.raw === '0';
  const request = async () => {
    await run(() => api.wallet.faucet({ account }));
    await queryClient.invalidateQueries({ queryKey: walletKeys.balances(account) });
  };
  return (
    <Card
      title={
        <>
          <DropletIcon className="title-icon" /> {title}
        </>
      }
      className="faucet-card"
    >
      <p className="card-text">
        This is Coffer’s local test network. Its faucet sends this account 10 ETH for network fees and 10,000
        tUSD to spend on storage. They are worth nothing outside this devnet.
      </p>
      <div className="row">
        <Button variant={empty ? 'primary' : 'secondary'} onClick={() => void request()} disabled={busy}>
          {busy ? <Spinner /> : <DropletIcon />}
          {busy ? 'Sending test funds…' : 'Get test funds'}
        </Button>
      </div>
      {state.phase === 'done' && (
        <Notice tone="ok" title="Test funds received" testId="faucet-result">
          <Amount value={state.result.native} /> and <Amount value={state.result.token} /> arrived in this
          account.
          <div className="tx-list">
            <span className="muted">Transactions</span>
            {state.result.txHashes.map((hash) => (
              <TxHash key={hash} hash={hash} />
            ))}
          </div>
        </Notice>
      )}
      {state.phase === 'failed' && <ErrorNotice error={state.error} onRetry={() => void request()} />}
    </Card>
  );
}
