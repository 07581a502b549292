/**
 * The wallet's screens in a real browser, against the embedded devnet `npm start` brings up:
 * onboarding (create in the secure view → funded by the faucet), lock and unlock, deposits approved
 * and rejected in the approval dialog, withdraw, accounts, and settings. One devnet and one page
 * for the whole file, in order. Every wait is on what the UI shows, which the core's events drive
 * (`wallet.status`, `approval.requested`/`settled`) — no sleeps. The balances shown are checked
 * against the chain read directly. Screenshots of each screen, light and dark, go to
 * test-results/screenshots/.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { Address } from '../shared/network-manifest';
import { formatUnits } from '../renderer/format';
import { callApi } from './support/call-api';
import { chainBalances } from './support/chain-oracle';
import { launchBrowserMode, type LaunchedApp } from './support/launch-browser-mode';
import { snapBothThemes } from './support/screenshots';
import { createWalletInSecureView } from './support/secure-view';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

test.describe.configure({ mode: 'serial' });

let app: LaunchedApp;
let context: BrowserContext;
let page: Page;
let address: Address;
let phrase: string[];

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  app = await launchBrowserMode();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  page = await context.newPage();
});
test.afterAll(async () => {
  await context?.close();
  await app?.stop();
});

/** The UI's balance tiles equal the chain's balances, as the UI formats them. */
async function expectBalancesMatchChain(): Promise<void> {
  const chain = await chainBalances(app.dataDir, address);
  await expect(page.getByTestId('balance-deposit')).toContainText(
    `${formatUnits(chain.deposit.toString(), chain.tokenDecimals)} tUSD`,
  );
  await expect(page.getByTestId('balance-token')).toContainText(
    `${formatUnits(chain.token.toString(), chain.tokenDecimals)} tUSD`,
  );
  await expect(page.getByTestId('balance-native')).toContainText(
    `${formatUnits(chain.native.toString(), 18)} ETH`,
  );
}

test('onboarding: create a wallet in the secure view, then fund it from the faucet', async () => {
  await page.goto(app.launchUrl);
  await expect(page.getByRole('heading', { name: 'Welcome to Coffer' })).toBeVisible();
  await expect(page.getByTestId('app-info')).toContainText('browser mode');
  await snapBothThemes(page, '01-welcome');

  // The app opens the one-time link in a tab of its own (noopener) and waits for the wallet.
  const [view] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('button', { name: /Create a new wallet/ }).click(),
  ]);
  await expect(page.getByTestId('onboarding-waiting')).toContainText('Finish in the secure tab');
  await snapBothThemes(page, '02-onboarding-waiting');
  // noopener: the tab has no way back to the app's page.
  expect(await view.evaluate(() => (globalThis as unknown as { opener: unknown }).opener)).toBeNull();

  phrase = await createWalletInSecureView(view, PASSWORD);
  await view.close();

  // Only the wallet.status event can move the page on: it does not poll the status.
  const ready = page.getByTestId('onboarding-ready');
  await expect(ready.getByRole('heading', { name: 'Your wallet is ready' })).toBeVisible();
  address = (await ready.locator('.address-line .mono').textContent()) as Address;
  expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
  await expect(page.getByTestId('balance-token')).toContainText('0 tUSD');
  await snapBothThemes(page, '03-onboarding-ready');

  await page.getByRole('button', { name: 'Get test funds' }).click();
  await expect(page.getByTestId('faucet-result')).toContainText('Test funds received');
  await expect(page.getByTestId('balance-token')).toContainText('10,000 tUSD');
  await expect(page.getByTestId('balance-native')).toContainText('10 ETH');
  await expectBalancesMatchChain();
  await snapBothThemes(page, '04-onboarding-funded');

  await page.getByRole('button', { name: 'Open my wallet' }).click();
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();
  await expect(page.getByTestId('evm-address')).toHaveText(address);
  await expect(page.getByTestId('note-address')).toContainText(/^coffer1/);
  await expectBalancesMatchChain();
  await snapBothThemes(page, '05-wallet');
});

test('lock and unlock: a wrong password is refused with a plain error; a lock from elsewhere shows at once', async () => {
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByRole('heading', { name: 'Coffer is locked' })).toBeVisible();
  await snapBothThemes(page, '06-lock');

  await page.getByLabel('Password').fill('not my password');
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.getByTestId('unlock-error')).toContainText('That password is not right');
  await expect(page.getByRole('heading', { name: 'Coffer is locked' })).toBeVisible();
  await snapBothThemes(page, '07-lock-wrong-password');

  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();

  // Locked by another client of the core (as the auto-lock timer does): the wallet.status event
  // alone brings the lock screen up.
  expect((await callApi(page, 'wallet.lock')).ok).toBe(true);
  await expect(page.getByRole('heading', { name: 'Coffer is locked' })).toBeVisible();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();
});

