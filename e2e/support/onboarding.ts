/**
 * The first steps every spec that needs a wallet takes, as a person does them: create the wallet
 * in the secure tab, optionally take the devnet faucet's test funds, and open the wallet screen.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { createWalletInSecureView } from './secure-view';

export async function createAndOpenWallet(
  page: Page,
  context: BrowserContext,
  launchUrl: string,
  password: string,
  options: { fund?: boolean } = {},
): Promise<void> {
  await page.goto(launchUrl);
  const [view] = await Promise.all([
    context.waitForEvent('page'),
    page.getByRole('button', { name: /Create a new wallet/ }).click(),
  ]);
  await createWalletInSecureView(view, password);
  await view.close();
  if (options.fund) {
    await page.getByRole('button', { name: 'Get test funds' }).click();
    await expect(page.getByTestId('faucet-result')).toContainText('Test funds received');
  }
  await page.getByRole('button', { name: 'Open my wallet' }).click();
  await expect(page.getByRole('heading', { name: 'Wallet', level: 1 })).toBeVisible();
}
