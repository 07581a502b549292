/**
 * What every screen says when something fails: a `CofferError` code (shared/api/errors.ts) turned
 * into a plain-language title, what happened, and the action that fixes it. One table for the
 * whole UI, so the same failure reads the same everywhere; a code added to the contract without a
 * line here fails the typecheck. A sync that stopped on an error reports it in its progress, not
 * as a thrown error: `explainSyncFailure` explains those, by their kind and HTTP status. An upload
 * reports how it stopped, and each copy how it failed, in its view: `explainUploadError` and
 * `explainCopyFailure` explain those, by the engine's codes and stages (reference 004's table).
 */
import { CofferError, type ErrorCode } from '../../shared/api/errors';
import type { SyncErrorKind, SyncProgress } from '../../shared/api/sync';
import type { UploadStage, UploadView } from '../../shared/api/upload';

/**
 * Where the fix is: the UI turns these into buttons (error-notice.tsx). The upload ones
 * (resume, retry-commit, top-up) are offered by an upload's card, when the upload allows them.
 */
export type FixAction =
  'unlock' | 'open-wallet' | 'open-settings' | 'retry' | 'resume' | 'retry-commit' | 'top-up';

export interface ExplainedError {
  code:
    | ErrorCode
    | 'UNREACHABLE'
    | 'INTERRUPTED'
    | `SYNC_${Uppercase<SyncErrorKind>}`
    | `COPY_${Uppercase<UploadStage>}`;
  /** 'info' when nothing went wrong but the user's own choice (a rejected approval). */
  tone: 'error' | 'info';
  title: string;
  /** What happened, in the user's terms (the core's own message where it is already plain). */
  detail: string;
  /** What to do about it. */
  fix: string | null;
  action: { label: string; to: FixAction } | null;
  /** For the curious and for support: the status and address that failed, when known. */
  technical?: string;
}

type Entry = Omit<ExplainedError, 'code' | 'detail' | 'tone'> & {
  tone?: ExplainedError['tone'];
  /** The detail when the core's message is not for people (otherwise the message is shown). */
  detail?: string;
};

const TABLE: Record<ErrorCode, Entry> = {
  LOCKED: {
    title: 'Your wallet is locked',
    detail: 'Coffer needs your password before it can sign or spend.',
    fix: 'Unlock it, then try again.',
    action: { label: 'Unlock', to: 'unlock' },
  },
  WRONG_PASSWORD: {
    title: 'That password is not right',
    detail: 'Nothing was changed.',
    fix: 'Check Caps Lock and the keyboard layout, then type it again.',
    action: null,
  },
  NO_WALLET: {
    title: 'There is no wallet yet',
    fix: 'Create a new wallet or import one to start.',
    action: null,
  },
  WALLET_EXISTS: {
    title: 'A wallet already exists',
    fix: 'Coffer keeps one wallet per data folder. Use it, or start Coffer with another data folder.',
    action: { label: 'Open the wallet', to: 'open-wallet' },
  },
  APPROVAL_REJECTED: {
    tone: 'info',
    title: 'You rejected the request',
    detail: 'Nothing was signed or sent, and your balances are unchanged.',
    fix: null,
    action: null,
  },
  APPROVAL_EXPIRED: {
    title: 'The approval request expired',
    detail: 'It was not answered in time, so nothing was signed or sent.',
    fix: 'Start again and answer the approval when it appears.',
    action: { label: 'Try again', to: 'retry' },
  },
  CANCELLED: {
    tone: 'info',
    title: 'Stopped',
    detail: 'The operation was cancelled before anything was signed.',
    fix: null,
    action: null,
  },
  INSUFFICIENT_FUNDS: {
    title: 'Not enough funds',
    fix: 'Lower the amount, or add funds first: deposit into the PaymentVault, or on the devnet get test funds from the faucet.',
    action: { label: 'Go to the wallet', to: 'open-wallet' },
  },
  NETWORK_OFFLINE: {
    title: 'The network is not answering',
    fix: 'On the embedded devnet, restart Coffer with `npm start`; on another network, check that its RPC address is reachable from this computer.',
    action: { label: 'See the network', to: 'open-settings' },
  },
  CHAIN_ERROR: {
    title: 'The transaction did not go through',
    fix: 'Nothing was moved except, at most, the network fee. Check your balances and try again.',
    action: { label: 'Try again', to: 'retry' },
  },
  INVALID_INPUT: {
    title: 'Check what you entered',
    fix: 'Correct the value named above and try again.',
    action: null,
  },
  FORBIDDEN: {
    title: 'Coffer refused to do this',
    fix: 'This is a safety check: nothing was signed. If you did not expect it, restart Coffer.',
    action: null,
  },
  UNAUTHORIZED: {
    title: 'This page is not connected to Coffer',
    detail: 'The page was opened without this run’s access token.',
    fix: 'Open the URL printed by the latest `npm start` (each run has a new one).',
    action: null,
  },
  CONFLICT: {
    title: 'That cannot be done now',
    fix: 'Check the wallet’s state and try again.',
    action: null,
  },
  NOT_FOUND: {
    title: 'Not found',
    fix: 'It may have been removed; reload the screen.',
    action: { label: 'Try again', to: 'retry' },
  },
  LIMIT_EXCEEDED: {
    title: 'Over the limit',
    fix: 'Use a smaller value.',
    action: null,
  },
  PROVIDER_ERROR: {
    title: 'A storage provider failed',
    fix: 'Try again; Coffer can pick another provider.',
    action: { label: 'Try again', to: 'retry' },
  },
  STORE_FAILED: {
    title: 'The file could not be stored',
    detail: 'The primary provider did not store it, so nothing was stored anywhere.',
    fix: 'Try again; Coffer will pick a provider again.',
    action: { label: 'Try again', to: 'retry' },
  },
  COMMIT_FAILED: {
    title: 'The copies could not be recorded on chain',
    fix: 'Nothing was committed, so it is safe to retry.',
    action: { label: 'Try again', to: 'retry' },
  },
  VERIFY_FAILED: {
    title: 'The data did not check out',
    fix: 'Coffer refused it. Try again; another copy may be intact.',
    action: { label: 'Try again', to: 'retry' },
  },
  SYNC_FAILED: {
    title: 'Syncing stopped',
    fix: 'What was synced so far is kept; sync again to continue from there.',
    action: { label: 'Try again', to: 'retry' },
  },
  UNKNOWN_METHOD: {
    title: 'This version of Coffer cannot do that',
    detail: 'The window and the Coffer core are from different versions.',
    fix: 'Restart Coffer.',
    action: null,
  },
  INTERNAL: {
    title: 'Something went wrong inside Coffer',
    fix: 'Try again. If it keeps happening, restart Coffer.',
    action: { label: 'Try again', to: 'retry' },
  },
};

