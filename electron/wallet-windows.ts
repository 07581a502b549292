/**
 * The wallet's own windows in Electron:
 *
 * - Secure views (create, import, reveal): static forms rendered by the core, in a window with no
 *   preload, in a separate in-memory session whose app:// handler serves only those views under
 *   app://secure/. The main window's session has no such handler, so its renderer cannot reach them.
 * - The approval window: its own preload (approval-preload.ts) exposing only the approval methods;
 *   IPC lets only this window answer approvals. Closing it rejects what it was showing.
 */
import { BrowserWindow, session, type Session } from 'electron';
import { builtPath } from './core/app-paths';
import type { Core } from './core/core-app';
import { readSecureViewForm, SECURE_VIEW_PREFIX, SecureViews } from './core/vault/secure-views';
import { APP_ORIGIN } from './security/trusted-sender';
import { approvalWindowOptions, secureViewWindowOptions } from './security/window-options';
import type { WindowRole } from './security/window-channels';
import { denyAllPermissions } from './security/guards';

export const SECURE_VIEW_ORIGIN = 'app://secure';

export class WalletWindows {
  #approvalWindow: BrowserWindow | null = null;
  readonly #secureViewContents = new Set<number>();
  #secureSession: Session | null = null;

  constructor(
    private readonly core: () => Core | null,
    private readonly parent: () => BrowserWindow | null,
  ) {}

  /** Call once the app is ready: the session and protocol handler of the secure views. */
  serveSecureViews(views: SecureViews): void {
    const ses = session.fromPartition('coffer-secure-views');
    denyAllPermissions(ses);
    ses.protocol.handle('app', async (request) => {
      const url = new URL(request.url);
      if (`${url.protocol}//${url.host}` !== SECURE_VIEW_ORIGIN || !SecureViews.matches(url.pathname))
        return new Response('Not found', { status: 404 });
      const form = request.method === 'POST' ? await readSecureViewForm(request) : {};
      if (!form) return new Response('Form too large', { status: 413 });
      const answer = await views.handle(request.method, url.pathname, form);
      return new Response(answer.html, { status: answer.status, headers: answer.headers });
    });
    views.setBaseUrl(SECURE_VIEW_ORIGIN);
    this.#secureSession = ses;
  }

  openSecureView(url: string): void {
    if (!this.#secureSession) throw new Error('Secure views are not being served yet');
    const window = new BrowserWindow(
      secureViewWindowOptions(this.#secureSession, this.parent() ?? undefined),
    );
    const id = window.webContents.id;
    this.#secureViewContents.add(id);
    window.on('closed', () => this.#secureViewContents.delete(id));
    void window.loadURL(url);
  }

  /** Secure views navigate only to themselves (their own form posts); every other window never. */
  allowsNavigation(contentsId: number, url: string): boolean {
    return (
      this.#secureViewContents.has(contentsId) && url.startsWith(`${SECURE_VIEW_ORIGIN}${SECURE_VIEW_PREFIX}`)
    );
  }

  showApprovals(): void {
    if (this.#approvalWindow && !this.#approvalWindow.isDestroyed()) {
      this.#approvalWindow.focus();
      return;
    }
    const window = new BrowserWindow(
      approvalWindowOptions(builtPath('preload', 'approval-preload.cjs'), this.parent() ?? undefined),
    );
    window.on('closed', () => {
      this.#approvalWindow = null;
      // Closing the window is a "no" to everything it was showing.
      const approvals = this.core()?.wallet.approvals;
      for (const request of approvals?.list() ?? [])
        approvals!.respond({ id: request.id, hash: request.hash, decision: 'reject' });
    });
    this.#approvalWindow = window;
    void window.loadURL(`${APP_ORIGIN}/approval.html`);
  }

  /** Closes the approval window once nothing is waiting. */
  approvalSettled(): void {
    if (this.core()?.wallet.approvals.list().length === 0) this.#approvalWindow?.close();
  }

  roleOf(contentsId: number | undefined, mainWindow: BrowserWindow | null): WindowRole {
    if (contentsId === undefined) return 'other';
    if (mainWindow && !mainWindow.isDestroyed() && mainWindow.webContents.id === contentsId) return 'main';
    if (
      this.#approvalWindow &&
      !this.#approvalWindow.isDestroyed() &&
      this.#approvalWindow.webContents.id === contentsId
    )
      return 'approval';
    return 'other';
  }
}
