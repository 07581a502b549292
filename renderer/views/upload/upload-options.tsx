/**
 * The choices made before dropping: how many copies (the default from Settings), and which
 * providers — chosen by Coffer (endorsed first, a failed copy replaced), or named here in order
 * (the first is the primary; a copy that fails is not replaced).
 */
import { useId } from 'react';
import { MAX_COPIES } from '../../../shared/api/upload';
import { Spinner } from '../../components/ui/primitives';
import { useProviders } from '../../upload/use-uploads';

export interface UploadChoice {
  copies: number;
  /** Null: Coffer chooses. */
  providerIds: number[] | null;
}

/** The choices of a copies menu: 1 copy to the most an upload keeps. */
export function CopiesOptions() {
  return (
    <>
      {Array.from({ length: MAX_COPIES }, (_, i) => i + 1).map((n) => (
        <option key={n} value={n}>
          {n} {n === 1 ? 'copy' : 'copies'}
        </option>
      ))}
    </>
  );
}

export function UploadOptions({
  value,
  onChange,
  account,
}: {
  value: UploadChoice;
  onChange: (value: UploadChoice) => void;
  account: number;
}) {
  const copiesId = useId();
  const choosing = value.providerIds !== null;
  return (
    <div className="upload-options">
      <div className="upload-option">
        <label htmlFor={copiesId} className="field-label">
          Copies
        </label>
        <select
          id={copiesId}
          value={choosing ? value.providerIds!.length || 1 : value.copies}
          disabled={choosing}
          onChange={(event) => onChange({ ...value, copies: Number(event.target.value) })}
          data-testid="upload-copies"
        >
          <CopiesOptions />
        </select>
      </div>
      <fieldset className="upload-option provider-mode">
        <legend className="field-label">Providers</legend>
        <div className="segmented">
          <label className={!choosing ? 'active' : ''}>
            <input
              type="radio"
              name="provider-mode"
              checked={!choosing}
              onChange={() => onChange({ ...value, providerIds: null })}
            />
            Chosen by Coffer
          </label>
          <label className={choosing ? 'active' : ''}>
            <input
              type="radio"
              name="provider-mode"
              checked={choosing}
              onChange={() => onChange({ ...value, providerIds: [] })}
            />
            I choose
          </label>
        </div>
      </fieldset>
      {choosing && <ProviderPicker account={account} value={value} onChange={onChange} />}
    </div>
  );
}

function ProviderPicker({
  account,
  value,
  onChange,
}: {
  account: number;
  value: UploadChoice;
  onChange: (value: UploadChoice) => void;
}) {
  const providers = useProviders(account);
  const chosen = value.providerIds ?? [];
  const toggle = (id: number) =>
    onChange({
      ...value,
      providerIds: chosen.includes(id) ? chosen.filter((other) => other !== id) : [...chosen, id],
    });
  if (!providers.data)
    return (
      <p className="loading small" role="status">
        <Spinner /> Reading the providers…
      </p>
    );
  return (
    <fieldset className="provider-picker">
      <legend className="visually-hidden">Providers to store on, in order</legend>
      <p className="muted small">
        In the order you tick them: the first is the primary. A provider you choose that fails is not
        replaced.
      </p>
      <div className="provider-chips">
        {providers.data.providers.map((provider) => {
          const position = chosen.indexOf(provider.id);
          return (
            <label
              key={provider.id}
              className={`provider-chip ${position >= 0 ? 'chosen' : ''} ${provider.online ? '' : 'offline'}`}
            >
              <input
                type="checkbox"
                checked={position >= 0}
                onChange={() => toggle(provider.id)}
                data-testid={`choose-provider-${provider.id}`}
              />
              <span className="provider-chip-name">Provider {provider.id}</span>
              {provider.endorsed && <span className="badge badge-accent">Endorsed</span>}
              {!provider.online && <span className="badge badge-bad">Offline</span>}
              {position >= 0 && (
                <span className="provider-chip-role">
                  {position === 0 ? 'primary' : `copy ${position + 1}`}
                </span>
              )}
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}
