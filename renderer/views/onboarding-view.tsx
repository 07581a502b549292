/**
 * First run: create or import a wallet, then get it ready to use. The recovery phrase and the
 * password are handled only in the secure view the main process renders; this screen opens it and
 * waits for the `wallet.status` event that says the wallet exists, then offers the devnet faucet
 * and points to the deposit that pays for storage.
 */
import { useState, type ComponentType, type SVGProps } from 'react';
import type { SecureViewKind, WalletStatus } from '../../shared/api/wallet';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { StandaloneFrame } from '../components/standalone-frame';
import { ArrowDownIcon, CheckIcon, FileIcon, KeyIcon, PlusIcon, ShieldIcon } from '../components/ui/icons';
import { Button, Card, CopyButton, Spinner } from '../components/ui/primitives';
import { useUiStore } from '../state/ui-store';
import { openSecureView, SECURE_VIEW_NOUN } from '../wallet/secure-view';
import { useBalances, useNetworkStatus } from '../wallet/use-wallet';
import { BalanceStats } from './wallet/balance-stats';
import { FaucetCard } from './wallet/faucet-card';

const CHOICES: ReadonlyArray<{
  kind: SecureViewKind;
  title: string;
  text: string;
  Icon: ComponentType<SVGProps<SVGSVGElement>>;
  recommended?: boolean;
}> = [
  {
    kind: 'create',
    title: 'Create a new wallet',
    text: 'A new 24-word recovery phrase, shown once for you to write down.',
    Icon: PlusIcon,
    recommended: true,
  },
  {
    kind: 'import-mnemonic',
    title: 'Import a recovery phrase',
    text: 'Restore a wallet from its 12 to 24 words.',
    Icon: KeyIcon,
  },
  {
    kind: 'import-keystore',
    title: 'Import a keystore file',
    text: 'A V3 JSON keystore from geth, MetaMask or cast, as a single account.',
    Icon: FileIcon,
  },
];

export function OnboardingView({ status }: { status: WalletStatus }) {
  /** The secure view the user is finishing, if any. */
  const [pending, setPending] = useState<SecureViewKind | null>(null);
  const { busy: opening, error, failed, run } = useAction();
  const setOnboarding = useUiStore((state) => state.setOnboarding);

  const start = async (kind: SecureViewKind) => {
    setOnboarding(true);
    if (await run(() => openSecureView(kind).then(() => true))) setPending(kind);
  };

  if (status.exists) return <ReadyStep status={status} />;
  return (
    <StandaloneFrame wide>
      {pending ? (
        <WaitingStep
          kind={pending}
          opening={opening}
          onReopen={() => void start(pending)}
          onBack={() => setPending(null)}
        />
      ) : (
        <div className="onboarding">
          <div className="hero">
            <h1 className="hero-title">Welcome to Coffer</h1>
            <p className="hero-text">
              A wallet that pays for storage, and an uploader that keeps several copies of your files with
              independent providers. Start with a wallet.
            </p>
          </div>
          <div className="choices" role="list">
            {CHOICES.map(({ kind, title, text, Icon, recommended }) => (
              <div role="listitem" key={kind}>
                <button
                  type="button"
                  className={`choice ${recommended ? 'choice-recommended' : ''}`}
                  onClick={() => void start(kind)}
                  disabled={opening}
                >
                  <span className="choice-icon">
                    <Icon />
                  </span>
                  <span className="choice-title">{title}</span>
                  <span className="choice-text">{text}</span>
                  {recommended && <span className="badge badge-accent choice-badge">Recommended</span>}
                </button>
              </div>
            ))}
          </div>
          {failed && <ErrorNotice error={error} />}
          <HowItWorks />
        </div>
      )}
    </StandaloneFrame>
  );
}

