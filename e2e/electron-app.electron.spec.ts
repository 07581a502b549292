import { _electron as electron, expect, test } from '@playwright/test';
import { findElectronRuntime } from '../electron/electron-runtime';

const runtime = findElectronRuntime();
const reason = runtime.available ? '' : `Electron runtime unavailable here: ${runtime.reason}`;
if (reason) console.log(`skipped: ${reason}`);

test.describe('Electron app', () => {
  test.skip(!runtime.available, reason);

  test('opens a hardened window that shows data from the core over IPC', async () => {
    const app = await electron.launch({
      args: ['out/main/main.js'],
      env: { ...process.env, COFFER_HOME: test.info().outputPath('home') },
    });
    const window = await app.firstWindow();
    await expect(window.getByTestId('app-info')).toContainText('electron');
    expect(
      await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL()),
    ).toBe('app://coffer/index.html');
    // Sandboxed, isolated, no Node: the page sees window.coffer and nothing of Node or IPC.
    expect(
      await window.evaluate(() => ({
        require: typeof (globalThis as { require?: unknown }).require,
        process: typeof (globalThis as { process?: unknown }).process,
        ipc: typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer,
        coffer: typeof (globalThis as { coffer?: unknown }).coffer,
      })),
    ).toEqual({ require: 'undefined', process: 'undefined', ipc: 'undefined', coffer: 'object' });
    await app.close();
  });
});
