/**
 * Settings → Wallet sync: workers, the request budget (with its hard cap), the checkpoint size K,
 * the decryption backend and the watch interval — checked as typed with the contract's schema,
 * saved with `sync.configure`, and used from the next sync on.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import {
  MAX_CHECKPOINT_EVERY,
  MAX_SYNC_CONCURRENCY,
  MAX_SYNC_WORKERS,
  type SyncSettings,
} from '../../../shared/api/sync';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { QueryView } from '../../components/query-view';
import { useAction } from '../../components/use-action';
import { RefreshIcon } from '../../components/ui/icons';
import { Button, Card, Field, Notice, Spinner } from '../../components/ui/primitives';
import { formatCount, formatDuration } from '../../format';
import {
  draftOf,
  fieldErrorsOf,
  parseDraft,
  SETTING_LABELS,
  type FieldErrors,
  type SettingKey,
  type SyncSettingsDraft,
} from '../../sync/sync-settings-form';
import { syncKeys, useSyncSettings } from '../../sync/use-sync';

export function SyncSettingsCard() {
  const settings = useSyncSettings();
  return (
    <Card
      title={
        <>
          <RefreshIcon className="title-icon" /> Wallet sync
        </>
      }
      className="sync-settings"
    >
      <QueryView query={settings} loading="Reading the sync settings…">
        {(saved) => <SyncSettingsForm saved={saved} />}
      </QueryView>
    </Card>
  );
}

function SyncSettingsForm({ saved }: { saved: SyncSettings }) {
  const queryClient = useQueryClient();
  const { busy, error, failed, run } = useAction();
  const [draft, setDraft] = useState<SyncSettingsDraft>(() => draftOf(saved));
  const [savedNote, setSavedNote] = useState(false);
  // The core's refusal names fields; it stands until the next edit.
  const [edited, setEdited] = useState(false);
  const parsed = parseDraft(draft);
  const refused = edited ? null : fieldErrorsOf(error);
  const errors: FieldErrors = { ...(parsed.ok ? {} : parsed.errors), ...refused };
  const dirty = JSON.stringify(draft) !== JSON.stringify(draftOf(saved));
  const set = (key: keyof SyncSettingsDraft) => (value: string) => {
    setSavedNote(false);
    setEdited(true);
    setDraft((current) => ({ ...current, [key]: value }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!parsed.ok) return;
    setEdited(false);
    const next = await run(() => api.sync.configure(parsed.settings));
    if (!next) return;
    queryClient.setQueryData(syncKeys.settings, next);
    setDraft(draftOf(next));
    setSavedNote(true);
  };

  const number = (key: Exclude<SettingKey, 'kem'>, hint: ReactNode, extra: { placeholder?: string } = {}) => (
    <Field label={SETTING_LABELS[key]} hint={hint} error={errors[key]}>
      {(ids) => (
        <input
          {...ids}
          inputMode="numeric"
          autoComplete="off"
          value={draft[key]}
          onChange={(event) => set(key)(event.target.value)}
          data-testid={`sync-setting-${key}`}
          {...extra}
        />
      )}
    </Field>
  );
  const interval = Number(draft.watchIntervalMs);

  return (
    <form
      className="sync-settings-form"
      onSubmit={(event) => void submit(event)}
      aria-label="Wallet sync settings"
    >
      <p className="card-text">
        How Coffer reads and decrypts your notes. Changes apply from the next sync on; a sync that is running
        keeps its settings until it ends.
      </p>
      <div className="settings-grid">
        {number(
          'workers',
          <>
            Threads that decrypt notes in parallel, 1 to {MAX_SYNC_WORKERS}. Leave empty for one per processor
            core.
          </>,
          { placeholder: 'One per core' },
        )}
        {number(
          'concurrency',
          <>
            Requests to the note server in flight at once, for the whole sync, when it must be read note by
            note (1 to {MAX_SYNC_CONCURRENCY}). The hard cap of {MAX_SYNC_CONCURRENCY} keeps Coffer from
            flooding the server’s connections; beyond it, requests only queue up.
          </>,
        )}
        {number(
          'checkpointEvery',
          <>
            Notes per batch (K), 1 to {formatCount(MAX_CHECKPOINT_EVERY)}. Each batch is saved as it
            completes, so an interrupted sync redoes at most the batches in flight.
          </>,
        )}
        <Field
          label={SETTING_LABELS.kem}
          hint="liboqs (WebAssembly) is the fastest; noble is an audited pure-JavaScript implementation. Both find the same notes."
        >
          {(ids) => (
            <select
              {...ids}
              value={draft.kem}
              onChange={(event) => set('kem')(event.target.value)}
              data-testid="sync-setting-kem"
            >
              <option value="liboqs">liboqs (fast)</option>
              <option value="noble">noble (audited, slower)</option>
            </select>
          )}
        </Field>
        {number(
          'watchIntervalMs',
          <>
            How often “Keep watching” asks the note server for new notes
            {Number.isFinite(interval) && interval >= 1000
              ? ` (every ${formatDuration(interval / 1000)})`
              : ''}
            .
          </>,
        )}
      </div>
      <div className="row">
        <Button
          type="submit"
          variant="primary"
          disabled={busy || !dirty || !parsed.ok}
          data-testid="sync-settings-save"
        >
          {busy && <Spinner />}
          Save sync settings
        </Button>
        <Button
          disabled={busy || !dirty}
          onClick={() => {
            setEdited(true);
            setDraft(draftOf(saved));
          }}
        >
          Undo changes
        </Button>
      </div>
      {savedNote && <Notice tone="ok" title="Sync settings saved" testId="sync-settings-saved" />}
      {failed && !edited && !refused && <ErrorNotice error={error} />}
    </form>
  );
}
