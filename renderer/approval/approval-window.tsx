/**
 * The Electron approval window: shows one request at a time from `window.cofferApproval` (its own
 * preload, approval methods only) and answers with the request's hash.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { APPROVAL_TITLES, ApprovalDetails } from '../components/approval-details';
import { useApprovals, type ApprovalApi } from '../components/use-approvals';
import { useTheme } from '../components/use-theme';
import '../styles/global.css';

declare global {
  interface Window {
    cofferApproval?: ApprovalApi;
  }
}

function ApprovalWindow({ api }: { api: ApprovalApi }) {
  useTheme();
  const { current, waiting, busy, error, answer } = useApprovals(api);
  return (
    <main className="content approval-window">
      <h1 className="view-title">
        {current ? APPROVAL_TITLES[current.kind] : 'Approvals'}
        {waiting > 1 ? ` (1 of ${waiting})` : ''}
      </h1>
      {error && <p role="alert">{error}</p>}
      {current ? (
        <ApprovalDetails
          request={current}
          busy={busy}
          onAnswer={(decision) => void answer(current, decision)}
        />
      ) : (
        <p className="muted">Nothing is waiting for your approval.</p>
      )}
    </main>
  );
}

const root = createRoot(document.getElementById('root')!);
root.render(
  <StrictMode>
    {window.cofferApproval ? (
      <ApprovalWindow api={window.cofferApproval} />
    ) : (
      <p>This window only works inside Coffer.</p>
    )}
  </StrictMode>,
);
