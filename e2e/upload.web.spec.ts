/**
 * Uploads in a real browser, against a devnet this spec starts itself (so it can reach the storage
 * providers' fault switches) and `npm start -- --network` pointed at it: a wallet funded and a
 * deposit made through the UI; a file dropped with a synthetic drag-and-drop, approved, both
 * copies confirmed, then downloaded, verified, saved, and hashed against the original; a secondary
 * chosen by the user whose pull fails, explained in plain words, with the partial result and the
 * fix (a copy elsewhere); an approval rejected that pays nothing (the chain says so); History and
 * Providers with the devnet's data; the drop window; the upload and network settings; and History
 * with 1,000 uploads. Every wait is on what the UI shows, which `upload.progress` and
 * `download.progress` events drive — no sleeps. Screenshots, light and dark, of each screen.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from '@playwright/test';
import type { Address } from '../shared/network-manifest';
import { UploadJournal } from '../electron/core/upload/upload-journal';
import { callApi } from './support/call-api';
import { chainBalances } from './support/chain-oracle';
import { dropFile } from './support/drop-file';
import { launchBrowserMode, type LaunchedApp } from './support/launch-browser-mode';
import { createAndOpenWallet } from './support/onboarding';
import { snapBothThemes } from './support/screenshots';
import { startTestDevnet, type TestDevnet } from './support/test-devnet';

const PASSWORD = 'correct horse battery';

test.describe.configure({ mode: 'serial' });

let net: TestDevnet;
let app: LaunchedApp;
let context: BrowserContext;
let page: Page;
let address: Address;
const files = {
  report: { name: 'report.bin', bytes: randomBytes(1_500_000) },
  partial: { name: 'partial.bin', bytes: randomBytes(400_000) },
  rejected: { name: 'rejected.bin', bytes: randomBytes(200_000) },
  cancelled: { name: 'cancelled.bin', bytes: randomBytes(100_000) },
  dropped: { name: 'from-the-drop-window.bin', bytes: randomBytes(300_000) },
};

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  net = await startTestDevnet();
  app = await launchBrowserMode(['--network', net.manifestFile]);
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  page = await context.newPage();
});
test.afterAll(async () => {
  await context?.close();
  await app?.stop();
  await net?.stop();
});

const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
const cardOf = (name: string, on: Page = page) => on.getByRole('region', { name: `Upload of ${name}` });
const copyRow = (card: Locator, role: 'primary' | 'secondary') =>
  card.locator(`[data-testid="copy-row"][data-role="${role}"]`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The id of the provider a card shows in a role (read off the page, as the user sees it). */
async function providerIdOf(card: Locator, role: 'primary' | 'secondary'): Promise<number> {
  return Number(await copyRow(card, role).getAttribute('data-provider-id'));
}

test('a funded wallet with a deposit, made through the UI', async () => {
  await createAndOpenWallet(page, context, app.launchUrl, PASSWORD, { fund: true });
  await expect(page.getByTestId('evm-address')).toHaveText(/^0x[0-9a-fA-F]{40}$/);
  address = (await page.getByTestId('evm-address').textContent()) as Address;
  await page.getByTestId('deposit-amount').fill('50');
  await page.getByRole('button', { name: 'Deposit 50 tUSD' }).click();
  await page
    .getByRole('dialog', { name: 'Approve a deposit' })
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(page.getByTestId('transfer-result')).toContainText('Deposited 50 tUSD');

  await nav('Upload').click();
  await expect(page.getByRole('heading', { name: 'Upload', level: 1 })).toBeVisible();
  await expect(page.getByTestId('upload-deposit')).toContainText('50 tUSD');
  await expect(page.getByText('Nothing uploading')).toBeVisible();
  await snapBothThemes(page, '30-upload-empty');
});

