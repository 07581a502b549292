import { api, transportKind } from '../api/client';
import { ApprovalDetails } from './approval-details';
import { Modal } from './ui/primitives';
import { useApprovals } from './use-approvals';

/**
 * Browser mode: approval requests appear over the app as a modal. (In Electron the approval window
 * shows them, and the main window may not answer.)
 */
export function ApprovalModal() {
  if (transportKind !== 'browser') return null;
  return <BrowserApprovals />;
}

function BrowserApprovals() {
  const { current, waiting, busy, error, answer } = useApprovals(api);
  if (!current) return null;
  return (
    <Modal title={waiting > 1 ? `Approve? (1 of ${waiting})` : 'Approve?'}>
      {error && <p role="alert">{error}</p>}
      <ApprovalDetails
        request={current}
        busy={busy}
        onAnswer={(decision) => void answer(current, decision)}
      />
    </Modal>
  );
}