test('deposit: approved in the dialog, the balance moves; rejected, it ends cleanly and nothing moves', async () => {
  const amount = page.getByTestId('deposit-amount');
  await amount.fill('20000');
  await expect(page.getByText('That is more than the 10,000 tUSD in this account')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Deposit/ })).toBeDisabled();

  await amount.fill('25');
  await page.getByRole('button', { name: 'Deposit 25 tUSD' }).click();
  const dialog = page.getByRole('dialog', { name: 'Approve a deposit' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('approval-amount')).toHaveText('25 tUSD');
  await expect(dialog).toContainText('Deposit 25 tUSD into the PaymentVault');
  await expect(dialog).toContainText('PaymentVault');
  await expect(dialog).toContainText('Coffer Test USD');
  // The form follows the approval request the core raised.
  await expect(page.getByTestId('transfer-steps').locator('[aria-current="step"]')).toContainText('Approve');
  await snapBothThemes(page, '08-approval-deposit');

  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  const result = page.getByTestId('transfer-result');
  await expect(result).toContainText('Deposited 25 tUSD');
  await expect(result.getByTestId('tx-hash')).toHaveAttribute('title', /^0x[0-9a-f]{64}$/);
  await expect(page.getByTestId('balance-deposit')).toContainText('25 tUSD');
  await expect(page.getByTestId('balance-token')).toContainText('9,975 tUSD');
  await expectBalancesMatchChain();
  await snapBothThemes(page, '09-deposit-done');

  // Rejected from the keyboard: focus starts on Reject, Enter answers.
  await amount.fill('5');
  await amount.press('Enter');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Reject' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  const error = page.getByTestId('transfer-error');
  await expect(error).toContainText('You rejected the request');
  await expect(error).toContainText('Nothing was signed or sent');
  await expect(page.getByTestId('transfer-steps')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Deposit 5 tUSD' })).toBeEnabled();
  await expectBalancesMatchChain();
  await expect(page.getByTestId('balance-deposit')).toContainText('25 tUSD');
  await snapBothThemes(page, '10-deposit-rejected');

  // Escape rejects too.
  await page.getByRole('button', { name: 'Deposit 5 tUSD' }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(error).toContainText('You rejected the request');
});

test('withdraw: part of the deposit goes back to the account', async () => {
  await page.getByRole('tab', { name: 'Withdraw' }).click();
  await page.getByRole('button', { name: /^Use the whole 25 tUSD/ }).click();
  await expect(page.getByTestId('withdraw-amount')).toHaveValue('25');
  await page.getByTestId('withdraw-amount').fill('10');
  await page.getByRole('button', { name: 'Withdraw 10 tUSD' }).click();
  const dialog = page.getByRole('dialog', { name: 'Approve a withdrawal' });
  await expect(dialog.getByTestId('approval-amount')).toHaveText('10 tUSD');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId('transfer-result')).toContainText('Withdrew 10 tUSD');
  await expect(page.getByTestId('balance-deposit')).toContainText('15 tUSD');
  await expect(page.getByTestId('balance-token')).toContainText('9,985 tUSD');
  await expectBalancesMatchChain();
  await snapBothThemes(page, '11-withdraw-done');
});

test('accounts: add one, see its own empty balances, switch back', async () => {
  await page.getByRole('button', { name: 'Add account' }).click();
  const select = page.getByTestId('account-select');
  await expect(select.locator('option')).toHaveCount(2);
  await expect(select).toHaveValue('1');
  // The new account's address shows once read ("…" until then).
  const evmAddress = page.getByTestId('evm-address');
  await expect(evmAddress).not.toHaveText(address);
  await expect(evmAddress).toHaveText(/^0x[0-9a-fA-F]{40}$/);
  await expect(page.getByTestId('balance-token')).toContainText('0 tUSD');
  await expect(page.getByTestId('balance-deposit')).toContainText('0 tUSD');
  await select.selectOption('0');
  await expect(page.getByTestId('evm-address')).toHaveText(address);
  await expect(page.getByTestId('balance-deposit')).toContainText('15 tUSD');

  await page.getByRole('button', { name: /^Show full/ }).click();
  const note = page.getByTestId('note-address');
  const full = await note.textContent();
  expect(full!.length).toBeGreaterThan(1000);
  await page.getByRole('button', { name: 'Show less' }).click();
  await expect(note).toContainText('…');
});

test('settings: auto-lock, keychain explained, password changed, recovery phrase revealed in a secure view', async () => {
  // The navigation works from the keyboard: arrow keys move between screens.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Providers' }).focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }),
  ).toBeFocused();
  // Browser mode has no OS keychain: the switch is off and says why.
  await expect(page.getByRole('switch')).toBeDisabled();
  await expect(page.getByText(/Not available here/)).toBeVisible();
  await snapBothThemes(page, '12-settings');

  await page.getByTestId('auto-lock').selectOption('5');
  await expect(page.getByText('Coffer now locks after 5 minutes without use.')).toBeVisible();

  await page.getByLabel('Current password').fill('wrong password');
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('New password again').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change the password' }).click();
  await expect(page.getByTestId('error')).toContainText('That password is not right');
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Change the password' }).click();
  await expect(page.getByText('Password changed. Use the new one from now on.')).toBeVisible();

  const [view] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('button', { name: 'Show the recovery phrase' }).click(),
  ]);
  await expect(page.getByText('Continue in the secure tab')).toBeVisible();
  await expect(view.getByRole('heading', { name: 'Show the recovery phrase' })).toBeVisible();
  await view.getByLabel('Password').fill(NEW_PASSWORD);
  await view.getByRole('button', { name: 'Show the words' }).click();
  // The same 24 words the wallet was created with.
  expect(await view.locator('ol.words li').allTextContents()).toEqual(phrase);
  await view.close();

  // The new password unlocks; the lock screen shows the new auto-lock time.
  await page.getByRole('button', { name: 'Lock' }).click();
  await expect(page.getByText('Coffer locks itself after 5 minutes without use.')).toBeVisible();
  await page.getByLabel('Password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Unlock', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
});
