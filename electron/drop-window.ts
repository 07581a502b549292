/**
 * The small always-on-top drop window: the app's own page in its compact layout
 * (`index.html?view=drop`), with the same preload and contract as the main window, created with
 * the hardened webPreferences (security/window-options.ts). One at a time; asking again brings it forward. Its IPC role is
 * `drop` (security/window-channels.ts): uploads and what they need, nothing of the wallet's.
 */
import { BrowserWindow } from 'electron';
import { builtPath } from './core/app-paths';
import { APP_ORIGIN } from './security/trusted-sender';
import { dropWindowOptions } from './security/window-options';

export class DropWindow {
  #window: BrowserWindow | null = null;

  open(): void {
    if (this.#window && !this.#window.isDestroyed()) {
      this.#window.show();
      this.#window.focus();
      return;
    }
    const window = new BrowserWindow(dropWindowOptions(builtPath('preload', 'preload.cjs')));
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => (this.#window = null));
    this.#window = window;
    void window.loadURL(`${APP_ORIGIN}/index.html?view=drop`);
  }

  /** Whether these web contents are the drop window's. */
  owns(contentsId: number | undefined): boolean {
    return (
      contentsId !== undefined &&
      this.#window !== null &&
      !this.#window.isDestroyed() &&
      this.#window.webContents.id === contentsId
    );
  }

  get window(): BrowserWindow | null {
    return this.#window && !this.#window.isDestroyed() ? this.#window : null;
  }
}