test('drop a file, approve once, both copies confirmed; download, verify and save the same bytes', async () => {
  await dropFile(page.getByTestId('drop-zone'), files.report);
  const dialog = page.getByRole('dialog', { name: 'Approve an upload' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('report.bin');
  await expect(dialog.getByTestId('approval-copies').locator('li')).toHaveCount(2);
  await expect(dialog.getByTestId('approval-expected')).toContainText('tUSD');
  const card = cardOf(files.report.name);
  await expect(card.getByTestId('upload-state')).toHaveText('Waiting for your approval');
  await snapBothThemes(page, '31-upload-approval');

  // Slow the secondary down (its requests wait 1.5 s each), so the screenshot catches it pulling.
  const secondary = await providerIdOf(card, 'secondary');
  await net.setFaults(secondary, { latencyMs: 1500 });
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  await expect(copyRow(card, 'secondary').getByTestId('copy-stage')).toHaveText('Pulling');
  await expect(card.getByTestId('upload-state')).toHaveText('Uploading');
  await snapBothThemes(page, '32-upload-in-progress');
  await net.clearFaults();

  await expect(card.getByTestId('copy-stage')).toHaveText(['Confirmed', 'Confirmed'], { timeout: 60_000 });
  await expect(card.getByTestId('upload-outcome')).toHaveText('2 of 2 copies stored');
  await expect(card.getByTestId('upload-state')).toHaveText('Stored');
  await expect(card.getByTestId('upload-copies-stored')).toContainText('2 of 2');
  // Each confirmed copy shows its commit transaction.
  for (const role of ['primary', 'secondary'] as const)
    await expect(copyRow(card, role).getByTestId('tx-hash')).toHaveAttribute('title', /^0x[0-9a-f]{64}$/);

  await card.getByTestId('download-verify').click();
  await expect(card.getByTestId('download-verified')).toContainText('chunks match their CIDs');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.getByRole('button', { name: 'Save report.bin' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('report.bin');
  const saved = await readFile(await download.path());
  expect(sha256(saved)).toBe(sha256(files.report.bytes));
  await snapBothThemes(page, '33-upload-done');
});

test('a chosen secondary whose pull fails: explained, and the upload returns its one copy', async () => {
  await page.getByText('I choose').click();
  const providers = net.manifest.providers;
  const [primary, secondary] = [providers[0]!.id, providers[2]!.id];
  await page.getByTestId(`choose-provider-${primary}`).check();
  await page.getByTestId(`choose-provider-${secondary}`).check();
  await expect(page.getByTestId('upload-copies')).toHaveValue('2');
  await net.setFaults(secondary, { failPull: true });

  await dropFile(page.getByTestId('drop-zone'), files.partial);
  await page
    .getByRole('dialog', { name: 'Approve an upload' })
    .getByRole('button', { name: 'Approve' })
    .click();
  const card = cardOf(files.partial.name);
  await expect(copyRow(card, 'secondary').getByTestId('copy-stage')).toHaveText('Failed', {
    timeout: 60_000,
  });
  await expect(copyRow(card, 'primary').getByTestId('copy-stage')).toHaveText('Confirmed', {
    timeout: 60_000,
  });
  const failure = copyRow(card, 'secondary').getByTestId('copy-failure');
  await expect(failure).toContainText(`Provider ${secondary} could not fetch the pieces from the primary`);
  await expect(failure).toContainText('It answered “503 Service Unavailable”');
  await expect(failure).toContainText('You chose this provider, so Coffer did not replace it');
  await expect(card.getByTestId('upload-state')).toHaveText('Fewer copies');
  await expect(card.getByTestId('upload-outcome')).toHaveText(
    `1 of 2 copies — provider ${secondary} failed at pulling`,
  );
  // The partial result is the engine's: one copy, one failure at pulling.
  const uploadId = await card.getAttribute('data-upload-id');
  const view = await callApi<{ result: { copies: unknown[]; failures: { stage: string }[] } }>(
    page,
    'upload.get',
    {
      uploadId,
    },
  );
  expect(view.ok && view.value.result.copies).toHaveLength(1);
  expect(view.ok && view.value.result.failures.map((f) => f.stage)).toEqual(['pulling']);
  await snapBothThemes(page, '34-upload-partial');
  await net.clearFaults();

  // The fix it offers: another copy, pulled from the one it has, on a provider Coffer picks.
  await failure.getByRole('button', { name: 'Add a copy elsewhere' }).click();
  await page
    .getByRole('dialog', { name: 'Approve an upload' })
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(card.getByTestId('upload-outcome')).toContainText('2 of 2 copies stored', { timeout: 60_000 });
  await expect(failure).toContainText('A copy was added on another provider since');
  await page.getByText('Chosen by Coffer').click();
});

test('an approval rejected ends cleanly: nothing paid, the deposit unchanged on chain', async () => {
  const before = await chainBalances(app.dataDir, address);
  await dropFile(page.getByTestId('drop-zone'), files.rejected);
  const dialog = page.getByRole('dialog', { name: 'Approve an upload' });
  await expect(dialog.getByRole('button', { name: 'Reject' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  const card = cardOf(files.rejected.name);
  await expect(card.getByTestId('upload-state')).toHaveText('Cancelled');
  await expect(card.getByTestId('upload-error')).toContainText('You rejected the upload');
  await expect(card.getByTestId('upload-error')).toContainText('Nothing was signed or paid');
  await expect(card.getByTestId('upload-outcome')).toHaveText('Cancelled; no copy recorded on chain');
  const after = await chainBalances(app.dataDir, address);
  expect(after.deposit).toBe(before.deposit);
  expect(after.native).toBe(before.native);
});

test('cancelled midway from its card: the summary says what was paid and what stays stored', async () => {
  await dropFile(page.getByTestId('drop-zone'), files.cancelled);
  const dialog = page.getByRole('dialog', { name: 'Approve an upload' });
  await expect(dialog).toBeVisible();
  const card = cardOf(files.cancelled.name);
  // The secondary is slowed down (3 s a request), so the cancel comes while it pulls — after the
  // primary, holding everything, has committed its copy.
  await net.setFaults(await providerIdOf(card, 'secondary'), { latencyMs: 3000 });
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(copyRow(card, 'secondary').getByTestId('copy-stage')).toHaveText('Pulling');
  await expect(copyRow(card, 'primary').getByTestId('copy-stage')).toHaveText('Confirmed');
  await card.getByRole('button', { name: 'Cancel…' }).click();
  await expect(card.getByText('Cancel this upload for good?')).toBeVisible();
  await card.getByRole('button', { name: 'Cancel the upload' }).click();
  const summary = card.getByTestId('cancel-summary');
  await expect(summary).toContainText('Upload cancelled', { timeout: 30_000 });
  await expect(summary).toContainText(/Paid [\d.]+ tUSD in 1 transaction/);
  await expect(summary).toContainText(`Stored on chain: provider ${await providerIdOf(card, 'primary')}`);
  await expect(card.getByTestId('upload-state')).toHaveText('Cancelled');
  await expect(copyRow(card, 'secondary').getByTestId('copy-stage')).toHaveText('Stopped');
  await net.clearFaults();
});

test('History lists the uploads with their copies; Providers shows the devnet’s providers', async () => {
  await nav('History').click();
  await expect(page.getByTestId('history-total')).toHaveText('4 uploads');
  const rows = page.getByTestId('history-row');
  await expect(rows).toHaveCount(4);
  await expect(rows.nth(0)).toContainText('cancelled.bin');
  await expect(rows.nth(1)).toContainText('rejected.bin');
  await expect(rows.nth(2)).toContainText('partial.bin');
  await expect(rows.nth(3)).toContainText('report.bin');
  // The list from the keyboard: the newest is selected, ArrowDown moves to the next.
  await page.getByTestId('history-list').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(rows.nth(2)).toHaveAttribute('aria-selected', 'true');
  const detail = cardOf(files.partial.name);
  await expect(detail.getByTestId('upload-outcome')).toContainText('2 of 2 copies stored');
  await expect(detail.getByTestId('copy-row')).toHaveCount(3);
  await snapBothThemes(page, '35-history');

  await nav('Providers').click();
  const cards = page.getByTestId('provider-card');
  await expect(cards).toHaveCount(net.manifest.providers.length);
  for (const provider of net.manifest.providers) {
    const card = page.locator(`[data-testid="provider-card"][data-provider-id="${provider.id}"]`);
    await expect(card.getByTestId('provider-status')).toContainText('Online');
    await expect(card.getByTestId('provider-endorsed')).toHaveCount(provider.endorsed ? 1 : 0);
    await expect(card).toContainText(provider.url);
  }
  // This wallet's data sets: with the providers its copies are on.
  await expect(page.getByTestId('provider-data-sets').filter({ hasText: 'data set' })).not.toHaveCount(0);
  await snapBothThemes(page, '36-providers');
});

test('the drop window: a small page of its own that uploads and follows the copies', async () => {
  await nav('Upload').click();
  const [drop] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('button', { name: 'Open the drop window' }).click(),
  ]);
  await drop.setViewportSize({ width: 400, height: 640 });
  await expect(drop.getByText('Drop to upload')).toBeVisible();
  await dropFile(drop.getByTestId('drop-zone'), files.dropped);
  await drop
    .getByRole('dialog', { name: 'Approve an upload' })
    .getByRole('button', { name: 'Approve' })
    .click();
  const item = drop.getByTestId('drop-item').filter({ hasText: files.dropped.name });
  await expect(item.locator('.drop-outcome')).toHaveText('2 of 2 copies stored', { timeout: 60_000 });
  // The main window follows the same upload from its events.
  await expect(cardOf(files.dropped.name).getByTestId('upload-outcome')).toHaveText('2 of 2 copies stored');
  await snapBothThemes(drop, '37-drop-window');
  await drop.close();
});

test('settings: upload defaults, and a custom network checked and saved for the next start', async () => {
  await nav('Settings').click();
  await page.getByTestId('setting-copies').selectOption('3');
  await page.getByTestId('setting-chunk-concurrency').fill('0');
  await expect(page.getByText('Requests in flight must be a whole number from 1 to 64')).toBeVisible();
  await page.getByTestId('setting-chunk-concurrency').fill('6');
  await page.getByRole('button', { name: 'Save upload settings' }).click();
  await expect(page.getByTestId('upload-settings-saved')).toBeVisible();
  expect(await callApi(page, 'upload.settings')).toMatchObject({
    ok: true,
    value: { copies: 3, chunkConcurrency: 6 },
  });

  await page.getByText('Custom endpoints').click();
  await page.getByTestId('network-rpcUrl').fill('ftp://example.org');
  await page.getByTestId('network-save').click();
  await expect(page.getByText('Chain RPC URL must start with http:// or https://')).toBeVisible();
  await expect(page.getByText('Chain id is needed')).toBeVisible();
  // The endpoints of the devnet this run is on: the probe answers.
  const { manifest } = net;
  await page.getByTestId('network-rpcUrl').fill(manifest.rpcUrl);
  await page.getByTestId('network-chainId').fill(String(manifest.chainId));
  for (const [key, value] of Object.entries(manifest.contracts))
    await page.getByTestId(`network-contracts.${key}`).fill(value);
  await page.getByTestId('network-noteServerUrl').fill(manifest.noteServerUrl);
  await page.getByTestId('network-save').click();
  await expect(page.getByTestId('network-probe')).toContainText(
    `That network answers: chain ${manifest.chainId}`,
  );
  await expect(page.getByTestId('network-restart')).toContainText('Restart Coffer to apply');
  await snapBothThemes(page, '38-settings');
  // Back to the devnet: what runs is what is saved again.
  await page.getByText('The embedded devnet').click();
  await page.getByTestId('network-save').click();
  await expect(page.getByTestId('network-restart')).toBeHidden();
  await page.getByTestId('setting-copies').selectOption('2');
  await page.getByRole('button', { name: 'Save upload settings' }).click();
});

test('History stays smooth with 1,000 uploads: only the rows in view are drawn', async () => {
  // Up to 1,000 uploads with journal entries copied from the newest real upload, under new ids and
  // names (the engine's journal API, in the app's data folder; the app reads them as its history).
  const journal = new UploadJournal(app.dataDir);
  try {
    const { uploads, total } = journal.listUploads(0, 1);
    const model = uploads[0]!;
    const modelFiles = journal.files(model.id);
    const modelPieces = journal.pieces(model.id);
    const modelCopies = journal.copies(model.id);
    journal.transaction(() => {
      for (let i = 0; i < 1000 - total; i++) {
        const id = `u-seed${String(i).padStart(12, '0')}`;
        journal.createUpload(
          { ...model, id, state: 'completed' },
          modelFiles.map((file) => ({ ...file, name: `scan-${String(i + 1).padStart(4, '0')}.pdf` })),
          modelPieces,
        );
        for (const copy of modelCopies) journal.putCopy(id, copy);
        journal.setResult(id, 'completed', model.result);
      }
    });
  } finally {
    journal.close();
  }
  await page.reload();
  await nav('History').click();
  await expect(page.getByTestId('history-total')).toHaveText('1,000 uploads');
  const list = page.getByTestId('history-list');
  // A screenful of rows in the page, not a thousand.
  expect(await page.getByTestId('history-row').count()).toBeLessThan(30);
  await list.focus();
  await page.keyboard.press('End');
  await expect(page.locator('[data-testid="history-row"][aria-posinset="1000"]')).toBeInViewport();
  await expect(page.locator('[data-testid="history-row"][aria-selected="true"]')).toContainText('report.bin');
  expect(await page.getByTestId('history-row').count()).toBeLessThan(30);
  await page.keyboard.press('Home');
  await expect(page.locator('[data-testid="history-row"][aria-posinset="1"]')).toBeInViewport();
  await snapBothThemes(page, '39-history-1000');
});
