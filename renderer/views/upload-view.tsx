/**
 * The Upload screen, the first once the wallet is unlocked: drop files (or choose them), pick the
 * copies and, if wanted, the providers, and follow every upload of the session in the queue below,
 * copy by copy. The drop window is the same zone and queue in a small always-on-top window.
 */
import { useState } from 'react';
import { api } from '../api/client';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { PopOutIcon } from '../components/ui/icons';
import { Button, Card, Notice } from '../components/ui/primitives';
import { useUiStore } from '../state/ui-store';
import { useStartUpload, useUploadSettings } from '../upload/use-uploads';
import { useBalances, useSelectedAccount } from '../wallet/use-wallet';
import { DropZone } from './upload/drop-zone';
import { UploadOptions, type UploadChoice } from './upload/upload-options';
import { UploadQueue } from './upload/upload-queue';
import { Amount } from './wallet/balance-stats';
import { ViewHeader } from '../components/view-header';

/** Opens the drop window: main does in Electron; in browser mode, a small window of this page. */
export async function openDropWindow(): Promise<void> {
  const { opened } = await api.app.openDropWindow({});
  if (!opened)
    window.open(`${window.location.pathname}?view=drop`, 'coffer-drop', 'popup,width=400,height=620');
}

/** Starts uploads with the options chosen (the copies default to the setting). */
export function useDropHandler(account: number, choice: UploadChoice | null) {
  const settings = useUploadSettings();
  const start = useStartUpload();
  const copies = choice?.copies ?? settings.data?.copies;
  return (files: File[]) =>
    void start(files, {
      account,
      ...(choice?.providerIds?.length ? { providerIds: choice.providerIds } : copies ? { copies } : {}),
    });
}

export function UploadView() {
  const account = useSelectedAccount();
  const settings = useUploadSettings();
  const [choice, setChoice] = useState<UploadChoice | null>(null);
  const onFiles = useDropHandler(account, choice);
  const popOut = useAction();
  const current: UploadChoice = choice ?? { copies: settings.data?.copies ?? 2, providerIds: null };
  const noneChosen = current.providerIds !== null && current.providerIds.length === 0;
  return (
    <div className="view">
      <ViewHeader
        title="Upload"
        subtitle="Store files with several copies on independent storage providers, and watch every copy arrive."
      >
        <Button onClick={() => void popOut.run(openDropWindow)} title="A small window that stays on top">
          <PopOutIcon /> Open the drop window
        </Button>
      </ViewHeader>
      {popOut.error !== null && <ErrorNotice error={popOut.error} />}
      <Card className="upload-intake">
        <div className="upload-intake-grid">
          <DropZone
            onFiles={onFiles}
            disabledReason={noneChosen ? 'Tick the providers to store on first, the primary first.' : null}
          />
          <div className="upload-intake-side">
            <UploadOptions value={current} onChange={setChoice} account={account} />
            <DepositLine account={account} />
          </div>
        </div>
      </Card>
      <section className="queue-section" aria-labelledby="queue-title">
        <h2 className="section-title" id="queue-title">
          Uploads
        </h2>
        <UploadQueue />
      </section>
    </div>
  );
}

/** What uploads are paid from, and where to add to it. */
function DepositLine({ account }: { account: number }) {
  const balances = useBalances(account);
  const setView = useUiStore((state) => state.setView);
  const deposit = balances.data?.deposit;
  if (!deposit) return null;
  if (deposit.raw === '0')
    return (
      <Notice
        tone="warn"
        title="Your PaymentVault deposit is empty"
        actions={<Button onClick={() => setView('wallet')}>Go to the wallet</Button>}
      >
        Uploads are paid from it. Deposit some {deposit.symbol} first.
      </Notice>
    );
  return (
    <p className="deposit-line muted small" data-testid="upload-deposit">
      Paid from your PaymentVault deposit:{' '}
      <strong>
        <Amount value={deposit} />
      </strong>
    </p>
  );
}
