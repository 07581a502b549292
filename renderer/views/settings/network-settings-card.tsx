/**
 * Settings → Network: what Coffer runs on now (and whether it answers), and the network to start
 * on — the embedded devnet, or custom endpoints (chain RPC and id, the four contracts, the note
 * server) checked with the manifest's schema. The choice is kept in the data folder and applies
 * when Coffer restarts; a custom RPC is probed when saved, so a typo shows at once.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { NetworkSettings, NetworkStatus } from '../../../shared/api/app';
import { api } from '../../api/client';
import { ErrorNotice } from '../../components/error-notice';
import { QueryView } from '../../components/query-view';
import { useAction } from '../../components/use-action';
import { ServerIcon } from '../../components/ui/icons';
import { Button, Card, Field, Notice, Spinner } from '../../components/ui/primitives';
import {
  draftOfEndpoints,
  ENDPOINT_FIELDS,
  ENDPOINT_LABELS,
  parseEndpoints,
  type EndpointField,
  type EndpointsDraft,
} from '../../network/network-form';
import { useNetworkStatus } from '../../wallet/use-wallet';

const networkKeys = { settings: ['network.settings'] as const };

const KIND_NAMES: Record<NetworkStatus['kind'], string> = {
  devnet: 'Embedded devnet',
  custom: 'Custom endpoints',
  none: 'None',
};

export function NetworkSettingsCard() {
  const settings = useQuery({ queryKey: networkKeys.settings, queryFn: () => api.network.settings({}) });
  return (
    <Card
      title={
        <>
          <ServerIcon className="title-icon" /> Network
        </>
      }
    >
      <CurrentNetwork />
      <QueryView query={settings} loading="Reading the network settings…">
        {(saved) => <NetworkChoiceForm saved={saved} />}
      </QueryView>
    </Card>
  );
}

function CurrentNetwork() {
  const network = useNetworkStatus();
  if (network.error) return <ErrorNotice error={network.error} onRetry={() => void network.refetch()} />;
  if (!network.data) return null;
  const { kind, online, blockNumber, chainId, rpcUrl, noteServerUrl, problem } = network.data;
  return (
    <dl className="facts network-facts" data-testid="network-facts">
      <dt>Running on</dt>
      <dd>{KIND_NAMES[kind]}</dd>
      <dt>Status</dt>
      <dd>{online ? `Online · block ${blockNumber}` : 'Offline'}</dd>
      <dt>Chain</dt>
      <dd>{chainId ?? '—'}</dd>
      <dt>RPC</dt>
      <dd className="mono">{rpcUrl ?? '—'}</dd>
      <dt>Note server</dt>
      <dd className="mono">{noteServerUrl ?? '—'}</dd>
      {problem && (
        <>
          <dt>Problem</dt>
          <dd role="status">{problem}</dd>
        </>
      )}
    </dl>
  );
}

function NetworkChoiceForm({ saved }: { saved: NetworkSettings }) {
  const queryClient = useQueryClient();
  const { busy, error, run } = useAction();
  const [kind, setKind] = useState(saved.saved.kind);
  const [draft, setDraft] = useState<EndpointsDraft>(() =>
    draftOfEndpoints(saved.saved.kind === 'custom' ? saved.saved.endpoints : null),
  );
  const [touched, setTouched] = useState(false);
  const [probe, setProbe] = useState<NetworkStatus | null>(null);
  const parsed = parseEndpoints(draft);
  const errors = touched && !parsed.ok ? parsed.errors : {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (kind === 'custom' && !parsed.ok) return;
    const next = await run(() =>
      api.network.setSettings(
        kind === 'custom' && parsed.ok ? { kind, endpoints: parsed.endpoints } : { kind: 'devnet' },
      ),
    );
    if (!next) return;
    const { probe: probed, ...settings } = next;
    queryClient.setQueryData(networkKeys.settings, settings);
    setProbe(probed);
  };

  const field = (name: EndpointField, placeholder: string) => (
    <Field key={name} label={ENDPOINT_LABELS[name]} error={errors[name]}>
      {(ids) => (
        <input
          {...ids}
          className={name.startsWith('contracts.') ? 'mono' : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder={placeholder}
          value={draft[name]}
          onChange={(event) => setDraft((current) => ({ ...current, [name]: event.target.value }))}
          data-testid={`network-${name}`}
        />
      )}
    </Field>
  );

  return (
    <form className="network-form" onSubmit={(event) => void submit(event)} aria-label="Network to start on">
      <fieldset className="choice-cards">
        <legend className="setting-title">Start Coffer on</legend>
        <label className={`choice-card ${kind === 'devnet' ? 'chosen' : ''}`}>
          <input
            type="radio"
            name="network-kind"
            checked={kind === 'devnet'}
            onChange={() => setKind('devnet')}
          />
          <span>
            <strong>The embedded devnet</strong>
            <span className="muted small">
              A local chain with Coffer’s contracts, four storage providers and a note server, started with
              Coffer. For trying things out: its tokens are worth nothing.
            </span>
          </span>
        </label>
        <label className={`choice-card ${kind === 'custom' ? 'chosen' : ''}`}>
          <input
            type="radio"
            name="network-kind"
            checked={kind === 'custom'}
            onChange={() => setKind('custom')}
          />
          <span>
            <strong>Custom endpoints</strong>
            <span className="muted small">
              A chain and note server you name. No devnet is started; providers come from the registry on that
              chain.
            </span>
          </span>
        </label>
      </fieldset>
      {kind === 'custom' && (
        <div className="settings-grid network-fields">
          {ENDPOINT_FIELDS.map((name) =>
            field(
              name,
              name === 'rpcUrl'
                ? 'https://rpc.example.org'
                : name === 'chainId'
                  ? '314'
                  : name === 'noteServerUrl'
                    ? 'https://notes.example.org'
                    : '0x…',
            ),
          )}
        </div>
      )}
      <div className="row">
        <Button type="submit" variant="primary" disabled={busy} data-testid="network-save">
          {busy && <Spinner />}
          Save the network
        </Button>
      </div>
      {probe && !probe.online && (
        <Notice tone="warn" title="Saved, but that network does not answer now" testId="network-probe">
          {probe.problem} Check the endpoints; Coffer will try them when it restarts.
        </Notice>
      )}
      {probe?.online && (
        <Notice
          tone="ok"
          title={`That network answers: chain ${probe.chainId}, block ${probe.blockNumber}`}
          testId="network-probe"
        />
      )}
      {saved.restartNeeded && (
        <Notice tone="info" title="Restart Coffer to apply" testId="network-restart">
          Coffer keeps running on {KIND_NAMES[saved.running].toLowerCase()} until it restarts; it then starts
          on{' '}
          {saved.saved.kind === 'devnet'
            ? 'the embedded devnet'
            : `chain ${saved.saved.endpoints.chainId} at ${saved.saved.endpoints.rpcUrl}`}
          .
        </Notice>
      )}
      {error !== null && <ErrorNotice error={error} />}
    </form>
  );
}
