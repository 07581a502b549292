/**
 * The `sync` namespace: wallet sync (fetch + trial-decrypt the shielded notes on the note server),
 * its settings, its progress events, and the notes and balances it found.
 */
import { z } from 'zod';
import { HttpUrl } from '../network-manifest';
import { method } from './define';

export const KemName = z.enum(['liboqs', 'noble']);
export type KemName = z.infer<typeof KemName>;

/** Hard cap of the per-note request budget: more would flood a node's connection backlog. */
export const MAX_SYNC_CONCURRENCY = 128;
export const MAX_SYNC_WORKERS = 64;
export const MAX_CHECKPOINT_EVERY = 10_000;

const whole = (what: string, min: number, max: number) =>
  z
    .number()
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be at least ${min}`)
    .max(max, `${what} must be at most ${max}`);

export const SyncSettings = z.object({
  /** Worker threads; null: one per available core. */
  workers: whole('workers', 1, MAX_SYNC_WORKERS).nullable(),
  /** Per-note requests in flight at a time, for the whole sync (servers without range reads). */
  concurrency: z
    .number()
    .int('concurrency must be a whole number')
    .min(1, 'concurrency must be at least 1')
    .max(
      MAX_SYNC_CONCURRENCY,
      `concurrency is above the hard cap of ${MAX_SYNC_CONCURRENCY} concurrent requests to the note server`,
    ),
  /** Notes per batch, and so per checkpoint (K). */
  checkpointEvery: whole('checkpointEvery', 1, MAX_CHECKPOINT_EVERY),
  /** ML-KEM backend: liboqs (WASM, fast) or noble (audited pure JS). */
  kem: KemName,
  /** How often watch mode asks the note server for new notes. */
  watchIntervalMs: whole('watchIntervalMs', 200, 3_600_000),
});
export type SyncSettings = z.infer<typeof SyncSettings>;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  workers: null,
  concurrency: 4,
  checkpointEvery: 250,
  kem: 'liboqs',
  watchIntervalMs: 5000,
};

export const SyncState = z.enum(['idle', 'syncing', 'watching', 'stopping', 'error']);
export type SyncState = z.infer<typeof SyncState>;

/** What stopped a sync (electron/core/sync/sync-error.ts says what each kind means). */
export const SyncErrorKind = z.enum(['http', 'network', 'malformed', 'config', 'worker', 'cancelled']);
export type SyncErrorKind = z.infer<typeof SyncErrorKind>;

const Count = z.number().int().nonnegative();
/** A u64 amount as a decimal string. */
const Amount = z.string().regex(/^(0|[1-9][0-9]*)$/);

const StageRate = z.object({
  /** Busy time summed over workers (fetch, decrypt) or on the main thread (commit). */
  ms: z.number().nonnegative(),
  /** Notes through this stage per second of its busy time. */
  notesPerSecond: z.number().nonnegative(),
});

export const AccountBalance = z.object({ account: Count, balance: Amount, notes: Count });
export type AccountBalance = z.infer<typeof AccountBalance>;

export const SyncProgress = z.object({
  state: SyncState,
  /** The note server's tree size this pass syncs up to (its snapshot), or null before any. */
  total: Count.nullable(),
  /** Notes below `total` scanned for every account, this pass and before. */
  scanned: Count,
  notesPerSecond: z.number().nonnegative(),
  /** Seconds left at the current rate; null when unknown. */
  etaSeconds: z.number().nonnegative().nullable(),
  stages: z.object({ fetch: StageRate, decrypt: StageRate, commit: StageRate }),
  /** How this run reads the note server, found from its /v1/info; null before any run. */
  readMode: z.enum(['range', 'per-note']).nullable(),
  workers: Count,
  /** Notes recovered, all accounts, and the balance of each account. */
  found: Count,
  /**
   * Scanned notes whose tag matched and whose payload is still to be fetched and opened (one per
   * note and account). A pass is done, and the balances final, only when this is 0.
   */
  pendingHits: Count,
  balances: z.array(AccountBalance),
  /** What went wrong, in words a person can act on; null unless `state` is error. */
  error: z
    .object({
      kind: SyncErrorKind,
      message: z.string(),
      status: z.number().int().optional(),
      url: HttpUrl.optional(),
    })
    .nullable(),
  /**
   * The last time a pass scanned every note up to the note server's tree size (ms since the epoch)
   * and that size; null until a sync completes, and again after a rescan or a reset.
   */
  lastSynced: z.object({ at: z.number().int().nonnegative(), treeSize: Count }).nullable(),
});
export type SyncProgress = z.infer<typeof SyncProgress>;

export const SyncNote = z.object({
  index: Count,
  account: Count,
  value: Amount,
  /** The memo as UTF-8 text (invalid sequences replaced). */
  memo: z.string(),
  commitment: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SyncNote = z.infer<typeof SyncNote>;

const Empty = z.object({}).strict();

export const syncMethods = {
  start: method(
    'Start syncing the wallet (optionally keep watching for new notes); settings given here apply to this run.',
    z.object({ watch: z.boolean().default(false), settings: SyncSettings.partial().optional() }).strict(),
    SyncProgress,
  ),
  stop: method(
    'Stop syncing: the batches in flight finish and are saved first, with the notes their tag hits hold.',
    Empty,
    SyncProgress,
  ),
  status: method('Where the sync stands.', Empty, SyncProgress),
  rescan: method(
    'Forget what was found from a note index on and sync again from there.',
    z.object({ from: Count, watch: z.boolean().default(false) }).strict(),
    SyncProgress,
  ),
  notes: method(
    "An account's notes in index order, a page at a time.",
    z
      .object({
        account: Count.default(0),
        offset: Count.default(0),
        limit: z.number().int().min(1).max(1000).default(100),
      })
      .strict(),
    z.object({ total: Count, notes: z.array(SyncNote) }),
  ),
  balance: method(
    'The balance of every synced account.',
    Empty,
    z.object({ accounts: z.array(AccountBalance) }),
  ),
  settings: method('The saved sync settings.', Empty, SyncSettings),
  configure: method('Change and save sync settings.', SyncSettings.partial().strict(), SyncSettings),
};

export const syncEvents = {
  'sync.progress': SyncProgress,
};
