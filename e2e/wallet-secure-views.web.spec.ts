/**
 * The secure views in a real browser: a wallet is created through the main-process-controlled
 * form (words shown there, confirmed there), while the app's own page can neither fetch a view nor
 * read one it opened itself.
 */
import { expect, test } from '@playwright/test';
import { callApi } from './support/call-api';
import { launchBrowserMode, type LaunchedApp } from './support/launch-browser-mode';
import { createWalletInSecureView } from './support/secure-view';

/** The browser globals the page script below uses (the e2e project has no DOM typings). */
interface BrowserGlobals {
  open(url: string): { document: { body: { innerText: string } } } | null;
}

let app: LaunchedApp;
test.beforeAll(async () => {
  app = await launchBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

test('a wallet is created in a secure view the app page cannot read', async ({ page, context }) => {
  await page.goto(app.launchUrl);
  const ticket = (await callApi(page, 'wallet.create')) as unknown as { ok: true; value: { url: string } };
  expect(ticket.ok).toBe(true);
  const url = ticket.value.url;

  // A script on the app's page gets nothing, and does not use up the ticket.
  expect(await page.evaluate((u) => fetch(u).then((r) => r.status), url)).toBe(403);
  // A window it opens itself on a view (here: another ticket) shows the form, but the page cannot
  // read it through the window's handle: the view has an opaque origin.
  const probeTicket = (await callApi(page, 'wallet.create')) as unknown as {
    ok: true;
    value: { url: string };
  };
  const [popup, readable] = await Promise.all([
    context.waitForEvent('page'),
    page.evaluate(async (u) => {
      const other = (globalThis as unknown as BrowserGlobals).open(u);
      await new Promise((r) => setTimeout(r, 1500));
      try {
        return other!.document.body.innerText;
      } catch (error) {
        return `not readable: ${(error as Error).name}`;
      }
    }, probeTicket.value.url),
  ]);
  await expect(popup.getByRole('heading', { name: 'Create a wallet' })).toBeVisible();
  expect(readable).toBe('not readable: SecurityError');
  await popup.close();

  const view = await context.newPage();
  await view.goto(url);
  await createWalletInSecureView(view, 'e2e wallet password');

  const status = (await callApi(page, 'wallet.status')) as unknown as {
    ok: true;
    value: { exists: boolean; locked: boolean };
  };
  expect(status.value).toMatchObject({ exists: true, locked: false });
  // The same link does not open twice.
  const again = await view.goto(url);
  expect(again?.status()).toBe(410);
});

test('browser mode: a deposit waits for the approval dialog, and goes through when approved', async ({
  page,
}) => {
  await page.goto(app.launchUrl);
  const status = (await callApi(page, 'wallet.status')) as unknown as {
    ok: true;
    value: { exists: boolean };
  };
  expect(status.value.exists).toBe(true);
  expect((await callApi(page, 'wallet.faucet', { account: 0 })).ok).toBe(true);

  const deposit = callApi(page, 'wallet.deposit', { account: 0, amount: '3' });
  const dialog = page.getByRole('dialog', { name: 'Approve a deposit' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Deposit 3 tUSD into the PaymentVault');
  await expect(dialog).toContainText('Coffer Test USD');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  const result = (await deposit) as unknown as { ok: boolean; value: { txHash: string } };
  expect(result.ok).toBe(true);
  await expect(dialog).toBeHidden();

  const rejected = callApi(page, 'wallet.deposit', { account: 0, amount: '1' });
  await dialog.getByRole('button', { name: 'Reject' }).click();
  expect(await rejected).toMatchObject({ ok: false, error: { code: 'APPROVAL_REJECTED' } });
  const balances = (await callApi(page, 'wallet.balances', { account: 0 })) as unknown as {
    value: { deposit: { formatted: string } };
  };
  expect(balances.value.deposit.formatted).toBe('3');
});
