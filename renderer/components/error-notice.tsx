import { useQueryClient } from '@tanstack/react-query';
import { explainError, type ExplainedError, type FixAction } from '../errors/explain-error';
import { useUiStore } from '../state/ui-store';
import { walletKeys } from '../wallet/use-wallet';
import { Button, Notice } from './ui/primitives';

/**
 * Any failure, as every screen shows it: what happened in plain language, what fixes it, and a
 * button for that fix (unlock, go to the wallet, see the network, try again).
 */
export function ErrorNotice({
  error,
  onRetry,
  testId = 'error',
}: {
  error: unknown;
  onRetry?: () => void;
  testId?: string;
}) {
  return <ExplainedNotice explained={explainError(error)} onRetry={onRetry} testId={testId} />;
}

/**
 * An explained failure with its fix-it button (and the technical detail, small, when there is
 * one). The fixes only a screen can do (resume an upload, retry its commit, top it up) come with
 * `fixes`; a fix nobody provides shows no button.
 */
export function ExplainedNotice({
  explained,
  onRetry,
  fixes: screenFixes,
  busy = false,
  testId = 'error',
}: {
  explained: ExplainedError;
  onRetry?: () => void;
  fixes?: Partial<Record<FixAction, () => void>>;
  busy?: boolean;
  testId?: string;
}) {
  const { view, setView } = useUiStore();
  const queryClient = useQueryClient();
  const fixes: Partial<Record<FixAction, () => void>> = {
    // The lock screen appears as soon as the status says "locked": ask for it again.
    unlock: () => void queryClient.invalidateQueries({ queryKey: walletKeys.status }),
    // No button that leads to the screen the user is already on.
    'open-wallet': view === 'wallet' ? undefined : () => setView('wallet'),
    'open-settings': view === 'settings' ? undefined : () => setView('settings'),
    retry: onRetry,
    ...screenFixes,
  };
  const fix = explained.action ? fixes[explained.action.to] : undefined;
  return (
    <Notice
      tone={explained.tone === 'info' ? 'info' : 'bad'}
      title={explained.title}
      testId={testId}
      actions={
        fix && explained.action ? (
          <Button variant="secondary" onClick={fix} disabled={busy}>
            {explained.action.label}
          </Button>
        ) : undefined
      }
    >
      <ErrorText text={explained.detail} />
      {explained.fix && (
        <>
          {' '}
          <ErrorText text={explained.fix} />
        </>
      )}
      {explained.technical && <div className="notice-technical mono">{explained.technical}</div>}
    </Notice>
  );
}

/** Explanation text, with `commands` in backticks shown as code. */
export function ErrorText({ text }: { text: string }) {
  return (
    <>
      {text.split('`').map((part, index) =>
        index % 2 ? (
          <code key={index} className="mono">
            {part}
          </code>
        ) : (
          part
        ),
      )}
    </>
  );
}
