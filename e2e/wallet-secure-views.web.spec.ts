/**
 * The secure views in a real browser: a wallet is created through the main-process-controlled
 * form (words shown there, confirmed there), while the app's own page can neither fetch a view nor
 * read one it opened itself.
 */
import { expect, test, type Page } from '@playwright/test';
import { launchBrowserMode, type LaunchedApp } from './support/launch-browser-mode';

/** The few browser globals the page scripts below use (the e2e project has no DOM typings). */
interface BrowserGlobals {
  sessionStorage: { getItem(key: string): string | null };
  location: { host: string };
  open(url: string): { document: { body: { innerText: string } } } | null;
}

let app: LaunchedApp;
test.beforeAll(async () => {
  app = await launchBrowserMode();
});
test.afterAll(async () => {
  await app?.stop();
});

/** Calls the API from the app's page, over the host's WebSocket, as the renderer does. */
function callApi(
  page: Page,
  method: string,
  input: unknown = {},
): Promise<{ ok: boolean; value?: never; error?: { code: string } }> {
  return page.evaluate(
    ([method, input]) =>
      new Promise((resolve, reject) => {
        const page = globalThis as unknown as BrowserGlobals;
        const token = page.sessionStorage.getItem('coffer.hostToken') ?? '';
        const ws = new WebSocket(`ws://${page.location.host}/api`, [`coffer-token.${token}`]);
        ws.onerror = () => reject(new Error('socket error'));
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, method, input }));
        ws.onmessage = (message) => {
          const data = JSON.parse(String(message.data));
          if (data.kind === 'result' && data.id === 1) {
            ws.close();
            resolve(data.envelope);
          }
        };
      }),
    [method, input] as const,
  );
}

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
  await expect(view.getByRole('heading', { name: 'Create a wallet' })).toBeVisible();
  await view.getByLabel(/^Password/).fill('e2e wallet password');
  await view.getByLabel('The same password again').fill('e2e wallet password');
  await view.getByRole('button', { name: 'Continue' }).click();
  const words = await view.locator('ol.words li').allTextContents();
  expect(words).toHaveLength(24);
  await view.getByRole('button', { name: 'I have written them down' }).click();
  for (const field of await view.locator('input[name^="word"]').all()) {
    const position = Number((await field.getAttribute('name'))!.slice(4));
    await field.fill(words[position]!);
  }
  await view.getByRole('button', { name: 'Create the wallet' }).click();
  await expect(view.getByRole('heading', { name: 'Your wallet is ready' })).toBeVisible();

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
  const dialog = page.getByRole('dialog', { name: /Approve/ });
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
