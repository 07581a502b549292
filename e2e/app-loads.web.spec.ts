import { expect, test } from '@playwright/test';
import { launchBrowserMode, type LaunchedApp } from './support/launch-browser-mode';
import { snapBothThemes } from './support/screenshots';

let app: LaunchedApp;
test.beforeAll(async () => {
  app = await launchBrowserMode();
});
test.afterAll(() => app.stop());

test('the UI loads in browser mode and shows data from a real API call', async ({ page }) => {
  await page.goto(app.launchUrl);
  const info = page.getByTestId('app-info');
  await expect(info).toContainText('browser');
  await expect(info).toContainText(app.dataDir);
  // The token moved out of the address bar into session storage.
  expect(page.url()).not.toContain('token=');
  // With no --network, npm start runs the embedded devnet and the app is on it.
  await expect(page.getByTestId('network-status')).toContainText('Devnet · chain 31337');
});

test('a page without the token cannot reach the API', async ({ page }) => {
  const origin = new URL(app.launchUrl).origin;
  await page.goto(`${origin}/`);
  await expect(page.getByRole('alert')).toContainText('Could not reach the Coffer core');
  await expect(page.getByRole('alert')).toContainText('open the URL printed by the latest npm start');
  await snapBothThemes(page, '00-not-connected');
});
