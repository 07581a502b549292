/**
 * `coffer sync`, `coffer notes`, `coffer balance`: wallet sync from the command line, through the
 * same `sync` API as the app. `sync` unlocks the wallet (its note keys), starts the sync and shows
 * a live progress line on stderr — or, with `--json`, one JSON progress object a line on stdout —
 * until the sync is done; with `--watch` it keeps watching for new notes until Ctrl+C, which stops
 * it cooperatively (the batches in flight are saved). `notes` and `balance` read what was synced
 * and need no password.
 */
import type { AccountBalance, SyncNote, SyncProgress, SyncSettings } from '../../shared/api/sync';
import { command, UsageError, type Options } from './command';
import {
  accountOf,
  ACCOUNT_OPTION,
  call,
  PASSWORD_OPTIONS,
  unlocked,
  withSession,
  type CliSession,
  type Io,
} from './cli-session';

const JSON_OPTION = {
  json: { type: 'boolean', description: 'Machine-readable output: JSON (one object a line)' },
} as const satisfies Options;

const SYNC_OPTIONS = {
  watch: { type: 'boolean', description: 'After catching up, keep watching for new notes (Ctrl+C stops)' },
  concurrency: {
    type: 'string',
    value: '<n>',
    description: 'Per-note requests in flight, for servers without range reads (default 4, at most 128)',
  },
  'checkpoint-every': {
    type: 'string',
    value: '<k>',
    description: 'Notes per batch and checkpoint (default 250)',
  },
  workers: { type: 'string', value: '<n>', description: 'Worker threads (default: one per core)' },
  kem: { type: 'string', value: '<liboqs|noble>', description: 'ML-KEM backend (default liboqs)' },
  ...JSON_OPTION,
  ...PASSWORD_OPTIONS,
} as const satisfies Options;

function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

function settingsOf(values: {
  concurrency?: string;
  'checkpoint-every'?: string;
  workers?: string;
  kem?: string;
}): Partial<SyncSettings> {
  if (values.kem !== undefined && values.kem !== 'liboqs' && values.kem !== 'noble')
    throw new UsageError(`--kem must be liboqs or noble, got "${values.kem}"`);
  const settings: Partial<SyncSettings> = {
    concurrency: wholeNumber(values.concurrency, 'concurrency'),
    checkpointEvery: wholeNumber(values['checkpoint-every'], 'checkpoint-every'),
    workers: wholeNumber(values.workers, 'workers'),
    kem: values.kem,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** One line a person can follow: where the sync is, how fast, and what it found. */
export function progressLine(p: SyncProgress): string {
  const balances = p.balances.map((b) => (p.balances.length > 1 ? `#${b.account} ${b.balance}` : b.balance));
  const parts = [
    p.state.padEnd(8),
    p.total === null ? 'reading the tree size' : `${count(p.scanned)}/${count(p.total)} notes`,
    ...(p.total ? [`${((100 * p.scanned) / Math.max(1, p.total)).toFixed(1)}%`] : []),
    ...(p.state === 'syncing'
      ? [
          `${count(p.notesPerSecond)} notes/s`,
          `ETA ${p.etaSeconds === null ? '?' : `${Math.ceil(p.etaSeconds)} s`}`,
          `[fetch ${count(p.stages.fetch.notesPerSecond)}/s · decrypt ${count(p.stages.decrypt.notesPerSecond)}/s · commit ${count(p.stages.commit.notesPerSecond)}/s]`,
        ]
      : []),
    `found ${count(p.found)}${p.pendingHits > 0 ? ` (+${count(p.pendingHits)} to open)` : ''}`,
    `balance ${balances.length ? balances.join(', ') : '0'}`,
  ];
  return parts.join('  ');
}

/**
 * Shows progress as it comes, from the moment the sync is started (this process runs one sync, so
 * every event after that is this run's); resolves with the final progress: idle or error.
 */
async function follow(
  session: CliSession,
  io: Io,
  json: boolean,
  begin: () => Promise<SyncProgress>,
): Promise<SyncProgress> {
  const core = await session.core();
  const live = !json && process.stderr.isTTY;
  let lastLine = 0;
  const show = (p: SyncProgress) => {
    if (json) return io.out(JSON.stringify(p));
    if (live) return void process.stderr.write(`\r\x1b[2K${progressLine(p)}`);
    // Not a terminal (a log, a pipe): a line a second at most, and every change of state.
    const now = Date.now();
    if (now - lastLine < 1000 && p.state === 'syncing') return;
    lastLine = now;
    io.err(progressLine(p));
  };
  let stopping = false;
  const onInterrupt = () => {
    if (stopping) return;
    stopping = true;
    io.err('\nStopping: the batches in flight finish and are saved…');
    void call(session, 'sync.stop', {}).catch(() => {});
  };
  let off = () => {};
  const final = new Promise<SyncProgress>((resolve) => {
    off = core.events.on('sync.progress', (p) => {
      show(p);
      if (p.state === 'idle' || p.state === 'error') resolve(p);
    });
  });
  process.on('SIGINT', onInterrupt);
  try {
    await begin();
    return await final;
  } finally {
    off();
    process.off('SIGINT', onInterrupt);
    if (live) process.stderr.write('\n');
  }
}

const sync = command({
  name: 'sync',
  summary: 'Sync the wallet’s shielded notes from the note server (needs the password for the note keys).',
  options: SYNC_OPTIONS,
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const settings = settingsOf(values);
      await unlocked(session);
      const final = await follow(session, { out, err }, Boolean(values.json), () =>
        call<SyncProgress>(session, 'sync.start', { watch: Boolean(values.watch), settings }),
      );
      if (final.state === 'error')
        throw Object.assign(new Error(final.error?.message ?? 'the sync failed'), { code: 'SYNC_FAILED' });
      if (!values.json)
        out(
          `Synced ${count(final.scanned)} notes: ${count(final.found)} found, balance ${final.balances
            .map((b) => `${b.balance} (account ${b.account})`)
            .join(', ')}`,
        );
    }),
});

