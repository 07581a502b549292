/**
 * Deposit into and withdraw from the PaymentVault: the amount (checked as it is typed, with a
 * "max"), the approval the core asks for, the transaction's progress, and the result with its
 * hash — or what went wrong, in plain words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { WalletBalances } from '../../../shared/api/wallet';
import { api, transportKind } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { ArrowDownIcon, ArrowUpIcon, CheckIcon } from '../../components/ui/icons';
import { Button, Card, Field, Notice, Spinner, Tabs } from '../../components/ui/primitives';
import { checkAmount } from '../../wallet/amount-input';
import { useChainOperation, type OperationPhase } from '../../wallet/use-chain-operation';
import { useBalances, walletKeys } from '../../wallet/use-wallet';
import { Amount } from './balance-stats';
import { TxHash } from './tx-hash';

type Mode = 'deposit' | 'withdraw';
type TransferResult = Awaited<ReturnType<typeof api.wallet.deposit>>;

const MODES: Record<
  Mode,
  {
    verb: string;
    done: string;
    /** Where the amount comes from, and how to say it. */
    source: (b: WalletBalances) => WalletBalances['token'];
    from: string;
    explain: string;
  }
> = {
  deposit: {
    verb: 'Deposit',
    done: 'Deposited',
    source: (b) => b.token,
    from: 'in this account',
    explain:
      'Moves tokens from this account into the PaymentVault, where uploads are paid from. One signature (a permit) and one transaction.',
  },
  withdraw: {
    verb: 'Withdraw',
    done: 'Withdrew',
    source: (b) => b.deposit,
    from: 'in the PaymentVault',
    explain: 'Moves tokens from the PaymentVault back to this account. One transaction.',
  },
};

export function TransferCard({ account }: { account: number }) {
  const [mode, setMode] = useState<Mode>('deposit');
  return (
    <Card title="Move funds" className="transfer-card">
      <Tabs
        label="Deposit or withdraw"
        value={mode}
        onChange={setMode}
        tabs={[
          {
            value: 'deposit',
            label: (
              <>
                <ArrowDownIcon /> Deposit
              </>
            ),
          },
          {
            value: 'withdraw',
            label: (
              <>
                <ArrowUpIcon /> Withdraw
              </>
            ),
          },
        ]}
      />
      {/* Keyed by mode: switching tabs starts a fresh form. */}
      <TransferForm key={`${mode}-${account}`} mode={mode} account={account} />
    </Card>
  );
}

function TransferForm({ mode, account }: { mode: Mode; account: number }) {
  const spec = MODES[mode];
  const queryClient = useQueryClient();
  const balances = useBalances(account);
  const [input, setInput] = useState('');
  const { state, busy, run } = useChainOperation<TransferResult>(mode);
  const available = balances.data ? spec.source(balances.data) : null;
  const check = available ? checkAmount(input, available, spec.from) : null;

  const submit = async () => {
    if (!check?.ok) return;
    const amount = check.amount;
    const result = await run(() => api.wallet[mode]({ account, amount }));
    if (result) setInput('');
    await queryClient.invalidateQueries({ queryKey: walletKeys.balances(account) });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit();
  };

  return (
    <form className="transfer-form" onSubmit={onSubmit} aria-label={spec.verb}>
      <p className="card-text">{spec.explain}</p>
      <Field
        label={`Amount${available ? ` (${available.symbol})` : ''}`}
        hint={
          available ? (
            <>
              Available: <Amount value={available} /> {spec.from}
            </>
          ) : (
            'Loading balances…'
          )
        }
        error={check && !check.ok ? check.error : null}
      >
        {(ids) => (
          <div className="amount-input">
            <input
              {...ids}
              inputMode="decimal"
              autoComplete="off"
              placeholder="0.00"
              value={input}
              onChange={(event) => setInput(event.target.value)}
              disabled={busy}
              data-testid={`${mode}-amount`}
            />
            <span className="amount-unit">{available?.symbol}</span>
            <Button
              variant="ghost"
              className="max-button"
              disabled={!available || busy || available.raw === '0'}
              onClick={() => available && setInput(available.formatted)}
              aria-label={`Use the whole ${available?.formatted ?? ''} ${available?.symbol ?? ''}`.trim()}
            >
              Max
            </Button>
          </div>
        )}
      </Field>
      <div className="row">
        <Button type="submit" variant="primary" disabled={busy || !check?.ok}>
          {busy ? <Spinner /> : mode === 'deposit' ? <ArrowDownIcon /> : <ArrowUpIcon />}
          {check?.ok ? `${spec.verb} ${check.amount} ${available!.symbol}` : spec.verb}
        </Button>
      </div>
      {busy && <Steps phase={state.phase} />}
      {state.phase === 'done' && (
        <Notice
          tone="ok"
          title={`${spec.done} ${state.result.amount.formatted} ${state.result.amount.symbol}`}
          testId="transfer-result"
        >
          Confirmed in block {state.result.blockNumber.toLocaleString()}. Transaction{' '}
          <TxHash hash={state.result.txHash} />
        </Notice>
      )}
      {state.phase === 'failed' && (
        <ErrorNotice error={state.error} onRetry={() => void submit()} testId="transfer-error" />
      )}
    </form>
  );
}

const STEPS: ReadonlyArray<{ label: string; phase: OperationPhase }> = [
  { label: 'Prepare', phase: 'preparing' },
  { label: 'Approve', phase: 'approving' },
  { label: 'Send and confirm', phase: 'sending' },
];

/** Where a running operation is: each step done, current (with a spinner) or still ahead. */
function Steps({ phase }: { phase: OperationPhase }) {
  const current = STEPS.findIndex((step) => step.phase === phase);
  return (
    <ol className="steps" aria-label="Progress" data-testid="transfer-steps">
      {STEPS.map((step, index) => {
        const state = index < current ? 'done' : index === current ? 'current' : 'ahead';
        return (
          <li
            key={step.label}
            className={`step step-${state}`}
            aria-current={state === 'current' ? 'step' : undefined}
          >
            <span className="step-mark">
              {state === 'done' ? <CheckIcon /> : state === 'current' ? <Spinner /> : index + 1}
            </span>
            {step.label}
            {state === 'current' && step.label === 'Approve' && (
              <span className="step-hint">
                Check the details in the approval {transportKind === 'electron' ? 'window' : 'dialog'}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
