/**
 * The wallet sync in a real browser, against the embedded devnet `npm start` brings up: notes
 * seeded to the wallet's note address by the devnet seeder (whose oracle says which are ours and
 * what they hold) are found by a sync started from the Wallet screen; the balance and note count
 * the UI shows equal the oracle's. Then watch mode picks up notes published later, and a note
 * server that answers 503 shows its plain-language explanation until the fault is cleared and the
 * sync recovers. The sync settings are set (and a value above the hard cap refused) from the
 * Settings screen. One devnet and one page for the whole file, in order; every wait is on what
 * the UI shows, which `sync.progress` events drive — no sleeps, no polling of the core.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { MAX_SYNC_CONCURRENCY } from '../shared/api/sync';
import type { SeedOracle } from '../devnet/note-server/seed';
import { formatCount } from '../renderer/format';
import { callApi, listenForEvent } from './support/call-api';
import { launchBrowserMode, type LaunchedApp } from './support/launch-browser-mode';
import { devnetNoteServer, expectedFrom, type DevnetNoteServer } from './support/note-server';
import { snapBothThemes } from './support/screenshots';
import { createAndOpenWallet } from './support/onboarding';

const PASSWORD = 'correct horse battery';

test.describe.configure({ mode: 'serial' });

let app: LaunchedApp;
let context: BrowserContext;
let page: Page;
let notes: DevnetNoteServer;
let noteAddress: string;
const oracles: SeedOracle[] = [];

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  app = await launchBrowserMode();
  notes = await devnetNoteServer(app.dataDir);
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
});
test.afterAll(async () => {
  await context?.close();
  await app?.stop();
});

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
const syncState = () => page.getByTestId('sync-state');

/**
 * The list's row at `position` (0 = first) shows this note, in view: keys scroll the list smoothly,
 * so this waits for the row to be drawn where it belongs.
 */
async function expectRow(position: number, note: { index: number; value: string; memo: string }) {
  const row = page.locator(`[data-testid="note-row"][aria-rowindex="${position + 2}"]`);
  await expect(row).toBeInViewport();
  await expect(row.getByRole('cell').first()).toHaveText(`#${formatCount(note.index)}`);
  await expect(row).toContainText(formatCount(note.value));
  await expect(row).toContainText(note.memo);
}

/** The UI shows the balance and count of every note the oracles say are ours, in this account. */
async function expectNotesOfOracles(): Promise<void> {
  const expected = expectedFrom(oracles);
  await expect(page.getByTestId('notes-found')).toContainText(formatCount(expected.count));
  await expect(page.getByTestId('notes-balance')).toContainText(formatCount(expected.balance.toString()));
  await expect(page.getByTestId('notes-count')).toHaveText(`${formatCount(expected.count)} notes`);
}

test('a wallet to sync: created in the secure view; the sync settings refuse a budget above the cap', async () => {
  await createAndOpenWallet(page, context, app.launchUrl, PASSWORD);
  await expect(syncState()).toHaveText('Not synced yet');
  await expect(page.getByTestId('notes-count')).toHaveText('0 notes');

  const addresses = await callApi<{ note: string | null }>(page, 'wallet.addresses', { account: 0 });
  expect(addresses.ok).toBe(true);
  noteAddress = (addresses as { value: { note: string } }).value.note;
  expect(noteAddress).toMatch(/^coffer1/);

  await nav('Settings').click();
  const concurrency = page.getByLabel('Concurrent requests');
  await concurrency.fill(String(MAX_SYNC_CONCURRENCY + 372));
  await expect(
    page.getByText(`Concurrent requests is above the hard cap of ${MAX_SYNC_CONCURRENCY}`),
  ).toBeVisible();
  await expect(concurrency).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('sync-settings-save')).toBeDisabled();
  await snapBothThemes(page, '20-settings-sync-refused');
  await concurrency.fill('8');
  // Small batches: more checkpoints, so the chart has a shape; a short watch interval for the test.
  await page.getByLabel('Checkpoint every').fill('100');
  await page.getByLabel('Watch interval').fill('300');
  await page.getByTestId('sync-settings-save').click();
  await expect(page.getByTestId('sync-settings-saved')).toBeVisible();
  expect(await callApi(page, 'sync.settings')).toEqual({
    ok: true,
    value: { workers: null, concurrency: 8, checkpointEvery: 100, kem: 'liboqs', watchIntervalMs: 300 },
  });
});

