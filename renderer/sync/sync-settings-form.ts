/**
 * The "Wallet sync" settings form as text fields, checked with the contract's own schema
 * (`SyncSettings` in shared/api/sync.ts), so the form and the core accept the same values and say
 * the same thing about the ones they refuse — with the field's label in place of its code name.
 */
import { CofferError } from '../../shared/api/errors';
import { SyncSettings, type KemName } from '../../shared/api/sync';

type NumberKey = 'workers' | 'concurrency' | 'checkpointEvery' | 'watchIntervalMs';
export type SettingKey = keyof SyncSettings;

/** What is typed: numbers as text; `workers` empty means one per core. */
export type SyncSettingsDraft = Record<NumberKey, string> & { kem: KemName };
export type FieldErrors = Partial<Record<SettingKey, string>>;

export const SETTING_LABELS: Record<SettingKey, string> = {
  workers: 'Workers',
  concurrency: 'Concurrent requests',
  checkpointEvery: 'Checkpoint every',
  kem: 'Decryption backend',
  watchIntervalMs: 'Watch interval (ms)',
};

export function draftOf(settings: SyncSettings): SyncSettingsDraft {
  return {
    workers: settings.workers === null ? '' : String(settings.workers),
    concurrency: String(settings.concurrency),
    checkpointEvery: String(settings.checkpointEvery),
    kem: settings.kem,
    watchIntervalMs: String(settings.watchIntervalMs),
  };
}

/** The contract's message about a field, starting with the field's label instead of its key. */
function labelled(key: SettingKey, message: string): string {
  const text = message.startsWith(key) ? `${SETTING_LABELS[key]}${message.slice(key.length)}` : message;
  return text[0]!.toUpperCase() + text.slice(1);
}

function parseNumber(key: NumberKey, text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (Number.isNaN(value)) return { error: `${SETTING_LABELS[key]} must be a number` };
  const checked = SyncSettings.shape[key].safeParse(value);
  return checked.success ? { value } : { error: labelled(key, checked.error.issues[0]!.message) };
}

/** The settings the draft describes, or what is wrong with each field. */
export function parseDraft(
  draft: SyncSettingsDraft,
): { ok: true; settings: SyncSettings } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const numbers = {} as Record<NumberKey, number | null>;
  for (const key of ['workers', 'concurrency', 'checkpointEvery', 'watchIntervalMs'] as const) {
    if (key === 'workers' && draft.workers.trim() === '') {
      numbers.workers = null;
      continue;
    }
    const parsed = parseNumber(key, draft[key]);
    if ('error' in parsed) errors[key] = parsed.error;
    else numbers[key] = parsed.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const settings = SyncSettings.parse({ ...numbers, kem: draft.kem });
  return { ok: true, settings };
}

/** The fields the core refused (INVALID_INPUT names them in its details), in the form's words. */
export function fieldErrorsOf(error: unknown): FieldErrors | null {
  if (!(error instanceof CofferError) || error.code !== 'INVALID_INPUT') return null;
  const issues = error.details?.issues;
  if (!Array.isArray(issues)) return null;
  const errors: FieldErrors = {};
  for (const issue of issues as Array<{ path?: unknown; message?: unknown }>) {
    const key = Array.isArray(issue.path) ? issue.path[0] : undefined;
    if (typeof key === 'string' && key in SETTING_LABELS && typeof issue.message === 'string')
      errors[key as SettingKey] ??= labelled(key as SettingKey, issue.message);
  }
  return Object.keys(errors).length > 0 ? errors : null;
}
