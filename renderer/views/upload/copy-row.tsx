/**
 * One copy of an upload, on one provider: its role (primary or secondary), the provider, the stage
 * it is at (a badge, and a stepper of its stages), the bytes it holds as a bar, with rate and time
 * left, its data set and commit transaction — and, if it failed, why and what fixes it.
 */
import type { UploadView } from '../../../shared/api/upload';
import { ExplainedNotice } from '../../components/error-notice';
import { CheckIcon } from '../../components/ui/icons';
import { ProgressBar } from '../../components/ui/primitives';
import { explainCopyFailure, type FixAction } from '../../errors/explain-error';
import {
  copyBadge,
  copyFraction,
  copyStatusLine,
  pipelineOf,
  STAGE_HINTS,
  STAGE_LABELS,
} from '../../upload/upload-stages';
import { TxHash } from '../wallet/tx-hash';

type Provider = UploadView['providers'][number];

export function CopyRow({
  provider,
  upload,
  fixes,
  busy,
}: {
  provider: Provider;
  upload: UploadView;
  fixes: Partial<Record<FixAction, () => void>>;
  busy: boolean;
}) {
  const failed = provider.stage === 'failed';
  const confirmed = provider.stage === 'confirmed';
  const fraction = copyFraction(provider);
  const host = new URL(provider.url).host;
  const badge = copyBadge(provider, upload.state);
  return (
    <li
      className={`copy-row ${failed ? 'copy-failed' : ''} ${confirmed ? 'copy-confirmed' : ''}`}
      data-testid="copy-row"
      data-provider-id={provider.providerId}
      data-role={provider.role}
    >
      <div className="copy-head">
        <span className={`role-badge role-${provider.role}`}>{provider.role}</span>
        <span className="copy-provider">
          Provider {provider.providerId}
          {provider.endorsed && (
            <span className="endorsed" title="Endorsed by the registry’s owner">
              <CheckIcon /> endorsed
            </span>
          )}
        </span>
        <span className="muted small mono copy-host" title={provider.url}>
          {host}
        </span>
        <span
          className={`stage-badge stage-${badge.tone}`}
          title={STAGE_HINTS[provider.stage]}
          data-testid="copy-stage"
        >
          {badge.label}
        </span>
      </div>
      <ol className="stepper" aria-label={`Stages of provider ${provider.providerId}’s copy`}>
        {pipelineOf(provider).map(({ stage, tone }) => (
          <li key={stage} className={`step-${tone}`} aria-current={tone === 'current' ? 'step' : undefined}>
            <span className="stepper-dot" aria-hidden="true" />
            <span className="stepper-label">{STAGE_LABELS[stage]}</span>
          </li>
        ))}
        <li className={confirmed ? 'step-done' : 'step-todo'}>
          <span className="stepper-dot" aria-hidden="true" />
          <span className="stepper-label">{STAGE_LABELS.confirmed}</span>
        </li>
      </ol>
      <ProgressBar
        value={Math.round(fraction * 1000)}
        max={1000}
        label={`Provider ${provider.providerId}: bytes held`}
        tone={failed ? 'bad' : confirmed ? 'ok' : 'accent'}
      />
      <div className="copy-facts">
        <span data-testid="copy-bytes">{copyStatusLine(provider)}</span>
        <span className="copy-chain">
          {provider.dataSetId && (
            <span>
              data set {provider.dataSetId}
              {provider.isNewDataSet ? ' (new)' : ''}
            </span>
          )}
          {provider.commitTxHash && (
            <span className="copy-commit">
              commit <TxHash hash={provider.commitTxHash} />
            </span>
          )}
        </span>
      </div>
      {failed && (
        <ExplainedNotice
          explained={explainCopyFailure(provider, upload)}
          fixes={fixes}
          busy={busy}
          testId="copy-failure"
        />
      )}
    </li>
  );
}