/** The explanation of anything a call threw: a CofferError by its code, anything else as "unreachable". */
export function explainError(error: unknown): ExplainedError {
  if (error instanceof CofferError) {
    const entry = TABLE[error.code];
    return {
      code: error.code,
      tone: entry.tone ?? 'error',
      title: entry.title,
      detail: entry.detail ?? sentence(error.message),
      fix: entry.fix,
      action: entry.action,
    };
  }
  // Only the transport throws plain errors: the host connection failed or a call timed out.
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'UNREACHABLE',
    tone: 'error',
    title: 'Could not reach the Coffer core',
    detail: sentence(message),
    fix: 'Make sure Coffer is still running. In browser mode, open the URL printed by the latest `npm start`.',
    action: { label: 'Try again', to: 'retry' },
  };
}

function sentence(message: string): string {
  const text = message.trim();
  if (!text) return 'No further detail was given.';
  const capital = text[0]!.toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export type SyncFailure = NonNullable<SyncProgress['error']>;

const KEPT = 'What was synced so far is kept, and the sync continues from there.';

const SYNC_TABLE: Record<SyncErrorKind, (failure: SyncFailure) => Omit<Entry, 'tone'>> = {
  http: ({ status }) =>
    status === 503 || status === 502 || status === 504
      ? {
          title: 'The note server is unavailable',
          detail: `It answered “${status} ${statusText(status)}”, also when Coffer asked again a few times.`,
          fix: `${KEPT} Try again in a moment; on the embedded devnet, a note server that stays down comes back when Coffer restarts.`,
          action: { label: 'Try again', to: 'retry' },
        }
      : status === 429
        ? {
            title: 'The note server is busy',
            detail: 'It asked Coffer to slow down, also when Coffer waited and asked again.',
            fix: `${KEPT} Try again in a moment, or lower the concurrent requests in Settings.`,
            action: { label: 'Try again', to: 'retry' },
          }
        : {
            title: 'The note server refused a request',
            detail: `It answered “${status ?? 'an error'}${status ? ` ${statusText(status)}` : ''}” when Coffer asked for notes.`,
            fix: `${KEPT} If it keeps happening, the note server may have been reset or may not be the one this network uses: check Settings → Network.`,
            action: { label: 'Try again', to: 'retry' },
          },
  network: () => ({
    title: 'Coffer cannot reach the note server',
    detail: 'The connection failed or timed out, also when Coffer tried again.',
    fix: `${KEPT} Check that the note server in Settings → Network is running and reachable, then try again.`,
    action: { label: 'Try again', to: 'retry' },
  }),
  malformed: () => ({
    title: 'The note server sent data that is not valid',
    detail: 'Coffer checked what it received and refused it, so none of it was saved.',
    fix: `${KEPT} Try again later; if it keeps happening, the note server is faulty.`,
    action: { label: 'Try again', to: 'retry' },
  }),
  config: ({ message }) => ({
    title: 'A sync setting is out of range',
    detail: sentence(message),
    fix: 'Correct it under Wallet sync in Settings, then sync again.',
    action: { label: 'Open the settings', to: 'open-settings' },
  }),
  worker: () => ({
    title: 'A sync worker stopped unexpectedly',
    detail: 'One of the threads that decrypt notes failed, so the sync stopped.',
    fix: `${KEPT} Try again; if it keeps happening, use fewer workers in Settings or restart Coffer.`,
    action: { label: 'Try again', to: 'retry' },
  }),
  cancelled: () => ({
    title: 'The sync was cancelled',
    detail: KEPT,
    fix: null,
    action: { label: 'Sync again', to: 'retry' },
  }),
};

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status >= 500 ? 'Server Error' : 'Error');
}

