import type { TokenAmount } from '../../../shared/api/chain-values';
import { Stat } from '../../components/ui/primitives';
import { formatUnits } from '../../format';
import { useBalances } from '../../wallet/use-wallet';

/** An amount as people read it: grouped digits, at most 4 decimals, and its symbol. */
export function Amount({ value }: { value: TokenAmount }) {
  return (
    <>
      {formatUnits(value.raw, value.decimals)} <span className="unit">{value.symbol}</span>
    </>
  );
}

/**
 * The three balances of an account: its PaymentVault deposit (what storage is paid from), its
 * tokens, and its native coin (network fees).
 */
export function BalanceStats({ account }: { account: number }) {
  const balances = useBalances(account);
  const data = balances.data;
  const placeholder = balances.isError ? '—' : '…';
  return (
    <div className="stats stats-3" aria-busy={!data}>
      <Stat
        label="PaymentVault deposit"
        value={data ? <Amount value={data.deposit} /> : placeholder}
        hint="Pays for your storage"
        testId="balance-deposit"
        accent
      />
      <Stat
        label={data ? `${data.token.symbol} in this account` : 'Tokens in this account'}
        value={data ? <Amount value={data.token} /> : placeholder}
        hint="Ready to deposit"
        testId="balance-token"
      />
      <Stat
        label="ETH for network fees"
        value={data ? <Amount value={data.native} /> : placeholder}
        hint="Pays for transactions"
        testId="balance-native"
      />
    </div>
  );
}
