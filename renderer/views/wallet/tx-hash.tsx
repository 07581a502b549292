import { CopyButton } from '../../components/ui/primitives';
import { shortHash } from '../../format';

/** A transaction hash, shortened, with the full hash on hover and a copy button. */
export function TxHash({ hash }: { hash: string }) {
  return (
    <span className="tx-hash">
      <span className="mono" title={hash} data-testid="tx-hash">
        {shortHash(hash, 8)}
      </span>
      <CopyButton text={hash} label="Copy the transaction hash" />
    </span>
  );
}