/** The explanation of the error a sync stopped on (`SyncProgress.error`). */
export function explainSyncFailure(failure: SyncFailure): ExplainedError {
  const entry = SYNC_TABLE[failure.kind](failure);
  const detail = entry.detail ?? sentence(failure.message);
  // The status and address that failed; without them, the core's own words (unless they are the detail).
  const where = [failure.status && `HTTP ${failure.status}`, failure.url].filter(Boolean).join(' · ');
  const technical = where || (detail === sentence(failure.message) ? '' : failure.message);
  return {
    code: `SYNC_${failure.kind.toUpperCase() as Uppercase<SyncErrorKind>}`,
    tone: failure.kind === 'cancelled' ? 'info' : 'error',
    title: entry.title,
    detail,
    fix: entry.fix,
    action: entry.action,
    ...(technical && { technical }),
  };
}

type UploadError = NonNullable<UploadView['error']>;

/** How an upload stopped, by the engine's code; the core's message is the detail where it is plain. */
const UPLOAD_TABLE: Record<string, (error: UploadError) => Entry> = {
  STORE_FAILED: (error) => ({
    title: 'The file could not be stored',
    detail: `The primary provider failed${error.stage ? ` at ${error.stage}` : ''}: ${lowerFirst(sentence(error.message))} Nothing was committed anywhere.`,
    fix: 'Drop the file again: Coffer chooses the providers afresh.',
    action: null,
  }),
  COMMIT_FAILED: (error) => ({
    title: 'No copy could be recorded on chain',
    detail: `${sentence(error.message)} The providers still hold the pieces; nothing is on chain.`,
    fix: 'Retry the commit: it costs only the network fee.',
    action: { label: 'Retry the commit', to: 'retry-commit' },
  }),
  INTERRUPTED: () => ({
    title: 'The upload was interrupted',
    detail: 'Coffer stopped while this upload was running.',
    fix: 'Resume it: what was paid and stored is kept, and nothing is paid twice.',
    action: { label: 'Resume', to: 'resume' },
  }),
  APPROVAL_REJECTED: () => ({
    tone: 'info',
    title: 'You rejected the upload',
    detail: 'Nothing was signed or paid, and your deposit is unchanged.',
    fix: null,
    action: null,
  }),
  APPROVAL_EXPIRED: () => ({
    title: 'The approval request expired',
    detail: 'It was not answered in time, so nothing more was signed or paid.',
    fix: 'Resume to be asked again.',
    action: { label: 'Resume', to: 'resume' },
  }),
  CANCELLED: () => ({
    tone: 'info',
    title: 'Cancelled',
    detail: 'The upload was stopped before anything was signed.',
    fix: null,
    action: null,
  }),
  INSUFFICIENT_FUNDS: () => ({
    title: 'Not enough in your PaymentVault deposit',
    fix: 'Deposit more from the Wallet screen, then try again.',
    action: { label: 'Go to the wallet', to: 'open-wallet' },
  }),
  PROVIDER_ERROR: () => ({
    title: 'No storage provider could take the upload',
    fix: 'Check the Providers screen for ones that answer, then try again.',
    action: null,
  }),
  CHAIN_ERROR: () => ({
    title: 'A transaction did not go through',
    fix: 'Resume once the chain answers: what was paid is kept, and nothing is paid twice.',
    action: { label: 'Resume', to: 'resume' },
  }),
  CONFLICT: () => ({
    title: 'The upload cannot go on as it was',
    fix: 'Start a new upload of the files.',
    action: null,
  }),
};