test('sync of seeded notes: the balance and the note count equal the seeder’s oracle', async () => {
  oracles.push(await notes.seed({ count: 2000, fraction: 0.05, address: noteAddress, seed: 'e2e-sync-1' }));
  expect(oracles[0]!.ours).toHaveLength(100);
  // Each request takes a little while, and one batch near the end a few seconds: the sync is
  // caught in the middle for the screenshot, whatever the speed of the machine.
  await notes.admin({ latencyMs: 150, faults: [{ kind: 'slow', at: [1850], delayMs: 4000, times: 1 }] });

  await nav('Wallet').click();
  await page.getByTestId('sync-primary').click();
  await expect(syncState()).toHaveText('Syncing');
  const bar = page.getByRole('progressbar', { name: 'Notes scanned' });
  await expect(bar).toHaveAttribute('aria-valuemax', '2000');
  await expect(bar).toHaveAttribute('aria-valuenow', /^1[0-9]{3}$/);
  await expect(page.getByTestId('sync-primary')).toHaveText('Pause');
  await expect(page.getByTestId('sync-rate')).toContainText('notes/s');
  await expect(page.getByTestId('last-synced')).toContainText('Never');
  await snapBothThemes(page, '21-sync-mid');

  await expect(syncState()).toHaveText('Synced');
  await notes.admin({ latencyMs: 0, faults: [] });
  await expect(page.getByTestId('notes-scanned')).toContainText('2,000 of 2,000');
  await expect(page.getByTestId('last-synced')).toContainText('just now');
  await expect(page.getByTestId('last-synced')).toContainText('Up to note 2,000');
  await expectNotesOfOracles();

  // The list: the oracle's notes in index order, only the rows in view in the page.
  const expected = expectedFrom(oracles).notes;
  await page.getByTestId('notes-scroll').scrollIntoViewIfNeeded();
  await expectRow(0, expected[0]!);
  expect(await page.getByTestId('note-row').count()).toBeLessThan(expected.length / 2);
  await page.getByTestId('notes-scroll').focus();
  await page.keyboard.press('End');
  await expectRow(expected.length - 1, expected.at(-1)!);
  await page.keyboard.press('Home');
  await expectRow(0, expected[0]!);
  await snapBothThemes(page, '22-sync-done');
});

test('watch mode picks up notes published after the sync', async () => {
  // The switch works from the keyboard.
  await page.getByTestId('sync-watch').focus();
  await page.keyboard.press('Space');
  await expect(syncState()).toHaveText('Watching for new notes');
  oracles.push(await notes.seed({ count: 300, fraction: 0.1, address: noteAddress, seed: 'e2e-sync-2' }));
  await expectNotesOfOracles();
  await expect(syncState()).toHaveText('Watching for new notes');
  await expect(page.getByTestId('last-synced')).toContainText(
    `Up to note ${formatCount(oracles[1]!.treeSize)}`,
  );
});

test('a note server answering 503: the plain-language explanation, then the sync recovers', async () => {
  await notes.admin({ faults: [{ kind: 'unavailable' }] });
  oracles.push(await notes.seed({ count: 200, fraction: 0.1, address: noteAddress, seed: 'e2e-sync-3' }));
  const error = page.getByTestId('sync-error');
  await expect(syncState()).toHaveText('Stopped by an error');
  await expect(error).toContainText('The note server is unavailable');
  await expect(error).toContainText('503 Service Unavailable');
  await expect(error).toContainText('What was synced so far is kept');
  await expect(error).toContainText(`HTTP 503 · ${notes.url}/v1/`);
  // Nothing was lost: the notes found before the fault are still there.
  await expect(page.getByTestId('notes-found')).toContainText(
    formatCount(expectedFrom(oracles.slice(0, 2)).count),
  );
  await snapBothThemes(page, '23-sync-error');

  await notes.admin({ faults: [] });
  await error.getByRole('button', { name: 'Try again' }).click();
  await expect(error).toBeHidden();
  await expectNotesOfOracles();
  await expect(syncState()).toHaveText('Watching for new notes');
  await expect(page.getByTestId('last-synced')).toContainText(
    `Up to note ${formatCount(oracles[2]!.treeSize)}`,
  );
});

test('a lock stops the sync; unlocked, the wallet watches again by itself', async () => {
  const stopped = await listenForEvent(page, 'sync.progress', { state: 'idle' });
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Coffer is locked' })).toBeVisible();
  await stopped();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await expect(syncState()).toHaveText('Watching for new notes');
  await expectNotesOfOracles();
});

test('rescan from an index: the notes from there are forgotten, then found again', async () => {
  await page.getByText('Advanced: rescan from a note index').click();
  const from = page.getByTestId('rescan-from');
  await from.fill(String(oracles[2]!.treeSize + 1));
  await expect(
    page.getByText(`The note server holds ${formatCount(oracles[2]!.treeSize)} notes`),
  ).toBeVisible();
  // The batch after the index waits a few seconds, so the forgotten notes are seen missing first.
  const start = oracles[1]!.startIndex;
  await notes.admin({ faults: [{ kind: 'slow', at: [start + 150], delayMs: 3000, times: 1 }] });
  await from.fill(String(start));
  await from.press('Enter');
  await expect(page.getByTestId('notes-found')).not.toContainText(formatCount(expectedFrom(oracles).count));
  await expect(syncState()).toHaveText('Syncing');
  await expectNotesOfOracles();
  await expect(syncState()).toHaveText('Watching for new notes');
  await notes.admin({ faults: [] });
});

test('ten thousand notes: the list stays virtualized and reaches the last note from the keyboard', async () => {
  oracles.push(await notes.seed({ count: 10_000, fraction: 1, address: noteAddress, seed: 'e2e-sync-4' }));
  await expectNotesOfOracles();
  const expected = expectedFrom(oracles).notes;
  await page.getByTestId('notes-scroll').focus();
  await page.keyboard.press('End');
  await expectRow(expected.length - 1, expected.at(-1)!);
  expect(await page.getByTestId('note-row').count()).toBeLessThan(40);
  await snapBothThemes(page, '24-notes-10k');
});
