import { useState } from 'react';
import { Card, CopyButton } from '../../components/ui/primitives';
import { useAddresses } from '../../wallet/use-wallet';

/** How much of the note address to show before "show full": it is thousands of characters long. */
const NOTE_HEAD = 18;
const NOTE_TAIL = 10;

/** The account's two addresses: EVM (for tokens and fees) and the note address (for shielded notes). */
export function AddressesCard({ account }: { account: number }) {
  const addresses = useAddresses(account);
  const [full, setFull] = useState(false);
  const data = addresses.data;
  return (
    <Card title="Addresses" className="addresses-card">
      <div className="address-block">
        <div className="address-label">EVM address</div>
        <div className="address-value">
          <span className="mono" data-testid="evm-address">
            {data?.evm ?? '…'}
          </span>
          {data && <CopyButton text={data.evm} label="Copy the EVM address" />}
        </div>
        <div className="address-hint">Receives ETH and tokens on this network.</div>
      </div>
      <div className="address-block">
        <div className="address-label">Note address</div>
        {data?.note ? (
          <>
            <div className="address-value">
              <span
                className={`mono ${full ? 'note-full' : ''}`}
                data-testid="note-address"
                id={`note-address-${account}`}
              >
                {full ? data.note : `${data.note.slice(0, NOTE_HEAD)}…${data.note.slice(-NOTE_TAIL)}`}
              </span>
              <CopyButton text={data.note} label="Copy the note address" />
            </div>
            <div className="address-hint">
              Receives shielded notes; only this wallet can find and read them.{' '}
              <button
                type="button"
                className="link-button"
                aria-expanded={full}
                aria-controls={`note-address-${account}`}
                onClick={() => setFull(!full)}
              >
                {full ? 'Show less' : `Show full (${data.note.length.toLocaleString()} characters)`}
              </button>
            </div>
          </>
        ) : (
          <div className="address-hint">{data ? 'Unlock the wallet to derive it.' : '…'}</div>
        )}
      </div>
    </Card>
  );
}