const notes = command({
  name: 'notes',
  summary: 'List the notes the sync found for an account, in index order.',
  options: {
    ...ACCOUNT_OPTION,
    limit: { type: 'string', value: '<n>', description: 'How many to show (default 50, at most 1000)' },
    offset: { type: 'string', value: '<n>', description: 'Skip this many first (default 0)' },
    ...JSON_OPTION,
  },
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const page = await call<{ total: number; notes: SyncNote[] }>(session, 'sync.notes', {
        account: accountOf(values),
        limit: wholeNumber(values.limit, 'limit') ?? 50,
        offset: wholeNumber(values.offset, 'offset') ?? 0,
      });
      if (values.json) return out(JSON.stringify(page));
      if (page.notes.length === 0)
        return out(`No notes (of ${page.total}) to show. Run \`coffer sync\` first?`);
      const width = Math.max(5, ...page.notes.map((n) => n.value.length));
      out(`${'index'.padStart(9)}  ${'value'.padStart(width)}  memo`);
      for (const note of page.notes)
        out(`${String(note.index).padStart(9)}  ${note.value.padStart(width)}  ${note.memo}`);
      const first = wholeNumber(values.offset, 'offset') ?? 0;
      out(`notes ${first + 1}–${first + page.notes.length} of ${page.total}`);
    }),
});

const balance = command({
  name: 'balance',
  summary: 'The shielded balance of each account: the sum of the notes the sync found.',
  options: JSON_OPTION,
  run: ({ values, out, err }) =>
    withSession(values, { out, err }, async (session) => {
      const { accounts } = await call<{ accounts: AccountBalance[] }>(session, 'sync.balance', {});
      if (values.json) return out(JSON.stringify(accounts));
      if (accounts.length === 0) return out('Nothing synced yet: run `coffer sync`.');
      for (const a of accounts) out(`account ${a.account}: ${a.balance} (${a.notes} notes)`);
    }),
});

export const syncCommands = [sync, notes, balance];
