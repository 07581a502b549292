/**
 * How an upload ended, in one line a person reads — the same words on the upload's card, in the
 * history and in the desktop notification: "2 of 2 copies stored", or "1 of 2 copies — provider 3
 * failed at pulling". Why a copy failed is said on its own row (and in `failures`). A failure whose
 * copy was replaced by another provider is said as such, not as a missing copy.
 */
import type { UploadView } from './api/upload';

type OutcomeInput = Pick<UploadView, 'state' | 'copiesRequested' | 'copiesConfirmed' | 'result' | 'error'>;
type Failure = NonNullable<UploadView['result']>['failures'][number];

export interface UploadOutcome {
  /** ok: every copy; warn: fewer copies than asked; bad: nothing stored; info: stopped by the user (what was paid and parked is in the cancel summary). */
  tone: 'ok' | 'warn' | 'bad' | 'info';
  /** "2 of 2 copies stored", "1 of 2 copies — provider 3 failed at pulling". */
  line: string;
  /** Each failure with its reason: "provider 3 failed at pulling: the pull was refused". */
  failures: string[];
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
const where = (f: Pick<Failure, 'providerId' | 'stage'>) => `provider ${f.providerId} failed at ${f.stage}`;

/** The outcome of an upload that has ended; null while it runs (or waits to be resumed). */
export function uploadOutcome(view: OutcomeInput): UploadOutcome | null {
  const of = `${view.copiesConfirmed} of ${plural(view.copiesRequested, 'copy', 'copies')}`;
  const failures = view.result?.failures ?? [];
  const reasons = failures.map((f) => `${where(f)}: ${f.error}`);
  switch (view.state) {
    case 'completed':
      return {
        tone: 'ok',
        line: failures.length
          ? `${of} stored (${failures.map((f) => `${where(f)} and was replaced`).join('; ')})`
          : `${of} stored`,
        failures: reasons,
      };
    case 'partial':
      return {
        tone: 'warn',
        line: failures.length ? `${of} — ${failures.map(where).join('; ')}` : `${of} stored`,
        failures: reasons,
      };
    case 'failed':
      return {
        tone: 'bad',
        line: view.error ? `Not stored: ${view.error.message}` : 'Not stored',
        failures: reasons,
      };
    case 'cancelled':
      return {
        tone: 'info',
        line: view.copiesConfirmed > 0 ? `Cancelled; ${of} stored` : 'Cancelled; no copy recorded on chain',
        failures: reasons,
      };
    default:
      return null;
  }
}