function HowItWorks() {
  return (
    <section className="how" aria-labelledby="how-title">
      <h2 id="how-title" className="how-title">
        What happens next
      </h2>
      <ol className="how-steps">
        <li>
          <strong>A secure {SECURE_VIEW_NOUN} opens.</strong> You choose a password there, and see or type
          your recovery phrase there. This page never sees your words.
        </li>
        <li>
          <strong>You write the words down.</strong> Coffer asks for three of them back, so you know your copy
          is right. Without them a lost password cannot be recovered.
        </li>
        <li>
          <strong>Your wallet is ready.</strong> On the test network Coffer gives you test funds; you then
          deposit some to pay for storage.
        </li>
      </ol>
    </section>
  );
}

function WaitingStep({
  kind,
  opening,
  onReopen,
  onBack,
}: {
  kind: SecureViewKind;
  opening: boolean;
  onReopen: () => void;
  onBack: () => void;
}) {
  const noun = SECURE_VIEW_NOUN;
  const what =
    kind === 'create'
      ? 'choose a password and write down your recovery phrase'
      : kind === 'import-mnemonic'
        ? 'type your recovery phrase and choose a password'
        : 'choose your keystore file and a password';
  return (
    <Card className="waiting-card">
      <div className="waiting" data-testid="onboarding-waiting">
        <div className="big-icon">
          <ShieldIcon />
        </div>
        <h1 className="hero-title">Finish in the secure {noun}</h1>
        <p className="hero-text">
          Coffer opened a secure {noun} where you {what}. Your words stay there: this page never sees them.
          When you are done, this page carries on by itself.
        </p>
        <p className="waiting-status" role="status">
          <Spinner /> Waiting for your new wallet…
        </p>
        <div className="row center">
          <Button onClick={onBack}>Back</Button>
          <Button onClick={onReopen} disabled={opening}>
            No {noun}? Open it again
          </Button>
        </div>
      </div>
    </Card>
  );
}

function ReadyStep({ status }: { status: WalletStatus }) {
  const network = useNetworkStatus();
  const { setOnboarding, setView, setAccount } = useUiStore();
  const account = status.accounts[0];
  const finish = () => {
    setAccount(account?.index ?? 0);
    setView('wallet');
    setOnboarding(false);
  };
  const devnet = network.data?.kind === 'devnet';
  const balances = useBalances(account?.index ?? 0, Boolean(account)).data;
  // On the devnet, the faucet comes first; once there are funds, the wallet is the next step.
  const funded = balances ? balances.native.raw !== '0' || balances.token.raw !== '0' : false;
  return (
    <StandaloneFrame wide>
      <div className="onboarding" data-testid="onboarding-ready">
        <div className="hero">
          <div className="big-icon big-icon-ok">
            <CheckIcon />
          </div>
          <h1 className="hero-title">Your wallet is ready</h1>
          {account && (
            <p className="hero-text address-line">
              Account {account.index}: <span className="mono">{account.address}</span>
              <CopyButton text={account.address} label="Copy the address" />
            </p>
          )}
        </div>
        {account && (
          <>
            <BalanceStats account={account.index} />
            <div className="setup-grid">
              {devnet ? (
                <FaucetCard account={account.index} title="Step 1 · Get test funds" />
              ) : (
                <Card title="Step 1 · Fund this account">
                  <p className="card-text">
                    Send ETH for network fees, and the network’s token to pay for storage, to{' '}
                    <span className="mono">{account.address}</span>.
                  </p>
                </Card>
              )}
              <Card
                title={
                  <>
                    <ArrowDownIcon className="title-icon" /> Step 2 · Deposit to pay for storage
                  </>
                }
              >
                <p className="card-text">
                  Uploads are paid from your PaymentVault deposit, not straight from your account. Move some
                  tokens there from the wallet screen; you can withdraw them back at any time.
                </p>
                <div className="row">
                  <Button variant={funded || !devnet ? 'primary' : 'secondary'} onClick={finish}>
                    Open my wallet
                  </Button>
                </div>
              </Card>
            </div>
          </>
        )}
      </div>
    </StandaloneFrame>
  );
}