/** The explanation of how an upload stopped (`UploadView.error`). */
export function explainUploadError(error: UploadError): ExplainedError {
  const entry =
    UPLOAD_TABLE[error.code]?.(error) ??
    (Object.hasOwn(TABLE, error.code) ? TABLE[error.code as ErrorCode] : TABLE.INTERNAL);
  const known = error.code === 'INTERRUPTED' || Object.hasOwn(TABLE, error.code);
  return {
    code: known ? (error.code as ErrorCode | 'INTERRUPTED') : 'INTERNAL',
    tone: entry.tone ?? 'error',
    title: entry.title,
    detail: entry.detail ?? sentence(error.message),
    fix: entry.fix,
    action: entry.action,
  };
}

/** What failing at each stage means for one copy: its title, and what happened in plain words. */
const COPY_DETAILS: Record<UploadStage, string> = {
  selecting: 'It did not answer Coffer’s health check.',
  quoting: 'It did not send a signed price for the pieces.',
  paying: 'The transaction paying for its pieces did not go through.',
  storing: 'It did not accept or keep the pieces sent to it.',
  pulling: 'It did not fetch the pieces from the primary, which still holds them.',
  committing: 'Its transaction recording the pieces on chain did not go through.',
  confirmed: 'It failed after its copy was recorded.',
  failed: 'It failed.',
};

const COPY_TITLES: Record<UploadStage, (provider: string) => string> = {
  selecting: (p) => `${p} did not pass its health check`,
  quoting: (p) => `${p} did not give a price`,
  paying: (p) => `The payment for ${p}’s pieces failed`,
  storing: (p) => `${p} did not store the pieces`,
  pulling: (p) => `${p} could not fetch the pieces from the primary`,
  committing: (p) => `${p} could not record its copy on chain`,
  confirmed: (p) => `${p} failed after its copy was confirmed`,
  failed: (p) => `${p} failed`,
};

/**
 * One copy's failure (a provider of `UploadView.providers` whose stage is `failed`), with the fix
 * that applies: a failed commit is retried (the pieces are still parked there); a copy Coffer
 * replaced needs nothing; otherwise another copy is added elsewhere ("top up").
 */
export function explainCopyFailure(
  provider: Pick<UploadView['providers'][number], 'providerId' | 'role' | 'explicit' | 'error'>,
  upload: Pick<UploadView, 'providers' | 'copiesRequested'>,
): ExplainedError {
  const stage = provider.error?.stage ?? 'selecting';
  const name = `Provider ${provider.providerId}${provider.role === 'primary' ? ' (primary)' : ''}`;
  // The upload has every copy it asked for without this one: it was replaced (or, for a provider
  // the user chose, a copy was added elsewhere since).
  const working = upload.providers.filter((p) => p.stage !== 'failed').length;
  const replaced = working >= upload.copiesRequested;
  const fix: Pick<ExplainedError, 'fix' | 'action' | 'tone'> =
    stage === 'committing'
      ? {
          tone: 'error',
          fix: 'The provider still holds the pieces: retry the commit (it costs only the network fee).',
          action: { label: 'Retry the commit', to: 'retry-commit' },
        }
      : replaced
        ? {
            tone: 'info',
            fix: provider.explicit
              ? 'A copy was added on another provider since.'
              : 'Coffer replaced it with another provider.',
            action: null,
          }
        : {
            tone: 'error',
            fix: provider.explicit
              ? 'You chose this provider, so Coffer did not replace it. Add a copy on another provider: it is pulled from a copy you have.'
              : 'Add a copy on another provider: it is pulled from a copy you have.',
            action: { label: 'Add a copy elsewhere', to: 'top-up' },
          };
  const message = provider.error?.message ?? '';
  // The provider's HTTP answer, where the core's words carry one ("… (503 UNAVAILABLE) …").
  const status = /\b([1-5]\d\d) [A-Z][A-Z_]+\)/.exec(message)?.[1];
  return {
    code: `COPY_${stage.toUpperCase() as Uppercase<UploadStage>}`,
    title: COPY_TITLES[stage](name),
    detail: `${COPY_DETAILS[stage]}${status ? ` It answered “${status} ${statusText(Number(status))}”.` : ''}`,
    ...fix,
    ...(message && { technical: message }),
  };
}

function lowerFirst(text: string): string {
  return text ? text[0]!.toLowerCase() + text.slice(1) : text;
}
