/**
 * Electron main: app lifecycle, the app:// protocol, window security, and the IPC binding of the
 * core. Everything that does real work lives in electron/core; this file only wires Electron to it.
 */
import { readFile } from 'node:fs/promises';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  Notification,
  protocol,
  session,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import { contract } from '../shared/api/contract';
import { ipcEventChannel } from '../shared/api/define';
import { builtPath, defaultDataDir } from './core/app-paths';
import { createCore, type Core } from './core/core-app';
import { loadNetwork } from './core/network/network-config';
import { DropWindow } from './drop-window';
import { bindIpc } from './ipc';
import { safeStorageKeychain } from './keychain-safe-storage';
import { contentSecurityPolicy, securityHeaders } from './security/csp';
import { denyAllPermissions, guardWebContents } from './security/guards';
import { contentTypeFor, resolveAssetPath } from './security/static-assets';
import { APP_ORIGIN } from './security/trusted-sender';
import { channelAllowed, eventAllowed } from './security/window-channels';
import { mainWindowOptions } from './security/window-options';
import { UploadFeedback } from './upload-feedback';
import { WalletWindows } from './wallet-windows';
import { tuneHeapForStreaming } from './core/heap-tuning';

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | null = null;
  let mainWindow: BrowserWindow | null = null;
  const walletWindows = new WalletWindows(
    () => core,
    () => mainWindow,
  );
  const dropWindow = new DropWindow();
  // Taskbar progress on Coffer's windows, and a notification when an upload ends.
  const feedback = new UploadFeedback({
    progress: (fraction) => {
      for (const window of [mainWindow, dropWindow.window])
        if (window && !window.isDestroyed()) window.setProgressBar(fraction ?? -1);
    },
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
  });

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web contents, ours or not: no navigation away, no new windows, no <webview>.
  app.on('web-contents-created', (_event, contents: WebContents) =>
    guardWebContents(contents, (id, url) => walletWindows.allowsNavigation(id, url)),
  );

  tuneHeapForStreaming();
  app.whenReady().then(async () => {
    denyAllPermissions(session.defaultSession);
    serveRenderer();

    const dataDir = defaultDataDir();
    core = await createCore({
      dataDir,
      mode: 'electron',
      network: await loadNetwork(dataDir),
      keychain: safeStorageKeychain,
      openSecureView: (url) => walletWindows.openSecureView(url),
      openDropWindow: () => dropWindow.open(),
    });
    walletWindows.serveSecureViews(core.wallet.secureViews);
    const roleOf = (id: number | undefined) =>
      dropWindow.owns(id) ? 'drop' : walletWindows.roleOf(id, mainWindow);
    bindIpc(ipcMain, contract, core.dispatch, undefined, (channel, event) =>
      channelAllowed(channel, roleOf(event.sender?.id)),
    );
    core.events.subscribeAll((event, payload) => {
      for (const window of BrowserWindow.getAllWindows()) {
        if (!window.isDestroyed() && eventAllowed(event, roleOf(window.webContents.id)))
          window.webContents.send(ipcEventChannel(event), payload);
      }
    });
    core.events.on('approval.requested', () => walletWindows.showApprovals());
    core.events.on('approval.settled', () => walletWindows.approvalSettled());
    core.events.on('upload.progress', (view) => feedback.onProgress(view));
    Menu.setApplicationMenu(appMenu(() => dropWindow.open()));
    mainWindow = createMainWindow();
    mainWindow.on('closed', () => (mainWindow = null));
  });

  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => void core?.close());
}

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(builtPath('preload', 'preload.cjs')));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

/** The standard menus, and Window → Drop window to open the small drop-to-upload window. */
function appMenu(openDropWindow: () => void): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'Window',
      submenu: [
        { label: 'Drop window', accelerator: 'CmdOrCtrl+Shift+D', click: openDropWindow },
        { type: 'separator' },
        { role: 'minimize' },
        { role: 'close' },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

/** app://coffer/* serves the built renderer with the strict CSP; nothing else is reachable. */
function serveRenderer(): void {
  const rendererDir = builtPath('renderer');
  const headers = securityHeaders(contentSecurityPolicy());
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const filePath = url.origin === APP_ORIGIN ? resolveAssetPath(rendererDir, url.pathname) : null;
    if (!filePath) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(filePath);
      return new Response(body, { headers: { ...headers, 'Content-Type': contentTypeFor(filePath) } });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
