/**
 * Drives the main-process-controlled "create a wallet" view in its own tab: password, the 24 words
 * (read off the page, as a person would write them down), and three of them typed back.
 */
import { expect, type Page } from '@playwright/test';

/** Returns the recovery phrase the view showed. */
export async function createWalletInSecureView(view: Page, password: string): Promise<string[]> {
  await expect(view.getByRole('heading', { name: 'Create a wallet' })).toBeVisible();
  await view.getByLabel(/^Password/).fill(password);
  await view.getByLabel('The same password again').fill(password);
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
  return words;
}
