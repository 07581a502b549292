/**
 * Settings → Uploads: the copies an upload keeps when it does not say, and the requests to
 * providers in flight at once (chunk concurrency), checked with the contract's schema and saved
 * with `upload.setSettings`; they apply to the next upload.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { UploadSettings } from '../../../shared/api/upload';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { QueryView } from '../../components/query-view';
import { useAction } from '../../components/use-action';
import { UploadIcon } from '../../components/ui/icons';
import { Button, Card, Field, Notice, Spinner } from '../../components/ui/primitives';
import { uploadKeys, useUploadSettings } from '../../upload/use-uploads';
import { CopiesOptions } from '../upload/upload-options';

export function UploadSettingsCard() {
  const settings = useUploadSettings();
  return (
    <Card
      title={
        <>
          <UploadIcon className="title-icon" /> Uploads
        </>
      }
    >
      <QueryView query={settings} loading="Reading the upload settings…">
        {(saved) => <UploadSettingsForm saved={saved} />}
      </QueryView>
    </Card>
  );
}

function UploadSettingsForm({ saved }: { saved: UploadSettings }) {
  const queryClient = useQueryClient();
  const { busy, error, run } = useAction();
  const [copies, setCopies] = useState(saved.copies);
  const [concurrency, setConcurrency] = useState(String(saved.chunkConcurrency));
  const [savedNote, setSavedNote] = useState(false);
  const checked = UploadSettings.shape.chunkConcurrency.safeParse(Number(concurrency.trim() || NaN));
  const concurrencyError = checked.success
    ? undefined
    : `Requests in flight must be a whole number from 1 to ${UploadSettings.shape.chunkConcurrency.maxValue}`;
  const dirty = copies !== saved.copies || concurrency.trim() !== String(saved.chunkConcurrency);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!checked.success) return;
    const next = await run(() => api.upload.setSettings({ copies, chunkConcurrency: checked.data }));
    if (!next) return;
    queryClient.setQueryData(uploadKeys.settings, next);
    setSavedNote(true);
  };
  return (
    <form onSubmit={(event) => void submit(event)} aria-label="Upload settings">
      <p className="card-text">
        Used by the next upload; each upload can still ask for its own number of copies.
      </p>
      <div className="settings-grid">
        <Field
          label="Copies"
          hint={`Independent providers that each keep the whole upload. ${saved.defaultCopies} is the default: one primary, one more elsewhere.`}
        >
          {(ids) => (
            <select
              {...ids}
              value={copies}
              onChange={(event) => {
                setSavedNote(false);
                setCopies(Number(event.target.value));
              }}
              data-testid="setting-copies"
            >
              <CopiesOptions />
            </select>
          )}
        </Field>
        <Field
          label="Requests in flight (chunk concurrency)"
          hint={`Quotes, single-piece stores and status checks sent to providers at once. Default ${saved.defaultChunkConcurrency}: half this computer’s threads.`}
          error={concurrencyError}
        >
          {(ids) => (
            <input
              {...ids}
              inputMode="numeric"
              autoComplete="off"
              value={concurrency}
              onChange={(event) => {
                setSavedNote(false);
                setConcurrency(event.target.value);
              }}
              data-testid="setting-chunk-concurrency"
            />
          )}
        </Field>
      </div>
      <div className="row">
        <Button type="submit" variant="primary" disabled={busy || !dirty || !checked.success}>
          {busy && <Spinner />}
          Save upload settings
        </Button>
      </div>
      {savedNote && <Notice tone="ok" title="Upload settings saved" testId="upload-settings-saved" />}
      {error !== null && <ErrorNotice error={error} />}
    </form>
  );
}
