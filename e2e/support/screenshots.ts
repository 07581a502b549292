/**
 * Saves a screenshot of the app as it is now, in the light and the dark theme, under
 * test-results/screenshots/ (kept as test artifacts). The app follows the system theme by
 * default, so the colour scheme is switched by emulation and the shot waits for the page to apply it.
 */
import { expect, type Page } from '@playwright/test';
import path from 'node:path';

export const SCREENSHOT_DIR = path.join('test-results', 'screenshots');

export async function snapBothThemes(page: Page, name: string): Promise<void> {
  // The app scrolls inside its content pane: grow the viewport to show a screen whole.
  const viewport = page.viewportSize()!;
  const overflow = await page.evaluate(() => {
    const doc = globalThis as unknown as {
      document: { querySelector(s: string): { scrollHeight: number; clientHeight: number } | null };
    };
    const main = doc.document.querySelector('.content');
    return main ? Math.max(0, main.scrollHeight - main.clientHeight) : 0;
  });
  if (overflow > 0)
    await page.setViewportSize({ ...viewport, height: Math.min(viewport.height + overflow, 2400) });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    await page.screenshot({
      path: path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`),
      fullPage: true,
      animations: 'disabled',
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (overflow > 0) await page.setViewportSize(viewport);
}
