import { api, transportKind } from '../api/client';
import { APPROVAL_ICONS, APPROVAL_TITLES, ApprovalDetails } from './approval-details';
import { Modal, Notice } from './ui/primitives';
import { useApprovals } from './use-approvals';

/**
 * Browser mode: approval requests appear over the app as a dialog; Escape rejects. (In Electron
 * the approval window shows them, and the main window may not answer.)
 */
export function ApprovalModal() {
  if (transportKind !== 'browser') return null;
  return <BrowserApprovals />;
}

function BrowserApprovals() {
  const { current, waiting, busy, error, answer } = useApprovals(api);
  if (!current) return null;
  const Icon = APPROVAL_ICONS[current.kind];
  return (
    <Modal
      key={current.id}
      title={`${APPROVAL_TITLES[current.kind]}${waiting > 1 ? ` (1 of ${waiting})` : ''}`}
      icon={<Icon />}
      className="approval-modal"
      onClose={busy ? undefined : () => void answer(current, 'reject')}
    >
      {error && (
        <Notice tone="bad" title="The answer did not reach Coffer">
          {error}
        </Notice>
      )}
      <ApprovalDetails
        request={current}
        busy={busy}
        onAnswer={(decision) => void answer(current, decision)}
      />
    </Modal>
  );
}
